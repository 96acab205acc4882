"""Shared column helpers and the enumerations the models store."""

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


class SectionKind(enum.StrEnum):
    SUMMARY = "summary"  # the article's short answer, stored like a section so it has levels too
    GUIDELINES = "guidelines"
    DRUG_LABEL = "drug_label"
    RESEARCH = "research"
    OTHER = "other"


class ReviewStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"


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
