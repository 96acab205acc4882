"""Issue 16's reader journey in a real browser: an English reader switches to Spanish, picks
"Paciente o cuidador" and the wording swaps in place, searches without accents, asks a follow-up
in Spanish and reads Spanish passages; and a Spanish page says its translation lags once an
English-only edit is approved."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from extensions import db
from models import Article, ReadingLevel, SectionKind, User
from services.editorial import review
from services.editorial.inputs import inputs_from
from services.editorial.revisions import save_revision
from tests.browser.helpers import article
from tests.browser.staff import staff_on

pytestmark = pytest.mark.browser

CML = "cml-lymphoid-blast-crisis"  # approved, with Spanish plain and standard wording


def test_a_reader_goes_from_english_to_a_spanish_answer(page, console, live_demo):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(article(CML, audience="standard"))
    page.locator(".language-switch").get_by_role("link", name="Español").click()
    expect(page).to_have_url(re.compile(re.escape(f"/es/articles/{CML}?audience=standard") + "$"))
    expect(page.locator("h1")).to_have_text(
        "¿Cómo se trata la leucemia mieloide crónica en crisis blástica linfoide?"
    )
    page.evaluate("window.__noReload = true")
    with page.expect_response(lambda r: "role=patient" in r.url):
        page.get_by_label("Paciente o cuidador").check()
    expect(page.locator(".answer")).to_contain_text("es un cáncer de la sangre que crece despacio")
    assert page.evaluate("window.__noReload") is True, "the page reloaded"

    # Search without accents: "blastica" finds "blástica".
    page.goto("/es/search")
    box = page.get_by_role("searchbox").first
    box.fill("tratamiento crisis blastica")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/es/search\?q=tratamiento\+crisis\+blastica"))
    results = page.locator("#search-results")
    expect(results).to_contain_text("crisis blástica")

    # A follow-up in Spanish, answered in place with Spanish passages and their citations.
    page.goto(f"/es/articles/{CML}?audience=plain")
    page.get_by_label("Su pregunta").fill(
        "¿Qué pastillas ITC para la crisis blástica tienen etiqueta de la FDA?"
    )
    page.get_by_role("button", name="Preguntar", exact=True).click()
    panel = page.locator("#ask-evidence")
    passage = panel.locator(".passage").first
    expect(passage).to_be_visible()
    # Quoted from the Spanish wording (the page's language, so no lang="en"), with its citations.
    expect(passage).not_to_have_attribute("lang", "en")
    expect(passage.locator("blockquote")).to_contain_text(
        re.compile(r"crisis blástica|trasplante|quimioterapia")
    )
    assert panel.locator(".passage a.cite").count() >= 1, "the passages quote their citations"
    console.assert_clean()


def test_a_spanish_page_says_so_when_an_english_only_edit_is_approved(live_app, page):
    sentence = "Talk to your care team about your own plan."
    with staff_on(live_app) as people:
        with live_app.app_context():
            erin = db.session.scalar(sa.select(User).where(User.email == people["erin"]))
            rita = db.session.scalar(sa.select(User).where(User.email == people["rita"]))
            cml = db.session.scalar(sa.select(Article).where(Article.slug == CML))
            live = cml.live_revision
            sections = inputs_from(live)
            summary = next(s for s in sections if s.kind == SectionKind.SUMMARY)
            assert sentence in summary.variants[ReadingLevel.PLAIN]
            summary.variants[ReadingLevel.PLAIN] = summary.variants[ReadingLevel.PLAIN].replace(
                sentence, "Ask your care team about your own plan."
            )
            newer = save_revision(
                cml,
                author=erin,
                question=live.question,
                sections=sections,
                change_note="Plainer last sentence.",
                question_translations=dict(live.question_translations or {}),
            )
            review.submit(newer, actor=erin)
            review.start_review(newer, reviewer=rita)
            review.approve(newer, reviewer=rita)
            db.session.commit()
            db.session.remove()

        page.goto(f"/es/articles/{CML}?audience=plain")
        # Only the short answer's English changed: one notice, under it.
        expect(page.get_by_text("La versión en inglés de esta sección")).to_have_count(1)
        note = page.locator(".translation-note").first
        expect(note).to_contain_text("La versión en inglés de esta sección se actualizó el")
        expect(note).to_contain_text("esta traducción sigue la versión del 14 de marzo de 2025")
        link = note.get_by_role("link", name="Leer la sección en inglés")
        expect(link).to_have_attribute("hreflang", "en")
        link.click()
        expect(page).to_have_url(
            re.compile(re.escape(f"/articles/{CML}?audience=plain#answer-title"))
        )
        expect(page.locator(".answer")).to_contain_text("Ask your care team about your own plan.")
