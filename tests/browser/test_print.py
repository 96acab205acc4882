"""Taking an article to the appointment, in a real browser: the print view and the article
page's own print stylesheet."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import APPROVED, SECTIONS, article, first_long_section

pytestmark = pytest.mark.browser


def test_print_link_opens_every_section_in_full_without_javascript(nojs_page):
    page = nojs_page
    page.goto(article(APPROVED, audience="plain"))
    shortened = first_long_section(page)
    preview = page.locator(f"#{shortened}-body").inner_text()

    page.get_by_role("link", name="Print or save as PDF").click()

    expect(page).to_have_url(re.compile(rf"/articles/{APPROVED}/print\?audience=plain$"))
    for heading in ["Short answer", *SECTIONS, "References", "Professional Medical Disclaimer"]:
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    full = page.locator(f"#{shortened} .section-body").inner_text()
    assert len(full) > len(preview) + 200, "the print view shortened a section"
    expect(page.get_by_text("Show full section")).to_have_count(0)
    expect(page.locator(".print-permalink")).to_have_text(
        re.compile(rf"/articles/{APPROVED}/revisions/\d+\?audience=plain$")
    )
    expect(page.locator(".ref-read").first).to_be_visible()
    # Without JavaScript there is no Print button; the PDF link is there.
    expect(page.locator("button[data-print]")).to_be_hidden()
    expect(page.get_by_role("link", name="Download PDF")).to_have_attribute(
        "href", f"/articles/{APPROVED}.pdf?audience=plain"
    )


def test_print_button_appears_with_javascript(page):
    page.goto(f"/articles/{APPROVED}/print?audience=standard")
    expect(page.get_by_role("button", name="Print")).to_be_visible()


def test_printing_the_article_page_hides_the_controls_and_keeps_the_references(page):
    page.goto(article(APPROVED, audience="plain"))
    expect(page.locator("#personalize")).to_be_visible()
    expect(page.locator(".followup-form")).to_be_visible()

    page.emulate_media(media="print")

    for hidden in ["#personalize", ".followup-form", ".site-header nav", ".toggle", ".print-link"]:
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.get_by_role("heading", name="References", exact=True)).to_be_visible()
    expect(page.locator("#reference-list li").first).to_be_visible()
    # A shortened section prints whole (its preview, then the rest, waiting hidden on screen),
    # and each source with its identifiers.
    shortened = first_long_section(page)
    expect(page.locator(f"#{shortened}-body")).to_be_visible()
    rest = page.locator(f"#{shortened} .section-print")
    expect(rest).to_be_visible()
    printed = page.locator(f"#{shortened}").inner_text()
    page.emulate_media(media="screen")
    expect(rest).to_be_hidden()
    preview = page.locator(f"#{shortened}-body").inner_text()
    page.emulate_media(media="print")
    ending = " ".join(rest.inner_text().split()[-6:])
    assert ending not in " ".join(preview.split()), "the rest repeats the preview"
    assert ending in " ".join(printed.split()), "the printed section was shortened"
    expect(page.locator("#reference-list .ref-ids").first).to_be_visible()
    expect(
        page.locator("#reference-list").get_by_text(re.compile(r"PMID \d+")).first
    ).to_be_visible()
