"""The review state machine: named transitions, each checked, applied and audited.

draft ──submit──▶ submitted ──start_review──▶ under_review ──approve──▶ approved
  ▲                                               │
  └──────────── changes_requested ◀──request_changes
"""

from __future__ import annotations

from datetime import date, timedelta

from extensions import db
from models import ReviewEvent, ReviewStatus, Revision, Role, User
from models.base import utcnow
from services.errors import InvalidTransition, NotPermitted
from services.publishing import make_live, sync_listing

S = ReviewStatus
TRANSITIONS: dict[str, tuple[set[ReviewStatus], ReviewStatus]] = {
    "submit": ({S.DRAFT, S.CHANGES_REQUESTED}, S.SUBMITTED),
    "start_review": ({S.SUBMITTED}, S.UNDER_REVIEW),
    "approve": ({S.UNDER_REVIEW}, S.APPROVED),
    "request_changes": ({S.UNDER_REVIEW}, S.CHANGES_REQUESTED),
}
REVIEW_INTERVAL = timedelta(days=365)


def allowed_actions(revision: Revision) -> list[str]:
    """Transition names that the revision's current state allows (whoever acts)."""
    return [name for name, (sources, _) in TRANSITIONS.items() if revision.status in sources]


def _move(revision: Revision, action: str, actor: User, comment: str = "") -> None:
    sources, target = TRANSITIONS[action]
    if revision.status not in sources:
        raise InvalidTransition(
            f"Cannot {action.replace('_', ' ')} a revision that is {revision.status.value}."
        )
    db.session.add(
        ReviewEvent(
            revision=revision,
            actor=actor,
            action=action,
            from_status=revision.status,
            to_status=target,
            comment=comment,
        )
    )
    revision.status = target


def _require_reviewer(revision: Revision, reviewer: User) -> None:
    if reviewer.role not in (Role.REVIEWER, Role.ADMIN):
        raise NotPermitted("Only the Medical Advisory Board reviews articles.")
    if revision.author_id is not None and revision.author_id == reviewer.id:
        raise NotPermitted("The author of a revision cannot review it.")


def submit(revision: Revision, *, actor: User) -> None:
    """Send a draft (or a returned revision) to the Medical Advisory Board.

    :raises NotPermitted: a reviewer who is not the author tries to submit someone's draft.
    """
    if actor.role == Role.REVIEWER and actor.id != revision.author_id:
        raise NotPermitted("Only editors and the revision's author can submit it.")
    _move(revision, "submit", actor)
    revision.submitted_at = utcnow()
    if revision.article.live_revision is None:
        # Never approved: readers see the latest submitted revision, under the caution banner.
        sync_listing(revision.article, revision)


def start_review(revision: Revision, *, reviewer: User) -> None:
    """A board member takes a submitted revision into review."""
    _require_reviewer(revision, reviewer)
    _move(revision, "start_review", reviewer)
    revision.reviewer = reviewer


def approve(revision: Revision, *, reviewer: User, next_review_on: date | None = None) -> None:
    """Approve a revision under review and make it the live one readers see.

    :raises NotPermitted: the reviewer wrote the revision, or is not on the board.
    """
    _require_reviewer(revision, reviewer)
    _move(revision, "approve", reviewer)
    revision.reviewer = reviewer
    revision.reviewed_at = utcnow()
    make_live(revision, next_review_on=next_review_on or date.today() + REVIEW_INTERVAL)


def request_changes(revision: Revision, *, reviewer: User, comment: str) -> None:
    """Send a revision back to its author with the reviewer's comment (required)."""
    _require_reviewer(revision, reviewer)
    if not comment.strip():
        raise InvalidTransition("Say what needs to change: a comment is required.")
    _move(revision, "request_changes", reviewer, comment.strip())
    revision.reviewer = reviewer
    revision.reviewed_at = utcnow()
    revision.review_comment = comment.strip()
