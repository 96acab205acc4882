"""The staff queue of follow-up questions: its filters and counts, rejecting and reopening."""

from __future__ import annotations

import math
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from extensions import db
from models import AnswerStatus, FollowupAnswer, FollowupQuestion, FollowupStatus, User
from models.base import utcnow
from services.editorial.publishing import note_changed
from services.errors import InvalidTransition
from services.paging import Paged
from services.staff import audit
from services.staff.permissions import Permission, require
from services.validation import like_contains

PER_PAGE = 25


@dataclass(frozen=True)
class QueueCounts:
    """How many questions are in each state, and answers waiting for a reviewer."""

    new: int
    answered: int
    rejected: int
    promoted: int
    awaiting_approval: int

    def of(self, status: FollowupStatus | str) -> int:
        return getattr(self, FollowupStatus(status).value)


def queue_counts() -> QueueCounts:
    """Counts for the queue's filters and the staff dashboard: two indexed queries."""
    by_status = dict(
        db.session.execute(
            sa.select(FollowupQuestion.status, sa.func.count()).group_by(FollowupQuestion.status)
        ).all()
    )
    waiting = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(FollowupAnswer)
        .where(FollowupAnswer.status == AnswerStatus.SUBMITTED)
    )
    return QueueCounts(
        **{s.value: by_status.get(s, 0) for s in FollowupStatus}, awaiting_approval=waiting or 0
    )


@dataclass(frozen=True)
class QueuePage(Paged):
    items: list[FollowupQuestion]
    total: int
    page: int
    per_page: int


def queue(
    *,
    status: FollowupStatus | None,
    text: str = "",
    awaiting_approval: bool = False,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> QueuePage:
    """One page of the queue: new questions oldest first (none waits forever), others newest
    first; `text` matches the question as asked or its public wording."""
    conditions = []
    if status is not None:
        conditions.append(FollowupQuestion.status == status)
    if awaiting_approval:
        conditions.append(
            FollowupQuestion.answer.has(FollowupAnswer.status == AnswerStatus.SUBMITTED)
        )
    if text := " ".join(text.split())[:200]:
        pattern = like_contains(text)
        conditions.append(
            sa.or_(
                FollowupQuestion.text.ilike(pattern, escape="\\"),
                FollowupQuestion.public_text.ilike(pattern, escape="\\"),
            )
        )
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(FollowupQuestion).where(*conditions)
    )
    page = max(1, min(page, max(1, math.ceil((total or 0) / per_page))))
    oldest_first = status == FollowupStatus.NEW
    order = FollowupQuestion.created_at if oldest_first else FollowupQuestion.created_at.desc()
    items = db.session.scalars(
        sa.select(FollowupQuestion)
        .where(*conditions)
        .options(selectinload(FollowupQuestion.article), selectinload(FollowupQuestion.answer))
        .order_by(order, FollowupQuestion.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return QueuePage(list(items), total or 0, page, per_page)


def load(question_id: int) -> FollowupQuestion | None:
    """A question for its staff page, with its article, answer and the people on it."""
    return db.session.scalar(
        sa.select(FollowupQuestion)
        .where(FollowupQuestion.id == question_id)
        .options(
            selectinload(FollowupQuestion.article),
            selectinload(FollowupQuestion.promoted_article),
            selectinload(FollowupQuestion.answer).selectinload(FollowupAnswer.author),
            selectinload(FollowupQuestion.answer).selectinload(FollowupAnswer.reviewer),
        )
    )


def load_many(question_ids: list[int]) -> list[FollowupQuestion]:
    """The questions a bulk action names (unknown ids are ignored)."""
    if not question_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(FollowupQuestion)
            .where(FollowupQuestion.id.in_(question_ids))
            .order_by(FollowupQuestion.id)
        )
    )


def set_status(question: FollowupQuestion, status: FollowupStatus) -> dict:
    """Move a question to `status`; the audit log's changes (the article's page, when answered)."""
    # An answered question is shown under its article: into or out of that state, the page changes.
    if FollowupStatus.ANSWERED in (question.status, status):
        note_changed([question.article.slug])
    change = {"status": [question.status.value, status.value]}
    question.status = status
    question.updated_at = utcnow()
    return change


def reject(questions: list[FollowupQuestion], *, actor: User) -> int:
    """Reject new questions (spam, or nothing to answer publicly); returns how many. Questions
    in another state are left as they are: answered and promoted ones have had staff work."""
    require(actor, Permission.EDIT)
    rejected = 0
    for question in questions:
        if question.status != FollowupStatus.NEW:
            continue
        audit.record(
            "followup.reject",
            actor=actor,
            target=question,
            changes=set_status(question, FollowupStatus.REJECTED),
        )
        rejected += 1
    return rejected


def reopen(question: FollowupQuestion, *, actor: User) -> None:
    """Put a rejected question back in the queue.

    :raises InvalidTransition: the question is not rejected.
    """
    require(actor, Permission.EDIT)
    if question.status != FollowupStatus.REJECTED:
        raise InvalidTransition("Only a rejected question can be reopened.")
    audit.record(
        "followup.reopen",
        actor=actor,
        target=question,
        changes=set_status(question, FollowupStatus.NEW),
    )
