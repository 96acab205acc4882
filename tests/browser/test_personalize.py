"""After the picker swaps the wording in place (see test_personalization.py for the picker itself):
the new body works like the old one, and history keeps the picker and the wording in step."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import SEED, answer_opening, article, first_long_section

pytestmark = pytest.mark.browser

PLAIN_URL = re.compile(rf"/articles/{SEED}\?audience=plain$")
CLINICAL_URL = re.compile(rf"/articles/{SEED}$")


def choose_patient(page) -> str:
    """Open the seed article, choose "Patient or caregiver"; return the clinical opening."""
    page.goto(article(SEED))
    clinical = answer_opening(page)
    page.evaluate(
        "window.__marker = 1; document.getElementById('audience-status').__original = true"
    )
    page.get_by_label("Patient or caregiver").check()
    expect(page).to_have_url(PLAIN_URL)
    expect(page.locator(".answer")).not_to_contain_text(clinical)
    return clinical


def test_swapped_in_wording_works_like_the_page_it_replaced(page):
    choose_patient(page)

    # The live region is updated, not replaced, so screen readers announce the change.
    expect(page.locator("#audience-status")).to_have_text(
        "Showing wording for patients and caregivers."
    )
    assert page.evaluate("document.getElementById('audience-status').__original === true")
    # Its section toggles keep the plain wording, and its citation cards open.
    anchor = first_long_section(page)
    toggle = page.locator(f"#{anchor}-toggle")
    expect(toggle).to_have_attribute("hx-get", re.compile(r"audience=plain"))
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(f"#{anchor}-body .term").first).to_be_attached()  # still plain wording
    page.locator(".answer a.cite").first.hover()
    expect(page.locator(".answer .cite-card").first).to_be_visible()
    assert page.evaluate("window.__marker") == 1, "the page reloaded instead of swapping"


def test_back_and_forward_keep_the_picker_and_the_wording_in_step(page):
    clinical = choose_patient(page)

    page.go_back()
    expect(page).to_have_url(CLINICAL_URL)
    expect(page.locator(".answer")).to_contain_text(clinical)
    expect(page.locator("#audience-status")).to_contain_text("Showing clinical wording")

    page.go_forward()
    expect(page).to_have_url(PLAIN_URL)
    expect(page.locator("#audience-status")).to_contain_text("patients and caregivers")
    expect(page.get_by_label("Patient or caregiver")).to_be_checked(timeout=1_000)
