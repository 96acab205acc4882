"""With JavaScript off, every control on the article page still works as a link or a form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    SECTIONS,
    SEED,
    SEED_QUESTION,
    answer_opening,
    article,
    first_long_section,
)

pytestmark = pytest.mark.browser


def open_seed(page):
    page.goto(article(SEED))
    # Guard against a false pass: htmx must really be absent, not merely unused.
    assert page.evaluate("typeof window.htmx") == "undefined", "JavaScript ran"


def test_article_renders_without_javascript(nojs_page):
    page = nojs_page
    open_seed(page)

    expect(page.locator("h1")).to_have_text(SEED_QUESTION)
    for heading in [*SECTIONS, "References", "Professional Medical Disclaimer"]:
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator(".caution")).to_be_visible()


def test_show_full_section_is_a_link_that_opens_the_section(nojs_page):
    page = nojs_page
    open_seed(page)
    anchor = first_long_section(page)
    body = page.locator(f"#{anchor}-body")
    toggle = page.locator(f"#{anchor}-toggle")
    collapsed_text = body.inner_text()

    toggle.click()

    expect(page).to_have_url(re.compile(rf"\?expand={anchor}#{anchor}$"))
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_contain_text("Show less")
    expect(body).not_to_have_class(re.compile(r"\bis-collapsed\b"))
    assert len(body.inner_text()) > len(collapsed_text) + 200, "the section did not open"

    toggle.click()

    expect(toggle).to_have_attribute("aria-expanded", "false")
    assert body.inner_text() == collapsed_text


def test_reference_toggle_is_a_link(nojs_page):
    page = nojs_page
    open_seed(page)
    expect(page.locator("#references").get_by_role("link", name="PMID 36600670")).to_have_count(0)

    page.locator("#references-toggle").click()

    expect(page).to_have_url(re.compile(r"\?refs=full#references$"))
    expect(page.locator("#references-toggle")).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#references").get_by_role("link", name="PMID 36600670")).to_be_visible()
    # The full page came back, not a fragment.
    expect(page.locator("h1")).to_have_text(SEED_QUESTION)


def test_citation_links_jump_to_the_reference(nojs_page):
    page = nojs_page
    open_seed(page)

    page.locator("#cite-2").click()

    expect(page).to_have_url(re.compile(r"#ref-2$"))
    expect(page.locator("#reference-list > li:target")).to_have_attribute("id", "ref-2")


def test_personalize_form_reloads_with_plain_wording(nojs_page):
    page = nojs_page
    open_seed(page)
    answer = page.locator(".answer")
    first_sentence = answer_opening(page)
    expect(page.locator(".current-level")).to_contain_text("Showing clinical wording")

    page.get_by_label("Patient or caregiver").check()
    page.get_by_role("button", name="Show this wording").click()

    expect(page).to_have_url(re.compile(rf"/articles/{SEED}\?audience=plain$"))
    expect(page.get_by_label("Patient or caregiver")).to_be_checked()
    expect(page.locator(".current-level")).to_contain_text(
        "Showing wording for patients and caregivers"
    )
    expect(answer).not_to_contain_text(first_sentence)
    expect(answer).to_contain_text("Talk to your care team")

    # The choice is remembered: the plain article URL now shows plain wording too.
    page.goto(article(SEED))
    expect(page.get_by_label("Patient or caregiver")).to_be_checked()
    expect(answer).not_to_contain_text(first_sentence)
