"""Audience settings: administrators edit them, and the next page view follows them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from extensions import db
from models import AuditEvent, Role
from services.reading.personalization import load_audiences

ARTICLE = "/articles/ph-positive-all-tki"


def settings_form(**changes) -> dict:
    """The settings form as it is filled in now, with `changes` typed over it."""
    audiences = load_audiences()
    data = {}
    for role in audiences.roles:
        data[f"role_{role.key}-label"] = role.label
        data[f"role_{role.key}-level"] = role.level.value
    for level, setting in audiences.levels.items():
        data[f"level_{level.value}-language_name"] = setting.language_name
        data[f"level_{level.value}-audience_name"] = setting.audience_name
        grade = setting.target_grade
        data[f"level_{level.value}-target_grade"] = "" if grade is None else f"{grade:g}"
    db.session.commit()
    return data | changes


@pytest.fixture
def admin(client, auth):
    auth.login(Role.ADMIN)


def test_a_new_role_label_shows_in_the_article_picker_on_the_next_view(demo, client, admin):
    assert "Patient or caregiver" in client.get(ARTICLE).get_data(as_text=True)
    response = client.post(
        "/admin/settings", data=settings_form(**{"role_patient-label": "Test patient label"})
    )
    assert response.status_code == 302
    html = client.get(ARTICLE).get_data(as_text=True)
    assert "Test patient label" in html and "Patient or caregiver" not in html


def test_a_role_moved_to_another_level_gets_that_wording(demo, client, admin):
    client.post("/admin/settings", data=settings_form(**{"role_student-level": "plain"}))
    response = client.get(f"{ARTICLE}?role=student")
    assert response.headers["Location"].endswith("audience=plain")


def test_a_lower_target_flags_wording_on_the_next_view(demo, client, admin):
    assert "above reading target" not in client.get("/admin/").get_data(as_text=True)
    response = client.post(
        "/admin/settings", data=settings_form(**{"level_plain-target_grade": "1"})
    )
    assert response.status_code == 302
    html = client.get("/admin/").get_data(as_text=True)
    assert "above reading target" in html and "(plain): grade" in html
    row = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "settings.level"))
    assert row.object_id == "plain" and row.changes == {"target_grade": [8.0, 1.0]}


def test_a_rule_broken_is_explained_beside_the_field_and_nothing_is_saved(demo, client, admin):
    typed = settings_form(
        **{
            "role_patient-level": "standard",
            "level_standard-target_grade": "twelve",
            "role_student-label": "Test typed label",
        }
    )
    response = client.post("/admin/settings", data=typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="level_standard-target_grade-error"' in html and "such as 8 or 8.5" in html
    assert 'value="twelve"' in html and 'value="Test typed label"' in html
    assert load_audiences().role("student").label == "Student"


def test_a_level_left_without_a_role_is_refused(demo, client, admin):
    response = client.post(
        "/admin/settings", data=settings_form(**{"role_patient-level": "clinical"})
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="level-plain-error"' in html and "At least one role must read plain wording" in html
    assert load_audiences().role("patient").level.value == "plain"
