"""Browser fixtures: one Debian Chromium per session, a fresh context (cookies, storage) per test.

The pages come from `live_demo` (tests/conftest.py): the real app with the demo content and
CSRF on. We drive Playwright's sync API ourselves rather than through pytest-playwright, and never
download browsers: the system Chromium is used, and the tests skip without it (fail on CI).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 5_000  # everything is local: a step that takes longer than this is a failure


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not os.path.exists(CHROMIUM):
        reason = f"browser tests need Chromium at {CHROMIUM} (Debian package 'chromium')"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, live_demo):
    """Open browser contexts on the live server; every one is closed after the test."""
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=live_demo, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh context with JavaScript on; `goto("/path")` is relative to the app."""
    return new_context().new_page()


@pytest.fixture
def nojs_page(new_context):
    """A page in a fresh context with JavaScript off: what htmx must never be needed for."""
    return new_context(java_script_enabled=False).new_page()


@pytest.fixture
def console(page) -> Iterator:
    """Watches `page`'s console: any console error or warning, or uncaught exception, from the
    first `goto` to the end of the test fails it (tests may also call `console.assert_clean()`
    midway, to say which step logged it)."""
    from tests.browser.helpers import ConsoleWatch

    watch = ConsoleWatch(page)
    yield watch
    watch.assert_clean("by the end of the test")
