"""An article answers one clinical question; its content lives in immutable revisions."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, attribute_keyed_dict, mapped_column, relationship

from extensions import db
from models.base import ListingSummaries, utcnow
from models.topic import Topic, article_topics
from models.translation import ArticleListingTranslation
from models.user import User

if TYPE_CHECKING:
    from models.revision import Revision


class Article(ListingSummaries, db.Model):
    """Identity, URL and pointers, as in Wagtail: the latest revision (what editors work on), the
    live one (last approved) and the public one (what readers see: the live revision, else the
    latest one submitted for review; NULL while the article is not public at all).

    `public_revision_id` is the article's visibility flag, and `question`, the short answer at
    each reading level (`summaries`), `topics` and `updated_at` copy the public revision, so
    listings and search read indexed columns only.
    services.editorial.publishing.refresh_publication is the one place that keeps them true.
    """

    __tablename__ = "articles"
    # Listings read these alone: only public articles are in the partial indexes.
    __table_args__ = (
        Index(
            "ix_articles_public_updated_at",
            "updated_at",
            sqlite_where=text("public_revision_id IS NOT NULL"),
            postgresql_where=text("public_revision_id IS NOT NULL"),
        ),
        Index(
            "ix_articles_live_reviewed_at",
            "reviewed_at",
            sqlite_where=text("live_revision_id IS NOT NULL"),
            postgresql_where=text("live_revision_id IS NOT NULL"),
        ),
        # What sitemaps and the feed list (services/reading/feeds.py): public, real (is_synthetic
        # false), by id. is_synthetic leads so that the lookup is an equality every planner prefers.
        Index(
            "ix_articles_listed",
            "is_synthetic",
            "id",
            postgresql_where=text("public_revision_id IS NOT NULL"),
            sqlite_where=text("public_revision_id IS NOT NULL"),
        ),
        # The staff dashboard's "public wording above its reading target", in its order: only the
        # flagged articles are in it, so the list costs what it shows, not the size of the site.
        Index(
            "ix_articles_public_over_target",
            "question",
            "id",
            postgresql_where=text("public_over_target"),
            sqlite_where=text("public_over_target = 1"),
        ),
        # The dashboard's "Translations out of date": the flagged articles, in its order. Not a
        # partial index: SQLite, without statistics, counts through any partial index on public
        # articles instead (a scan of all of them); an equality on the flag it always takes.
        Index(
            "ix_articles_public_translations_behind", "public_translations_behind", "question", "id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    question: Mapped[str] = mapped_column(String(300))
    # The public short answer as plain text, one listing copy per reading level ("" where that
    # level has no wording): `summary` is the clinical one. Listings show the reader's, falling
    # back as the article page does (services.reading.personalization.listing_summary).
    summary: Mapped[str] = mapped_column(Text, default="")
    summary_standard: Mapped[str] = mapped_column(Text, default="")
    summary_plain: Mapped[str] = mapped_column(Text, default="")
    is_demo: Mapped[bool] = mapped_column(default=False)
    # Generated for load tests (services/seeding/synthetic.py): labelled on every page, never
    # indexed.
    is_synthetic: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_review_on: Mapped[date | None] = mapped_column(index=True)
    # When the live revision was approved (copied by the publishing rule), for "recently reviewed".
    reviewed_at: Mapped[datetime | None]
    latest_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revisions.id", use_alter=True, ondelete="SET NULL"), index=True
    )
    live_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revisions.id", use_alter=True, ondelete="SET NULL"), index=True
    )
    public_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revisions.id", use_alter=True, ondelete="SET NULL"), index=True
    )
    # Some wording of the public revision reads above its level's target grade: kept by
    # services.editorial.publishing (refresh_publication, and refresh_over_target when a target
    # changes).
    public_over_target: Mapped[bool] = mapped_column(default=False)
    # Some translation of the public revision follows older English than the revision's own
    # (`SectionVariant.lags`): kept by services.editorial.publishing.refresh_publication (a
    # revision's wordings never change, so only a new public revision changes it).
    public_translations_behind: Mapped[bool] = mapped_column(default=False)
    # Page locking, as in Wagtail: while locked, only the holder (or an admin) can save.
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    locked_at: Mapped[datetime | None]

    latest_revision: Mapped[Revision | None] = relationship(
        foreign_keys=[latest_revision_id], post_update=True
    )
    live_revision: Mapped[Revision | None] = relationship(
        foreign_keys=[live_revision_id], post_update=True
    )
    public_revision: Mapped[Revision | None] = relationship(
        foreign_keys=[public_revision_id], post_update=True
    )
    locked_by: Mapped[User | None] = relationship(foreign_keys=[locked_by_id])
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="article",
        foreign_keys="Revision.article_id",
        order_by="Revision.number",
        cascade="all, delete-orphan",
    )
    topics: Mapped[list[Topic]] = relationship(secondary=article_topics, order_by=Topic.name)
    # The listing copies in languages other than English, by code (the publishing rule keeps
    # them); a listing page loads them for all its articles at once
    # (services.reading.listings.load_listing_copies).
    listing_translations: Mapped[dict[str, ArticleListingTranslation]] = relationship(
        collection_class=attribute_keyed_dict("language"), cascade="all, delete-orphan"
    )

    @property
    def is_public(self) -> bool:
        return self.public_revision_id is not None

    def __repr__(self) -> str:
        return f"<Article {self.slug}>"
