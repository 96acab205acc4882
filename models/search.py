"""The search index's documents: the public revision of each public article, as plain text."""

from sqlalchemy import JSON, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db


class SearchDocument(db.Model):
    """One row per public article, written by services.search and nothing else.

    Columns hold plain text (Markdown and citations removed). `plain`, `standard` and
    `clinical` are the wording a reader at that level sees, section by section with the same
    fallback as the article page, so a snippet quotes what the reader will read. The engines'
    own structures are built from this table and are not mapped here: on SQLite an FTS5 table
    whose content is this table (kept in step by triggers), on PostgreSQL generated `tsvector`
    columns with GIN indexes (see the migration and services/search/).
    """

    __tablename__ = "search_documents"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(Text)
    headings: Mapped[str] = mapped_column(Text)
    plain: Mapped[str] = mapped_column(Text)
    standard: Mapped[str] = mapped_column(Text)
    clinical: Mapped[str] = mapped_column(Text)
    reference_titles: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<SearchDocument {self.article_id}>"


class SpanishSearchDocument(db.Model):
    """The Spanish index's row for a public article: what a Spanish page shows, as plain text.

    Same columns as `SearchDocument`, holding the Spanish question, headings and wording per
    level, English where a section has no Spanish wording (as the Spanish page shows it), so a
    Spanish reader finds every article. A table per language rather than a language column:
    each engine's structures are per language (PostgreSQL's `spanish_unaccent` configuration in
    generated columns, a separate FTS5 table whose rowid stays the article id), and the English
    index and its queries stay exactly as they were. `stems` (SQLite only, else None) holds each
    text column's Snowball stems, one per word of the text (services.search.spanish), which the
    triggers give to FTS5 instead of the text itself.
    """

    __tablename__ = "search_documents_es"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(Text)
    headings: Mapped[str] = mapped_column(Text)
    plain: Mapped[str] = mapped_column(Text)
    standard: Mapped[str] = mapped_column(Text)
    clinical: Mapped[str] = mapped_column(Text)
    reference_titles: Mapped[str] = mapped_column(Text)
    stems: Mapped[dict | None] = mapped_column(JSON)

    def __repr__(self) -> str:
        return f"<SpanishSearchDocument {self.article_id}>"
