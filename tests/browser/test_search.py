"""Finding an article: results follow the typing on the home and search pages, the URL can be
shared, Back and Forward restore earlier searches, and the plain form works without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import SEED, SEED_QUESTION, assert_no_horizontal_scroll
from tests.browser.test_accessibility import assert_no_serious_violations

pytestmark = pytest.mark.browser


def searchbox(page):
    return page.get_by_role("searchbox", name="Search clinical questions")


def results_heading(page):
    return page.locator("#search-results h2")


def test_typing_on_the_search_page_shows_results_in_place_and_updates_the_url(page):
    page.goto("/search")
    page.evaluate("window.__marker = 1")
    searchbox(page).press_sequentially("ponatinib", delay=20)

    expect(results_heading(page)).to_have_text("4 results for “ponatinib”")
    expect(page).to_have_url(re.compile(r"/search\?q=ponatinib$"))
    expect(page.locator("#search-results .snippet mark").first).to_have_text(
        re.compile("ponatinib", re.I)
    )
    assert page.evaluate("window.__marker") == 1, "the page reloaded instead of swapping"
    # Typed letter by letter, only the last query's results remain (stale ones are replaced).
    expect(page.locator("#search-results")).to_have_attribute("data-query", "ponatinib")


def test_back_and_forward_restore_earlier_searches(page):
    page.goto("/search")
    box = searchbox(page)
    box.fill("ponatinib")
    expect(page).to_have_url(re.compile(r"\?q=ponatinib$"))
    expect(results_heading(page)).to_contain_text("“ponatinib”")
    box.fill("interferon")
    expect(page).to_have_url(re.compile(r"\?q=interferon$"))
    expect(results_heading(page)).to_have_text("1 result for “interferon”")

    page.go_back()
    expect(page).to_have_url(re.compile(r"\?q=ponatinib$"))
    expect(results_heading(page)).to_contain_text("“ponatinib”")
    expect(searchbox(page)).to_have_value("ponatinib")

    page.go_forward()
    expect(page).to_have_url(re.compile(r"\?q=interferon$"))
    expect(results_heading(page)).to_have_text("1 result for “interferon”")
    expect(searchbox(page)).to_have_value("interferon")

    # A result, then Back: the search is as it was.
    page.get_by_role("link", name=SEED_QUESTION).click()
    expect(page.locator("h1")).to_have_text(SEED_QUESTION)
    page.go_back()
    expect(results_heading(page)).to_have_text("1 result for “interferon”")
    expect(searchbox(page)).to_have_value("interferon")


def test_topic_filter_updates_results_and_url(page):
    page.goto("/search?q=treatment")
    expect(results_heading(page)).to_contain_text("results for “treatment”")
    page.get_by_label("Topic").select_option(label="Supportive care")
    expect(results_heading(page)).to_have_text("1 result for “treatment” in Supportive care")
    expect(page).to_have_url(re.compile(r"/search\?q=treatment&topic=supportive-care$"))


def test_typing_on_the_home_page_shows_results_under_the_box(page):
    page.goto("/")
    page.evaluate("window.__marker = 1")
    searchbox(page).fill("blast crisis")

    link = page.locator("#search-results").get_by_role("link", name=SEED_QUESTION)
    expect(link).to_have_attribute("href", f"/articles/{SEED}")
    expect(page).to_have_url(re.compile(r"/search\?q=blast\+crisis$"))
    assert page.evaluate("window.__marker") == 1, "the page reloaded instead of swapping"
    expect(page.locator("h1")).to_have_text(re.compile("Clinical questions"))

    link.click()
    expect(page.locator("h1")).to_have_text(SEED_QUESTION)
    page.go_back()
    expect(page.locator("#search-results").get_by_role("link", name=SEED_QUESTION)).to_be_visible()
    expect(searchbox(page)).to_have_value("blast crisis")


def test_shared_url_opens_the_same_search(page):
    page.goto("/search?q=treating+blast+crises")
    expect(searchbox(page)).to_have_value("treating blast crises")
    expect(page.locator("#search-results").get_by_role("link", name=SEED_QUESTION)).to_be_visible()


def test_search_form_works_without_javascript(nojs_page):
    page = nojs_page
    page.goto("/")
    searchbox(page).fill("interferon")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/search\?q=interferon$"))
    expect(results_heading(page)).to_have_text("1 result for “interferon”")

    searchbox(page).fill("treatment")
    page.get_by_label("Topic").select_option(label="Supportive care")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/search\?q=treatment&topic=supportive-care$"))
    expect(results_heading(page)).to_have_text("1 result for “treatment” in Supportive care")


def test_search_is_accessible_after_swaps_and_fits_a_phone(new_context):
    from axe_playwright_python.sync_playwright import Axe

    page = new_context(viewport={"width": 390, "height": 800}).new_page()
    axe = Axe()
    page.goto("/")
    searchbox(page).fill("ponatinib")
    expect(page.locator("#search-results h2")).to_contain_text("“ponatinib”")
    assert_no_serious_violations(axe, page)
    assert_no_horizontal_scroll(page, 390, "home page with results")

    page.goto("/search")
    searchbox(page).fill("treatment")
    expect(results_heading(page)).to_contain_text("“treatment”")
    assert_no_serious_violations(axe, page)
    assert_no_horizontal_scroll(page, 390, "search page with results")
