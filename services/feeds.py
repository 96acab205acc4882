"""What sitemaps and the Atom feed list: public, real articles (never synthetic ones). Each query
reads a bounded part of one index, so the cost is the same at 100 articles as at 100,000."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from extensions import db
from models import Article, ReviewStatus, Revision, Topic
from services.publishing import publicly_visible

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


def count_articles() -> int:
    """How many articles the sitemaps list."""
    return db.session.scalar(sa.select(sa.func.count(Article.id)).where(listed())) or 0


def article_urls(page: int, size: int) -> list[ArticleUrl]:
    """One sitemap's worth of articles (page 1 first), oldest first, with their review dates."""
    rows = db.session.execute(
        sa.select(Article.slug, Article.reviewed_at)
        .where(listed())
        .order_by(Article.id)
        .limit(size)
        .offset((page - 1) * size)
    )
    return [ArticleUrl(slug, reviewed_at) for slug, reviewed_at in rows]


def topic_slugs() -> list[str]:
    """Every topic page."""
    return list(db.session.scalars(sa.select(Topic.slug).order_by(Topic.slug)))


def recent_approvals(limit: int = FEED_ENTRIES) -> list[Revision]:
    """The newest approved revisions of public, real articles, newest first."""
    newest = (
        sa.select(Revision.id)
        .where(Revision.status == ReviewStatus.APPROVED, Revision.reviewed_at.is_not(None))
        .order_by(Revision.reviewed_at.desc(), Revision.id.desc())
        .limit(FEED_WINDOW)
        .scalar_subquery()
    )
    return list(
        db.session.scalars(
            sa.select(Revision)
            .join(Revision.article)
            .where(Revision.id.in_(newest), listed())
            .order_by(Revision.reviewed_at.desc(), Revision.id.desc())
            .limit(limit)
            .options(contains_eager(Revision.article), joinedload(Revision.reviewer))
        )
    )
