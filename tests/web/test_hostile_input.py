"""Input that once broke pages or lost text: entities that decoded into the renderer's
placeholders, bodies over the size limit, and control characters (NUL 500ed on PostgreSQL).

Run on both databases: `DATABASE_URL=postgresql://…/name pytest tests/web/test_hostile_input.py`.
"""

from __future__ import annotations

from html import unescape

import pytest
import sqlalchemy as sa

import config
from extensions import db
from models import Article, FollowupQuestion, ReadingLevel, Role
from services.followups import instant
from tests.factories import make_article, make_sections
from tests.web.test_editor import body, counts, login, page_text, staff, with_guidelines

FORGED = "&#xE000;c9&#xE001; and &#57344;g0&#57345; Dasatinib is given for two years [@ref]."
SEED = "all-blast-crisis-treatment"
ASK = f"/articles/{SEED}/questions"
QUESTION = "Is\x00 ponatinib better than dasatinib for Ph+ ALL?"


def followups() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(FollowupQuestion))


# -- An entity breaks no page ---------------------------------------------------------------


def test_an_entity_forging_a_placeholder_breaks_no_page(editor, client, hx, article):
    base = article.latest_revision
    edit = f"/admin/articles/{article.id}/edit"
    saved = client.post(edit, data=body(base, sections=with_guidelines(base, FORGED)))
    assert saved.status_code == 303
    assert client.get(edit).status_code == 200  # the editor of the new draft
    preview = hx.post(
        f"/admin/articles/{article.id}/preview",
        data=body(base, sections=with_guidelines(base, FORGED), preview_level="clinical"),
    )
    assert preview.status_code == 200 and "\ue000" not in preview.get_data(as_text=True)

    public = make_article(
        status="approved",
        question="How long is dasatinib given?",
        sections=make_sections(summary=FORGED, guidelines=FORGED),
    )
    db.session.commit()
    page = client.get(f"/articles/{public.slug}")
    assert page.status_code == 200
    assert "c9 and g0 Dasatinib" in page_text(page)
    revision_id = public.live_revision_id
    assert client.get(f"/admin/revisions/{revision_id}/preview").status_code == 200
    evidence = instant.answer_from_evidence(
        "How long is dasatinib given for?", article=public, level=ReadingLevel.CLINICAL
    )
    assert evidence is not None  # quoting the passage raises nothing


# -- One body limit, answered by the app with the text kept -----------------------------------


def test_the_app_and_nginx_share_one_body_limit(app, monkeypatch):
    monkeypatch.setenv("MAX_BODY_BYTES", str(2 * 1024 * 1024))
    assert config.max_body_bytes() == 2 * 1024 * 1024
    assert config.Config(app.instance_path).MAX_CONTENT_LENGTH == 2 * 1024 * 1024
    # nginx lets a little more through, so the app's own 413 is what a sender sees.
    assert 2 * 1024 * 1024 < config.nginx_body_limit() <= 2 * 1024 * 1024 + 256 * 1024
    template = (config.ROOT / "deploy" / "nginx.conf.template").read_text()
    assert "client_max_body_size ${client_max_body_size};" in template


def test_a_save_over_the_limit_gets_the_apps_page_and_saves_nothing(app, editor, client, article):
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    base = article.latest_revision
    before = counts()
    huge = "Long text. " * 10_000
    response = client.post(
        f"/admin/articles/{article.id}/edit", data=body(base, sections=with_guidelines(base, huge))
    )
    assert response.status_code == 413
    text = page_text(response)
    assert "<html" in response.get_data(as_text=True)
    assert "up to 48 KB" in text and "Nothing was saved" in text
    assert "Go back: what you typed is still in the form" in text
    assert counts() == before


def test_a_preview_over_the_limit_answers_inside_its_panel(app, editor, hx, article):
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    base = article.latest_revision
    response = hx.post(
        f"/admin/articles/{article.id}/preview",
        data=body(base, sections=with_guidelines(base, "Long text. " * 10_000)),
    )
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'role="alert"' in html and "up to 48 KB" in html
    # Swapped inside #preview-panel, which stays (and keeps its id for the next preview).
    assert response.headers["HX-Reswap"] == "innerHTML"


def test_the_editor_shows_refusals_inside_the_preview_panel(editor, client, article):
    html = client.get(f"/admin/articles/{article.id}/edit").get_data(as_text=True)
    assert 'id="preview-panel" class="preview-panel" data-swap-errors' in html


# -- Control characters: a clear 422 on every form, on both databases --------------------------


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1b", "\x7f"])
def test_a_reader_question_with_a_control_character_is_refused_with_the_text_kept(
    demo, client, character
):
    before = followups()
    response = client.post(ASK, data={"text": QUESTION.replace("\x00", character)})
    assert response.status_code == 422
    text = page_text(response)
    assert "control characters" in text and "not saved" in text
    assert "Is ponatinib better than dasatinib for Ph+ ALL?" in text  # in the box, cleaned
    assert followups() == before


def test_a_reader_question_with_a_nul_is_refused_in_place_with_htmx(demo, hx):
    before = followups()
    response = hx.post(ASK, data={"text": QUESTION})
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#followup-status"  # the textarea stays as typed
    assert "control characters" in response.get_data(as_text=True)
    assert followups() == before


def test_tab_newline_and_carriage_return_are_still_welcome(demo, client):
    response = client.post(ASK, data={"text": "Is ponatinib\tbetter than\r\ndasatinib?"})
    assert response.status_code == 303


def test_an_editor_save_with_a_nul_is_refused_and_saves_nothing(editor, client, hx, article):
    base = article.latest_revision
    before = counts()
    data = body(base, sections=with_guidelines(base, "Give 40 mg\x00 daily [@ref]."))
    response = client.post(f"/admin/articles/{article.id}/edit", data=data)
    assert response.status_code == 422
    text = page_text(response)
    assert "characters we can’t store" in text and "Nothing was saved" in text
    assert "Go back: what you typed is still in the form" in text
    preview = hx.post(f"/admin/articles/{article.id}/preview", data=data)
    assert preview.status_code == 422 and "<html" not in preview.get_data(as_text=True)
    assert counts() == before
    db.session.expire_all()
    assert db.session.get(Article, article.id).latest_revision_id == base.id


@pytest.mark.parametrize(
    "path",
    [
        "/search?q=aspirin%00",
        "/search?q%00=aspirin",
        "/topics?page=%01",
        "/admin/citations?q=study%00",
    ],
)
def test_control_characters_in_a_query_are_refused(editor, client, path):
    response = client.get(path)
    assert response.status_code == 422
    assert "characters we can’t store" in unescape(response.get_data(as_text=True))


def test_a_control_character_in_an_address_is_not_found(demo, client):
    assert client.get("/articles/all-blast%00-crisis-treatment").status_code == 404


def test_a_staff_form_with_a_control_character_is_refused(app, client):
    admin = staff(Role.ADMIN, "Ada Admin")
    db.session.commit()
    login(client, admin)
    users = db.session.scalar(sa.select(sa.func.count()).select_from(type(admin)))
    response = client.post(
        "/admin/users/new",
        data={"name": "Eve\x00", "email": "eve@example.org", "role": "editor"},
    )
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(type(admin))) == users
