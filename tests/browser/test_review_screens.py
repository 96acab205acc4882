"""The dashboard, review queue, review page, pending page and public history in a real browser:
axe-clean, usable at 390 px, keyboard-reachable decisions, and plain forms without JavaScript."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from extensions import db
from models import Article, User
from services.editorial import review
from services.editorial.revisions import SectionInput, save_revision
from tests.browser.helpers import APPROVED, SUBMITTED, assert_no_horizontal_scroll
from tests.browser.staff import sign_in, staff_on
from tests.browser.test_accessibility import assert_no_serious_violations

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def board(live_app, live_demo):
    """Rita has taken the submitted demo article into review; the approved one has a newer
    revision waiting, so readers see a pending notice. Put back afterwards."""
    with staff_on(live_app) as people:
        with live_app.app_context():
            rita = db.session.scalar(sa.select(User).where(User.email == people["rita"]))
            erin = db.session.scalar(sa.select(User).where(User.email == people["erin"]))
            taken = db.session.scalar(sa.select(Article).where(Article.slug == SUBMITTED))
            review.start_review(taken.latest_revision, reviewer=rita)
            approved = db.session.scalar(sa.select(Article).where(Article.slug == APPROVED))
            live = approved.live_revision
            newer = save_revision(
                approved,
                author=erin,
                question=live.question,
                sections=[_same(s) for s in live.sections],
                change_note="Test change note.",
            )
            review.submit(newer, actor=erin)
            ids = {"taken": taken.latest_revision_id, "pending": newer.id}
            db.session.commit()
            db.session.remove()
        yield people | ids


def _same(section) -> SectionInput:
    return SectionInput(section.kind, section.heading, {v.level: v.body for v in section.variants})


def screens(board) -> dict[str, str]:
    return {
        "dashboard": "/admin/",
        "queue": "/admin/review",
        "review-decision": f"/admin/review/{board['taken']}",
        "review-pending": f"/admin/review/{board['pending']}",
    }


def test_staff_review_screens_have_no_serious_axe_violations(page, axe, board):
    sign_in(page, board["rita"])
    for path in screens(board).values():
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        expect(page.locator("h1")).to_have_count(1)
        assert_no_serious_violations(axe, page)


def test_refused_decision_is_axe_clean_and_says_why_next_to_the_field(page, axe, board):
    sign_in(page, board["rita"])
    page.goto(f"/admin/review/{board['taken']}")
    page.get_by_role("button", name="Request changes").click()
    comment = page.get_by_label("What needs to change")
    expect(comment).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#changes-comment-error")).to_have_text(
        "Say what needs to change: a comment is required."
    )
    expect(page.get_by_role("alert")).to_contain_text("Say what needs to change")
    assert_no_serious_violations(axe, page)


def test_public_pending_and_history_pages_have_no_serious_axe_violations(page, axe, board):
    for path in [
        f"/articles/{APPROVED}",
        f"/articles/{APPROVED}/pending",
        f"/articles/{APPROVED}/history",
    ]:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert_no_serious_violations(axe, page)


def test_review_screens_fit_a_phone(new_context, board):
    page = new_context(viewport=PHONE).new_page()
    sign_in(page, board["rita"])
    for name, path in screens(board).items():
        page.goto(path)
        assert_no_horizontal_scroll(page, PHONE["width"], name)
    for path in [f"/articles/{APPROVED}/pending", f"/articles/{APPROVED}/history"]:
        page.goto(path)
        assert_no_horizontal_scroll(page, PHONE["width"], path)


def test_decisions_are_reachable_by_keyboard(page, board):
    sign_in(page, board["rita"])
    page.goto(f"/admin/review/{board['taken']}")
    page.get_by_role("link", name="Decision", exact=True).press("Enter")
    comment = page.get_by_label("What needs to change")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "changes-comment":
            break
    expect(comment).to_be_focused()
    page.keyboard.type("Please cite the dose.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Request changes")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_have_text("Sent back to the author with your comment.")


def test_pending_notice_leads_to_the_pending_page_without_javascript(nojs_page, board):
    page = nojs_page
    page.goto(f"/articles/{APPROVED}")
    notice = page.locator(".pending-note")
    expect(notice).to_contain_text("A revised version of this article is waiting for review")
    notice.get_by_role("link", name="Read the proposed revision").click()
    expect(page).to_have_url(f"{page.url.split('/articles/')[0]}/articles/{APPROVED}/pending")
    expect(page.locator(".caution")).to_be_visible()
    expect(page.locator('.step[aria-current="step"]')).to_have_text("Submitted")
    page.get_by_role("link", name="Read the reviewed version").click()
    expect(page.locator(".reviewed-by")).to_contain_text("Reviewed by Demo Reviewer")
