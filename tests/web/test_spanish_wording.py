"""The article page in Spanish: Spanish wording, English stand-ins under a notice, lag notices.

The /es/ addresses arrive with the routing work; until then a test-only hook sets the language
the way that routing does (`request.vetted_language`), which is all `current_language()` reads.
"""

from __future__ import annotations

import json

import pytest
from flask import request

from extensions import db
from models import ReadingLevel, Role, SectionKind
from services.editorial import review
from services.editorial.revisions import SectionInput, save_revision
from tests.factories import make_article, make_reference, make_user

L = ReadingLevel
SPANISH_SUMMARY = "Beba mucha agua antes del tratamiento [@ref]."


def _sections(summary_plain: str = "Drink plenty of water before treatment [@ref].") -> list:
    return [
        SectionInput(
            SectionKind.SUMMARY,
            "Short answer",
            {L.CLINICAL: "Hydrate before treatment [@ref].", L.PLAIN: summary_plain},
            {"es": {L.PLAIN: SPANISH_SUMMARY}},
        ),
        SectionInput(
            SectionKind.GUIDELINES,
            "From the Guidelines",
            {L.CLINICAL: "Guidelines advise hydration [@ref].", L.PLAIN: "Doctors agree [@ref]."},
        ),
        SectionInput(
            SectionKind.RESEARCH,
            "From the Research",
            {L.CLINICAL: "A study measured it [@ref].", L.PLAIN: "A study looked [@ref]."},
            {"es": {L.PLAIN: "Un estudio lo midió [@ref]."}},
            {"es": "Lo que dice la investigación"},
        ),
    ]


@pytest.fixture
def in_spanish(app):
    """Requests carrying `X-Test-Language: es` are Spanish pages, as /es/ ones will be."""

    def set_language():
        if request.headers.get("X-Test-Language"):
            request.vetted_language = request.headers["X-Test-Language"]

    hooks = app.before_request_funcs.setdefault(None, [])
    hooks.insert(0, set_language)
    # One address serves both languages here: keep the page cache out of it.
    app.config["PAGE_CACHE_DISABLED"] = True
    yield {"X-Test-Language": "es"}
    hooks.remove(set_language)


@pytest.fixture
def article(app):
    make_reference("ref")
    author = make_user(role=Role.EDITOR)
    article = make_article(
        slug="agua", author=author, sections=_sections(), question="Why drink water?"
    )
    second = save_revision(
        article,
        author=author,
        question="Why drink water?",
        question_translations={"es": "¿Por qué beber agua?"},
        sections=_sections("Drink water, and then more water [@ref]."),
        based_on_id=article.latest_revision_id,
    )
    review.submit(second, actor=author)
    reviewer = make_user(role=Role.REVIEWER, credentials="MD")
    review.start_review(second, reviewer=reviewer)
    review.approve(second, reviewer=reviewer, override_reason="Test")
    db.session.commit()
    return article


def test_spanish_page_shows_spanish_wording_the_fallback_and_the_lag(client, article, in_spanish):
    page = client.get("/articles/agua?audience=plain", headers=in_spanish).get_data(as_text=True)
    assert "¿Por qué beber agua?</h1>" in page
    assert "Beba mucha agua antes del tratamiento" in page
    assert "Un estudio lo midió" in page and "Lo que dice la investigación</h2>" in page
    # The guidelines have no Spanish: English under a notice, marked as English.
    assert "Esta sección todavía no está traducida al español." in page
    assert 'id="section-1-body" lang="en"' in page and "Doctors agree" in page
    # The short answer's English changed after its translation: the page says so, with a link.
    assert "La versión en inglés de esta sección se actualizó el" in page
    assert "esta traducción sigue la versión del" in page
    assert 'href="/articles/agua?audience=plain#answer-title" hreflang="en"' in page
    assert page.count("La versión en inglés de esta sección") == 1  # research did not change
    assert "Lectura: " in page and "(Fernández Huerta " in page
    assert "Reading level: about grade" not in page


def test_english_page_shows_none_of_it(client, article, in_spanish):
    page = client.get("/articles/agua?audience=plain").get_data(as_text=True)
    assert "Why drink water?</h1>" in page and "Drink water, and then more water" in page
    for spanish in ("Beba", "traducida", "La versión en inglés", "Lectura:", '-body" lang="en"'):
        assert spanish not in page.split("<body", 1)[1], spanish


def test_clinical_spanish_page_falls_back_within_spanish_first(client, article, in_spanish):
    page = client.get("/articles/agua?audience=clinical", headers=in_spanish).get_data(as_text=True)
    assert "Beba mucha agua" in page  # Spanish plain, the only Spanish short answer
    assert "Hydrate before treatment" not in page.split("<body", 1)[1]
    # The level fallback says so in Spanish, with the Spanish names of the levels.
    assert "Aún no disponible en redacción clínica: se muestra en lenguaje sencillo." in page
    assert "Not yet available" not in page


def test_spanish_section_fragment_keeps_its_notice(client, article, in_spanish):
    revision = article.live_revision
    guidelines = next(s for s in revision.sections if s.kind == SectionKind.GUIDELINES)
    response = client.get(
        f"/articles/agua/sections/{guidelines.id}?audience=plain&expanded=1",
        headers={**in_spanish, "HX-Request": "true"},
    )
    assert "Esta sección todavía no está traducida al español." in response.get_data(as_text=True)


def test_spanish_print_view(client, article, in_spanish):
    page = client.get("/articles/agua/print?audience=plain", headers=in_spanish).get_data(
        as_text=True
    )
    assert "¿Por qué beber agua?" in page and "Beba mucha agua" in page
    assert "Esta sección todavía no está traducida al español." in page


def test_spanish_page_describes_itself_in_spanish(client, article, in_spanish):
    page = client.get("/articles/agua?audience=plain", headers=in_spanish).get_data(as_text=True)
    assert '<meta name="description" content="Beba mucha agua antes del tratamiento.">' in page
    data = json.loads(page.split('<script type="application/ld+json">', 1)[1].split("</script>")[0])
    assert data["inLanguage"] == "es" and data["headline"] == "¿Por qué beber agua?"
    assert data["description"] == "Beba mucha agua antes del tratamiento."


def test_review_page_lists_translations_their_ease_and_source(client, article):
    from tests.conftest import PASSWORD

    editor = make_user(role=Role.EDITOR, password=PASSWORD)
    draft = save_revision(
        article,
        author=editor,
        question="Why drink water?",
        sections=[
            SectionInput(
                SectionKind.SUMMARY,
                "Short answer",
                {L.CLINICAL: "Hydrate [@ref].", L.PLAIN: "Drink water [@ref]."},
                {
                    "es": {
                        L.PLAIN: "La administración concomitante de fármacos citotóxicos necesita "
                        "una vigilancia hematológica exhaustiva [@ref]."
                    }
                },
            )
        ],
        based_on_id=article.latest_revision_id,
    )
    review.submit(draft, actor=editor)
    db.session.commit()
    assert client.post("/auth/login", data={"email": editor.email, "password": PASSWORD})
    page = client.get(f"/admin/review/{draft.id}").get_data(as_text=True)
    assert "Translations: readability and the English they translate" in page
    assert "Spanish, " in page and "below 70" in page and "muy difícil" in page
    assert f"English of revision {draft.number}" in page
    assert "1 finding blocks approval" in page


def test_mark_as_still_current_from_the_review_page(client, article):
    from tests.conftest import PASSWORD

    editor = make_user(role=Role.EDITOR, password=PASSWORD)
    live = article.live_revision
    db.session.commit()
    assert client.post("/auth/login", data={"email": editor.email, "password": PASSWORD})
    page = client.get(f"/admin/review/{live.id}").get_data(as_text=True)
    assert "the English has changed since" in page and "Mark as still current" in page
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"csrf_token": token, "based_on_id": live.id, "language": "es", "level": "plain"}
    response = client.post(
        f"/admin/articles/{article.id}/translations/still-current", data={**form, "position": 0}
    )
    assert response.status_code == 303
    db.session.expire_all()
    latest = article.latest_revision
    assert latest.number == live.number + 1
    summary = next(s for s in latest.sections if s.position == 0)
    assert summary.translations[0].source_revision_id == latest.id
    # Again, against a revision no longer the latest: a conflict, said, nothing saved.
    again = client.post(
        f"/admin/articles/{article.id}/translations/still-current", data={**form, "position": 0}
    )
    assert again.status_code == 409 and "Nothing was saved" in again.get_data(as_text=True)
    # A section with no Spanish: refused with a message.
    form["based_on_id"] = latest.id
    none = client.post(
        f"/admin/articles/{article.id}/translations/still-current", data={**form, "position": 1}
    )
    assert none.status_code == 400 and "no such translation" in none.get_data(as_text=True)
