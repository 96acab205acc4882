import pytest

from models import ReviewStatus, Role
from services.editorial import review
from services.errors import InvalidTransition, NotPermitted
from tests.factories import make_article, make_reference, make_user


def latest(article):
    return article.latest_revision


def test_full_review_run_makes_the_revision_live(app):
    author = make_user(role=Role.EDITOR)
    reviewer = make_user(role=Role.REVIEWER, credentials="MD")
    make_reference("ref")
    article = make_article(status="draft", author=author)
    revision = latest(article)

    review.submit(revision, actor=author)
    assert revision.status == ReviewStatus.SUBMITTED and revision.submitted_at
    review.start_review(revision, reviewer=reviewer)
    assert revision.status == ReviewStatus.UNDER_REVIEW
    review.approve(revision, reviewer=reviewer)

    assert revision.status == ReviewStatus.APPROVED
    assert article.live_revision is revision
    assert revision.reviewer is reviewer and revision.reviewed_at
    assert article.next_review_on is not None
    assert [e.action for e in revision.events] == ["submit", "start_review", "approve"]


def test_cannot_approve_own_revision(app):
    author = make_user(role=Role.ADMIN)
    article = make_article(status="submitted", author=author)
    with pytest.raises(NotPermitted):
        review.start_review(latest(article), reviewer=author)


def test_cannot_approve_without_review(app):
    article = make_article(status="submitted")
    with pytest.raises(InvalidTransition):
        review.approve(latest(article), reviewer=make_user(role=Role.REVIEWER))


def test_cannot_approve_as_editor(app):
    article = make_article(status="under_review")
    with pytest.raises(NotPermitted):
        review.approve(latest(article), reviewer=make_user(role=Role.EDITOR))


def test_cannot_request_changes_without_comment(app):
    article = make_article(status="under_review")
    with pytest.raises(InvalidTransition):
        review.request_changes(latest(article), reviewer=latest(article).reviewer, comment=" ")
    assert latest(article).status == ReviewStatus.UNDER_REVIEW


def test_changes_requested_goes_back_to_author_and_can_be_resubmitted(app):
    author = make_user(role=Role.EDITOR)
    article = make_article(status="changes_requested", author=author)
    revision = latest(article)
    assert revision.review_comment == "Fix it."
    review.submit(revision, actor=author)
    assert revision.status == ReviewStatus.SUBMITTED


def test_cannot_submit_twice(app):
    article = make_article(status="submitted")
    with pytest.raises(InvalidTransition):
        review.submit(latest(article), actor=latest(article).author)


def test_allowed_actions_follow_the_state(app):
    article = make_article(status="under_review")
    assert review.allowed_actions(latest(article)) == ["approve", "request_changes"]
