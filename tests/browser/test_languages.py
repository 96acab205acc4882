"""Languages in a real browser: an English reader switches to Spanish and keeps their article and
wording, picks "Paciente o cuidador" and the wording swaps in place; Spanish pages are axe-clean;
a browser that prefers Spanish is offered the Spanish page, never sent to it."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.helpers import APPROVED, SEED, article
from tests.browser.test_accessibility import assert_no_serious_violations

pytestmark = pytest.mark.browser

SPANISH_PAGES = {
    "home": "/es/",
    "search": "/es/search?q=ponatinib",
    "topics": "/es/topics",
    "glossary": "/es/glossary",
    "editorial-policy": "/es/editorial-policy",
    "article-plain": "/es" + article(APPROVED, audience="plain"),
    "article-under-review": "/es" + article(SEED),
    "print-view": f"/es/articles/{APPROVED}/print?audience=plain",
}


def test_an_english_reader_switches_to_spanish_and_picks_a_role(page, console):
    page.set_viewport_size({"width": 1280, "height": 1600})
    page.goto(article(SEED, audience="standard"))
    switch = page.locator(".language-switch").get_by_role("link", name="Español")
    expect(switch).to_have_attribute("hreflang", "es")
    expect(switch).to_have_attribute("lang", "es")
    switch.click()
    # The same article, in the same wording, on its Spanish page.
    expect(page).to_have_url(re.compile(re.escape(f"/es/articles/{SEED}?audience=standard") + "$"))
    assert page.evaluate("document.documentElement.lang") == "es"
    expect(page.get_by_role("heading", name="Personalizar")).to_be_visible()
    expect(page.get_by_text("¿Qué opción le describe mejor?")).to_be_visible()
    status = page.locator("#audience-status")
    expect(status).to_contain_text("Se muestra la redacción para estudiantes")
    page.evaluate("window.__noReload = true")
    clinical_before = page.locator(".answer").inner_text()

    with page.expect_response(lambda r: "role=patient" in r.url):
        page.get_by_label("Paciente o cuidador").check()
    expect(status).to_contain_text("Se muestra la redacción para pacientes y cuidadores.")
    assert page.url.endswith(f"/es/articles/{SEED}?audience=plain"), page.url
    assert page.evaluate("window.__noReload") is True, "the page reloaded"
    assert page.evaluate("document.activeElement.id") == "role-patient", "focus left the picker"
    # The Spanish wording swapped, from standard to plain (demo_content: [summary.es]).
    assert "fase avanzada de la leucemia mieloide crónica" in clinical_before
    expect(page.locator(".answer")).to_contain_text("una pastilla diaria de terapia dirigida")
    assert page.locator(".answer").inner_text() != clinical_before
    # The switch back to English follows the wording just chosen (vetted.js, after the swap);
    # so does the note offering English to this English-speaking browser.
    english = page.locator(".language-switch").get_by_role("link", name="English")
    expect(english).to_have_attribute(
        "href", re.compile(r"^http://[^/]+" + re.escape(f"/articles/{SEED}?audience=plain") + "$")
    )
    note = page.locator(".language-suggestion")
    expect(note).to_be_visible()
    expect(note.get_by_role("link")).to_have_attribute("href", english.get_attribute("href"))
    assert_no_serious_violations(Axe(), page)  # after the swap, with the note shown
    console.assert_clean()


@pytest.mark.parametrize("path", SPANISH_PAGES.values(), ids=SPANISH_PAGES.keys())
def test_spanish_pages_have_no_serious_axe_violations(page, path):
    response = page.goto(path)
    assert response is not None and response.status == 200
    assert page.evaluate("document.documentElement.lang") == "es"
    expect(page.locator("h1")).to_have_count(1)
    assert_no_serious_violations(Axe(), page)


def test_a_browser_preferring_spanish_is_offered_the_spanish_page_not_sent(new_context):
    page = new_context(locale="es-MX").new_page()
    response = page.goto(article(APPROVED))
    assert response is not None and response.status == 200
    assert page.evaluate("document.documentElement.lang") == "en"  # no redirect
    note = page.locator(".language-suggestion")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Esta página está disponible en su idioma")
    note.get_by_role("link", name="Español").click()
    expect(page).to_have_url(re.compile(re.escape(f"/es/articles/{APPROVED}") + "$"))
    # On the Spanish page the browser's preference is met: no note.
    expect(page.locator(".language-suggestion")).to_be_hidden()


def test_an_english_browser_sees_no_suggestion(new_context):
    page = new_context(locale="en-US").new_page()
    page.goto(article(APPROVED))
    expect(page.locator(".language-suggestion")).to_be_hidden()
