"""Follow-up questions in a real browser: asked and answered in place, the same without
JavaScript, answered by staff with four eyes, and accessible."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from extensions import db
from models import Role
from tests.browser.helpers import SEED, article, assert_no_horizontal_scroll
from tests.browser.test_accessibility import assert_no_serious_violations
from tests.conftest import PASSWORD
from tests.factories import make_user

pytestmark = pytest.mark.browser

QUESTION = "Is ponatinib better than dasatinib for Ph+ ALL?"
BLAST_CRISIS = "What is the treatment for ALL during blast crisis?"
PUBLIC = "Is ponatinib better than dasatinib in Ph+ ALL?"
ANSWER = "A propensity-score comparison favoured ponatinib over dasatinib [@sasaki2016]."
PRIVATE_LINK = re.compile(r"/questions/[A-Za-z0-9_-]{22}")


@pytest.fixture(autouse=True)
def demo_site(live_demo):
    """Each test starts from the demo content as loaded, with no follow-ups, and fresh rate
    limits (`live_demo` puts both back)."""
    return live_demo


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def staff(live_app, role: Role) -> str:
    email = f"{role.value}-{uuid.uuid4().hex[:8]}@example.org"
    with live_app.app_context():
        name = f"Test {role.value.title()}"
        make_user(role=role, email=email, password=PASSWORD, name=name, credentials="MD")
        db.session.commit()
        db.session.remove()
    return email


def sign_in(page, email: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def ask_in_place(page, text: str = QUESTION) -> str:
    """Ask on the seed article with JavaScript; returns the private link shown in place."""
    page.goto(article(SEED))
    page.evaluate("window.__notReloaded = true")
    page.get_by_label("Your question").fill(text)
    # The cached article page's form carries no nonce; vetted.js draws one as it is sent.
    assert page.locator("#followup-ask input[name=nonce]").input_value() == ""
    with page.expect_request(lambda r: r.method == "POST" and "/questions" in r.url) as sent:
        page.get_by_role("button", name="Ask", exact=True).click()
    assert re.search(r"(^|&)nonce=[0-9a-f]{32}(&|$)", sent.value.post_data or "")
    heading = page.locator("#followup-saved-title")
    expect(heading).to_have_text("Your question is saved")
    expect(heading).to_be_focused()
    assert page.evaluate("window.__notReloaded") is True, "the page reloaded"
    link = page.locator("#followup-ask a.private-link")
    expect(link).to_have_attribute("href", PRIVATE_LINK)
    return link.get_attribute("href")


def test_ask_on_the_blast_crisis_article_and_see_cited_passages_in_place(page):
    private = ask_in_place(page)
    panel = page.locator("#ask-evidence")
    expect(panel.get_by_role("heading", name="What our reviewed articles say")).to_be_visible()
    expect(panel).to_contain_text("that our Medical Advisory Board has approved")
    expect(panel).to_contain_text("its text is still waiting for the Medical Advisory Board")
    expect(panel).to_contain_text("not personal medical advice")
    assert panel.locator(".passage").count() >= 3
    first = panel.locator(".evidence-group").first
    expect(first.locator(".evidence-article")).to_contain_text("blast crisis")
    marker = first.locator("a.cite").first
    target = marker.get_attribute("href")
    assert re.fullmatch(r"#ask-1-ref-\d+", target)
    expect(first.locator(f"li{target}")).to_have_count(1)  # its article's list of sources
    marker.click()
    expect(first.locator(f"li{target}")).to_be_in_viewport()
    page.goto(private)
    expect(page.locator("h1")).to_have_text("Your follow-up question")
    expect(page.locator(".followup-asked")).to_have_text(QUESTION)


def test_ask_without_javascript_lands_on_the_private_page(nojs_page):
    page = nojs_page
    page.goto(article(SEED))
    assert page.evaluate("typeof window.htmx") == "undefined"
    page.get_by_label("Your question").fill(QUESTION)
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(page).to_have_url(re.compile(r"/questions/[A-Za-z0-9_-]{22}\?saved=1$"))
    expect(page.locator(".flash")).to_contain_text("Your question is saved")
    expect(page.get_by_role("heading", name="What our reviewed articles say")).to_be_visible()
    assert page.locator(".passage").count() >= 3
    assert page.locator(".passage a.cite").count() >= 3
    expect(page.locator("a.private-link")).to_have_attribute("href", PRIVATE_LINK)
    # "Show more" is a <details>: it opens without JavaScript.
    hidden = page.locator(".evidence-more .passage").first
    expect(hidden).to_be_hidden()
    page.locator(".evidence-more summary").click()
    expect(hidden).to_be_visible()


def test_bad_input_is_explained_in_place_and_keeps_the_text(page):
    page.goto(article(SEED))
    page.get_by_label("Your question").fill("Too short")
    page.get_by_role("button", name="Ask", exact=True).click()
    textarea = page.get_by_label("Your question")
    expect(page.locator("#followup-text-error")).to_have_text(
        "Your question is too short: write at least 10 characters."
    )
    expect(textarea).to_have_value("Too short")
    expect(textarea).to_have_attribute("aria-invalid", "true")
    expect(textarea).to_be_focused()


def test_delete_from_the_private_page(page):
    private = ask_in_place(page)
    page.goto(private)
    page.get_by_role("button", name="Delete my question").click()
    expect(page.locator("h1")).to_have_text("Your question is deleted")
    assert page.goto(private).status == 404


def test_staff_answer_a_reviewer_approves_and_readers_see_it(page, new_context, live_app):
    private = ask_in_place(page)

    editor = new_context().new_page()
    sign_in(editor, staff(live_app, Role.EDITOR))
    editor.get_by_role("link", name="Follow-ups").click()
    editor.get_by_role("link", name=QUESTION).click()
    editor.get_by_label("Question as it will be published").fill(PUBLIC)
    editor.get_by_label("Answer", exact=True).fill(ANSWER)
    editor.get_by_role("button", name="Save and submit for review").click()
    expect(editor.locator(".flash")).to_contain_text("Answer submitted")
    expect(editor.get_by_role("button", name="Approve and publish")).to_have_count(0)

    reviewer = new_context().new_page()
    sign_in(reviewer, staff(live_app, Role.REVIEWER))
    reviewer.goto(editor.url)
    reviewer.get_by_role("button", name="Approve and publish").click()
    expect(reviewer.locator(".flash")).to_contain_text("Answer approved")

    # Another reader (this one's browser may keep the article for its max-age: a minute).
    reader = new_context().new_page()
    reader.goto(article(SEED))
    asked = reader.locator("#readers-asked")
    expect(asked.get_by_role("heading", name=PUBLIC)).to_be_visible()
    expect(asked).to_contain_text("favoured ponatinib over dasatinib")
    expect(asked).to_contain_text("reviewed by Test Reviewer, MD")
    expect(asked.locator("a.cite")).to_have_count(1)

    # While typing a new question, "Others asked" suggests the answered one.
    reader.get_by_label("Your question").press_sequentially("ponatinib dasatinib", delay=20)
    expect(reader.locator("#others-asked")).to_contain_text(PUBLIC)

    page.goto(private)
    expect(page.get_by_role("heading", name="Our answer")).to_be_visible()
    expect(page.locator(".followup-status")).to_have_text("Answered")
    expect(page.locator(".followup-answer")).to_contain_text("favoured ponatinib over dasatinib")


def test_panel_and_private_page_have_no_serious_axe_violations(page, axe):
    private = ask_in_place(page)
    assert_no_serious_violations(axe, page)
    page.goto(private)
    assert_no_serious_violations(axe, page)


@pytest.mark.parametrize("width", [390, 1280])
def test_staff_pages_are_accessible_and_fit_a_phone(new_context, live_app, axe, width):
    reader = new_context().new_page()
    ask_in_place(reader)
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    sign_in(page, staff(live_app, Role.REVIEWER))
    page.goto("/admin/followups")
    expect(page.locator(".queue-item")).to_have_count(1)
    assert_no_horizontal_scroll(page, width, "follow-up queue")
    assert_no_serious_violations(axe, page)
    page.get_by_role("link", name=QUESTION).click()
    expect(page.locator("h1")).to_contain_text("Follow-up question #")
    assert_no_horizontal_scroll(page, width, "follow-up question")
    assert_no_serious_violations(axe, page)


def test_bad_input_without_javascript_comes_back_with_the_form_as_typed(nojs_page):
    page = nojs_page
    page.goto(article(SEED))
    page.get_by_label("Your question").fill("Too short")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Ask", exact=True).click()
    assert posted.value.status == 422
    expect(page.locator("h1")).to_have_text("Ask a follow-up question")
    expect(page.locator("#followup-text-error")).to_contain_text("too short")
    expect(page.get_by_label("Your question")).to_have_value("Too short")
    expect(page.get_by_label("Your question")).to_have_attribute("aria-invalid", "true")


@pytest.mark.parametrize("audience", ["clinical", "plain"])
def test_the_instant_answer_fits_two_phone_screens_then_shows_more(new_context, audience):
    """Asked "What is the treatment for ALL during blast crisis?" on a 390 px phone: the best
    passages, grouped by article with each article's sources once, and what follows them, in
    two screens; the rest open under "Show more", the related articles under their own line."""
    phone = {"width": 390, "height": 844}
    page = new_context(viewport=phone).new_page()
    page.goto(article(SEED, audience=audience))
    page.get_by_label("Your question").fill(BLAST_CRISIS)
    page.get_by_role("button", name="Ask", exact=True).click()
    panel = page.locator("#ask-evidence")
    more = panel.locator("details.evidence-more")
    expect(more.locator("summary")).to_have_text(re.compile(r"^Show \d+ more passages?$"))

    # The first view: the answer and all that follows it until the reader acts (related
    # articles, "Ask another question"), from the answer's heading down.
    top = panel.bounding_box()["y"]
    whole = page.locator("#followup-ask").bounding_box()
    height = whole["y"] + whole["height"] - top
    assert height <= 2 * phone["height"], (
        f"the first view is {height / phone['height']:.2f} screens"
    )
    shown = panel.locator(".evidence-group:not(.evidence-more *) .passage")
    assert 1 <= shown.count() <= 3
    titles = panel.locator(".evidence-group:not(.evidence-more *) .evidence-article a")
    assert len(set(titles.all_inner_texts())) == titles.count()  # one group per article
    assert_no_horizontal_scroll(page, phone["width"], "instant answer")

    hidden = more.locator(".passage")
    expect(hidden.first).to_be_hidden()
    more.locator("summary").click()
    expect(hidden.first).to_be_visible()
    assert_no_horizontal_scroll(page, phone["width"], "instant answer, all passages")

    # The related articles wait behind one line that says how many; Enter opens their cards.
    related = page.locator("details.evidence-related")
    summary = related.locator("summary")
    expect(summary).to_have_text(re.compile(r"^Related articles \(\d+\)$"))
    cards = related.locator(".card-title")
    expect(cards.first).to_be_hidden()
    summary.focus()
    page.keyboard.press("Enter")
    expect(cards.first).to_be_visible()
    assert_no_horizontal_scroll(page, phone["width"], "instant answer, related articles")
