"""Revisions are append-only snapshots of an article's content; only their review state moves."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, and_, event, false
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from extensions import db
from models.base import ReadingLevel, ReviewStatus, SectionKind, enum_column, utcnow
from models.language import SOURCE_LANGUAGE
from models.user import User

if TYPE_CHECKING:
    from models.article import Article
    from models.review import ReviewEvent


class Revision(db.Model):
    __tablename__ = "revisions"
    __table_args__ = (
        UniqueConstraint("article_id", "number"),
        # The Atom feed: approvals, newest first (services/reading/feeds.py). Status leads, so the
        # planners pick it over the index on status alone and read it in order, without a sort.
        Index("ix_revisions_approved", "status", "reviewed_at", "id"),
        # The staff article list, newest work first, whole or by status
        # (services/editorial/catalogue.py): read in order from these and stopped at a page, never
        # sorted whole.
        Index("ix_revisions_created_at", "created_at", "id"),
        Index("ix_revisions_status_created_at", "status", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    number: Mapped[int]
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    # The older revision whose text this one restores (services.editorial.revisions): its author
    # wrote this text too, so four eyes bars them as well (services.editorial.authorship).
    restored_from_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    question: Mapped[str] = mapped_column(String(300))
    # The question in other languages, by code ({"es": "¿…?"}); None or a missing code: the
    # reader's page shows the English question (services.reading.wording).
    question_translations: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # Topics and the proposed next-review date are part of the snapshot: they reach readers only
    # when this revision does (None: made before they were, keep the article's).
    topic_ids: Mapped[list[int] | None] = mapped_column(JSON)
    next_review_on: Mapped[date | None]
    change_note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ReviewStatus] = mapped_column(
        enum_column(ReviewStatus), default=ReviewStatus.DRAFT, index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    review_comment: Mapped[str] = mapped_column(Text, default="")

    article: Mapped[Article] = relationship(back_populates="revisions", foreign_keys=[article_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    sections: Mapped[list[Section]] = relationship(
        back_populates="revision", order_by="Section.position", cascade="all, delete-orphan"
    )
    events: Mapped[list[ReviewEvent]] = relationship(
        back_populates="revision", order_by="ReviewEvent.id", cascade="all, delete-orphan"
    )

    @property
    def label(self) -> str:
        return f"Revision {self.number}"

    @property
    def summary_section(self) -> Section | None:
        return next((s for s in self.sections if s.kind == SectionKind.SUMMARY), None)

    @property
    def body_sections(self) -> list[Section]:
        return [s for s in self.sections if s.kind != SectionKind.SUMMARY]

    def __repr__(self) -> str:
        return f"<Revision {self.article_id}#{self.number} {self.status}>"


class Section(db.Model):
    __tablename__ = "sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("revisions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[SectionKind] = mapped_column(enum_column(SectionKind))
    heading: Mapped[str] = mapped_column(String(200))
    # The heading in other languages, by code ({"es": "Lo que dicen las guías"}).
    heading_translations: Mapped[dict[str, str] | None] = mapped_column(JSON)
    position: Mapped[int]

    revision: Mapped[Revision] = relationship(back_populates="sections")
    # The English (source) wordings: what every English page, check, index and diff reads.
    variants: Mapped[list[SectionVariant]] = relationship(
        primaryjoin=lambda: and_(
            SectionVariant.section_id == Section.id,
            SectionVariant.language == SOURCE_LANGUAGE,
        ),
        cascade="all, delete-orphan",
        overlaps="translations,section",
    )
    # Wordings in the other languages, each recording the English it translates.
    translations: Mapped[list[SectionVariant]] = relationship(
        primaryjoin=lambda: and_(
            SectionVariant.section_id == Section.id,
            SectionVariant.language != SOURCE_LANGUAGE,
        ),
        cascade="all, delete-orphan",
        overlaps="variants,section",
    )

    def variant(self, level: ReadingLevel) -> SectionVariant | None:
        return next((v for v in self.variants if v.level == level), None)

    def wordings(self, language: str) -> list[SectionVariant]:
        """This section's wordings in `language` (the English ones for the source language)."""
        if language == SOURCE_LANGUAGE:
            return list(self.variants)
        return [v for v in self.translations if v.language == language]

    def heading_in(self, language: str) -> str | None:
        """The heading in `language`; None when it has none (the English one stands in)."""
        if language == SOURCE_LANGUAGE:
            return self.heading
        return (self.heading_translations or {}).get(language)

    @property
    def anchor(self) -> str:
        return f"section-{self.position}"


class SectionVariant(db.Model):
    """A section's text at one reading level, with its measured readability."""

    __tablename__ = "section_variants"
    __table_args__ = (
        UniqueConstraint("section_id", "level", "language"),
        Index("ix_section_variants_lags", "lags", "section_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    level: Mapped[ReadingLevel] = mapped_column(enum_column(ReadingLevel))
    language: Mapped[str] = mapped_column(
        ForeignKey("languages.code"), default=SOURCE_LANGUAGE, server_default=SOURCE_LANGUAGE
    )
    body: Mapped[str] = mapped_column(Text)
    # English wording: Flesch-Kincaid and SMOG grades. Other languages: `reading_ease`, by the
    # language's own formula (Spanish: Fernández Huerta, 0-100, higher is easier).
    fk_grade: Mapped[float | None]
    smog_grade: Mapped[float | None]
    reading_ease: Mapped[float | None]
    word_count: Mapped[int] = mapped_column(default=0)
    # A translation records the English it translates: the revision whose English wording of this
    # section it follows, and a digest of that English text (services.editorial.translations).
    # When this revision's English digests differently, the translation lags behind it.
    source_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revisions.id", ondelete="SET NULL")
    )
    source_digest: Mapped[str | None] = mapped_column(String(32))
    # Whether this revision's English differs from the English it translates: settled at save
    # (a revision never changes), so staff can list lagging translations by index.
    lags: Mapped[bool] = mapped_column(default=False, server_default=false())

    section: Mapped[Section] = relationship(overlaps="variants,translations")
    source_revision: Mapped[Revision | None] = relationship(foreign_keys=[source_revision_id])


# Review fields are the only part of a revision that may change once it is written.
MUTABLE_REVISION_FIELDS = {
    "status",
    "submitted_at",
    "reviewer_id",
    "reviewer",
    "reviewed_at",
    "review_comment",
    "events",
}


class ImmutableRevisionError(Exception):
    """Content of a saved revision was changed: save a new revision instead."""


@event.listens_for(Session, "before_flush")
def _keep_revisions_immutable(session, _context, _instances) -> None:
    for obj in session.dirty:
        if not session.is_modified(obj, include_collections=True):
            continue
        state = sa_inspect(obj)
        if isinstance(obj, Section | SectionVariant) or (
            isinstance(obj, Revision)
            and any(
                attr.history.has_changes()
                for attr in state.attrs
                if attr.key not in MUTABLE_REVISION_FIELDS
            )
        ):
            raise ImmutableRevisionError(f"{obj!r} belongs to a saved revision and cannot change.")
    for obj in session.deleted:
        parent = (
            obj.section
            if isinstance(obj, SectionVariant)
            else obj.revision
            if isinstance(obj, Section)
            else None
        )
        if parent is not None and parent not in session.deleted:
            raise ImmutableRevisionError(f"{obj!r} belongs to a saved revision and cannot go.")
