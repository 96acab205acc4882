"""What the browser tests share: the demo articles they read, and small page helpers."""

from __future__ import annotations

import pytest

SEED = "all-blast-crisis-treatment"  # the seed article, under review
APPROVED = "ph-positive-all-tki"
SUBMITTED = "mrd-testing-all"
SEED_QUESTION = "What is the treatment for Acute Lymphoblastic Leukemia (ALL) during blast crisis?"
SECTIONS = ["From the Guidelines", "From the FDA Drug Label", "From the Research"]


def article(slug: str = SEED, **query: str) -> str:
    path = f"/articles/{slug}"
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return path


def first_long_section(page) -> str:
    """The anchor (`section-N`) of the first section that starts collapsed."""
    anchor = page.locator(".article-section:has(.section-body.is-collapsed)").first.get_attribute(
        "id"
    )
    assert anchor, "the article has no collapsed section to expand"
    return anchor


def assert_no_horizontal_scroll(page, width: int, when: str) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        culprits = page.evaluate(
            """width => [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > width + 0.5)
                .slice(0, 8).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                    + (el.className ? '.' + String(el.className).split(' ').join('.') : ''))""",
            width,
        )
        pytest.fail(f"{when}: page is {scroll_width}px wide at {width}px; too wide: {culprits}")


def answer_opening(page) -> str:
    """The short answer's opening words: its first text, up to the first citation or term."""
    text = page.locator(".answer p").first.evaluate("p => p.firstChild.textContent").strip()
    assert len(text) > 20, f"short answer opens with {text!r}"
    return text


class ConsoleWatch:
    """Every console error or warning and uncaught exception a page logs, from now on.

    htmx logs an aborted request (`htmx:sendAbort`, `htmx:afterRequest`) as a console error, and
    a reader's browser logs what we cannot see: a journey that leaves the console clean is part
    of the behaviour. Watch before `goto` so the page's load is included."""

    KINDS = ("error", "warning")

    def __init__(self, page) -> None:
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"pageerror: {error}"))

    def _console(self, message) -> None:
        if message.type in self.KINDS:
            where = message.location.get("url", "")
            self.problems.append(f"console.{message.type}: {message.text} ({where})")

    def assert_clean(self, when: str = "") -> None:
        if self.problems:
            lines = "\n".join(f"  {problem}" for problem in self.problems)
            self.problems.clear()  # reported once, not again at the fixture's teardown
            pytest.fail(f"console not clean{' ' + when if when else ''}:\n{lines}", pytrace=False)


def slow_network(page, latency_ms: int = 400) -> None:
    """Delay every request of the page by `latency_ms` (Chromium's own throttling), so a reader
    who types on as a request is still under way is what the test does, not luck of timing."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": latency_ms, "downloadThroughput": -1, "uploadThroughput": -1},
    )
