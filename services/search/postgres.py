"""PostgreSQL: `tsvector` columns with GIN indexes, `websearch_to_tsquery`, `ts_rank_cd`.

The migration adds two generated columns to `search_documents`, so they always follow the row's
text: `document` (question A, headings B, every level's wording C, reference titles D) and
`title` (question A, headings B), each with a GIN index. Snippets come from `ts_headline` over
the stored wording at the reader's level: its opening PREFIX characters first.
"""

from __future__ import annotations

from functools import reduce

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR

from extensions import db
from models import ReadingLevel, SearchDocument, article_topics
from services.search.engine import MARK_END, MARK_START, Criteria, Engine
from services.search.query import ParsedQuery, Unit

# ts_rank_cd weights for D, C, B, A; normalisation 1 divides by 1 + log(length), so a long
# article does not win by length alone.
WEIGHTS = sa.literal_column("'{0.05, 0.2, 0.5, 1.0}'::float4[]")
# One excerpt around the best match: a third of the cost of ts_headline's fragment mode.
# The characters the first, cheap excerpt reads (services.search.postgres snippets).
PREFIX = 1_000
HEADLINE = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=32, MinWords=16"


def _unit(unit: Unit, config: sa.ColumnElement) -> sa.ColumnElement:
    # Words are letters and digits only (services.search.query), so neither call can see syntax.
    if unit.prefix:
        return sa.func.to_tsquery(config, f"{unit.tokens[0]}:*")
    text = unit.tokens[0] if len(unit.tokens) == 1 else '"' + " ".join(unit.tokens) + '"'
    return sa.func.websearch_to_tsquery(config, text)


def _either(units, config: sa.ColumnElement) -> sa.ColumnElement:
    return reduce(sa.func.tsquery_or, [_unit(u, config) for u in units])


def tsquery(
    query: ParsedQuery, *, any_clause: bool = False, config: str = "english"
) -> sa.ColumnElement:
    """The parsed query as one tsquery expression, built from bound words."""
    regconfig = sa.literal_column(f"'{config}'::regconfig")
    combine = sa.func.tsquery_or if any_clause else sa.func.tsquery_and
    expression = reduce(combine, [_either(c.alternatives, regconfig) for c in query.clauses])
    if query.excluded:
        excluded = _either(query.excluded, regconfig)
        expression = sa.func.tsquery_and(expression, sa.func.tsquery_not(excluded))
    return expression


class PostgresEngine(Engine):
    """`table`: the documents of one language, with the generated `document` and `title`
    columns made with `config` (English, or the migration's `spanish_unaccent`)."""

    def __init__(self, table: sa.Table = SearchDocument.__table__, config: str = "english"):
        self.docs, self.config = table, config
        self.regconfig = sa.literal_column(f"'{config}'::regconfig")
        self.document = sa.literal_column(f"{table.name}.document", TSVECTOR)
        self.title = sa.literal_column(f"{table.name}.title", TSVECTOR)

    def _tsquery(self, criteria: Criteria) -> sa.ColumnElement:
        return tsquery(criteria.query, any_clause=criteria.any_clause, config=self.config)

    def _matches(self, criteria: Criteria, *, title: bool = False) -> tuple[sa.Select, sa.Column]:
        # A FROM-clause subquery PostgreSQL folds into a constant, so the GIN index applies.
        docs, vector = self.docs, (self.title if title else self.document)
        q = sa.select(self._tsquery(criteria).label("q"))
        q = q.subquery("query")
        select = (
            sa.select(docs.c.article_id)
            .select_from(docs.join(q, sa.true()))
            .where(vector.bool_op("@@")(q.c.q))
        )
        if criteria.topic_id is not None:
            select = select.where(
                sa.exists().where(
                    article_topics.c.article_id == docs.c.article_id,
                    article_topics.c.topic_id == criteria.topic_id,
                )
            )
        return select, q.c.q

    def count(self, criteria: Criteria, *, cap: int) -> int:
        select, _ = self._matches(criteria)
        return db.session.execute(
            sa.select(sa.func.count()).select_from(select.limit(cap).subquery())
        ).scalar_one()

    def window(
        self, criteria: Criteria, *, cap: int
    ) -> tuple[int, list[tuple[int, float]], list[int] | None]:
        # Counted first: the planner's guess of how many articles match is rough for
        # unknown words and ORs, and a walk back along the primary key for a query with few
        # matches reads the whole table (seconds), where the count uses the GIN index. Then
        # one walk, stopping after `cap` matches, is the title ranking's window and the newest
        # matches at once.
        total = self.count(criteria, cap=cap + 1)
        if total <= cap:
            return total, [], None
        select, q = self._matches(criteria)
        score = sa.case(
            (
                self.title.bool_op("@@")(q),
                sa.func.ts_rank_cd(WEIGHTS, self.title, q),
            ),
        ).label("score")
        rows = db.session.execute(
            select.add_columns(score).order_by(self.docs.c.article_id.desc()).limit(cap)
        ).all()
        titles = [(article_id, float(s)) for article_id, s in rows if s is not None]
        titles.sort(key=lambda hit: (-hit[1], -hit[0]))
        return total, titles, [article_id for article_id, _ in rows]

    def ranked(self, criteria: Criteria, *, limit: int, offset: int) -> list[tuple[int, float]]:
        select, q = self._matches(criteria)
        score = sa.func.ts_rank_cd(WEIGHTS, self.document, q, 1).label("score")
        rows = db.session.execute(
            select.add_columns(score)
            .order_by(score.desc(), self.docs.c.article_id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [(article_id, float(score)) for article_id, score in rows]

    def title_ids(self, criteria: Criteria, *, cap: int) -> set[int]:
        select, _ = self._matches(criteria, title=True)
        return set(db.session.execute(select.limit(cap)).scalars())

    def title_ranked(self, criteria: Criteria, *, cap: int) -> list[tuple[int, float]]:
        # The window is the newest `cap` matches (a walk back along the primary key that stops
        # after `cap`); only those whose title matches are ranked.
        select, q = self._matches(criteria)
        window = (
            select.add_columns(self.title.label("title"), q.label("q"))
            .order_by(self.docs.c.article_id.desc())
            .limit(cap)
            .subquery("window")
        )
        score = sa.func.ts_rank_cd(WEIGHTS, window.c.title, window.c.q).label("score")
        rows = db.session.execute(
            sa.select(window.c.article_id, score)
            .where(window.c.title.bool_op("@@")(window.c.q))
            .order_by(score.desc(), window.c.article_id.desc())
        )
        return [(article_id, float(score)) for article_id, score in rows]

    def newest(self, criteria: Criteria, *, limit: int) -> list[int]:
        select, _ = self._matches(criteria)
        return list(
            db.session.execute(
                select.order_by(self.docs.c.article_id.desc()).limit(limit)
            ).scalars()
        )

    def snippets(
        self, criteria: Criteria, article_ids: list[int], levels: list[ReadingLevel]
    ) -> dict[int, tuple[ReadingLevel, str]]:
        # ts_headline parses and stems its whole text: first only the opening PREFIX
        # characters of the first level (cut at a space, so no word is cut short), where a
        # broad query's words nearly always are; the whole texts only for the rest.
        found = self._prefix_snippets(criteria, article_ids, levels[0])
        rest = [i for i in article_ids if i not in found]
        return found | self._full_snippets(criteria, rest, levels)

    def _prefix_snippets(
        self, criteria: Criteria, article_ids: list[int], level: ReadingLevel
    ) -> dict[int, tuple[ReadingLevel, str]]:
        if not article_ids:
            return {}
        docs, text = self.docs, self.docs.c[level.value]
        q = sa.select(self._tsquery(criteria).label("q")).subquery("query")
        prefix = sa.case(
            (sa.func.length(text) <= PREFIX, text),
            else_=sa.func.regexp_replace(sa.func.left(text, PREFIX + 1), r"\S*$", ""),
        )
        headline = sa.func.ts_headline(self.regconfig, prefix, q.c.q, HEADLINE)
        rows = db.session.execute(
            sa.select(docs.c.article_id, headline, sa.func.left(text, 40), sa.func.right(text, 40))
            .select_from(docs.join(q, sa.true()))
            .where(docs.c.article_id.in_(article_ids))
        )
        return {
            article_id: (level, _ellipses(headline, start, end))
            for article_id, headline, start, end in rows
            if headline and MARK_START in headline
        }

    def _full_snippets(
        self, criteria: Criteria, article_ids: list[int], levels: list[ReadingLevel]
    ) -> dict[int, tuple[ReadingLevel, str]]:
        if not article_ids:
            return {}
        docs, config = self.docs, self.regconfig
        q = sa.select(self._tsquery(criteria).label("q")).subquery("query")
        first = docs.c[levels[0].value]
        headline = sa.func.ts_headline(config, first, q.c.q, HEADLINE).label("headline")
        inner = (
            sa.select(
                docs.c.article_id,
                headline,
                q.c.q,
                *[docs.c[level.value] for level in levels],
            )
            .select_from(docs.join(q, sa.true()))
            .where(docs.c.article_id.in_(article_ids))
            .subquery("first")
        )
        # The other levels' headlines, only where the first has no match (CASE is lazy).
        found = sa.func.strpos(inner.c.headline, MARK_START) > 0
        others = [
            sa.case(
                (found, None),
                else_=sa.func.ts_headline(config, inner.c[level.value], inner.c.q, HEADLINE),
            )
            for level in levels[1:]
        ]
        ends = [
            f(inner.c[level.value], 40) for level in levels for f in (sa.func.left, sa.func.right)
        ]
        rows = db.session.execute(sa.select(inner.c.article_id, inner.c.headline, *others, *ends))
        result = {}
        for article_id, *values in rows:
            headlines, ends_ = values[: len(levels)], values[len(levels) :]
            chosen = next((i for i, h in enumerate(headlines) if h and MARK_START in h), 0)
            start, end = ends_[2 * chosen], ends_[2 * chosen + 1]
            result[article_id] = (levels[chosen], _ellipses(headlines[chosen], start, end))
        return result

    def tidy_after_bulk(self) -> None:
        # GIN queues bulk inserts in a pending list that every query must scan until vacuum
        # merges it; merge it now, and give the planner statistics for the new rows.
        table = self.docs.name
        for index in (f"ix_{table}_document", f"ix_{table}_title"):
            db.session.execute(sa.text(f"SELECT gin_clean_pending_list('{index}'::regclass)"))
        db.session.execute(sa.text(f"ANALYZE {table}"))


def _ellipses(headline: str, start: str, end: str) -> str:
    """Mark with … a headline that begins or ends inside the text, as FTS5's snippet does."""
    plain = " ".join(headline.replace(MARK_START, "").replace(MARK_END, "").split())
    if not plain.startswith(" ".join(start.split())[:20]):
        headline = "…" + headline
    if not plain.endswith(" ".join(end.split())[-20:]):
        headline += "…"
    return headline
