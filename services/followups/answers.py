"""Answers to follow-up questions: written by staff, approved by a second person (four eyes, as
for articles), and shown to readers under the article ("Readers also asked") and on the
question's private link, each with its own numbered citations."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import contains_eager

from extensions import db
from models import (
    AnswerStatus,
    Article,
    AuditEvent,
    FollowupAnswer,
    FollowupQuestion,
    FollowupStatus,
    Reference,
    User,
)
from models.base import utcnow
from services.errors import DomainError, InvalidTransition, NotPermitted
from services.followups.questions import MAX_LENGTH
from services.followups.queue import set_status
from services.reading.markdown import CitationRegistry, citation_keys, render
from services.reading.view import CitedReference
from services.staff import audit
from services.staff.permissions import Permission, can, independence, require

MAX_ANSWER = 20_000


@dataclass
class PublicAnswer:
    question: FollowupQuestion
    html: Markup
    references: list[CitedReference]

    @property
    def answer(self) -> FollowupAnswer:
        return self.question.answer  # type: ignore[return-value]

    @property
    def anchor(self) -> str:
        return f"asked-{self.question.id}"


def _render_answers(questions: list[FollowupQuestion]) -> list[PublicAnswer]:
    """Each answer with its own citation numbers and reference list (one query for them all)."""
    keys = {k for q in questions if q.answer for k in citation_keys(q.answer.body)}
    library = {
        r.key: r for r in db.session.scalars(sa.select(Reference).where(Reference.key.in_(keys)))
    }
    shown = []
    for question in questions:
        if question.answer is None:
            continue
        registry = CitationRegistry(known_keys=set(library))
        rendered = render(question.answer.body, registry, anchor_prefix=f"asked-{question.id}-")
        references = [CitedReference(n, library[k]) for n, k in enumerate(registry.order, 1)]
        shown.append(PublicAnswer(question, rendered.html, references))
    return shown


def answered_for(article: Article, limit: int = 20) -> list[PublicAnswer]:
    """ "Readers also asked" under an article: its approved answers, newest first."""
    # One query (the answer and its reviewer joined in), plus one for references when cited.
    questions = db.session.scalars(
        sa.select(FollowupQuestion)
        .join(FollowupQuestion.answer)
        .where(
            FollowupQuestion.article_id == article.id,
            FollowupQuestion.status == FollowupStatus.ANSWERED,
        )
        .options(
            contains_eager(FollowupQuestion.answer).joinedload(FollowupAnswer.reviewer),
        )
        .order_by(FollowupAnswer.approved_at.desc())
        .limit(limit)
    ).all()
    return _render_answers(list(questions))


def public_answer(question: FollowupQuestion) -> PublicAnswer | None:
    """The approved answer as the private link shows it; None until one is approved."""
    if question.status != FollowupStatus.ANSWERED or question.answer is None:
        return None
    return _render_answers([question])[0]


def staff_preview(question: FollowupQuestion) -> PublicAnswer | None:
    """The answer as readers will see it once approved, in whatever state it is (staff only)."""
    if question.answer is None or not question.answer.body:
        return None
    return _render_answers([question])[0]


def unknown_keys(body: str) -> list[str]:
    """Citation keys in `body` that the reference library does not have."""
    keys = list(dict.fromkeys(citation_keys(body)))
    if not keys:
        return []
    known = set(db.session.scalars(sa.select(Reference.key).where(Reference.key.in_(keys))))
    return [k for k in keys if k not in known]


def _check_answer(public_text: str, body: str) -> None:
    if not public_text:
        raise DomainError("Write the question as it will appear on the site.")
    if len(public_text) > MAX_LENGTH:
        raise DomainError(f"The public wording is too long: at most {MAX_LENGTH:,} characters.")
    if not body:
        raise DomainError("Write the answer.")
    if len(body) > MAX_ANSWER:
        raise DomainError(f"The answer is too long: at most {MAX_ANSWER:,} characters.")
    if missing := unknown_keys(body):
        raise DomainError(
            "No reference has the key "
            + ", ".join(f"@{k}" for k in missing)
            + ": add it to the library or correct the citation."
        )


def save_answer(
    question: FollowupQuestion,
    *,
    author: User,
    public_text: str,
    body: str,
    submit: bool = False,
) -> FollowupAnswer:
    """Write or change the public wording and the answer (a draft), optionally submitting it.

    Any change makes the saver its author and takes an approved answer off the site until a
    reviewer who did not write it approves it again.
    :raises DomainError: empty or too long, or a citation the library does not have.
    :raises InvalidTransition: the question was rejected or promoted.
    """
    require(author, Permission.EDIT)
    if question.status not in (FollowupStatus.NEW, FollowupStatus.ANSWERED):
        raise InvalidTransition(
            f"This question is {question.status.label.lower()}: reopen it before answering."
        )
    public_text, body = public_text.strip(), body.strip()
    _check_answer(public_text, body)
    answer = question.answer
    if answer is None:
        answer = FollowupAnswer(question=question, body="", status=AnswerStatus.DRAFT)
        db.session.add(answer)
    changes: dict = {}
    if public_text != question.public_text:
        # Only that it changed: the old wording may hold the personal details staff removed.
        changes["public_text"] = "changed"
        question.public_text = public_text
    if body != answer.body:
        changes["body"] = "changed"
        answer.body = body
    if changes or answer.author_id is None:
        if answer.status != AnswerStatus.DRAFT:
            changes["answer_status"] = [answer.status.value, AnswerStatus.DRAFT.value]
        answer.status = AnswerStatus.DRAFT
        answer.author = author
        answer.reviewer = None
        answer.approved_at = None
        answer.updated_at = utcnow()
        if question.status == FollowupStatus.ANSWERED:
            changes |= set_status(question, FollowupStatus.NEW)
        audit.record("followup.answer_save", actor=author, target=question, changes=changes)
    if submit and answer.status == AnswerStatus.DRAFT:
        submit_answer(answer, actor=author)
    return answer


def submit_answer(answer: FollowupAnswer, *, actor: User) -> None:
    """Send a draft answer to the Medical Advisory Board.

    :raises InvalidTransition: it is not a draft.
    """
    require(actor, Permission.EDIT)
    if answer.status != AnswerStatus.DRAFT:
        raise InvalidTransition(f"This answer is {answer.status.label.lower()} already.")
    answer.status = AnswerStatus.SUBMITTED
    answer.submitted_at = utcnow()
    audit.record(
        "followup.answer_submit",
        actor=actor,
        target=answer.question,
        changes={"answer_status": [AnswerStatus.DRAFT.value, AnswerStatus.SUBMITTED.value]},
    )


class AnswerChanged(InvalidTransition):
    """The answer or its public wording changed after the reviewer opened it."""


def content_hash(question: FollowupQuestion) -> str:
    """Names the exact text a reviewer reads (public wording and answer): the approve form
    carries it, and approval refuses any other text."""
    body = question.answer.body if question.answer else ""
    material = f"{question.public_text}\0{body}".encode()
    return hashlib.sha256(material).hexdigest()


def authors(answer: FollowupAnswer) -> dict[int, str]:
    """Everyone who wrote the wording or the answer since it was last approved ({id: name}),
    from the audit log's saves: a colleague's later edit does not let the first author approve."""
    question = answer.question
    since = sa.and_(
        AuditEvent.object_type == "followup",
        AuditEvent.object_id == str(question.id),
        AuditEvent.created_at >= question.created_at,  # not an earlier question with this id
    )
    last_approval = (
        sa.select(sa.func.max(AuditEvent.id))
        .where(since, AuditEvent.action == "followup.answer_approve")
        .scalar_subquery()
    )
    savers = db.session.scalars(
        sa.select(User)
        .join(AuditEvent, AuditEvent.actor_id == User.id)
        .where(
            since,
            AuditEvent.action == "followup.answer_save",
            AuditEvent.id > sa.func.coalesce(last_approval, 0),
        )
    ).all()
    found = {user.id: user.display_name for user in savers}
    if answer.author is not None:
        found[answer.author.id] = answer.author.display_name
    return found


def approval_refusal(answer: FollowupAnswer | None, user: User) -> str | None:
    """Why `user` may not approve `answer` now (None: they may): what the page offers."""
    if answer is None or answer.status != AnswerStatus.SUBMITTED:
        return "Only an answer submitted for review can be approved."
    if not can(user, Permission.REVIEW):
        return "Only the Medical Advisory Board approves answers."
    return independence(user, authors(answer))


CHANGED = (
    "The answer or its public wording changed after you opened it. Read the text as it is now "
    "(below) before approving it."
)


def approve_answer(answer: FollowupAnswer, *, reviewer: User, seen: str) -> None:
    """Approve a submitted answer, exactly as the reviewer read it (`seen`: its content_hash):
    it appears under the article and on the reader's link.

    The row is approved by one conditional UPDATE (still submitted, same text, same save), so
    an edit landing between the check and the write is refused too, on SQLite and PostgreSQL.
    :raises NotPermitted: the reviewer wrote part of it (or an author made their account), or
        is not on the board.
    :raises InvalidTransition: it is not waiting for review.
    :raises AnswerChanged: the text is not the one the reviewer read.
    """
    require(reviewer, Permission.REVIEW)
    if answer.status != AnswerStatus.SUBMITTED:
        raise InvalidTransition("Only an answer submitted for review can be approved.")
    if refusal := independence(reviewer, authors(answer)):
        raise NotPermitted(refusal)
    question = answer.question
    if seen != content_hash(question):
        raise AnswerChanged(CHANGED)
    _check_answer(question.public_text, answer.body)
    now = utcnow()
    # Every save of the wording or the answer rewrites the answer row (its updated_at), so the
    # row's text and save time pin both; the wording is compared as well.
    held = db.session.execute(
        sa.update(FollowupAnswer)
        .where(
            FollowupAnswer.id == answer.id,
            FollowupAnswer.status == AnswerStatus.SUBMITTED,
            FollowupAnswer.body == answer.body,
            FollowupAnswer.updated_at == answer.updated_at,
            sa.exists().where(
                FollowupQuestion.id == question.id,
                FollowupQuestion.public_text == question.public_text,
            ),
        )
        .values(status=AnswerStatus.APPROVED, reviewer_id=reviewer.id, approved_at=now)
        .execution_options(synchronize_session=False)
    )
    if held.rowcount != 1:
        raise AnswerChanged(CHANGED)
    answer.status = AnswerStatus.APPROVED
    answer.reviewer = reviewer
    answer.approved_at = now
    changes = {"answer_status": [AnswerStatus.SUBMITTED.value, AnswerStatus.APPROVED.value]}
    changes |= set_status(question, FollowupStatus.ANSWERED)
    audit.record("followup.answer_approve", actor=reviewer, target=question, changes=changes)
