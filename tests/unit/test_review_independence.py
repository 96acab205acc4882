"""Four eyes by authorship, not by last save, and no approving through an account one made or
keyed (issue 14), straight through the services."""

from __future__ import annotations

import pytest

from extensions import db
from models import ReviewStatus, Role
from services.editorial import review
from services.editorial.revisions import restore_revision, save_revision
from services.errors import NotPermitted
from services.staff import accounts
from tests.conftest import SECRET_KEY
from tests.factories import make_article, make_reference, make_sections, make_user

S = ReviewStatus
PASSWORD = "four unrelated words here"
DECISIONS = ["start_review", "approve", "request_changes"]


@pytest.fixture
def team(app):
    make_reference("ref")
    return {
        "alice": make_user(role=Role.REVIEWER, name="Alice Author"),
        "bob": make_user(role=Role.REVIEWER, name="Bob Board"),
        "carol": make_user(role=Role.EDITOR, name="Carol Copyedit"),
        "dan": make_user(role=Role.REVIEWER, name="Dan Doctor"),
        "ada": make_user(role=Role.ADMIN, name="Ada Admin"),
    }


def edit(article, author, words):
    return save_revision(
        article, author=author, question=article.question, sections=make_sections(guidelines=words)
    )


def decide(revision, action, user):
    if action == "start_review":
        review.start_review(revision, reviewer=user)
    elif action == "approve":
        review.approve(revision, reviewer=user, override_reason="Factory article")
    else:
        review.request_changes(revision, reviewer=user, comment="Fix it.")


def to_state(revision, action, submitter):
    """Submit `revision`; for a decision, someone who wrote nothing takes it into review first
    (the refusal tested comes before "someone else took it")."""
    review.submit(revision, actor=submitter)
    if action != "start_review":
        review.start_review(revision, reviewer=make_user(role=Role.REVIEWER, name="Outsider"))
    return revision


@pytest.mark.parametrize("action", DECISIONS)
def test_cannot_decide_text_one_wrote_after_a_colleague_saved_on_top(team, action):
    article = make_article(status="draft", author=team["alice"])
    tweak = edit(article, team["carol"], "Guideline text, one comma changed [@ref].")
    to_state(tweak, action, team["carol"])
    with pytest.raises(NotPermitted, match="You wrote revision 1, so another board member"):
        decide(tweak, action, team["alice"])
    assert tweak.status != S.APPROVED


@pytest.mark.parametrize("action", DECISIONS)
def test_cannot_decide_a_restore_of_ones_own_text(team, action):
    article = make_article(status="draft", author=team["alice"])
    edit(article, team["carol"], "Carol's version [@ref].")
    original = article.revisions[0]
    restored = restore_revision(
        original, actor=team["carol"], based_on_id=article.latest_revision_id
    )
    assert restored.restored_from_id == original.id
    to_state(restored, action, team["carol"])
    with pytest.raises(NotPermitted, match="You wrote revision 1"):
        decide(restored, action, team["alice"])


def test_the_author_of_text_approved_earlier_and_then_restored_is_barred(team):
    article = make_article(status="approved", author=team["alice"], reviewer=team["bob"])
    second = edit(article, team["carol"], "Carol's version [@ref].")
    review.submit(second, actor=team["carol"])
    review.start_review(second, reviewer=team["alice"])
    review.approve(second, reviewer=team["alice"], override_reason="Factory article")
    restored = restore_revision(
        article.revisions[0], actor=team["carol"], based_on_id=article.latest_revision_id
    )
    review.submit(restored, actor=team["carol"])
    assert "start_review" not in review.actions_for(restored, team["alice"])
    assert [a.summary for a in review.ineligible(restored)] == [
        "Carol Copyedit (wrote revision 3)",
        "Alice Author (wrote revision 1, restored as revision 3)",
    ]
    review.start_review(restored, reviewer=team["dan"])  # wrote nothing: may decide


def test_authors_before_the_last_approval_may_review_again(team):
    article = make_article(status="approved", author=team["alice"], reviewer=team["bob"])
    newer = edit(article, team["carol"], "Carol's version [@ref].")
    review.submit(newer, actor=team["carol"])
    assert [a.user for a in review.ineligible(newer)] == [team["carol"]]
    review.start_review(newer, reviewer=team["alice"])
    review.approve(newer, reviewer=team["alice"], override_reason="Factory article")
    assert newer.status == S.APPROVED


def test_every_author_since_the_last_approval_is_named_with_what_they_wrote(team):
    article = make_article(status="draft", author=team["alice"])
    edit(article, team["carol"], "Second [@ref].")
    third = edit(article, team["alice"], "Third [@ref].")
    review.submit(third, actor=team["alice"])
    assert [a.summary for a in review.ineligible(third)] == [
        "Alice Author (wrote revision 1; wrote revision 3)",
        "Carol Copyedit (wrote revision 2)",
    ]
    assert review.why_not(third, team["alice"]) == (
        "You wrote revision 1 and wrote revision 3, so another board member must review it."
    )


# -- Accounts made or keyed by an author ---------------------------------------------------------


def test_cannot_approve_through_an_account_one_created(team):
    made = accounts.create_user(
        email="sock@example.org", role=Role.REVIEWER, name="Sock", actor=team["ada"]
    )
    assert made.created_by_id == team["ada"].id
    revision = make_article(status="submitted", author=team["ada"]).latest_revision
    with pytest.raises(NotPermitted, match="Ada Admin created your account"):
        review.start_review(revision, reviewer=made)
    assert review.why_not(revision, made).startswith("Ada Admin created your account")
    review.start_review(revision, reviewer=team["bob"])  # an account Ada did not make


def test_cannot_approve_through_an_account_whose_password_one_set(team):
    bob = team["bob"]
    token = accounts.reset_password(bob, actor=team["ada"], secret=SECRET_KEY)
    assert accounts.user_for_token(token, secret=SECRET_KEY) == bob
    accounts.set_password(
        bob, PASSWORD, set_by_id=accounts.link_issuer_id(token, secret=SECRET_KEY)
    )
    assert bob.password_set_by_id == team["ada"].id
    revision = make_article(status="under_review", author=team["ada"]).latest_revision
    with pytest.raises(NotPermitted, match="Ada Admin set the password of your account"):
        review.approve(revision, reviewer=bob, override_reason="Factory article")
    assert revision.status == S.UNDER_REVIEW


def test_a_password_one_set_oneself_bars_nobody(team):
    bob = team["bob"]
    own = accounts.set_password_token(bob, secret=SECRET_KEY, issued_by=bob)
    accounts.set_password(bob, PASSWORD, set_by_id=accounts.link_issuer_id(own, secret=SECRET_KEY))
    assert bob.password_set_by_id == bob.id
    revision = make_article(status="submitted", author=team["alice"]).latest_revision
    review.start_review(revision, reviewer=bob)
    db.session.flush()
    assert revision.reviewer == bob


def test_the_command_line_records_no_maker(app):
    user = accounts.create_user(email="cli@example.org", role=Role.ADMIN, password=PASSWORD)
    assert user.created_by_id is None and user.password_set_by_id is None
    token = accounts.set_password_token(user, secret=SECRET_KEY)
    assert accounts.link_issuer_id(token, secret=SECRET_KEY) is None


def test_changing_a_password_one_was_keyed_keeps_the_keyer_barred(team):
    """Ada keyed Bob's password through a link; Bob (or Ada, holding it) changing it by typing
    the current one does not make the account Ada's no longer."""
    bob = team["bob"]
    token = accounts.reset_password(bob, actor=team["ada"], secret=SECRET_KEY)
    accounts.set_password(
        bob, PASSWORD, set_by_id=accounts.link_issuer_id(token, secret=SECRET_KEY)
    )
    assert accounts.change_password(bob, PASSWORD, "five other unrelated words")
    revision = make_article(status="submitted", author=team["ada"]).latest_revision
    with pytest.raises(NotPermitted, match="Ada Admin set the password of your account"):
        review.start_review(revision, reviewer=bob)


def test_an_account_made_through_an_account_one_made_is_barred_too(team):
    """Ada made admin Sam (she held Sam's link), then as Sam made reviewer Tom: Tom may not
    approve Ada's text, and the page says through whom."""
    sam = accounts.create_user(
        email="sam@example.org", role=Role.ADMIN, name="Sam Second", actor=team["ada"]
    )
    tom = accounts.create_user(
        email="tom@example.org", role=Role.REVIEWER, name="Tom Third", actor=sam
    )
    revision = make_article(status="submitted", author=team["ada"]).latest_revision
    with pytest.raises(NotPermitted, match="Ada Admin created the account of Sam Second"):
        review.start_review(revision, reviewer=tom)
    review.start_review(revision, reviewer=team["bob"])  # outside Ada's line: free to decide
