"""Full-text search over what the public may see: one interface, an engine per database.

As Wagtail's search backends: the engine (SQLite FTS5, or PostgreSQL `tsvector`) is chosen from
the database's dialect, and callers only see `search`, `candidate_article_ids`,
`index_article`, `rebuild` and `index_articles`.

The index holds one row per public article (`search_documents`), written only here, and
`services.publishing.refresh_publication` (the one rule for what is public) calls
`index_article` whenever visibility may have changed. Drafts and superseded revisions are never
in it.

Articles whose question or headings match come first, then those that match in their text or
references only; each group is ranked by relevance (bm25, or ts_rank_cd) with the question
weighing most. That is exact while a query matches up to RANK_LIMIT articles. A broader one
(a word that half of 100,000 articles use) ranks the newest RANK_LIMIT articles whose question
or headings match, then lists the other matches newest first, and says it found "more than"
RANK_LIMIT: ranking every match would cost time in proportion to the whole collection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

import sqlalchemy as sa
from markupsafe import Markup, escape

from extensions import db
from models import Article, ReadingLevel, SearchDocument, Topic
from services.search import documents
from services.search.engine import MARK_END, MARK_START, Criteria, Engine
from services.search.postgres import PostgresEngine
from services.search.query import ParsedQuery, normalise_query, parse
from services.search.sqlite import SQLiteEngine

__all__ = [
    "SearchHit",
    "SearchPage",
    "candidate_article_ids",
    "index_article",
    "index_articles",
    "normalise_query",
    "rebuild",
    "search",
]

RANK_LIMIT = 1_000
MAX_PER_PAGE = 50
ENGINES: dict[str, Engine] = {"sqlite": SQLiteEngine(), "postgresql": PostgresEngine()}


@dataclass(frozen=True)
class SearchHit:
    article: Article
    snippet: Markup  # an excerpt of the wording at the reader's level; only <mark> is added
    score: float


@dataclass(frozen=True)
class SearchPage:
    query: str  # as shown back: normalised
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 10
    relaxed: bool = False  # no article had every word: these have some of them
    more: bool = False  # more than `total` articles match (see the module docstring)
    searched: bool = False  # the query had words to look for

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_number(self) -> int:
        """The position of the first hit on this page in the whole list (1-based)."""
        return (self.page - 1) * self.per_page + 1


def _engine() -> Engine:
    dialect = db.session.get_bind().dialect.name
    try:
        return ENGINES[dialect]
    except KeyError:
        raise RuntimeError(f"No search engine for the {dialect!r} database.") from None


def _ranked(
    engine: Engine, criteria: Criteria, *, limit: int, offset: int
) -> tuple[list[tuple[int, float]], int, bool]:
    """One page of (article id, score), the total, and whether there are more than that.

    Articles whose question or headings match come first, ranked among themselves, then the
    articles that match in their text only: a title match always outranks a body match.
    """
    total = engine.count(criteria, cap=RANK_LIMIT + 1)
    if total == 0:
        return [], 0, False
    more = total > RANK_LIMIT
    wanted = min(offset + limit, RANK_LIMIT)
    ranked = engine.title_ranked(criteria, cap=RANK_LIMIT)
    if len(ranked) < wanted:
        seen = {article_id for article_id, _ in ranked}
        if more:
            rest = [(i, 0.0) for i in engine.newest(criteria, limit=wanted + len(ranked))]
        else:
            rest = engine.ranked(criteria, limit=wanted + len(ranked), offset=0)
        ranked += [(article_id, score) for article_id, score in rest if article_id not in seen]
    return ranked[offset:wanted], min(total, RANK_LIMIT), more


def _public(article_ids: list[int]) -> dict[int, Article]:
    """The articles whose public revision is the one indexed: a stale row is never shown."""
    articles = db.session.scalars(
        sa.select(Article)
        .join(SearchDocument, SearchDocument.article_id == Article.id)
        .where(
            Article.id.in_(article_ids),
            Article.public_revision_id == SearchDocument.revision_id,
        )
    )
    return {article.id: article for article in articles}


def _snippet(text: str | None) -> Markup:
    """Escape the excerpt, then turn the engine's markers into <mark>."""
    html = str(escape(" ".join((text or "").split())))
    return Markup(html.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def search(
    query: str,
    *,
    level: ReadingLevel,
    topic_slug: str | None = None,
    page: int = 1,
    per_page: int = 10,
) -> SearchPage:
    """Public articles matching `query`, best first, with excerpts in the wording at `level`.

    Every word must match; when no article has them all, articles with some of them are
    shown instead (`relaxed`). Any input is safe: what is not a word is ignored.
    """
    normalised = normalise_query(query)
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    page = min(max(page, 1), ceil(RANK_LIMIT / per_page))
    parsed = parse(normalised, prefix_last=True)
    if not parsed:
        return SearchPage(normalised, page=page, per_page=per_page)
    topic_id = None
    if topic_slug:
        topic_id = db.session.scalar(sa.select(Topic.id).where(Topic.slug == topic_slug))
        if topic_id is None:
            return SearchPage(normalised, page=page, per_page=per_page, searched=True)
    engine = _engine()
    offset = (page - 1) * per_page
    criteria = Criteria(parsed, topic_id=topic_id)
    ranked, total, more = _ranked(engine, criteria, limit=per_page, offset=offset)
    relaxed = False
    if total == 0 and len(parsed.clauses) > 1:
        criteria = Criteria(parsed, any_clause=True, topic_id=topic_id)
        ranked, total, more = _ranked(engine, criteria, limit=per_page, offset=offset)
        relaxed = total > 0
    ids = [article_id for article_id, _ in ranked]
    articles = _public(ids)
    snippets = engine.snippets(criteria, [i for i in ids if i in articles], level)
    hits = [
        SearchHit(articles[article_id], _snippet(snippets.get(article_id)), score)
        for article_id, score in ranked
        if article_id in articles
    ]
    return SearchPage(
        normalised,
        hits=hits,
        total=total,
        page=page,
        per_page=per_page,
        relaxed=relaxed,
        more=more,
        searched=True,
    )


def candidate_article_ids(query: str, *, limit: int = 20) -> list[int]:
    """Public articles that best match a question, best first: any of its words may match.

    For follow-up questions: the articles whose passages are worth reading for an answer.
    """
    parsed: ParsedQuery = parse(normalise_query(query))
    if not parsed:
        return []
    limit = min(max(limit, 1), RANK_LIMIT)
    ranked, _total, _more = _ranked(
        _engine(), Criteria(parsed, any_clause=True), limit=limit, offset=0
    )
    ids = [article_id for article_id, _ in ranked]
    public = _public(ids)
    return [article_id for article_id in ids if article_id in public]


def index_article(article: Article) -> None:
    """Make the index hold the article's public revision, or nothing when it is not public.

    Called by services.publishing.refresh_publication; never commits.
    """
    revision = article.public_revision
    indexed = db.session.scalar(
        sa.select(SearchDocument.revision_id).where(SearchDocument.article_id == article.id)
    )
    if revision is not None and indexed == revision.id:
        return  # revisions are immutable: the row is already right
    if indexed is not None:
        db.session.execute(sa.delete(SearchDocument).where(SearchDocument.article_id == article.id))
    if revision is not None:
        conn = db.session.connection()
        db.session.execute(
            sa.insert(SearchDocument), [documents.for_revision(article, revision, conn)]
        )


def index_articles(first_id: int, last_id: int) -> int:
    """Index, in bulk, the public articles with ids in [first_id, last_id]; returns how many.

    For articles written by bulk inserts (services.synthetic), which bypass the publishing rule.
    """
    conn = db.session.connection()
    conn.execute(
        sa.delete(SearchDocument).where(SearchDocument.article_id.between(first_id, last_id))
    )
    return _insert(conn, documents.public_rows(conn, first_id=first_id, last_id=last_id))


def rebuild() -> int:
    """Rebuild the whole index from the public revisions; returns the number of articles."""
    conn = db.session.connection()
    conn.execute(sa.delete(SearchDocument))
    return _insert(conn, documents.public_rows(conn))


def _insert(conn: sa.Connection, batches) -> int:
    count = 0
    for rows in batches:
        conn.execute(sa.insert(SearchDocument), rows)
        count += len(rows)
    return count
