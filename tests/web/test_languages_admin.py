"""Languages as data: administrators add and edit a language, its targets and its words for the
picker's roles and the reading levels; bad input gets a message, never a 500 or half a row."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from extensions import db
from models import AuditEvent, Language, ReadabilityTarget, ReadingLevel, Role
from models.audience import AudienceRoleLabel, LevelSettingName
from tests.web.test_editor import login, staff
from web import i18n


@pytest.fixture
def admin(app, client):
    user = staff(Role.ADMIN, "Ada Admin")
    db.session.commit()
    login(client, user)
    return user


def _token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


def test_list_shows_languages_and_the_add_form(client, admin):
    page = client.get("/admin/settings/languages").get_data(as_text=True)
    assert "English (source)" in page and 'href="/admin/settings/languages/es">Spanish</a>' in page
    assert "Add a language" in page and 'name="code"' in page


def test_add_a_language_as_data(client, admin, monkeypatch):
    token = _token(client, "/admin/settings/languages")
    form = {
        "csrf_token": token,
        "code": "pt",
        "name": "Português",
        "english_name": "Portuguese",
        "formula": "flesch_kincaid",
        "target-plain": "8",
        "role-patient": "Paciente ou cuidador",
        "level-plain-language_name": "linguagem simples",
        "level-plain-audience_name": "pacientes e cuidadores",
    }
    response = client.post("/admin/settings/languages", data=form)
    assert response.status_code == 303
    assert response.location.endswith("/admin/settings/languages/pt")
    language = db.session.get(Language, "pt")
    assert language.name == "Português" and not language.enabled
    target = db.session.get(ReadabilityTarget, ("pt", ReadingLevel.PLAIN))
    assert target.target == 8 and target.direction == "at_most"
    assert (
        db.session.scalar(
            sa.select(AudienceRoleLabel.label).where(AudienceRoleLabel.language == "pt")
        )
        == "Paciente ou cuidador"
    )
    assert db.session.get(LevelSettingName, (ReadingLevel.PLAIN, "pt")).language_name == (
        "linguagem simples"
    )
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action.like("settings.lang%")))
    assert event.action == "settings.language_add"
    # It is not published yet: no addresses until enabled.
    assert client.get("/pt/").status_code == 404
    page = client.get("/admin/settings/languages/pt").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    again = dict(form, csrf_token=token, enabled="yes")
    del again["code"]
    # Enabling waits for the site's own words in Portuguese (a compiled catalog): refused, kept.
    refused = client.post("/admin/settings/languages/pt", data=again)
    assert refused.status_code == 422
    assert "no translation into this language yet" in refused.get_data(as_text=True)
    assert not db.session.get(Language, "pt").enabled
    monkeypatch.setattr(i18n, "has_catalog", lambda code: True)  # once translations/pt ships
    assert client.post("/admin/settings/languages/pt", data=again).status_code == 303
    assert db.session.get(Language, "pt").enabled


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "two- or three-letter ISO 639 code"),
        ("PT-br", "two- or three-letter ISO 639 code"),
        ("../x", "two- or three-letter ISO 639 code"),
        ("es", "There is already a language “es”"),
        ("en", "There is already a language “en”"),
    ],
)
def test_a_bad_code_gets_a_clear_message(client, admin, code, message):
    token = _token(client, "/admin/settings/languages")
    form = {
        "csrf_token": token,
        "code": code,
        "name": "X",
        "english_name": "X",
        "formula": "flesch_kincaid",
    }
    response = client.post("/admin/settings/languages", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Language)) == 2


def test_bad_targets_and_half_level_names_are_refused_whole(client, admin):
    token = _token(client, "/admin/settings/languages/es")
    form = {
        "csrf_token": token,
        "name": "Español",
        "english_name": "Spanish",
        "formula": "fernandez_huerta",
        "enabled": "yes",
        "target-plain": "170",
        "target-standard": "sesenta",
        "level-plain-language_name": "solo uno",
        "level-plain-audience_name": "",
    }
    response = client.post("/admin/settings/languages/es", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "from 0 to 100" in page and "Give both names for this level" in page
    assert db.session.get(ReadabilityTarget, ("es", ReadingLevel.PLAIN)).target == 70


def test_edit_spanish_role_labels_and_targets(client, admin):
    page = client.get("/admin/settings/languages/es").get_data(as_text=True)
    assert 'value="Paciente o cuidador"' in page and 'name="target-plain" value="70"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    fields = dict(re.findall(r'<input type="text" id="[^"]+" name="([^"]+)" value="([^"]*)"', page))
    fields.update(
        csrf_token=token, formula="fernandez_huerta", enabled="yes", **{"target-plain": "72"}
    )
    fields["role-patient"] = "Paciente, familiar o cuidador"
    response = client.post("/admin/settings/languages/es", data=fields)
    assert response.status_code == 303
    assert db.session.get(ReadabilityTarget, ("es", ReadingLevel.PLAIN)).target == 72
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "settings.language"))
    assert set(event.changes) == {"target_plain", "role_patient"}


def test_english_has_no_language_page(client, admin):
    assert client.get("/admin/settings/languages/en").status_code == 404
    assert client.get("/admin/settings/languages/zz").status_code == 404


def test_editors_may_not(client, app):
    login(client, staff(Role.EDITOR, "Erin Editor"))
    db.session.commit()
    assert client.get("/admin/settings/languages").status_code == 403
