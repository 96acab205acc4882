"""The Spanish glossary in a real browser: a marked term on a Spanish page opens its Spanish
card on focus, links to /es/glossary, and the page with the card open is axe-clean."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.helpers import SEED, article
from tests.browser.test_accessibility import assert_no_serious_violations

pytestmark = pytest.mark.browser


def test_a_spanish_term_opens_its_spanish_card_on_focus(page, console):
    page.goto("/es" + article(SEED, audience="plain"))
    term = page.locator(".answer .term-link").first
    expect(term).to_have_attribute("href", re.compile(r"^/es/glossary#[\w-]+$"))
    definition = page.locator(f"#{term.get_attribute('aria-describedby')}")
    expect(definition).to_be_hidden()
    term.focus()
    expect(definition).to_be_visible()
    # The card explains the Spanish word in Spanish (the demo's [terms.es] definitions).
    expect(definition).to_contain_text(re.compile(r"\b(el|la|los|las|que|una?)\b"))
    assert_no_serious_violations(Axe(), page)  # with the card open
    page.keyboard.press("Escape")
    expect(definition).to_be_hidden()
    term.click()
    expect(page).to_have_url(re.compile(r"/es/glossary#[\w-]+$"))
    expect(page.locator(".glossary-entry:target")).to_have_count(1)
    assert page.evaluate("document.documentElement.lang") == "es"
    console.assert_clean()
