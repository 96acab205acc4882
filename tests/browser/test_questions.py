""" "Questions to ask your care team" in a real browser: a calm box that fits a 390 px phone, comes
and goes with the picker, and prints as a plain bordered list."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.helpers import APPROVED, article, assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

BOX = ".article-section.kind-questions"


def test_the_box_fits_a_390px_phone_and_stands_apart(new_context):
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(article(APPROVED, audience="plain"))
    box = page.locator(BOX)
    expect(box.locator("h2")).to_have_text("Questions to ask your care team")
    expect(box.locator("li")).to_have_count(6)
    box.scroll_into_view_if_needed()
    expect(box).to_be_in_viewport()
    assert_no_horizontal_scroll(page, 390, "plain article with its questions")
    style = box.evaluate(
        "el => { const s = getComputedStyle(el); return [s.backgroundColor, s.borderLeftWidth]; }"
    )
    assert style[0] not in ("rgba(0, 0, 0, 0)", "transparent") and style[1] == "4px"
    # After the evidence, just before the references, in the page as laid out.
    tops = page.evaluate(
        """sel => [document.querySelector('#section-3'), document.querySelector(sel),
                   document.querySelector('#references')]
            .map(el => el.getBoundingClientRect().top)""",
        BOX,
    )
    assert tops == sorted(tops)
    violations = [
        v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert violations == []


def test_the_picker_brings_the_questions_and_takes_them_away(page):
    page.goto(article(APPROVED))
    expect(page.locator(BOX)).to_have_count(0)  # clinical wording by default
    page.locator("#role-patient").check()
    expect(page.locator("#audience-status")).to_contain_text("patients and caregivers")
    expect(page.locator(BOX)).to_have_count(1)
    page.locator("#role-physician").check()
    expect(page.locator("#audience-status")).to_contain_text("Showing wording for")
    expect(page.locator(BOX)).to_have_count(0)


def test_the_box_prints_as_a_plain_bordered_list(page):
    page.goto(article(APPROVED, audience="standard"))
    page.emulate_media(media="print")
    box = page.locator(BOX)
    expect(box).to_be_visible()
    background, border = box.evaluate(
        "el => { const s = getComputedStyle(el); return [s.backgroundColor, s.borderTopColor]; }"
    )
    assert background in ("rgba(0, 0, 0, 0)", "transparent")
    assert border == "rgb(0, 0, 0)"
    expect(box.locator(".toggle")).to_have_count(0)
