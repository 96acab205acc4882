"""Audience settings: what the picker and the readability checks need stays true."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from extensions import db
from models import AuditEvent, ReadingLevel, Role
from services.errors import NotPermitted
from services.reading.personalization import load_audiences
from services.staff.settings import LevelInput, RoleInput, level_field, role_field, update_settings
from services.validation import InvalidFields
from tests.factories import make_user


def current() -> tuple[dict, dict]:
    audiences = load_audiences()
    roles = {r.key: RoleInput(r.label, r.level) for r in audiences.roles}
    levels = {
        lv: LevelInput(s.language_name, s.audience_name, s.target_grade)
        for lv, s in audiences.levels.items()
    }
    return roles, levels


@pytest.fixture
def admin(app):
    return make_user(role=Role.ADMIN)


def test_labels_levels_and_targets_change_with_one_audit_row_each(admin):
    roles, levels = current()
    roles["patient"].label = "Patient, family member or caregiver"
    roles["student"].level = ReadingLevel.PLAIN
    levels[ReadingLevel.PLAIN].target_grade = 7.5
    assert update_settings(roles=roles, levels=levels, actor=admin) == 3
    audiences = load_audiences()
    assert audiences.role("patient").label == "Patient, family member or caregiver"
    assert audiences.role("student").level == ReadingLevel.PLAIN
    assert audiences.levels[ReadingLevel.PLAIN].target_grade == 7.5
    rows = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(r.action, r.object_id, r.changes) for r in rows] == [
        (
            "settings.role",
            "patient",
            {"label": ["Patient or caregiver", "Patient, family member or caregiver"]},
        ),
        ("settings.role", "student", {"level": ["standard", "plain"]}),
        ("settings.level", "plain", {"target_grade": [8.0, 7.5]}),
    ]


def test_unchanged_settings_write_nothing(admin):
    roles, levels = current()
    assert update_settings(roles=roles, levels=levels, actor=admin) == 0
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0


def test_cannot_leave_a_level_without_a_role(admin):
    roles, levels = current()
    roles["patient"].level = ReadingLevel.STANDARD
    with pytest.raises(InvalidFields) as refused:
        update_settings(roles=roles, levels=levels, actor=admin)
    assert "?audience=plain" in refused.value.errors[level_field(ReadingLevel.PLAIN)]
    assert load_audiences().role("patient").level == ReadingLevel.PLAIN


@pytest.mark.parametrize(
    ("level", "grade", "message"),
    [
        (ReadingLevel.PLAIN, None, "needs"),
        (ReadingLevel.STANDARD, None, "needs"),
        (ReadingLevel.PLAIN, 0.5, "from 1 to 20"),
        (ReadingLevel.CLINICAL, 21, "from 1 to 20"),
        (ReadingLevel.PLAIN, 13, "cannot aim above standard"),
    ],
)
def test_cannot_set_a_target_that_makes_no_sense(admin, level, grade, message):
    roles, levels = current()
    levels[level].target_grade = grade
    with pytest.raises(InvalidFields) as refused:
        update_settings(roles=roles, levels=levels, actor=admin)
    text = refused.value.errors[level_field(level, "target_grade")]
    assert message in text.replace("Give", "needs") or message in text


def test_clinical_wording_may_have_no_cap_or_a_high_one(admin):
    roles, levels = current()
    levels[ReadingLevel.CLINICAL].target_grade = 16
    update_settings(roles=roles, levels=levels, actor=admin)
    levels[ReadingLevel.CLINICAL].target_grade = None
    update_settings(roles=roles, levels=levels, actor=admin)
    assert load_audiences().levels[ReadingLevel.CLINICAL].target_grade is None


def test_every_problem_at_once_and_nothing_saved(admin):
    roles, levels = current()
    roles["student"].label = "  "
    roles["allied"].label = "patient or CAREGIVER"
    levels[ReadingLevel.STANDARD].language_name = ""
    with pytest.raises(InvalidFields) as refused:
        update_settings(roles=roles, levels=levels, actor=admin)
    assert set(refused.value.errors) == {
        role_field("student", "label"),
        role_field("allied", "label"),
        level_field(ReadingLevel.STANDARD, "language_name"),
    }
    assert load_audiences().role("allied").label.startswith("Nurse")


def test_a_form_for_other_roles_is_a_conflict(admin):
    roles, levels = current()
    roles["extra"] = RoleInput("Extra", ReadingLevel.PLAIN)
    with pytest.raises(InvalidFields) as refused:
        update_settings(roles=roles, levels=levels, actor=admin)
    assert refused.value.status_code == 409


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER])
def test_cannot_change_settings_without_being_an_admin(app, role):
    roles, levels = current()
    with pytest.raises(NotPermitted):
        update_settings(roles=roles, levels=levels, actor=make_user(role=role))
