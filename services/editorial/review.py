"""The review state machine: named transitions, each checked, applied, recorded and audited.

draft ──submit──▶ submitted ──start_review──▶ under_review ──approve──▶ approved
  ▲                   │                            │
  │                   └─(newer one submitted)──▶ superseded
  └──────────── changes_requested ◀──request_changes

Four eyes: nobody who wrote any of the text under review (services.editorial.authorship: every
revision since the last approval, and revisions restored into them) takes, approves or sends it
back, whatever their role, nor anyone whose account such an author created or keyed
(services.staff.permissions.independence). The reviewer who took a revision decides it (an
administrator may step in).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from extensions import db
from models import Article, ReviewEvent, ReviewStatus, Revision, Topic, User
from models.base import utcnow
from services.editorial import revisions
from services.editorial.authorship import Authorship, authors_since_approval
from services.editorial.checks import Findings, check_revision
from services.editorial.publishing import make_live, refresh_publication
from services.errors import InvalidTransition, NotPermitted
from services.staff import audit
from services.staff.permissions import Permission, can, independence

S = ReviewStatus
TRANSITIONS: dict[str, tuple[set[ReviewStatus], ReviewStatus]] = {
    "submit": ({S.DRAFT, S.CHANGES_REQUESTED}, S.SUBMITTED),
    "start_review": ({S.SUBMITTED}, S.UNDER_REVIEW),
    "approve": ({S.UNDER_REVIEW}, S.APPROVED),
    "request_changes": ({S.UNDER_REVIEW}, S.CHANGES_REQUESTED),
}
REVIEW_INTERVAL = timedelta(days=365)
MAX_REVIEW_INTERVAL = timedelta(days=3 * 365)


class ApprovalBlocked(InvalidTransition):
    """Checks failed and no override reason was given."""

    def __init__(self, findings: Findings):
        self.findings = findings
        super().__init__(
            "Approval needs an override reason while these stand: "
            + " ".join(findings.blocking_reasons())
        )


def allowed_actions(revision: Revision) -> list[str]:
    """Transition names that the revision's current state allows (whoever acts)."""
    return [name for name, (sources, _) in TRANSITIONS.items() if revision.status in sources]


def actions_for(revision: Revision, user: User) -> list[str]:
    """Transitions `user` may take on `revision` now: what the page offers as buttons."""
    authors = authors_since_approval(revision)  # once, for every decision weighed
    return [
        name
        for name in allowed_actions(revision)
        if _refusal(revision, name, user, authors=authors) is None
    ]


def why_not(revision: Revision, user: User) -> str | None:
    """Why the review page offers `user` none of the decisions the revision's state allows."""
    names = [name for name in allowed_actions(revision) if name != "submit"]
    authors = authors_since_approval(revision)
    refusals = [_refusal(revision, name, user, authors=authors) for name in names]
    if not refusals or None in refusals:
        return None
    return refusals[0]


def ineligible(revision: Revision) -> list[Authorship]:
    """The people who wrote part of the text under review, each with what they wrote: none of
    them may take, approve or send it back (the review page lists them)."""
    return authors_since_approval(revision)


def independence_refusal(
    revision: Revision, user: User, *, authors: list[Authorship] | None = None
) -> str | None:
    """Why `user` is not a second pair of eyes on `revision`'s text (None: they are);
    `authors` when the caller has them already."""
    if authors is None:
        authors = authors_since_approval(revision)
    reason = independence(user, {a.user.id: a.user.name for a in authors})
    own = next((a for a in authors if a.user.id == user.id), None)
    if reason is not None and own is not None:
        # Say which text was theirs: the last save may well be someone else's.
        return f"You {' and '.join(own.parts)}, so another board member must review it."
    return reason


def default_next_review(revision: Revision) -> date:
    """The date the approve form proposes: the author's proposal, else a year from today."""
    return revision.next_review_on or date.today() + REVIEW_INTERVAL


def _refusal(
    revision: Revision, action: str, user: User, *, authors: list[Authorship] | None = None
) -> str | None:
    """Why `user` may not take `action` on `revision` (None: they may)."""
    if action == "submit":
        if not can(user, Permission.EDIT):
            return "Your role cannot submit articles."
        if revision.article.latest_revision_id != revision.id:
            return "Only the latest revision can be submitted; open the newest one."
        return None
    if not can(user, Permission.REVIEW):
        return "Only the Medical Advisory Board reviews articles."
    if (reason := independence_refusal(revision, user, authors=authors)) is not None:
        return reason
    if action in ("approve", "request_changes") and revision.reviewer_id not in (None, user.id):
        if not can(user, Permission.UNLOCK):
            return "Another board member has taken this review."
    return None


def _check(revision: Revision, action: str, user: User) -> None:
    sources, _ = TRANSITIONS[action]
    if revision.status not in sources:
        verb = {"start_review": "take into review", "request_changes": "request changes on"}
        raise InvalidTransition(
            f"Cannot {verb.get(action, action)} a revision that is {revision.status.label.lower()}."
        )
    if (reason := _refusal(revision, action, user)) is not None:
        raise NotPermitted(reason)


def _move(
    revision: Revision,
    action: str,
    actor: User,
    *,
    comment: str = "",
    override_reason: str = "",
    changes: dict | None = None,
    at: datetime | None = None,
) -> None:
    _, target = TRANSITIONS[action]
    db.session.add(
        ReviewEvent(
            revision=revision,
            actor=actor,
            action=action,
            from_status=revision.status,
            to_status=target,
            comment=comment,
            override_reason=override_reason,
            created_at=at or utcnow(),
        )
    )
    audit.record(
        f"review.{action}",
        actor=actor,
        target=revision,
        changes={
            "status": [revision.status.value, target.value],
            **({"comment": comment} if comment else {}),
            **({"override_reason": override_reason} if override_reason else {}),
            **(changes or {}),
        },
    )
    revision.status = target


def submit(revision: Revision, *, actor: User) -> None:
    """Send the latest revision (a draft, or one sent back) to the Medical Advisory Board.

    Older revisions of the article still waiting for review are superseded: the board reviews
    the newest text only.
    :raises NotPermitted: the actor cannot edit, or the revision is not the article's latest.
    """
    _check(revision, "submit", actor)
    _move(revision, "submit", actor)
    revision.submitted_at = utcnow()
    _supersede_older(revision, actor)
    refresh_publication(revision.article)


def save_and_submit(
    article: Article,
    *,
    author: User,
    question: str,
    sections: list[revisions.SectionInput],
    change_note: str = "",
    based_on_id: int | None,
    topics: list[Topic],
    next_review_on: date | None = None,
    question_translations: dict[str, str] | None = None,
) -> tuple[Revision, bool]:
    """The editor's "Save and submit for review": save the text as a new revision and submit
    it, by the same rules as `save_revision` and `submit`, both audited; or, when the text is
    the latest revision unchanged, submit that one without a copy. Returns the revision
    submitted and whether it was saved just now.

    All or nothing: the caller commits once, and rolls both back if either is refused.
    :raises Conflict, NotPermitted, DomainError: as `save_revision` and `submit` do.
    :raises InvalidTransition: the text is unchanged and its revision cannot be submitted
        (already waiting for review, or approved).
    """
    latest = article.latest_revision
    if (
        latest is not None
        and based_on_id == latest.id
        and revisions.unchanged(
            latest,
            question=question,
            sections=sections,
            topics=topics,
            next_review_on=next_review_on,
            question_translations=question_translations,
        )
    ):
        if latest.status not in TRANSITIONS["submit"][0]:
            waiting = latest.status in (S.SUBMITTED, S.UNDER_REVIEW)
            raise InvalidTransition(
                f"Nothing has changed since {latest.label.lower()}, which is "
                + ("already waiting for review." if waiting else latest.status.label.lower() + ".")
            )
        submit(latest, actor=author)
        return latest, False
    revision = revisions.save_revision(
        article,
        author=author,
        question=question,
        sections=sections,
        change_note=change_note,
        based_on_id=based_on_id,
        topics=topics,
        next_review_on=next_review_on,
        question_translations=question_translations,
    )
    submit(revision, actor=author)
    return revision, True


def _supersede_older(revision: Revision, actor: User) -> None:
    older = db.session.scalars(
        sa.select(Revision).where(
            Revision.article_id == revision.article_id,
            Revision.id != revision.id,
            Revision.status.in_((S.SUBMITTED, S.UNDER_REVIEW)),
        )
    )
    for old in older:
        comment = f"Superseded by revision {revision.number}."
        db.session.add(
            ReviewEvent(
                revision=old,
                actor=actor,
                action="supersede",
                from_status=old.status,
                to_status=S.SUPERSEDED,
                comment=comment,
            )
        )
        audit.record(
            "review.supersede",
            actor=actor,
            target=old,
            changes={"status": [old.status.value, S.SUPERSEDED.value], "by": revision.number},
        )
        old.status = S.SUPERSEDED


def start_review(revision: Revision, *, reviewer: User) -> None:
    """A board member who did not write the revision takes it into review.

    :raises NotPermitted: the reviewer wrote it, or is not on the board.
    """
    _check(revision, "start_review", reviewer)
    _move(revision, "start_review", reviewer)
    revision.reviewer = reviewer
    refresh_publication(revision.article)


def approve(
    revision: Revision,
    *,
    reviewer: User,
    next_review_on: date | None = None,
    override_reason: str = "",
    approved_at: datetime | None = None,
) -> None:
    """Approve a revision under review and make it the live one readers see.

    `approved_at` records an approval made earlier (imports, demo content); default now.

    :raises NotPermitted: the reviewer wrote the revision, is not on the board, or another
        board member has taken it.
    :raises ApprovalBlocked: a variant is above its target grade or a citation is broken, and
        no override reason was given.
    :raises InvalidTransition: the next-review date is not in the future (or over 3 years away).
    """
    _check(revision, "approve", reviewer)
    approved_at = approved_at or utcnow()
    today = approved_at.date()
    next_review_on = next_review_on or default_next_review(revision)
    if next_review_on <= today:
        raise InvalidTransition("The next review date must be in the future.")
    if next_review_on > today + MAX_REVIEW_INTERVAL:
        raise InvalidTransition("Set the next review within three years.")
    findings = check_revision(revision)
    override_reason = override_reason.strip()
    if findings.blocking and not override_reason:
        raise ApprovalBlocked(findings)
    _move(
        revision,
        "approve",
        reviewer,
        override_reason=override_reason if findings.blocking else "",
        changes={
            "next_review_on": next_review_on.isoformat(),
            **({"overridden": findings.blocking_reasons()} if findings.blocking else {}),
        },
        at=approved_at,
    )
    revision.reviewer = reviewer
    revision.reviewed_at = approved_at
    make_live(revision, next_review_on=next_review_on)


def request_changes(revision: Revision, *, reviewer: User, comment: str) -> None:
    """Send a revision back to its author with the reviewer's comment (required)."""
    _check(revision, "request_changes", reviewer)
    comment = comment.strip()
    if not comment:
        raise InvalidTransition("Say what needs to change: a comment is required.")
    _move(revision, "request_changes", reviewer, comment=comment)
    revision.reviewer = reviewer
    revision.reviewed_at = utcnow()
    revision.review_comment = comment
    refresh_publication(revision.article)
