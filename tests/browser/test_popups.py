"""Citation cards and glossary definitions: open on hover and focus, stay open under the pointer,
close with Escape, and never run off the screen or hide under other content (WCAG 1.4.13, 1.4.10).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import SEED, article, assert_no_horizontal_scroll

pytestmark = pytest.mark.browser


def move_onto(page, opener, popup) -> None:
    """Move the pointer straight down from the opener to the middle of its popup."""
    start = opener.bounding_box()
    end = popup.bounding_box()
    x = min(max(start["x"] + start["width"] / 2, end["x"] + 4), end["x"] + end["width"] - 4)
    page.mouse.move(x, end["y"] + end["height"] / 2, steps=12)


def covered_points(popup) -> list[str]:
    """What paints over an open popup: sampled points where the topmost element is not in it."""
    return popup.evaluate(
        """popup => {
            const box = popup.getBoundingClientRect(), found = new Set();
            for (let x = box.left + 3; x < box.right - 3; x += 6)
                for (let y = box.top + 3; y < box.bottom - 3; y += 6) {
                    if (x >= innerWidth || y >= innerHeight) continue;
                    const top = document.elementFromPoint(x, y);
                    if (top && !popup.contains(top))
                        found.add(top.tagName.toLowerCase() + '.' + top.className);
                }
            return [...found];
        }"""
    )


def test_citation_card_opens_on_hover_and_focus_and_escape_hides_it(page):
    page.goto(article(SEED))
    title_1 = page.locator("#ref-1 .ref-title").inner_text()
    title_2 = page.locator("#ref-2 .ref-title").inner_text()
    card_1 = page.locator("#cite-card-1")
    card_2 = page.locator("#cite-card-2")
    expect(card_1).to_be_hidden()

    # Hover: the card is fetched, filled and shown; Escape dismisses it (WCAG 1.4.13).
    page.locator("#cite-1").hover()
    expect(card_1).to_be_visible()
    expect(card_1).to_contain_text(title_1)
    expect(card_1).to_contain_text("Reference 1")
    # The pointer can move from the marker onto the card without it closing (WCAG 1.4.13).
    move_onto(page, page.locator("#cite-1"), card_1)
    expect(card_1).to_be_visible()
    page.keyboard.press("Escape")
    expect(card_1).to_be_hidden()
    page.mouse.move(0, 0)

    # Keyboard: Tab to the next marker; its card is shown; Escape hides it, focus stays.
    page.locator("#cite-1").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "cite-2"
    expect(card_2).to_be_visible()
    expect(card_2).to_contain_text(title_2)
    expect(page.locator("#cite-2")).to_have_attribute("aria-describedby", "cite-card-2")
    page.keyboard.press("Escape")
    expect(card_2).to_be_hidden()
    assert page.evaluate("document.activeElement.id") == "cite-2"

    # Leaving and coming back shows the card again.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    expect(card_2).to_be_visible()

    # Clicking the marker is still a plain jump to the reference.
    page.evaluate("window.__marker = 1")
    page.locator("#cite-2").click()
    expect(page).to_have_url(re.compile(r"#ref-2$"))
    expect(page.locator("#reference-list > li:target")).to_have_attribute("id", "ref-2")
    assert page.evaluate("window.__marker") == 1


def test_glossary_definition_opens_on_hover_and_focus_in_plain_wording(page):
    page.goto(article(SEED, audience="plain"))
    term = page.locator(".answer .term-link").first
    definition = page.locator(f"#{term.get_attribute('aria-describedby')}")
    expect(definition).to_be_hidden()
    expect(definition).to_have_attribute("role", "tooltip")

    term.hover()
    expect(definition).to_be_visible()
    expect(definition).not_to_be_empty()
    move_onto(page, term, definition)
    expect(definition).to_be_visible()
    page.keyboard.press("Escape")
    expect(definition).to_be_hidden()
    page.mouse.move(0, 0)

    term.focus()
    expect(definition).to_be_visible()
    page.keyboard.press("Escape")
    expect(definition).to_be_hidden()

    # The term itself links to its glossary entry (the path for touch and no-JS readers).
    term.click()
    expect(page).to_have_url(re.compile(r"/glossary#[\w-]+$"))
    expect(page.locator(".glossary-entry:target")).to_have_count(1)


POPUPS = {
    "citation-cards": (".cite", {}),
    "glossary-definitions": (".term-link", {"audience": "plain"}),
}


@pytest.mark.parametrize("width", [360, 900])
@pytest.mark.parametrize(("opener", "query"), POPUPS.values(), ids=POPUPS.keys())
def test_open_popups_stay_on_screen_and_uncovered(page, opener, query, width):
    page.set_viewport_size({"width": width, "height": 740})
    page.goto(article(SEED, **query))
    # The short answer's openers sit at the left, middle and right of their lines.
    openers = page.locator(f".answer {opener}").all()
    assert openers, f"no {opener} in the short answer"
    for link in openers:
        name = link.get_attribute("id") or link.inner_text()
        link.focus()
        popup = page.locator(f"#{link.get_attribute('aria-describedby')}")
        expect(popup).to_be_visible()
        expect(popup).not_to_be_empty()
        box = popup.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (
            f"popup of {name} spans x={box['x']:.0f}..{box['x'] + box['width']:.0f}"
            f" at a {width}px viewport"
        )
        assert_no_horizontal_scroll(page, width, f"popup of {name} open")
        link.scroll_into_view_if_needed()
        assert not covered_points(popup), f"{covered_points(popup)} paint over {name}'s popup"
