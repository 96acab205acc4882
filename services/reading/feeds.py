"""What sitemaps and the Atom feed list: public, real articles (never synthetic ones). Each query
reads a bounded part of one index, so a response costs the same at 100 articles as at 100,000.

Sitemap parts are ranges of article ids (part N: ids in ((N-1)·size, N·size]): a part never
holds more than `size` articles, finding it is one index seek rather than an OFFSET that grows
with N, and the index needs no count, only the highest id and one seek per part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from extensions import db
from models import Article, ReviewStatus, Revision, Topic
from services.editorial.publishing import publicly_visible

FEED_ENTRIES = 50
# The feed looks at this many of the newest approvals, so its cost is bounded whatever the size
# of the site. Only synthetic articles are ever left out of it, so in a real database the newest
# FEED_ENTRIES approvals are all there; in a load-test one they may not be.
FEED_WINDOW = 10 * FEED_ENTRIES


def listed() -> sa.ColumnElement[bool]:
    """Articles a sitemap lists: public and real (the partial index ix_articles_listed)."""
    return sa.and_(publicly_visible(), Article.is_synthetic == sa.false())


@dataclass(frozen=True)
class ArticleUrl:
    slug: str
    reviewed_at: datetime | None  # the live revision's approval; None while never approved


def highest_id() -> int:
    """The highest article id (0 for none): how many id ranges the sitemap parts span."""
    return db.session.scalar(sa.select(sa.func.max(Article.id))) or 0


def _in_part(part: int, size: int) -> sa.ColumnElement[bool]:
    return sa.and_(listed(), Article.id > (part - 1) * size, Article.id <= part * size)


def parts_with_articles(size: int) -> list[int]:
    """The sitemap parts that list at least one article (one index seek each)."""
    parts = range(1, -(-highest_id() // size) + 1)
    return [
        part
        for part in parts
        if db.session.scalar(sa.select(Article.id).where(_in_part(part, size)).limit(1))
    ]


def article_urls(part: int, size: int) -> list[ArticleUrl]:
    """The articles of one sitemap part, by id, with their last review dates."""
    rows = db.session.execute(
        sa.select(Article.slug, Article.reviewed_at)
        .where(_in_part(part, size))
        .order_by(Article.id)
    )
    return [ArticleUrl(slug, reviewed_at) for slug, reviewed_at in rows]


def topic_slugs() -> list[str]:
    """Every topic page."""
    return list(db.session.scalars(sa.select(Topic.slug).order_by(Topic.slug)))


def recent_approvals(limit: int = FEED_ENTRIES) -> list[Revision]:
    """The newest approved revisions of public, real articles, newest first.

    Three bounded reads by index and primary key: the newest approvals, their articles, then
    the revisions kept. (One join would let SQLite's planner start from every real article.)
    """
    newest = db.session.execute(
        sa.select(Revision.id, Revision.article_id)
        .where(Revision.status == ReviewStatus.APPROVED, Revision.reviewed_at.is_not(None))
        .order_by(Revision.reviewed_at.desc(), Revision.id.desc())
        .limit(FEED_WINDOW)
    ).all()
    listed_ids = {
        article_id
        for article_id, public, synthetic in db.session.execute(
            sa.select(Article.id, Article.public_revision_id, Article.is_synthetic).where(
                Article.id.in_({article_id for _, article_id in newest})
            )
        )
        if public is not None and not synthetic
    }
    kept = [revision_id for revision_id, article_id in newest if article_id in listed_ids][:limit]
    if not kept:
        return []
    return list(
        db.session.scalars(
            sa.select(Revision)
            .where(Revision.id.in_(kept))
            .order_by(Revision.reviewed_at.desc(), Revision.id.desc())
            .options(joinedload(Revision.article), joinedload(Revision.reviewer))
        )
    )
