"""The caches' tables: renderings, whole pages, the content versions their keys are made of,
and which references each revision cites. What goes in them, and when, is caching/'s business."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.base import ReadingLevel, enum_column, utcnow

# The reference keys each revision's text cites, written once when the revision is saved (it never
# changes): what a rendering's key is made of, and what "is this reference in use?" asks.
revision_references = sa.Table(
    "revision_references",
    db.metadata,
    sa.Column("revision_id", sa.ForeignKey("revisions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("reference_key", String(60), primary_key=True),
    Index("ix_revision_references_reference_key", "reference_key"),
)


class ContentVersion(db.Model):
    """A counter raised by every change of something many pages show (the glossary)."""

    __tablename__ = "content_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


class RenderedRevision(db.Model):
    """A revision's sections rendered at one level in one language: the render-once cache,
    shared by every worker and app server because it lives in the database."""

    __tablename__ = "rendered_revisions"

    revision_id: Mapped[int] = mapped_column(
        ForeignKey("revisions.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[ReadingLevel] = mapped_column(enum_column(ReadingLevel), primary_key=True)
    # The page's language: a Spanish page renders the Spanish wordings (or English stand-ins).
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    glossary_version: Mapped[int] = mapped_column(primary_key=True)
    references_fingerprint: Mapped[str] = mapped_column(String(16), primary_key=True)
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CachedPage(db.Model):
    """A whole anonymous reader response, kept until anything readers can see changes.

    `key` digests the request (build, path, query, remembered audience, htmx target); the row is
    valid only while `site_version` equals the current one, and the ETag digests both, so a
    conditional request is answered from this table without rendering anything.
    """

    __tablename__ = "cached_pages"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_version: Mapped[int]
    etag: Mapped[str] = mapped_column(String(64))
    headers: Mapped[list] = mapped_column(JSON, default=list)  # [name, value] pairs to replay
    body: Mapped[bytes] = mapped_column(sa.LargeBinary)
    body_gzip: Mapped[bytes] = mapped_column(sa.LargeBinary)
    body_br: Mapped[bytes] = mapped_column(sa.LargeBinary)
    # The page cache's cap drops the least recently stored rows first (caching/pages.py).
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class CachedPdf(db.Model):
    """An article's PDF (services/reading/printing.py) at one level and language: WeasyPrint
    costs about a second, a stored one a query.

    `key` digests the revision, level, language and the print view's whole HTML, so anything
    the PDF shows (wording, references, glossary, reviewer, next review date, a newer version)
    gives a new key and the old row is garbage, deleted when the new one is stored.
    """

    __tablename__ = "cached_pdfs"
    __table_args__ = (Index("ix_cached_pdfs_revision", "revision_id", "level", "language"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"))
    level: Mapped[ReadingLevel] = mapped_column(enum_column(ReadingLevel))
    language: Mapped[str] = mapped_column(String(16))
    body: Mapped[bytes] = mapped_column(sa.LargeBinary)
    # The cap drops the least recently stored rows first (caching/pdfs.py).
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
