"""axe-core finds no serious or critical violation on any kind of page, nor after the swaps."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.helpers import APPROVED, SEED, SUBMITTED, article, first_long_section

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}
PAGES = {
    "home": ("/", 200),
    "search": ("/search?q=ponatinib", 200),
    "search-empty": ("/search", 200),
    "search-no-results": ("/search?q=zzqxj", 200),
    "search-topic": ("/search?q=treatment&topic=supportive-care", 200),
    "topics": ("/topics", 200),
    "topic": ("/topics/acute-lymphoblastic-leukemia", 200),
    "editorial-policy": ("/editorial-policy", 200),
    "article-under-review": (article(SEED), 200),
    "article-approved": (article(APPROVED), 200),
    "article-submitted": (article(SUBMITTED), 200),
    "article-plain-wording": (article(SEED, audience="plain"), 200),  # glossary terms
    "print-view": (f"/articles/{APPROVED}/print?audience=plain", 200),
    "revision-permalink": (f"/articles/{APPROVED}/revisions/1?audience=plain", 200),
    "glossary": ("/glossary", 200),
    "reference": (f"/articles/{APPROVED}/references/sasaki2016", 200),
    "not-found": ("/articles/no-such-article", 404),
    "login": ("/auth/login", 200),
}


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def assert_no_serious_violations(axe: Axe, page) -> None:
    results = axe.run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    if blocking:
        lines = [f"{len(blocking)} serious/critical axe violation(s) on {page.url}:"]
        for violation in blocking:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:10]:
                lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
                if node.get("failureSummary"):
                    lines.append("      " + node["failureSummary"].replace("\n", " ")[:300])
        pytest.fail("\n".join(lines), pytrace=False)


@pytest.mark.parametrize(("path", "status"), PAGES.values(), ids=PAGES.keys())
def test_page_has_no_serious_axe_violations(page, axe, path, status):
    response = page.goto(path)
    assert response is not None and response.status == status
    expect(page.locator("h1")).to_have_count(1)
    assert_no_serious_violations(axe, page)


def test_article_has_no_serious_axe_violations_after_swaps(page, axe):
    page.goto(article(SEED))
    anchor = first_long_section(page)
    page.locator(f"#{anchor}-toggle").click()
    expect(page.locator(f"#{anchor}-toggle")).to_have_attribute("aria-expanded", "true")
    page.locator("#references-toggle").click()
    expect(page.locator("#references-toggle")).to_have_attribute("aria-expanded", "true")
    page.locator("#cite-1").hover()
    card = page.locator("#cite-card-1")
    expect(card).to_be_visible()
    expect(card).not_to_be_empty()
    assert_no_serious_violations(axe, page)
