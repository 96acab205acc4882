"""Full-text search over what the public may see: one interface, an engine per database.

As Wagtail's search backends: the engine (SQLite FTS5, or PostgreSQL `tsvector`) is chosen from
the database's dialect, and callers only see `search`, `candidate_article_ids`,
`index_article`, `rebuild` and `index_articles`.

The index holds one row per public article (`search_documents`), written only here, and
`services.editorial.publishing.refresh_publication` (the one rule for what is public) calls
`index_article` whenever visibility may have changed. Drafts and superseded revisions are never
in it.

Articles whose question or headings match come first, then those that match in their text or
references only; each group is ranked by relevance (bm25, or ts_rank_cd) with the question
weighing most. That is exact while a query matches up to RANK_LIMIT articles. A broader one
(a word that half of 100,000 articles use) looks only at the newest RANK_LIMIT matches: those
whose question or headings match come first, ranked, then the others newest first; and it says
it found "more than" RANK_LIMIT. Ranking every match, or finding the newest RANK_LIMIT title
matches (for words every article uses but few questions, that means reading every match),
would cost time in proportion to the whole collection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

import sqlalchemy as sa
from markupsafe import Markup

from extensions import db
from models import (
    SOURCE_LANGUAGE,
    Article,
    ReadingLevel,
    SearchDocument,
    SpanishSearchDocument,
    Topic,
)
from services.paging import Paged
from services.reading.personalization import FALLBACK
from services.search import documents, excerpts, spanish
from services.search.engine import Criteria, Engine
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
# The index of each language (documents.TRANSLATED), and its engine per database dialect.
TABLES = {SOURCE_LANGUAGE: SearchDocument, "es": SpanishSearchDocument}
ENGINES: dict[tuple[str, str], Engine] = {
    ("sqlite", SOURCE_LANGUAGE): SQLiteEngine(),
    ("postgresql", SOURCE_LANGUAGE): PostgresEngine(),
    ("sqlite", "es"): SQLiteEngine("search_index_es", word=spanish.stem),
    ("postgresql", "es"): PostgresEngine(SpanishSearchDocument.__table__, "spanish_unaccent"),
}


@dataclass(frozen=True)
class SearchHit:
    article: Article
    snippet: Markup  # an excerpt of the wording at the reader's level; only <mark> is added
    score: float
    # The level whose wording the snippet quotes: the reader's, unless the words searched for
    # are only in another level's wording (then the page says so, and quotes that one).
    snippet_level: ReadingLevel


@dataclass(frozen=True)
class SearchPage(Paged):
    query: str  # as shown back: normalised
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 10
    relaxed: bool = False  # no article had every word: these have some of them
    more: bool = False  # more than `total` articles match (see the module docstring)
    searched: bool = False  # the query had words to look for

    @property
    def first_number(self) -> int:
        """The position of the first hit on this page in the whole list (1-based)."""
        return (self.page - 1) * self.per_page + 1


def indexed_language(language: str) -> str:
    """The index a page in `language` searches: its own, else the English one."""
    return language if language in TABLES else SOURCE_LANGUAGE


def _engine(language: str = SOURCE_LANGUAGE) -> Engine:
    dialect = db.session.get_bind().dialect.name
    try:
        return ENGINES[dialect, indexed_language(language)]
    except KeyError:
        raise RuntimeError(f"No search engine for the {dialect!r} database.") from None


def _ranked(
    engine: Engine, criteria: Criteria, *, limit: int, offset: int
) -> tuple[list[tuple[int, float]], int, bool]:
    """One page of (article id, score), the total, and whether there are more than that.

    Articles whose question or headings match come first, then the articles that match in
    their text only, each group best first: a title match always outranks a body match.
    """
    total, ranked, newest = engine.window(criteria, cap=RANK_LIMIT)
    if total == 0:
        return [], 0, False
    wanted = offset + limit
    if total <= RANK_LIMIT:
        # Every match is ranked in one statement (bm25 reads each word's whole document list
        # once per statement), then the title matches are moved to the front.
        titles = engine.title_ids(criteria, cap=RANK_LIMIT)
        ranked = engine.ranked(criteria, limit=total, offset=0)
        ranked.sort(key=lambda hit: hit[0] not in titles)  # stable: keeps the ranking
        return ranked[offset:wanted], total, False
    wanted = min(wanted, RANK_LIMIT)
    if len(ranked) < wanted:
        seen = {article_id for article_id, _ in ranked}
        if newest is None:
            newest = engine.newest(criteria, limit=wanted + len(ranked))
        ranked += [(article_id, 0.0) for article_id in newest if article_id not in seen]
    return ranked[offset:wanted], RANK_LIMIT, True


def _attempts(parsed: ParsedQuery) -> list[tuple[ParsedQuery, bool]]:
    """What to try, in order, until something matches: every word; every word with the last
    one still being typed ("ponat"); then any of the words. (query, any_clause) pairs."""
    widened = parsed.with_prefix()
    attempts = [(parsed, False)]
    if widened is not None:
        attempts.append((widened, False))
    if len(parsed.clauses) > 1:
        attempts.append((widened or parsed, True))
    return attempts


def _public(article_ids: list[int], language: str = SOURCE_LANGUAGE) -> dict[int, Article]:
    """The articles whose public revision is the one indexed in `language`: a stale row is
    never shown."""
    table = TABLES[indexed_language(language)]
    articles = db.session.scalars(
        sa.select(Article)
        .join(table, table.article_id == Article.id)
        .where(Article.id.in_(article_ids), Article.public_revision_id == table.revision_id)
    )
    return {article.id: article for article in articles}


def _snippets(
    engine: Engine, criteria: Criteria, article_ids: list[int], level: ReadingLevel
) -> dict[int, tuple[ReadingLevel, str]]:
    """Each article's excerpt at `level`; where that wording lacks the words searched for,
    the excerpt of another level that has them (clinical first: it is the fullest wording,
    and the others repeat it where they fall back)."""
    others = [lv for lv in FALLBACK[ReadingLevel.CLINICAL] if lv != level]
    found = engine.snippets(criteria, article_ids, [level, *others])
    return {i: found.get(i, (level, "")) for i in article_ids}


def _excerpts(snippets: dict[int, tuple[ReadingLevel, str]], language: str) -> dict[int, Markup]:
    """Each excerpt as HTML; on another language's page, its English parts marked as such
    (services.search.excerpts): one read of both rows' wording, for this page's hits only."""
    if language == SOURCE_LANGUAGE or not snippets:
        return {i: excerpts.plain(text) for i, (_level, text) in snippets.items()}
    table, english = TABLES[language], SearchDocument
    # Only the levels quoted (nearly always the reader's alone): the wording is long, and read
    # from TOAST on PostgreSQL.
    levels = sorted({level.value for level, _text in snippets.values()})
    rows = db.session.execute(
        sa.select(
            table.article_id,
            *[getattr(table, level) for level in levels],
            *[getattr(english, level) for level in levels],
        )
        .join(english, english.article_id == table.article_id)
        .where(table.article_id.in_(list(snippets)))
    )
    texts = {row[0]: row[1:] for row in rows}
    found = {}
    for article_id, (level, text) in snippets.items():
        if article_id not in texts:
            found[article_id] = excerpts.plain(text)
            continue
        at = levels.index(level.value)
        wording = texts[article_id][at] or ""
        source = texts[article_id][len(levels) + at] or ""
        found[article_id] = excerpts.marked(text, wording, excerpts.english_lines(wording, source))
    return found


def search(
    query: str,
    *,
    level: ReadingLevel,
    topic_slug: str | None = None,
    page: int = 1,
    per_page: int = 10,
    language: str = SOURCE_LANGUAGE,
) -> SearchPage:
    """Public articles matching `query`, best first, with excerpts in the wording at `level`
    in `language` (its own index: Spanish words are stemmed and accents ignored).

    Every word must match (the last one may be half-typed); when no article has them all,
    articles with some of them are shown instead (`relaxed`). Any input is safe: what is not a
    word is ignored.
    """
    normalised = normalise_query(query)
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    page = min(max(page, 1), ceil(RANK_LIMIT / per_page))
    language = indexed_language(language)
    parsed = parse(normalised, language=language)
    if not parsed:
        return SearchPage(normalised, page=page, per_page=per_page)
    topic_id = None
    if topic_slug:
        topic_id = db.session.scalar(sa.select(Topic.id).where(Topic.slug == topic_slug))
        if topic_id is None:
            return SearchPage(normalised, page=page, per_page=per_page, searched=True)
    engine = _engine(language)
    offset = (page - 1) * per_page
    for attempt, any_clause in _attempts(parsed):
        criteria = Criteria(attempt, any_clause=any_clause, topic_id=topic_id)
        ranked, total, more = _ranked(engine, criteria, limit=per_page, offset=offset)
        if total:
            break
    relaxed = criteria.any_clause and total > 0
    articles = _public([article_id for article_id, _ in ranked], language)
    snippets = _snippets(engine, criteria, list(articles), level)
    html = _excerpts(snippets, language)
    hits = [
        SearchHit(articles[article_id], html[article_id], score, snippets[article_id][0])
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


def candidate_article_ids(
    query: str, *, limit: int = 20, language: str = SOURCE_LANGUAGE
) -> list[int]:
    """Public articles that best match a question, best first: any of its words may match.

    For follow-up questions: the articles whose passages are worth reading for an answer,
    found through the index of the question's language.
    """
    language = indexed_language(language)
    parsed = parse(normalise_query(query), language=language)
    if not parsed:
        return []
    limit = min(max(limit, 1), RANK_LIMIT)
    criteria = Criteria(parsed, any_clause=True)
    ranked, _total, _more = _ranked(_engine(language), criteria, limit=limit, offset=0)
    ids = [article_id for article_id, _ in ranked]
    public = _public(ids, language)
    return [article_id for article_id in ids if article_id in public]


def index_article(article: Article) -> None:
    """Make every language's index hold the article's public revision, or nothing when it is
    not public.

    Called by services.editorial.publishing.refresh_publication; never commits.
    """
    revision = article.public_revision
    indexed = db.session.scalar(
        sa.select(SearchDocument.revision_id).where(SearchDocument.article_id == article.id)
    )
    translated = db.session.scalar(
        sa.select(SpanishSearchDocument.revision_id).where(
            SpanishSearchDocument.article_id == article.id
        )
    )
    if revision is not None and indexed == revision.id == translated:
        return  # revisions are immutable: the rows are already right
    for table in TABLES.values():
        db.session.execute(sa.delete(table).where(table.article_id == article.id))
    if revision is not None:
        rows = documents.for_revision(db.session.connection(), article.id, revision)
        for language, table in TABLES.items():
            db.session.execute(sa.insert(table), [rows[language]])


def index_articles(first_id: int, last_id: int) -> int:
    """Index, in bulk, the public articles with ids in [first_id, last_id]; returns how many.

    For articles written by bulk inserts (services.seeding.synthetic), which bypass the
    publishing rule.
    """
    conn = db.session.connection()
    for table in TABLES.values():
        conn.execute(sa.delete(table).where(table.article_id.between(first_id, last_id)))
    count = _insert(conn, documents.public_rows(conn, first_id=first_id, last_id=last_id))
    _tidy()
    return count


def rebuild() -> int:
    """Rebuild every index from the public revisions; returns the number of articles."""
    conn = db.session.connection()
    for table in TABLES.values():
        conn.execute(sa.delete(table))
    count = _insert(conn, documents.public_rows(conn))
    _tidy()
    return count


def _tidy() -> None:
    for language in TABLES:
        _engine(language).tidy_after_bulk()


def _insert(conn: sa.Connection, batches) -> int:
    count = 0
    for by_language in batches:
        for language, table in TABLES.items():
            conn.execute(sa.insert(table), by_language[language])
        count += len(by_language[SOURCE_LANGUAGE])
    return count
