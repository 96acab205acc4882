"""Follow-up questions readers ask under an article, and the answers staff publish for them.

A reader has no account: a private link (`/questions/TOKEN`) is their only handle on a question.
Only a hash of the token is stored, with the nonce it is derived from
(services/followups/questions.py).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.article import Article
from models.base import ReadingLevel, enum_column, utcnow
from models.user import User


class FollowupStatus(enum.StrEnum):
    NEW = "new"  # waiting in the staff queue
    ANSWERED = "answered"  # its answer is approved and public
    REJECTED = "rejected"  # spam, or not for a public answer
    PROMOTED = "promoted"  # turned into a new draft article

    @property
    def label(self) -> str:
        return {
            "new": "New",
            "answered": "Answered",
            "rejected": "Rejected",
            "promoted": "Promoted to an article",
        }[self.value]


class AnswerStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # waiting for a reviewer who did not write it
    APPROVED = "approved"

    @property
    def label(self) -> str:
        return {"draft": "Draft", "submitted": "Waiting for review", "approved": "Approved"}[
            self.value
        ]


class FollowupQuestion(db.Model):
    __tablename__ = "followup_questions"
    __table_args__ = (
        # The staff queue (status, oldest first); "Readers also asked" (answered, per article).
        Index("ix_followup_questions_status_created_at", "status", "created_at"),
        Index("ix_followup_questions_article_id_status", "article_id", "status"),
        # An article's staff page and editor link back to the question it was promoted from.
        Index("ix_followup_questions_promoted_article_id", "promoted_article_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    # As the reader typed it (trimmed). Never shown publicly: staff write `public_text`.
    text: Mapped[str] = mapped_column(Text)
    # The wording shown with a public answer, edited by staff to remove anything personal.
    public_text: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[ReadingLevel] = mapped_column(enum_column(ReadingLevel))
    # The language of the page it was asked on (a language code): its instant answer quotes
    # that language's wording, and staff see which language to answer in.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    status: Mapped[FollowupStatus] = mapped_column(
        enum_column(FollowupStatus), default=FollowupStatus.NEW
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # sha256 of the private link's token, and the random nonce the token is derived from.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_nonce: Mapped[str] = mapped_column(String(32))
    # HMAC of article + normalised text + client + ten-minute window: unique, so a double
    # submission finds the first one even when both arrive at once.
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    promoted_article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL")
    )

    article: Mapped[Article] = relationship(foreign_keys=[article_id])
    promoted_article: Mapped[Article | None] = relationship(foreign_keys=[promoted_article_id])
    answer: Mapped[FollowupAnswer | None] = relationship(
        back_populates="question", cascade="all, delete-orphan", uselist=False
    )

    @property
    def label(self) -> str:
        return f"Follow-up question #{self.id}"

    def __repr__(self) -> str:
        return f"<FollowupQuestion {self.id} {self.status}>"


class FollowupAnswer(db.Model):
    """Staff's public answer: Markdown with `[@key]` citations, public once a reviewer who did
    not write it approves it (the same four-eyes rule as articles)."""

    __tablename__ = "followup_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("followup_questions.id", ondelete="CASCADE"), unique=True
    )
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[AnswerStatus] = mapped_column(
        enum_column(AnswerStatus), default=AnswerStatus.DRAFT
    )
    # Whoever last changed the wording or the answer: they can never approve it.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]

    question: Mapped[FollowupQuestion] = relationship(back_populates="answer")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])

    def __repr__(self) -> str:
        return f"<FollowupAnswer {self.question_id} {self.status}>"
