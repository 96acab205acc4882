"""Every review transition and every forbidden one, straight through the service (no HTTP)."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from extensions import db
from models import AuditEvent, ReadingLevel, ReviewEvent, ReviewStatus, Role, SectionKind
from services.editorial import review
from services.editorial.publishing import public_revision
from services.editorial.revisions import SectionInput, save_revision
from services.errors import InvalidTransition, NotPermitted
from tests.factories import make_article, make_reference, make_sections, make_user

S = ReviewStatus
HARD_PLAIN = (
    "Pharmacokinetic considerations notwithstanding, concomitant administration necessitates "
    "comprehensive haematological surveillance throughout consolidation chemotherapy."
)


def audit_actions(revision) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.object_type == "revision", AuditEvent.object_id == str(revision.id))
            .order_by(AuditEvent.id)
        )
    )


def under_review(*, author=None, reviewer=None, sections=None):
    """The only revision of a new article, under review by `reviewer` (default: a new one)."""
    article = make_article(
        status="under_review", author=author, reviewer=reviewer, sections=sections
    )
    return article.latest_revision


@pytest.fixture
def library(app):
    return make_reference("ref")


# -- Each transition, done by someone allowed to ------------------------------------------------


def test_submit_records_event_and_audit_and_makes_a_first_revision_public(library):
    author = make_user(role=Role.EDITOR)
    revision = make_article(status="draft", author=author).latest_revision
    assert public_revision(revision.article) is None

    review.submit(revision, actor=author)

    assert revision.status == S.SUBMITTED and revision.submitted_at is not None
    assert [(e.action, e.from_status, e.to_status) for e in revision.events] == [
        ("submit", S.DRAFT, S.SUBMITTED)
    ]
    assert audit_actions(revision) == ["revision.save", "review.submit"]
    assert public_revision(revision.article) is revision  # never approved: shown with the banner


def test_start_review_assigns_the_reviewer(library):
    reviewer = make_user(role=Role.REVIEWER)
    revision = make_article(status="submitted").latest_revision

    review.start_review(revision, reviewer=reviewer)

    assert revision.status == S.UNDER_REVIEW and revision.reviewer is reviewer
    assert revision.events[-1].actor is reviewer
    assert audit_actions(revision)[-1] == "review.start_review"


def test_request_changes_keeps_the_comment_on_the_revision_event_and_audit(library):
    revision = under_review()
    reviewer = revision.reviewer

    review.request_changes(revision, reviewer=reviewer, comment="  Cite the dose.  ")

    assert revision.status == S.CHANGES_REQUESTED
    assert revision.review_comment == "Cite the dose."
    assert revision.events[-1].comment == "Cite the dose."
    audit = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert audit.action == "review.request_changes"
    assert audit.changes["comment"] == "Cite the dose."
    assert audit.changes["status"] == ["under_review", "changes_requested"]


def test_approve_makes_live_with_the_chosen_next_review_date(library):
    revision = under_review()
    due = date.today() + timedelta(days=200)

    review.approve(revision, reviewer=revision.reviewer, next_review_on=due)

    article = revision.article
    assert revision.status == S.APPROVED and revision.reviewed_at is not None
    assert article.live_revision is revision and public_revision(article) is revision
    assert article.next_review_on == due
    event = revision.events[-1]
    assert (event.action, event.override_reason) == ("approve", "")
    audit = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert audit.action == "review.approve" and audit.changes["next_review_on"] == due.isoformat()
    assert "overridden" not in audit.changes


def test_approve_defaults_to_the_authors_proposal_else_a_year(library):
    revision = under_review()
    assert review.default_next_review(revision) == date.today() + review.REVIEW_INTERVAL
    review.approve(revision, reviewer=revision.reviewer)
    assert revision.article.next_review_on == date.today() + review.REVIEW_INTERVAL


def test_resubmitting_after_changes_requested_starts_a_new_review_round(library):
    author = make_user(role=Role.EDITOR)
    revision = make_article(status="changes_requested", author=author).latest_revision
    first_reviewer = revision.reviewer
    other = make_user(role=Role.REVIEWER)

    review.submit(revision, actor=author)
    review.start_review(revision, reviewer=other)

    assert revision.reviewer is other  # the new round belongs to whoever took it
    review.approve(revision, reviewer=other)
    assert revision.status == S.APPROVED
    assert [e.action for e in revision.events] == [
        "submit",
        "start_review",
        "request_changes",
        "submit",
        "start_review",
        "approve",
    ]
    assert revision.events[2].actor is first_reviewer


# -- Four eyes: nobody reviews their own revision, whatever their role ------------------------


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.ADMIN])
def test_cannot_start_review_of_own_revision(library, role):
    author = make_user(role=role)
    revision = make_article(status="submitted", author=author).latest_revision
    with pytest.raises(NotPermitted):
        review.start_review(revision, reviewer=author)
    assert revision.status == S.SUBMITTED
    assert "start_review" not in review.actions_for(revision, author)


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ADMIN])
@pytest.mark.parametrize("action", ["approve", "request_changes"])
def test_cannot_decide_own_revision_even_after_another_took_it(library, role, action):
    author = make_user(role=role)
    revision = under_review(author=author)
    events = len(revision.events)
    with pytest.raises(NotPermitted):
        if action == "approve":
            review.approve(revision, reviewer=author, override_reason="I checked it myself")
        else:
            review.request_changes(revision, reviewer=author, comment="Self-review")
    assert revision.status == S.UNDER_REVIEW and len(revision.events) == events
    assert review.actions_for(revision, author) == []


def test_author_is_offered_no_review_action_in_any_state(library):
    author = make_user(role=Role.ADMIN)
    article = make_article(status="draft", author=author)
    revision = article.latest_revision
    assert review.actions_for(revision, author) == ["submit"]
    review.submit(revision, actor=author)
    assert review.actions_for(revision, author) == []
    review.start_review(revision, reviewer=make_user(role=Role.REVIEWER))
    assert review.actions_for(revision, author) == []


# -- Roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["start_review", "approve", "request_changes"])
def test_cannot_review_as_editor(library, action):
    editor = make_user(role=Role.EDITOR)
    revision = (
        make_article(status="submitted").latest_revision
        if action == "start_review"
        else under_review()
    )
    with pytest.raises(NotPermitted):
        if action == "start_review":
            review.start_review(revision, reviewer=editor)
        elif action == "approve":
            review.approve(revision, reviewer=editor)
        else:
            review.request_changes(revision, reviewer=editor, comment="No.")
    assert review.actions_for(revision, editor) == []


def test_cannot_act_as_a_deactivated_reviewer(library):
    reviewer = make_user(role=Role.REVIEWER)
    reviewer.is_active = False
    revision = make_article(status="submitted").latest_revision
    with pytest.raises(NotPermitted):
        review.start_review(revision, reviewer=reviewer)


# -- The reviewer who took it decides it (an admin may step in) --------------------------------


@pytest.mark.parametrize("action", ["approve", "request_changes"])
def test_cannot_decide_a_review_another_board_member_took(library, action):
    revision = under_review()
    other = make_user(role=Role.REVIEWER)
    with pytest.raises(NotPermitted, match="Another board member"):
        if action == "approve":
            review.approve(revision, reviewer=other)
        else:
            review.request_changes(revision, reviewer=other, comment="Mine now.")
    assert review.actions_for(revision, other) == []
    assert review.actions_for(revision, revision.reviewer) == ["approve", "request_changes"]


def test_admin_may_step_in_on_a_review_someone_else_took(library):
    revision = under_review()
    admin = make_user(role=Role.ADMIN)
    assert review.actions_for(revision, admin) == ["approve", "request_changes"]
    review.approve(revision, reviewer=admin)
    assert revision.reviewer is admin and revision.status == S.APPROVED


# -- Wrong state --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("draft", "start_review"),
        ("draft", "approve"),
        ("draft", "request_changes"),
        ("submitted", "approve"),
        ("submitted", "request_changes"),
        ("under_review", "start_review"),
        ("under_review", "submit"),
        ("changes_requested", "start_review"),
        ("changes_requested", "approve"),
        ("approved", "submit"),
        ("approved", "start_review"),
        ("approved", "approve"),
        ("approved", "request_changes"),
    ],
)
def test_cannot_take_a_transition_from_the_wrong_state(library, status, action):
    author = make_user(role=Role.EDITOR)
    reviewer = make_user(role=Role.REVIEWER)
    revision = make_article(status=status, author=author, reviewer=reviewer).latest_revision
    before = (revision.status, len(revision.events))
    with pytest.raises(InvalidTransition):
        if action == "submit":
            review.submit(revision, actor=author)
        elif action == "start_review":
            review.start_review(revision, reviewer=make_user(role=Role.REVIEWER))
        elif action == "approve":
            review.approve(revision, reviewer=reviewer)
        else:
            review.request_changes(revision, reviewer=reviewer, comment="Too late.")
    assert (revision.status, len(revision.events)) == before


def test_cannot_review_a_superseded_revision(library):
    author = make_user(role=Role.EDITOR)
    article = make_article(status="submitted", author=author)
    old = article.latest_revision
    newer = save_revision(article, author=author, question="Q?", sections=make_sections())
    review.submit(newer, actor=author)
    with pytest.raises(InvalidTransition):
        review.start_review(old, reviewer=make_user(role=Role.REVIEWER))


def test_cannot_submit_an_older_revision(library):
    author = make_user(role=Role.EDITOR)
    article = make_article(status="changes_requested", author=author)
    sent_back = article.latest_revision
    save_revision(article, author=author, question="Q?", sections=make_sections())
    with pytest.raises(NotPermitted, match="latest revision"):
        review.submit(sent_back, actor=author)


# -- Comments and dates -------------------------------------------------------------------------


@pytest.mark.parametrize("comment", ["", "   ", "\n\t"])
def test_cannot_request_changes_with_an_empty_comment(library, comment):
    revision = under_review()
    audits = audit_actions(revision)
    with pytest.raises(InvalidTransition, match="comment is required"):
        review.request_changes(revision, reviewer=revision.reviewer, comment=comment)
    assert revision.status == S.UNDER_REVIEW and revision.review_comment == ""
    assert audit_actions(revision) == audits


@pytest.mark.parametrize(
    ("days", "message"), [(0, "in the future"), (-3, "in the future"), (3 * 366, "three years")]
)
def test_cannot_approve_with_a_next_review_date_out_of_range(library, days, message):
    revision = under_review()
    with pytest.raises(InvalidTransition, match=message):
        review.approve(
            revision, reviewer=revision.reviewer, next_review_on=date.today() + timedelta(days)
        )
    assert revision.status == S.UNDER_REVIEW and revision.article.live_revision is None


# -- Checks: approval needs an override reason while a blocking finding stands -----------------


def over_target_sections():
    return [
        SectionInput(
            SectionKind.SUMMARY,
            "Short answer",
            {ReadingLevel.CLINICAL: "Short answer [@ref].", ReadingLevel.PLAIN: HARD_PLAIN},
        )
    ]


def test_cannot_approve_over_target_wording_without_a_reason(library):
    revision = under_review(sections=over_target_sections())
    with pytest.raises(review.ApprovalBlocked) as blocked:
        review.approve(revision, reviewer=revision.reviewer, override_reason="   ")
    findings = blocked.value.findings
    assert [(o.heading, o.level) for o in findings.over_target] == [("Short answer", "plain")]
    assert "above its target of 8" in str(blocked.value)
    assert revision.status == S.UNDER_REVIEW and revision.article.live_revision is None
    assert audit_actions(revision)[-1] == "review.start_review"


def test_over_target_wording_is_approved_with_a_reason_kept_on_event_and_audit(library):
    revision = under_review(sections=over_target_sections())

    review.approve(
        revision, reviewer=revision.reviewer, override_reason=" Plain rewrite is scheduled. "
    )

    assert revision.status == S.APPROVED and revision.article.live_revision is revision
    event = revision.events[-1]
    assert event.override_reason == "Plain rewrite is scheduled."
    audit = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert audit.changes["override_reason"] == "Plain rewrite is scheduled."
    assert any("above its target" in line for line in audit.changes["overridden"])


def test_cannot_approve_a_broken_citation_without_a_reason(app):
    revision = under_review(sections=make_sections(summary="Answer [@missing]."))
    make_reference("ref")
    with pytest.raises(review.ApprovalBlocked) as blocked:
        review.approve(revision, reviewer=revision.reviewer)
    assert [b.key for b in blocked.value.findings.broken] == ["missing"]
    assert revision.status == S.UNDER_REVIEW


def test_broken_citation_is_approved_with_a_reason(app):
    revision = under_review(sections=make_sections(summary="Answer [@missing]."))
    make_reference("ref")
    review.approve(revision, reviewer=revision.reviewer, override_reason="Reference on its way.")
    assert revision.events[-1].override_reason == "Reference on its way."


def test_a_reason_given_when_nothing_blocks_is_not_recorded_as_an_override(library):
    revision = under_review()
    review.approve(revision, reviewer=revision.reviewer, override_reason="Just in case.")
    assert revision.events[-1].override_reason == ""


def test_uncited_numbers_warn_but_do_not_block(library):
    sections = make_sections(guidelines="Give 60 mg/m2 daily for 4 weeks.")
    revision = under_review(sections=sections)
    review.approve(revision, reviewer=revision.reviewer)
    assert revision.status == S.APPROVED


# -- Superseding ----------------------------------------------------------------------------------


@pytest.mark.parametrize("pending", ["submitted", "under_review"])
def test_submitting_a_newer_revision_supersedes_the_pending_one(library, pending):
    author = make_user(role=Role.EDITOR)
    article = make_article(status=pending, author=author)
    old = article.latest_revision
    newer = save_revision(article, author=author, question="Newer?", sections=make_sections())

    review.submit(newer, actor=author)

    assert old.status == S.SUPERSEDED and newer.status == S.SUBMITTED
    event = old.events[-1]
    assert (event.action, event.from_status, event.to_status) == (
        "supersede",
        S(pending),
        S.SUPERSEDED,
    )
    assert event.comment == f"Superseded by revision {newer.number}."
    assert audit_actions(old)[-1] == "review.supersede"
    assert public_revision(article) is newer  # never approved: the newest one sent for review
    assert review.actions_for(old, make_user(role=Role.ADMIN)) == []


def test_superseding_leaves_the_live_revision_and_earlier_decisions_alone(library):
    author = make_user(role=Role.EDITOR)
    article = make_article(status="approved", author=author)
    live = article.live_revision
    second = save_revision(article, author=author, question="Second?", sections=make_sections())
    review.submit(second, actor=author)
    third = save_revision(article, author=author, question="Third?", sections=make_sections())

    review.submit(third, actor=author)

    assert (live.status, second.status, third.status) == (S.APPROVED, S.SUPERSEDED, S.SUBMITTED)
    assert public_revision(article) is live


def test_review_events_are_never_written_for_a_refused_step(library):
    revision = make_article(status="submitted").latest_revision
    count = db.session.scalar(sa.select(sa.func.count(ReviewEvent.id)))
    with pytest.raises(NotPermitted):
        review.start_review(revision, reviewer=revision.author)
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count(ReviewEvent.id))) == count


# -- Two board members at once ---------------------------------------------------------------------


def test_two_reviewers_taking_one_revision_at_once_take_turns(app, library):
    """The second sees the first's result instead of both moving the revision."""
    import threading
    import time

    from services.editorial.dossier import load_revision

    revision_id = make_article(status="submitted").latest_revision_id
    first, second = make_user(role=Role.REVIEWER), make_user(role=Role.REVIEWER)
    ids = first.id, second.id
    db.session.commit()
    db.session.remove()
    outcome: dict[str, object] = {}

    def other_reviewer():
        with app.app_context():
            try:
                revision = load_revision(revision_id, for_update=True)  # waits for the lock
                review.start_review(revision, reviewer=db.session.get(type(first), ids[1]))
                db.session.commit()
                outcome["second"] = "took it"
            except InvalidTransition as refused:
                outcome["second"] = str(refused)
            finally:
                db.session.remove()

    revision = load_revision(revision_id, for_update=True)
    thread = threading.Thread(target=other_reviewer)
    thread.start()
    time.sleep(0.5)  # the other reviewer is now waiting on the row
    review.start_review(revision, reviewer=db.session.get(type(first), ids[0]))
    db.session.commit()
    thread.join(timeout=10)

    assert outcome["second"] == "Cannot take into review a revision that is under review."
    revision = load_revision(revision_id)
    assert revision.reviewer_id == ids[0]
    assert [e.action for e in revision.events] == ["submit", "start_review"]
