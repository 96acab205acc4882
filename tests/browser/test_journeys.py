"""A reader's ordinary journeys leave the browser console clean: searching (typing on while a
request is under way, then Enter, or following a result at once), asking a follow-up while its
suggestions load, choosing an audience twice in a row, opening and closing a section.

The network is slowed (Chromium's throttling) so that every step overlaps a request still in
flight, as on a phone: a cancelled request is what htmx logs as an error."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import SEED, SEED_QUESTION, article, first_long_section, slow_network

pytestmark = pytest.mark.browser

LATENCY_MS = 400  # longer than the search box's 300 ms pause, so typing on overlaps a request
SETTLE_MS = 2 * LATENCY_MS + 300  # time for a queued request to go out and come back


def searchbox(page):
    return page.get_by_role("searchbox", name="Search clinical questions")


def type_with_pauses(box, *chunks: str, pause_ms: int) -> None:
    """Type each chunk quickly, pausing between chunks long enough for a request to go out."""
    for i, chunk in enumerate(chunks):
        box.press_sequentially(chunk, delay=15)
        if i < len(chunks) - 1:
            box.page.wait_for_timeout(pause_ms)


def test_typing_on_then_enter_shows_the_newest_results_with_a_clean_console(page, console):
    slow_network(page, LATENCY_MS)
    page.goto("/search")
    page.evaluate("window.__marker = 1")
    box = searchbox(page)
    # "pona" goes out after the pause; "tinib" is typed and Enter pressed while it is in flight.
    type_with_pauses(box, "pona", "tinib", pause_ms=320)
    box.press("Enter")

    results = page.locator("#search-results")
    expect(results).to_have_attribute("data-query", "ponatinib")
    expect(results.locator("h2")).to_have_text("4 results for “ponatinib”")
    expect(page).to_have_url(re.compile(r"/search\?q=ponatinib$"))
    page.wait_for_timeout(SETTLE_MS)  # the typing's own delayed request, had it been sent
    expect(results).to_have_attribute("data-query", "ponatinib")
    assert page.evaluate("window.__marker") == 1, "Enter reloaded the page instead of swapping"
    console.assert_clean("after typing on and pressing Enter")

    # Typed and Enter at once: Enter, the box's "search" event and the typing's pause all ask
    # for "interferon"; it is fetched and pushed once, so one Back returns to "ponatinib".
    box.fill("")
    box.press_sequentially("interferon", delay=15)
    with page.expect_request(re.compile(r"/search\?q=interferon")):
        box.press("Enter")
    expect(results.locator("h2")).to_have_text("1 result for “interferon”")
    page.wait_for_timeout(SETTLE_MS)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/search\?q=ponatinib$"))
    expect(results).to_have_attribute("data-query", "ponatinib")
    console.assert_clean("after Enter and Back")


def test_fast_typing_on_the_home_page_then_following_a_result(page, console):
    slow_network(page, LATENCY_MS)
    page.goto("/")
    box = searchbox(page)
    type_with_pauses(box, "bla", "st cri", "sis", pause_ms=320)
    link = page.locator("#search-results").get_by_role("link", name=SEED_QUESTION)
    expect(page.locator("#search-results")).to_have_attribute("data-query", "blast crisis")
    expect(page).to_have_url(re.compile(r"/search\?q=blast\+crisis$"))
    console.assert_clean("after typing")

    # Typing on, then following a result while that search is still under way.
    box.press_sequentially(" treatment", delay=15)
    page.wait_for_timeout(320)
    link.click()
    expect(page.locator("h1")).to_have_text(SEED_QUESTION)
    page.wait_for_timeout(SETTLE_MS)
    console.assert_clean("after leaving the search with a request under way")


def test_asking_a_follow_up_while_suggestions_load(page, console):
    latency = 800  # over the suggestions' 500 ms pause: each pause's request overlaps the next
    slow_network(page, latency)
    page.goto(article(SEED))
    box = page.get_by_label("Your question")
    type_with_pauses(box, "What is the treatment", " of ALL in", " blast crisis?", pause_ms=520)
    page.wait_for_timeout(520)
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(page.locator("#followup-saved-title")).to_have_text("Your question is saved")
    expect(page.locator("#ask-evidence .passage").first).to_be_visible()
    page.wait_for_timeout(2 * latency + 300)
    console.assert_clean("after asking")


def test_choosing_an_audience_twice_quickly(page, console):
    slow_network(page, LATENCY_MS)
    page.goto(article(SEED))
    page.get_by_label("Patient or caregiver").check()
    page.get_by_label("Student").check()  # while the first choice is under way
    expect(page.locator("#audience-status")).to_contain_text("students")
    page.wait_for_url("**?audience=standard")
    expect(page.get_by_label("Student")).to_be_checked()
    expect(page.locator("#article-body")).to_have_attribute("data-role", "student")
    page.wait_for_timeout(SETTLE_MS)
    expect(page.locator("#article-body")).to_have_attribute("data-role", "student")
    console.assert_clean("after two quick choices")


def test_opening_and_closing_a_section(page, console):
    slow_network(page, LATENCY_MS)
    page.goto(article(SEED))
    anchor = first_long_section(page)
    section = page.locator(f"#{anchor}")
    section.get_by_role("link", name=re.compile("^Show full section")).click()
    expect(section.locator(".section-body")).not_to_have_class(re.compile("is-collapsed"))
    section.get_by_role("link", name=re.compile("^Show less")).click()
    expect(section.locator(".section-body")).to_have_class(re.compile("is-collapsed"))
    console.assert_clean("after opening and closing a section")
