"""A proposed change to a library entry (a reference or a glossary term) that public text uses:
it waits for a second person's approval before readers see it (services/library/changes.py)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import enum_column, utcnow
from models.user import User


class LibraryKind(enum.StrEnum):
    REFERENCE = "reference"
    GLOSSARY = "glossary"


class ChangeStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            "pending": "Waiting for review",
            "approved": "Approved",
            "rejected": "Sent back",
            "withdrawn": "Withdrawn",
        }[self.value]


# The public articles a change altered when it was approved (their public revision then): what
# the public review history lists under each article.
library_change_articles = sa.Table(
    "library_change_articles",
    db.metadata,
    sa.Column(
        "change_id", sa.ForeignKey("library_changes.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("article_id", sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("revision_id", sa.ForeignKey("revisions.id", ondelete="SET NULL"), nullable=True),
    Index("ix_library_change_articles_article_id", "article_id"),
)


FIELD_LABELS = {
    LibraryKind.REFERENCE: {
        "key": "key",
        "kind": "kind",
        "title": "title",
        "authors": "authors",
        "journal": "journal or publisher",
        "year": "year",
        "volume_pages": "volume and pages",
        "doi": "DOI",
        "pmid": "PMID",
        "nct": "NCT number",
        "url": "link",
        "read": "what was read",
        "read_detail": "what was read (detail)",
    },
    LibraryKind.GLOSSARY: {
        "term": "term",
        "abbr": "abbreviation",
        "aliases": "other forms",
        "definition": "explanation",
    },
}


@dataclass
class FieldDiff:
    name: str
    label: str
    before: object
    after: object


class LibraryChange(db.Model):
    __tablename__ = "library_changes"
    __table_args__ = (
        # At most one pending change per entry: the worklist and the edit pages read this index.
        Index(
            "uq_library_changes_pending",
            "kind",
            "target_id",
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        ),
        Index("ix_library_changes_status_created", "status", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[LibraryKind] = mapped_column(enum_column(LibraryKind))
    # The reference's or term's id. No foreign key: an approved change stays in the public
    # history after a glossary term is deleted.
    target_id: Mapped[int | None]  # None: a new entry, until its approval creates it
    target_label: Mapped[str] = mapped_column(String(200))  # its key or term when proposed
    # Every editable field, as proposed and as it stood when proposed (JSON-safe values).
    proposed: Mapped[dict] = mapped_column(JSON)
    base: Mapped[dict] = mapped_column(JSON)
    base_version: Mapped[int | None]  # Reference.version when proposed (terms have none)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[ChangeStatus] = mapped_column(
        enum_column(ChangeStatus), default=ChangeStatus.PENDING
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    comment: Mapped[str] = mapped_column(Text, default="")

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def changed_fields(self) -> list[str]:
        """The fields whose proposed value differs from the base, in the form's order (for a
        new entry, those it fills in)."""
        if self.is_new:
            return [name for name, value in self.proposed.items() if value not in (None, "", [])]
        # A field only the base has: a glossary term's wording in a language the change removes.
        names = [*self.proposed, *(name for name in self.base if name not in self.proposed)]
        return [name for name in names if self.base.get(name) != self.proposed.get(name)]

    def _label(self, name: str) -> str:
        """A field's name for staff; a term's field in another language as "explanation (es)"."""
        labels = FIELD_LABELS[self.kind]
        code, _, field = name.rpartition("_")
        if name not in labels and code and field in labels:
            return f"{labels[field]} ({code})"
        return labels.get(name, name)

    @property
    def changed_labels(self) -> list[str]:
        """The changed fields as readers and staff call them ("what was read")."""
        return [self._label(name) for name in self.changed_fields]

    def field_diff(self) -> list[FieldDiff]:
        """Field by field, what the change replaces and with what (changed fields only)."""
        return [
            FieldDiff(name, self._label(name), self.base.get(name), self.proposed.get(name))
            for name in self.changed_fields
        ]

    @property
    def is_new(self) -> bool:
        """A new entry's change: it has no base (its approval creates the entry)."""
        return not self.base

    @property
    def label(self) -> str:
        what = "reference" if self.kind == LibraryKind.REFERENCE else "glossary term"
        if self.is_new:
            return f"Change #{self.id}: new {what} “{self.target_label}”"
        return f"Change #{self.id} to {what} “{self.target_label}”"
