"""The staff's view of the articles: the list (filtered, paged, flat at 100,000 articles), an
article's recent revisions and full history, and the editor's "Cite a reference" finder."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from extensions import db
from models import Article, Reference, ReviewEvent, ReviewStatus, Revision, Topic
from services.paging import Paged
from services.validation import like_contains

CITE_RESULTS = 12
PER_PAGE = 25


# -- Citation helper -------------------------------------------------------------------------


def find_references(query: str, limit: int = CITE_RESULTS) -> list[Reference]:
    """References whose key, authors, title, journal, DOI or PMID hold every word of `query`."""
    words = query.split()[:8]
    if not words:
        return []
    columns = (
        Reference.key,
        Reference.authors,
        Reference.title,
        Reference.journal,
        Reference.doi,
        Reference.pmid,
    )
    conditions = [
        sa.or_(*(column.ilike(like_contains(word), escape="\\") for column in columns))
        for word in words
    ]
    return list(
        db.session.scalars(
            sa.select(Reference)
            .where(*conditions)
            .order_by(Reference.year.desc().nulls_last(), Reference.key)
            .limit(limit)
        )
    )


# -- Staff lists -----------------------------------------------------------------------------


@dataclass
class ArticlePage(Paged):
    """One page of the staff article list."""

    articles: list[Article]
    total: int
    page: int
    per_page: int

    @property
    def first_shown(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_shown(self) -> int:
        return min(self.page * self.per_page, self.total)


def staff_articles(
    *,
    status: ReviewStatus | None = None,
    topic: Topic | None = None,
    text: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> ArticlePage:
    """Articles for staff, newest work first: filtered by the status of their latest revision,
    a topic and words in the question. A fixed number of queries whatever the page holds.

    Read from the latest revisions, newest first, joined to their articles by the pointer: the
    indexes on revisions (created_at, id) and (status, created_at, id) give the page in order,
    so a page costs the same at 100 articles as at 100,000 (every article has a latest revision:
    it is made with its first one)."""
    latest = aliased(Revision)
    stmt = (
        sa.select(Article)
        .select_from(latest)
        .join(Article, Article.latest_revision_id == latest.id)
    )
    if status is not None:
        stmt = stmt.where(latest.status == status)
    if topic is not None:
        stmt = stmt.where(Article.topics.any(Topic.id == topic.id))
    for word in text.split()[:8]:
        pattern = like_contains(word)
        stmt = stmt.where(
            sa.or_(
                Article.question.ilike(pattern, escape="\\"),
                latest.question.ilike(pattern, escape="\\"),
            )
        )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    found = db.session.scalars(
        stmt.order_by(latest.created_at.desc(), latest.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
        .options(
            selectinload(Article.latest_revision).selectinload(Revision.author),
            selectinload(Article.live_revision).selectinload(Revision.reviewer),
            selectinload(Article.locked_by),
        )
    )
    return ArticlePage(list(found), total, page, per_page)


def recent_revisions(article: Article, limit: int = 5) -> list[Revision]:
    """An article's newest revisions with their authors."""
    return list(
        db.session.scalars(
            sa.select(Revision)
            .where(Revision.article_id == article.id)
            .order_by(Revision.number.desc())
            .limit(limit)
            .options(selectinload(Revision.author))
        )
    )


def revision_history(article: Article) -> list[Revision]:
    """Every revision of an article, newest first, with authors, reviewers and review events."""
    return list(
        db.session.scalars(
            sa.select(Revision)
            .where(Revision.article_id == article.id)
            .order_by(Revision.number.desc())
            .options(
                selectinload(Revision.author),
                selectinload(Revision.reviewer),
                selectinload(Revision.events).selectinload(ReviewEvent.actor),
            )
        )
    )
