"""Follow-up questions: asking, the reader's private link, the staff queue, public answers and
promotion to a new article.

The private link. A reader has no account, so an unguessable link is their only handle on a
question. Its token is 128 bits: HMAC-SHA256(SECRET_KEY, a random 128-bit nonce), cut to 16
bytes. The database keeps the nonce and a SHA-256 of the token (looked up by hash), never the
token: a copy of the database alone opens no question. Deriving the token rather than drawing it
lets a duplicate submission (a double click, a resubmitted form) be answered with the link the
first one got, which a stored hash alone could not give back.

Duplicates. The fingerprint is a hash of the article, the question's normalised text, the client
(address, browser and session, given by the route) and a ten-minute window; it is unique, so two
identical submissions arriving together store one row, and the later one gets the first one's
link. A resubmission is also matched against the previous window, so the dedupe lasts 10-20 min.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from extensions import db
from models import (
    AnswerStatus,
    Article,
    FollowupAnswer,
    FollowupQuestion,
    FollowupStatus,
    ReadingLevel,
    Reference,
    SectionKind,
    User,
)
from models.base import utcnow
from services.editorial.publishing import (
    MAX_QUESTION,
    SectionInput,
    create_article,
    note_changed,
    save_revision,
)
from services.errors import DomainError, InvalidTransition, NotPermitted
from services.followups.instant import Evidence, answer_from_evidence, query_words, terms
from services.paging import Paged
from services.reading.markdown import CitationRegistry, citation_keys, render
from services.reading.view import CitedReference
from services.staff import audit
from services.staff.permissions import Permission, can, require

MIN_LENGTH, MAX_LENGTH, MAX_LINKS = 10, 1_000, 2
MAX_ANSWER = 20_000
WINDOW = timedelta(minutes=10)
PER_PAGE = 25
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{22}")
LINK = re.compile(
    r"(?:\bhttps?://|\bwww\.)\S+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|net|org|info|biz|io|co|ru|cn|xyz|top|online|site|shop|app)\b\S*",
    re.IGNORECASE,
)


# -- Asking -----------------------------------------------------------------------------------


def problems(text: str) -> list[str]:
    """What is wrong with a question as typed (empty: nothing), in words a reader understands."""
    text = text.strip()
    if not text:
        return ["Write your question."]
    found = []
    if len(text) < MIN_LENGTH:
        found.append(f"Your question is too short: write at least {MIN_LENGTH} characters.")
    if len(text) > MAX_LENGTH:
        found.append(
            f"Your question is too long ({len(text):,} characters): "
            f"keep it to {MAX_LENGTH:,} or fewer."
        )
    links = len(LINK.findall(text))
    if links > MAX_LINKS:
        found.append(f"Your question has {links} links: include at most {MAX_LINKS}.")
    return found


def _secret() -> bytes:
    return current_app.config["SECRET_KEY"].encode()


def _token_for(nonce: str) -> str:
    digest = hmac.new(_secret(), b"followup-link:" + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _fingerprint(article: Article, text: str, client: str, window: int) -> str:
    normalised = " ".join(text.casefold().split())
    material = f"{article.id}\n{window}\n{client}\n{normalised}"
    return hmac.new(_secret(), material.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Asked:
    question: FollowupQuestion
    token: str  # the private link's token: shown to the reader once per submission, never stored
    duplicate: bool  # the same question from the same client moments ago


def ask(
    article: Article,
    *,
    text: str,
    level: ReadingLevel,
    client: str,
    now: datetime | None = None,
) -> Asked:
    """Store a reader's question (the caller commits before acknowledging it), or find the same
    one this client sent in the last minutes; returns it with its private token.

    :raises DomainError: the text breaks a rule, or the article is not public.
    """
    text = text.strip()
    if found := problems(text):
        raise DomainError(" ".join(found))
    if not article.is_public:
        raise DomainError("Questions can only be asked about published articles.")
    now = now or utcnow()
    window = math.floor(now.timestamp() / WINDOW.total_seconds())
    prints = [_fingerprint(article, text, client, w) for w in (window, window - 1)]
    if (earlier := _earlier(prints)) is not None:
        return earlier
    nonce = secrets.token_hex(16)
    token = _token_for(nonce)
    question = FollowupQuestion(
        article=article,
        text=text,
        level=level,
        created_at=now,
        updated_at=now,
        token_hash=_hash(token),
        token_nonce=nonce,
        fingerprint=prints[0],
    )
    try:
        with db.session.begin_nested():
            db.session.add(question)
    except IntegrityError:
        # The same submission arrived at the same moment and was stored first: answer with it.
        if (earlier := _earlier(prints)) is not None:
            return earlier
        raise
    return Asked(question, token, duplicate=False)


def _earlier(prints: list[str]) -> Asked | None:
    question = db.session.scalar(
        sa.select(FollowupQuestion)
        .where(FollowupQuestion.fingerprint.in_(prints))
        .order_by(FollowupQuestion.id)
        .limit(1)
    )
    if question is None:
        return None
    token = _token_for(question.token_nonce)
    if _hash(token) != question.token_hash:
        return None  # the secret key changed since: this link cannot be given again
    return Asked(question, token, duplicate=True)


def find_by_token(token: str) -> FollowupQuestion | None:
    """The question a private link opens, with its article and answer; None for any other token."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    return db.session.scalar(
        sa.select(FollowupQuestion)
        .where(FollowupQuestion.token_hash == _hash(token))
        .options(
            selectinload(FollowupQuestion.article),
            selectinload(FollowupQuestion.answer).selectinload(FollowupAnswer.reviewer),
        )
    )


def delete_by_reader(question: FollowupQuestion) -> None:
    """The reader deletes their question: the row, its text and any answer go; the audit log
    keeps only that question #N was deleted."""
    audit.record(
        "followup.delete_by_reader",
        actor=None,
        actor_label="reader (private link)",
        target=question,
        changes={"status": question.status.value},
    )
    if question.status == FollowupStatus.ANSWERED:
        note_changed([question.article.slug])  # "Readers also asked" loses it
    db.session.delete(question)


def evidence_for(question: FollowupQuestion, *, anchor_prefix: str = "ask-") -> Evidence:
    """The instant answer for a stored question, at the level it was asked in."""
    return answer_from_evidence(
        question.text, article=question.article, level=question.level, anchor_prefix=anchor_prefix
    )


# -- What readers see of answers --------------------------------------------------------------


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


def suggestions(text: str, limit: int = 5) -> list[FollowupQuestion]:
    """ "Others asked": answered questions on the site whose public wording shares the words of
    `text` (at least two, or the only one), most shared first."""
    words = query_words(text)[:6]
    wanted = set(terms(text))
    if not words or not wanted:
        return []
    conditions = [FollowupQuestion.public_text.ilike(f"%{_escape(w)}%", escape="\\") for w in words]
    found = db.session.scalars(
        sa.select(FollowupQuestion)
        .where(FollowupQuestion.status == FollowupStatus.ANSWERED, sa.or_(*conditions))
        .options(selectinload(FollowupQuestion.article))
        .order_by(FollowupQuestion.id.desc())
        .limit(50)
    ).all()
    need = min(2, len(wanted))
    ranked = [(len(wanted & set(terms(q.public_text))), q) for q in found]
    ranked = [(shared, q) for shared, q in ranked if shared >= need]
    ranked.sort(key=lambda pair: -pair[0])
    return [q for _, q in ranked[:limit]]


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# -- The staff queue --------------------------------------------------------------------------


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
        pattern = f"%{_escape(text)}%"
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


def _set_status(question: FollowupQuestion, status: FollowupStatus) -> dict:
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
            changes=_set_status(question, FollowupStatus.REJECTED),
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
        changes=_set_status(question, FollowupStatus.NEW),
    )


# -- Answering: four eyes, as for articles ----------------------------------------------------


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
            changes |= _set_status(question, FollowupStatus.NEW)
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


def approval_refusal(answer: FollowupAnswer | None, user: User) -> str | None:
    """Why `user` may not approve `answer` now (None: they may): what the page offers."""
    if answer is None or answer.status != AnswerStatus.SUBMITTED:
        return "Only an answer submitted for review can be approved."
    if not can(user, Permission.REVIEW):
        return "Only the Medical Advisory Board approves answers."
    if answer.author_id == user.id:
        return "You wrote this answer, so another board member must approve it."
    return None


def approve_answer(answer: FollowupAnswer, *, reviewer: User) -> None:
    """Approve a submitted answer: it appears under the article and on the reader's link.

    :raises NotPermitted: the reviewer wrote it, or is not on the board.
    :raises InvalidTransition: it is not waiting for review.
    """
    require(reviewer, Permission.REVIEW)
    if answer.status != AnswerStatus.SUBMITTED:
        raise InvalidTransition("Only an answer submitted for review can be approved.")
    if answer.author_id == reviewer.id:
        raise NotPermitted("You wrote this answer, so another board member must approve it.")
    _check_answer(answer.question.public_text, answer.body)
    answer.status = AnswerStatus.APPROVED
    answer.reviewer = reviewer
    answer.approved_at = utcnow()
    changes = {"answer_status": [AnswerStatus.SUBMITTED.value, AnswerStatus.APPROVED.value]}
    changes |= _set_status(answer.question, FollowupStatus.ANSWERED)
    audit.record("followup.answer_approve", actor=reviewer, target=answer.question, changes=changes)


# -- Promotion to a new article ---------------------------------------------------------------

# The sections a promoted draft is built from, in the order of the seed page.
PROMOTED_SECTIONS = [
    (SectionKind.GUIDELINES, {SectionKind.GUIDELINES}),
    (SectionKind.DRUG_LABEL, {SectionKind.DRUG_LABEL}),
    (SectionKind.RESEARCH, {SectionKind.RESEARCH}),
    (SectionKind.OTHER, {SectionKind.SUMMARY, SectionKind.OTHER}),
]


def promoted_from(article: Article) -> FollowupQuestion | None:
    """The question `article` was promoted from, if any: one lookup on an indexed column."""
    return db.session.scalar(
        sa.select(FollowupQuestion)
        .where(FollowupQuestion.promoted_article_id == article.id)
        .order_by(FollowupQuestion.id)
        .limit(1)
    )


def promote(question: FollowupQuestion, *, actor: User) -> Article:
    """Turn a new question into a draft article: its public wording (else as asked) as the
    title, and the passages the instant answer finds in clinical wording as sections by kind,
    verbatim with their citations. The change note names where each passage came from.

    :raises InvalidTransition: the question is not new.
    :raises DomainError: the wording is too long for an article title.
    """
    require(actor, Permission.EDIT)
    if question.status != FollowupStatus.NEW:
        raise InvalidTransition(f"This question is {question.status.label.lower()}.")
    title = " ".join((question.public_text or question.text).split())
    if len(title) > MAX_QUESTION:
        raise DomainError(
            f"An article's question has at most {MAX_QUESTION} characters: shorten the public "
            "wording (and save it) before promoting."
        )
    evidence = answer_from_evidence(title, article=question.article, level=ReadingLevel.CLINICAL)
    sections = []
    for kind, sources in PROMOTED_SECTIONS:
        picked = [p for p in evidence.passages if p.section.kind in sources]
        by_level: dict[ReadingLevel, list[str]] = {}
        for passage in picked:
            by_level.setdefault(passage.variant.level, []).append(passage.markdown)
        if by_level:
            heading = "From other Vetted articles" if kind == SectionKind.OTHER else kind.label
            variants = {level: "\n\n".join(parts) for level, parts in by_level.items()}
            sections.append(SectionInput(kind, heading, variants))
    origins = ", ".join(
        dict.fromkeys(f"/articles/{p.article.slug}#{p.anchor}" for p in evidence.passages)
    )
    article = create_article(question=title, topics=list(question.article.topics), actor=actor)
    save_revision(
        article,
        author=actor,
        question=title,
        sections=sections,
        change_note=f"Promoted from follow-up question #{question.id}."
        + (f" Passages copied verbatim from {origins}." if origins else ""),
        based_on_id=None,
        topics=list(question.article.topics),
    )
    question.promoted_article = article
    changes = _set_status(question, FollowupStatus.PROMOTED) | {"article": article.slug}
    audit.record("followup.promote", actor=actor, target=question, changes=changes)
    return article
