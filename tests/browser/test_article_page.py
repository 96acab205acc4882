"""The article page in a real browser: what it shows, and the parts htmx swaps in place."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    APPROVED,
    SECTIONS,
    SEED,
    SEED_QUESTION,
    article,
    assert_no_horizontal_scroll,
    first_long_section,
)

pytestmark = pytest.mark.browser


def step_states(page) -> list[tuple[str, str | None]]:
    """Each tracker step's visible label and its aria-current."""
    steps = page.locator(".tracker > li").evaluate_all(
        """steps => steps.map(li => [
            [...li.childNodes].filter(n => n.nodeType === Node.TEXT_NODE)
                .map(n => n.textContent).join('').trim(),
            li.getAttribute('aria-current'),
        ])"""
    )
    return [tuple(step) for step in steps]


def citation_numbers(page) -> set[int]:
    """The reference numbers the page's citation markers show, checked against their links."""
    markers = page.locator("a.cite").evaluate_all(
        "links => links.map(a => [a.getAttribute('href'), a.textContent])"
    )
    assert markers, "no citation markers on the page"
    numbers = set()
    for href, text in markers:
        match = re.fullmatch(r"#ref-(\d+)", href)
        assert match, f"citation marker links to {href!r}"
        assert text == f"Reference {match.group(1)}", f"marker {href} reads {text!r}"
        numbers.add(int(match.group(1)))
    return numbers


def test_seed_article_shows_every_part_of_the_seed(page):
    page.goto(article(SEED))

    expect(page.locator("h1")).to_have_text(SEED_QUESTION)
    board = page.locator(".board")
    expect(board.locator(".board-badge")).to_have_text("Medical Advisory Board")
    expect(board).to_contain_text(
        "All articles are reviewed for accuracy by our Medical Advisory Board"
    )

    status = page.get_by_role("region", name="Article Review Status")
    expect(status.get_by_role("heading", level=2)).to_have_text("Article Review Status")
    assert step_states(page) == [
        ("Submitted", None),
        ("Under Review", "step"),
        ("Approved", None),
    ]

    expect(page.locator(".caution")).to_be_visible()
    expect(page.locator(".caution")).to_contain_text(
        "Educational purpose only • Exercise caution as content is pending human review"
    )

    meta = page.locator(".meta")
    expect(meta).to_contain_text("Last updated")
    updated = meta.locator("time")
    iso = updated.get_attribute("datetime")
    assert iso and re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso), f"bad datetime {iso!r}"
    shown = date.fromisoformat(iso)
    expect(updated).to_have_text(shown.strftime("%B ") + f"{shown.day}, {shown.year}")

    personalize = page.get_by_role("complementary", name="Personalize")
    expect(personalize.get_by_role("heading", name="Personalize")).to_be_visible()
    expect(personalize.get_by_role("group", name="Which best describes you?")).to_be_visible()

    headings = page.locator("article h2").all_inner_texts()
    expected_order = [
        "Article Review Status",
        "Personalize",
        "Short answer",
        *SECTIONS,
        "References",
        "Professional Medical Disclaimer",
        "Have a follow-up question?",
    ]
    assert [h for h in headings if h in expected_order] == expected_order

    # Numbered markers: each links to #ref-N of the list and says N.
    listed = page.locator("#reference-list > li").evaluate_all("lis => lis.map(li => li.id)")
    assert listed == [f"ref-{n}" for n in range(1, len(listed) + 1)]
    assert len(listed) >= 6
    assert citation_numbers(page) <= set(range(1, len(listed) + 1))
    assert 1 in citation_numbers(page)

    # The policy link leads to the policy.
    page.get_by_role("link", name="View editorial policy").click()
    expect(page).to_have_url(re.compile(r"/editorial-policy$"))
    expect(page.locator("h1")).to_have_text("Editorial policy")


def test_approved_article_names_its_reviewer_and_drops_the_caution(page):
    page.goto(article(APPROVED))

    expect(page.locator(".reviewed-by")).to_contain_text("Reviewed by")
    expect(page.locator(".reviewed-by time").first).to_have_attribute(
        "datetime", re.compile(r"^\d{4}-\d{2}-\d{2}$")
    )
    expect(page.locator(".caution")).to_have_count(0)
    expect(page.get_by_text("pending human review")).to_have_count(0)
    assert step_states(page) == [
        ("Submitted", None),
        ("Under Review", None),
        ("Approved", "step"),
    ]


def test_every_listed_reference_is_cited_in_the_full_text(page):
    page.goto(article(SEED))
    anchors = page.locator(".article-section").evaluate_all("all => all.map(s => s.id)")
    page.goto(article(SEED) + "?" + "&".join(f"expand={a}" for a in anchors))
    expect(page.locator(".section-body.is-collapsed")).to_have_count(0)
    listed = page.locator("#reference-list > li").count()
    assert citation_numbers(page) == set(range(1, listed + 1))


def test_long_section_expands_and_collapses_in_place(page):
    page.goto(article(SEED))
    anchor = first_long_section(page)
    body = page.locator(f"#{anchor}-body")
    toggle = page.locator(f"#{anchor}-toggle")
    collapsed_text = body.inner_text()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_contain_text("Show full section")
    url = page.url
    page.evaluate("window.__marker = 1")

    toggle.click()

    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_contain_text("Show less")
    expect(body).not_to_have_class(re.compile(r"\bis-collapsed\b"))
    expanded_text = body.inner_text()
    assert len(expanded_text) > len(collapsed_text) + 200, "the section did not grow"
    assert page.evaluate("window.__marker") == 1, "the page reloaded instead of swapping"
    assert page.url == url
    assert page.evaluate("document.activeElement.id") == f"{anchor}-toggle"

    # Collapse again, from the keyboard this time (focus is still on the toggle).
    page.keyboard.press("Enter")

    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_contain_text("Show full section")
    expect(body).to_have_class(re.compile(r"\bis-collapsed\b"))
    assert body.inner_text() == collapsed_text
    assert page.evaluate("window.__marker") == 1, "the page reloaded instead of swapping"
    assert page.evaluate("document.activeElement.id") == f"{anchor}-toggle"


def test_reference_identifiers_toggle_in_place(page):
    page.goto(article(SEED))
    toggle = page.locator("#references-toggle")
    references = page.locator("#references")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(references.get_by_role("link", name="PMID 36600670")).to_have_count(0)
    page.evaluate("window.__marker = 1")

    toggle.click()

    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_have_text("Show fewer details")
    expect(references.get_by_role("link", name="PMID 36600670")).to_have_attribute(
        "href", "https://pubmed.ncbi.nlm.nih.gov/36600670/"
    )
    expect(references.get_by_role("link", name="DOI 10.1002/ajh.26816")).to_be_visible()
    assert page.evaluate("window.__marker") == 1, "the page reloaded instead of swapping"
    assert page.evaluate("document.activeElement.id") == "references-toggle"
    # Still one list, numbered as before.
    assert page.locator("#reference-list > li").count() >= 6
    expect(page.locator("#reference-list")).to_have_count(1)

    toggle.click()

    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(references.get_by_role("link", name="PMID 36600670")).to_have_count(0)
    assert page.evaluate("window.__marker") == 1


@pytest.mark.parametrize("expanded", [False, True], ids=["as-loaded", "everything-open"])
def test_no_horizontal_scroll_at_360px(page, expanded):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(article(SEED))
    if expanded:
        anchors = page.locator(".article-section").evaluate_all("all => all.map(s => s.id)")
        query = "&".join(f"expand={a}" for a in anchors)
        page.goto(f"{article(SEED)}?{query}&refs=full")
        expect(page.locator(".section-body.is-collapsed")).to_have_count(0)
        expect(page.locator("#references-toggle")).to_have_attribute("aria-expanded", "true")

    assert_no_horizontal_scroll(page, 360, "everything open" if expanded else "as loaded")


def test_no_console_errors_or_csp_violations(page):
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.add_init_script(
        """window.__csp = [];
        document.addEventListener('securitypolicyviolation', event => {
            window.__csp.push(event.violatedDirective + ' ' + event.blockedURI);
        });"""
    )
    page.goto(article(SEED))
    expect(page.locator("h1")).to_have_text(SEED_QUESTION)
    # Use the page as a reader would: every swap must stay within the CSP too.
    anchor = first_long_section(page)
    page.locator(f"#{anchor}-toggle").click()
    expect(page.locator(f"#{anchor}-toggle")).to_have_attribute("aria-expanded", "true")
    page.locator("#cite-1").hover()
    expect(page.locator("#cite-card-1")).not_to_be_empty()
    page.locator("#references-toggle").click()
    expect(page.locator("#references-toggle")).to_have_attribute("aria-expanded", "true")
    page.get_by_label("Patient or caregiver").check()
    expect(page.locator("#audience-status")).to_contain_text("patients and caregivers")
    page.locator(".answer .term-link").first.hover()
    expect(page.locator(".answer .term-def").first).to_be_visible()

    violations = page.evaluate("window.__csp")
    assert not violations, f"CSP violations: {violations}"
    assert not errors, "\n".join(errors)
