"""Spanish search and follow-ups in a real browser: on /es/ a search typed without accents finds
the blast-crisis article, and a question asked in Spanish is answered from Spanish passages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BLAST = "all-blast-crisis-treatment"
HYPER_CVAD = "hyper-cvad-regimen"


def test_a_spanish_search_without_accents_finds_the_article(page, console):
    page.goto("/es/")
    box = page.locator("#search-q")
    box.fill("tratamiento crisis blastica")
    box.press("Enter")
    first = page.locator(".search-hits .card-title").first
    expect(first).to_have_attribute("href", f"/es/articles/{BLAST}")
    expect(first).to_contain_text("¿")  # the Spanish question
    expect(page.locator(".search-hits .snippet mark").first).to_be_visible()
    console.assert_clean()


def test_a_question_in_spanish_is_answered_from_spanish_passages(page, console):
    page.goto(f"/es/articles/{HYPER_CVAD}")
    page.get_by_label("Su pregunta").fill("¿Qué medicamentos usa el hyper-CVAD en sus ciclos?")
    page.get_by_role("button", name="Preguntar", exact=True).click()
    expect(page.locator("#followup-saved-title")).to_have_text("Su pregunta se guardó")
    panel = page.locator("#ask-evidence")
    expect(
        panel.get_by_role("heading", name="Lo que dicen nuestros artículos revisados")
    ).to_be_visible()
    first = panel.locator(".passage-text").first
    expect(first).to_contain_text("hyper-CVAD")
    assert first.get_attribute("lang") is None  # Spanish, the page's language
    expect(panel.locator("a.cite").first).to_be_visible()
    expect(panel.locator(".evidence-article").first).to_contain_text("¿Qué es el hyper-CVAD")
    console.assert_clean()
