"""The staff's view of the articles: the list (filtered, paged, flat at 100,000 articles), an
article's recent revisions and full history, and the editor's "Cite a reference" finder."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from extensions import db
from models import Article, Reference, ReviewEvent, ReviewStatus, Revision, Topic
from services.editorial import article_search
from services.paging import Paged
from services.validation import like_contains

CITE_RESULTS = 12
PER_PAGE = 25
COUNT_CAP = 1_000  # the staff list counts this many matches, then says "1,000+"


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
    """One page of the staff article list. `total` is counted up to COUNT_CAP + 1 only: past
    that the list says "1,000+" and pages through the first COUNT_CAP (narrow the filters to
    see further), so neither the count nor the deepest page costs more as the site grows."""

    articles: list[Article]
    total: int
    page: int
    per_page: int

    cap: int = COUNT_CAP

    @property
    def capped(self) -> bool:
        return self.total > self.cap

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, self.cap) // self.per_page))

    @property
    def first_shown(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_shown(self) -> int:
        return min(self.page * self.per_page, self.total, self.cap)


def staff_articles(
    *,
    status: ReviewStatus | None = None,
    topic: Topic | None = None,
    text: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> ArticlePage:
    """Articles for staff, newest work first: filtered by the status of their latest revision,
    a topic and words in the question or address (services.editorial.article_search). A fixed
    number of queries whatever the page holds.

    Read from the latest revisions, newest first, joined to their articles by the pointer: the
    indexes on revisions (created_at, id) and (status, created_at, id) give the page in order,
    so a page costs the same at 100 articles as at 100,000 (every article has a latest revision:
    it is made with its first one). Words are looked up in the staff search index, whose
    matches come newest saved first (by the latest revision's id, which follows the same
    order but for revisions imported with earlier dates); the count stops at COUNT_CAP + 1."""
    latest = aliased(Revision)
    searched = article_search.select_matching(latest, text)
    stmt, known = searched if searched is not None else (None, 0)
    if stmt is None:
        stmt = (
            sa.select(Article)
            .select_from(latest)
            .join(Article, Article.latest_revision_id == latest.id)
            .order_by(latest.created_at.desc(), latest.id.desc())
        )
    if status is not None:
        stmt = stmt.where(latest.status == status)
    if topic is not None:
        stmt = stmt.where(Article.topics.any(Topic.id == topic.id))
    cap = COUNT_CAP
    if known and status is None and topic is None:
        total = min(known, cap + 1)  # the search index has counted them, or past the cap
    else:
        counted = stmt.with_only_columns(Article.id).order_by(None).limit(cap + 1).subquery()
        total = db.session.scalar(sa.select(sa.func.count()).select_from(counted)) or 0
    listing = ArticlePage([], total, page, per_page, cap)
    listing.page = min(max(page, 1), listing.pages)
    offset = (listing.page - 1) * per_page
    found = db.session.scalars(
        stmt.limit(min(per_page, cap - offset))
        .offset(offset)
        .options(
            selectinload(Article.latest_revision).selectinload(Revision.author),
            selectinload(Article.live_revision).selectinload(Revision.reviewer),
            selectinload(Article.locked_by),
        )
    )
    listing.articles = list(found)
    return listing


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
