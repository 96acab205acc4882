"""The editorial promise end to end, in Chromium with CSRF on, as issue 6's "done when" says:

an editor changes the blast-crisis article's guidelines wording, previews, saves and submits; the
editor is not offered Approve; a board member sends it back; the editor revises and resubmits;
another board member approves; readers see the new wording with that reviewer and date, the public
history shows the change, and every step is in the audit log.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from extensions import db
from models import Article, AuditEvent, ReviewStatus, Revision
from tests.browser.helpers import SEED, SEED_QUESTION
from tests.browser.staff import sign_in, staff_on

pytestmark = pytest.mark.browser

GUIDELINES_CLINICAL = "From the Guidelines — clinical wording"
# Wording changes only: the medicine the demo article states stays exactly as sourced.
FIRST_OLD, FIRST_NEW = "**A note on terms.**", "**A note on the terms used here.**"
SECOND_OLD = "applying them to lymphoid blast crisis is an extrapolation"
SECOND_NEW = "applying them to lymphoid blast crisis is an extrapolation from Ph+ ALL"


@pytest.fixture
def people(live_app, live_demo):
    with staff_on(live_app) as emails:
        yield emails


def edit_guidelines(page, old: str, new: str, note: str) -> None:
    """From the article's staff page: open the editor, change the clinical guidelines wording,
    see it in the live preview, and save the draft."""
    page.get_by_role("link", name="Edit", exact=True).click()
    box = page.get_by_label(GUIDELINES_CLINICAL)
    text = box.input_value()
    assert old in text, f"the demo guidelines no longer contain {old!r}"
    box.fill(text.replace(old, new, 1))
    # The live preview (htmx, debounced) shows the new wording as readers will see it.
    expect(page.locator("#preview-panel")).to_contain_text(new.strip("*"), timeout=5_000)
    page.get_by_label("Change note").fill(note)
    page.get_by_role("button", name="Save and close").click()
    expect(page.locator(".flash")).to_contain_text("as a draft")
    expect(page.get_by_role("heading", level=1)).to_have_text(SEED_QUESTION)


def submit_latest(page) -> None:
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".flash")).to_contain_text("for review")


def open_from_queue(page, list_id: str) -> None:
    page.goto("/admin/review")
    page.locator(f"#{list_id}").get_by_role("link", name=SEED_QUESTION, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SEED_QUESTION)


def decision_buttons(page) -> list[str]:
    return page.locator("#decision button").all_inner_texts()


def test_edit_review_send_back_revise_approve_publish(new_context, live_app, people):
    erin = new_context().new_page()
    sign_in(erin, people["erin"])

    # 1. The editor finds the article, edits the guidelines, previews, saves, previews the
    #    saved revision as readers would see it, and submits it.
    erin.get_by_role("link", name="Articles", exact=True).click()
    erin.get_by_role("link", name=SEED_QUESTION).click()
    edit_guidelines(erin, FIRST_OLD, FIRST_NEW, "Clearer note on terms.")
    erin.get_by_role("link", name="Preview", exact=True).click()
    expect(erin.locator(".preview-banner")).to_contain_text("Preview — not published")
    expect(erin.locator("#article-body")).to_contain_text("A note on the terms used here.")
    erin.go_back()
    submit_latest(erin)

    # 2. The editor is offered no decision on the review page, only the record.
    erin.get_by_role("link", name=re.compile(r"Review record of revision 2")).click()
    expect(erin.locator("#decision")).to_contain_text(
        "Only the Medical Advisory Board reviews articles."
    )
    assert decision_buttons(erin) == []

    # 3. A board member takes it and sends it back with a comment.
    rita = new_context().new_page()
    sign_in(rita, people["rita"])
    open_from_queue(rita, "waiting")
    expect(rita.locator("#changes ins").filter(has_text="used here")).to_have_count(1)
    expect(rita.locator("#changes")).not_to_contain_text("Topics")  # unchanged
    rita.get_by_role("button", name="Start review").click()
    expect(rita.locator(".flash")).to_have_text("You have taken this revision into review.")
    assert "Approve" in decision_buttons(rita)
    rita.get_by_label("What needs to change").fill(
        "Please say that the guidance is extrapolated from Ph+ ALL."
    )
    rita.get_by_role("button", name="Request changes").click()
    expect(rita.locator(".flash")).to_have_text("Sent back to the author with your comment.")

    # 4. The editor sees the request on the dashboard, revises and resubmits.
    erin.goto("/admin/")
    requested = erin.locator("#changes_requested")
    expect(requested).to_contain_text("Please say that the guidance is extrapolated from Ph+ ALL.")
    requested.get_by_role("link", name=SEED_QUESTION, exact=True).click()
    expect(erin.locator("#record")).to_contain_text("Requested changes by Rita Reviewer")
    erin.locator(".link-row").get_by_role("link", name="Article page").click()
    edit_guidelines(erin, SECOND_OLD, SECOND_NEW, "Say where the guidance comes from.")
    submit_latest(erin)

    # 5. Another board member reviews it; Rita's turn is over. Ravi sees what changed since
    #    the revision Rita sent back, and approves with the proposed next review date.
    ravi = new_context().new_page()
    sign_in(ravi, people["ravi"])
    open_from_queue(ravi, "waiting")
    changes = ravi.locator("#changes")
    expect(changes).to_contain_text("Compared with revision 2 (changes requested)")
    expect(changes.locator("ins").filter(has_text="from Ph+ ALL")).to_have_count(1)
    ravi.get_by_role("button", name="Start review").click()
    due = ravi.get_by_label("Next review due").input_value()
    assert due == (date.today() + timedelta(days=365)).isoformat()
    ravi.get_by_role("button", name="Approve").click()
    expect(ravi.locator(".flash")).to_have_text("Approved: this revision is now what readers see.")
    expect(ravi.locator("#record")).to_contain_text("Approved by Ravi Reviewer")

    # 6. Readers see the new wording with that reviewer and date, also in the JSON-LD.
    reader = new_context().new_page()
    reader.goto(f"/articles/{SEED}?expand=all")
    body = reader.locator("#article-body")
    expect(body).to_contain_text("A note on the terms used here.")
    expect(body).to_contain_text(SECOND_NEW)
    expect(reader.locator(".caution")).to_have_count(0)
    today, next_review = date.today(), date.fromisoformat(due)
    expect(reader.locator(".reviewed-by")).to_have_text(
        f"Reviewed by Ravi Reviewer, PharmD, Oncology on {today:%B} {today.day}, {today.year}. "
        f"Next review due {next_review:%B} {next_review.day}, {next_review.year}."
    )
    data = json.loads(reader.locator('script[type="application/ld+json"]').text_content())
    assert data["reviewedBy"]["name"] == "Ravi Reviewer, PharmD, Oncology"
    assert data["lastReviewed"] == today.isoformat()

    # 7. Its public history shows the change, and nothing internal.
    reader.get_by_role("link", name="Review history").click()
    history = reader.locator("main")
    expect(history).to_contain_text("Reviewed by Ravi Reviewer, PharmD, Oncology")
    expect(history).to_contain_text("Say where the guidance comes from.")
    expect(history.locator("ins").filter(has_text="from Ph+ ALL")).to_have_count(1)
    expect(history).not_to_contain_text("Please say that the guidance")

    # 8. Every step is in the audit log, by the person who took it.
    assert audit_trail(live_app) == [
        ("revision.save", people["erin"], 2),
        ("review.submit", people["erin"], 2),
        ("review.supersede", people["erin"], 1),
        ("review.start_review", people["rita"], 2),
        ("review.request_changes", people["rita"], 2),
        ("revision.save", people["erin"], 3),
        ("review.submit", people["erin"], 3),
        ("review.start_review", people["ravi"], 3),
        ("review.approve", people["ravi"], 3),
    ]


def audit_trail(live_app) -> list[tuple[str, str, int]]:
    """(action, who, revision number) for every audited change to the seed article's revisions
    made by signed-in staff, oldest first."""
    with live_app.app_context():
        article = db.session.scalar(sa.select(Article).where(Article.slug == SEED))
        numbers = dict(
            db.session.execute(
                sa.select(Revision.id, Revision.number).where(Revision.article_id == article.id)
            ).all()
        )
        rows = db.session.execute(
            sa.select(AuditEvent.action, AuditEvent.actor_label, AuditEvent.object_id)
            .where(
                AuditEvent.object_type == "revision",
                AuditEvent.object_id.in_([str(i) for i in numbers]),
                AuditEvent.actor_label.like("%@example.org"),
            )
            .order_by(AuditEvent.id)
        ).all()
        assert all(
            ip
            for (ip,) in db.session.execute(
                sa.select(AuditEvent.ip_address).where(AuditEvent.actor_label.like("%@example.org"))
            )
        ), "an audit row lacks the client address"
        statuses = [r.status for r in article.revisions]
        db.session.remove()
    assert statuses == [
        ReviewStatus.SUPERSEDED,
        ReviewStatus.CHANGES_REQUESTED,
        ReviewStatus.APPROVED,
    ]
    return [(action, who, numbers[int(object_id)]) for action, who, object_id in rows]
