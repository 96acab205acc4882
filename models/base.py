"""Shared column helpers and the enumerations the models store."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import sqlalchemy as sa


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def enum_column(enum_cls: type[enum.Enum]) -> sa.Enum:
    """Store an enum by value as a VARCHAR: portable across SQLite and PostgreSQL migrations."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class ReadingLevel(enum.StrEnum):
    PLAIN = "plain"
    STANDARD = "standard"
    CLINICAL = "clinical"

    @classmethod
    def parse(cls, value: str | None) -> ReadingLevel | None:
        """The level a value such as `?audience=` names, or None for anything else."""
        try:
            return cls(value) if value else None
        except ValueError:
            return None


class SectionKind(enum.StrEnum):
    SUMMARY = "summary"  # the article's short answer, stored like a section so it has levels too
    GUIDELINES = "guidelines"
    DRUG_LABEL = "drug_label"
    RESEARCH = "research"
    OTHER = "other"
    # Questions a patient or student can take to their care team: shown after the evidence, at
    # plain and standard levels only (services.reading.personalization.shown_at).
    QUESTIONS = "questions"

    @property
    def label(self) -> str:
        return {
            "summary": "Short answer",
            "guidelines": "From the Guidelines",
            "drug_label": "From the FDA Drug Label",
            "research": "From the Research",
            "other": "Other",
            "questions": "Questions to ask your care team",
        }[self.value]


class ReviewStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    # A newer revision of the same article was submitted while this one waited for review:
    # the board reviews the newest, and this one keeps its record (Wagtail's re-approval on edit).
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return {
            "draft": "Draft",
            "submitted": "Submitted",
            "under_review": "Under review",
            "changes_requested": "Changes requested",
            "approved": "Approved",
            "superseded": "Superseded",
        }[self.value]

    @property
    def is_pending(self) -> bool:
        """Waiting for the board: submitted or under review."""
        return self in (ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW)


class ReferenceKind(enum.StrEnum):
    GUIDELINE = "guideline"
    DRUG_LABEL = "drug_label"
    RESEARCH = "research"
    OTHER = "other"


class SourceRead(enum.StrEnum):
    """How much of a source the author actually read."""

    ABSTRACT = "abstract"
    FULL_TEXT = "full_text"
    LABEL_SECTION = "label_section"
    GUIDELINE_CHAPTER = "guideline_chapter"


class Role(enum.StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    REVIEWER = "reviewer"


class ListingSummaries:
    """For a row holding a listing copy of the short answer per level (`summary` is clinical's):
    the copies by reading level."""

    summary: str
    summary_standard: str
    summary_plain: str

    @property
    def summaries(self) -> dict[ReadingLevel, str]:
        return {
            ReadingLevel.PLAIN: self.summary_plain,
            ReadingLevel.STANDARD: self.summary_standard,
            ReadingLevel.CLINICAL: self.summary,
        }
