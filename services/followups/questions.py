"""Follow-up questions: asking, the reader's private link, duplicates, deleting, suggestions.

The private link. A reader has no account, so an unguessable link is their only handle on a
question. Its token is 128 bits: HMAC-SHA256(the site's secret key, a random 128-bit nonce), cut
to 16 bytes. The database keeps the nonce and a SHA-256 of the token (looked up by hash), never
the token: a copy of the database alone opens no question. Deriving the token rather than
drawing it lets a duplicate submission (a double click, a resubmitted form) be answered with the
link the first one got, which a stored hash alone could not give back. The secret is the
caller's to give (the app's SECRET_KEY): services never read the app's configuration.

Duplicates. The fingerprint is a hash of the article, the question's normalised text, the client
and a ten-minute window; it is unique, so two identical submissions arriving together store one
row, and the later one gets the first one's link. The client is a random nonce carried by one
rendering of the ask form (given by the route): only that reader holds it, so a double click
finds the first question, while two readers behind one address and browser never share a link.
A resubmission is also matched against the previous window, so the dedupe lasts 10-20 min.
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
from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from extensions import db
from models import (
    SOURCE_LANGUAGE,
    Article,
    FollowupAnswer,
    FollowupQuestion,
    FollowupStatus,
    ReadingLevel,
)
from models.base import utcnow
from services.editorial.publishing import note_changed
from services.errors import DomainError
from services.followups.instant import Evidence, answer_from_evidence
from services.followups.passages import query_words, terms
from services.staff import audit
from services.validation import like_contains

MIN_LENGTH, MAX_LENGTH, MAX_LINKS = 10, 1_000, 2
WINDOW = timedelta(minutes=10)
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{22}")
LINK = re.compile(
    r"(?:\bhttps?://|\bwww\.)\S+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|net|org|info|biz|io|co|ru|cn|xyz|top|online|site|shop|app)\b\S*",
    re.IGNORECASE,
)


def _number(value: int) -> str:
    """1,000 in English, 1000 in Spanish: as the page's language writes it (English without one)."""
    return format_decimal(value, locale=get_locale() or "en")


def problems(text: str) -> list[str]:
    """What is wrong with a question as typed (empty: nothing), in words a reader understands.

    Lazy strings (Flask-Babel): each reads as the language of the page that shows it."""
    text = text.strip()
    if not text:
        return [_l("Write your question.")]
    found = []
    if len(text) < MIN_LENGTH:
        found.append(
            _l("Your question is too short: write at least %(min)s characters.", min=MIN_LENGTH)
        )
    if len(text) > MAX_LENGTH:
        found.append(
            _l(
                "Your question is too long (%(length)s characters): keep it to %(max)s or fewer.",
                length=LazyString(_number, len(text)),
                max=LazyString(_number, MAX_LENGTH),
            )
        )
    links = len(LINK.findall(text))
    if links > MAX_LINKS:
        found.append(
            _l(
                "Your question has %(links)s links: include at most %(max)s.",
                links=links,
                max=MAX_LINKS,
            )
        )
    return found


def _token_for(nonce: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), b"followup-link:" + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _fingerprint(article: Article, text: str, client: str, window: int, secret: str) -> str:
    normalised = " ".join(text.casefold().split())
    material = f"{article.id}\n{window}\n{client}\n{normalised}"
    return hmac.new(secret.encode(), material.encode(), hashlib.sha256).hexdigest()


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
    secret: str,
    now: datetime | None = None,
    language: str = SOURCE_LANGUAGE,
) -> Asked:
    """Store a reader's question (the caller commits before acknowledging it), or find the same
    one this client (the ask form's nonce: never the address or browser) sent in the last
    minutes; returns it with its private token, derived with `secret` (the app's SECRET_KEY).
    `language`: the page's, recorded with it (its instant answer and staff follow it).

    :raises DomainError: the text breaks a rule, or the article is not public.
    """
    text = text.strip()
    if found := problems(text):
        raise DomainError(" ".join(str(p) for p in found))
    if not article.is_public:
        raise DomainError(str(_l("Questions can only be asked about published articles.")))
    now = now or utcnow()
    window = math.floor(now.timestamp() / WINDOW.total_seconds())
    prints = [_fingerprint(article, text, client, w, secret) for w in (window, window - 1)]
    if (earlier := _earlier(prints, secret)) is not None:
        return earlier
    nonce = secrets.token_hex(16)
    token = _token_for(nonce, secret)
    question = FollowupQuestion(
        article=article,
        text=text,
        level=level,
        language=language,
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
        if (earlier := _earlier(prints, secret)) is not None:
            return earlier
        raise
    return Asked(question, token, duplicate=False)


def _earlier(prints: list[str], secret: str) -> Asked | None:
    question = db.session.scalar(
        sa.select(FollowupQuestion)
        .where(FollowupQuestion.fingerprint.in_(prints))
        .order_by(FollowupQuestion.id)
        .limit(1)
    )
    if question is None:
        return None
    token = _token_for(question.token_nonce, secret)
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
    """The instant answer for a stored question, at the level and in the language it was
    asked in."""
    return answer_from_evidence(
        question.text,
        article=question.article,
        level=question.level,
        anchor_prefix=anchor_prefix,
        language=question.language,
    )


def suggestions(text: str, limit: int = 5) -> list[FollowupQuestion]:
    """ "Others asked": answered questions on the site whose public wording shares the words of
    `text` (at least two, or the only one), most shared first."""
    words = query_words(text)[:6]
    wanted = set(terms(text))
    if not words or not wanted:
        return []
    conditions = [FollowupQuestion.public_text.ilike(like_contains(w), escape="\\") for w in words]
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
