"""Finding an article: the home page search box, and the search page's in-place results."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import SEED, SEED_QUESTION

pytestmark = pytest.mark.browser


def test_home_search_finds_the_seed_article(page):
    page.goto("/")
    page.get_by_role("searchbox", name="Search clinical questions").fill("blast crisis")
    page.get_by_role("button", name="Search").click()

    expect(page).to_have_url(re.compile(r"/search\?q=blast\+crisis$"))
    results = page.locator("#search-results")
    link = results.get_by_role("link", name=SEED_QUESTION)
    expect(link).to_have_attribute("href", f"/articles/{SEED}")

    link.click()

    expect(page).to_have_url(re.compile(rf"/articles/{SEED}$"))
    expect(page.locator("h1")).to_have_text(SEED_QUESTION)


def test_search_page_swaps_results_and_back_restores_them(page):
    page.goto("/search")
    page.evaluate("window.__marker = 1")
    page.get_by_role("searchbox", name="Search clinical questions").fill("ponatinib")
    page.get_by_role("button", name="Search").click()

    results = page.locator("#search-results")
    expect(results.locator("h2")).to_contain_text("for “ponatinib”")
    expect(page).to_have_url(re.compile(r"/search\?q=ponatinib$"))
    assert page.evaluate("window.__marker") == 1, "the page reloaded instead of swapping"
    first = results.locator(".card-title").first
    title = first.inner_text()

    first.click()
    expect(page.locator("h1")).to_have_text(title)
    page.go_back()

    expect(page).to_have_url(re.compile(r"/search\?q=ponatinib$"))
    expect(results.locator(".card-title").first).to_have_text(title)
    expect(page.get_by_role("searchbox", name="Search clinical questions")).to_have_value(
        "ponatinib"
    )
