"""SQLite: FTS5 with Porter stemming, ranked by bm25 with heavier question and heading columns.

`search_index` is an external-content FTS5 table over `search_documents` (the migration creates
both, and triggers that keep the index in step with every insert, update and delete of a row).
External content rather than contentless: FTS5's `snippet()` needs the text, which then lives
once, in the table PostgreSQL uses too, and the index holds only the inverted lists.

Spanish (`search_index_es` over `search_documents_es`): the same, except that FTS5 indexes the
row's `stems` (services.search.spanish), one stem per word of the real text, and queries are
stemmed alike; `snippet()` marks the real text's words at the matched positions.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from extensions import db
from models import ReadingLevel
from services.search.engine import MARK_END, MARK_START, Criteria, Engine
from services.search.query import fts5_expression

# bm25 weights, in the table's column order: question, headings, plain, standard, clinical,
# reference titles. A word in the question counts twenty times one in the body, in a heading
# ten times. The three levels share one weight: where a level falls back to another's wording,
# the same text is in two columns, and should not count double.
WEIGHTS = "20.0, 10.0, 0.34, 0.33, 0.33, 0.5"
COLUMN = {ReadingLevel.PLAIN: 2, ReadingLevel.STANDARD: 3, ReadingLevel.CLINICAL: 4}
TITLE_COLUMNS = ("question", "headings")
SNIPPET_TOKENS = 32


class SQLiteEngine(Engine):
    """`fts` is the FTS5 table; `word` turns a query's word into what it indexes (for Spanish,
    whose table indexes stems: services.search.spanish), if given."""

    def __init__(self, fts: str = "search_index", word: Callable[[str], str] | None = None):
        self.fts, self.word = fts, word
        self.bm25 = f"bm25({fts}, {WEIGHTS})"

    def _where(self, criteria: Criteria, *, columns: tuple[str, ...] = ()) -> tuple[str, dict]:
        # CROSS JOIN keeps FTS5 as the outer loop: the topic is checked per match by primary
        # key, never by asking FTS5 for one rowid at a time.
        sql = f"FROM {self.fts}"
        params: dict = {
            "expression": fts5_expression(
                criteria.query, any_clause=criteria.any_clause, columns=columns, word=self.word
            )
        }
        if criteria.topic_id is not None:
            sql += (
                f" CROSS JOIN article_topics AS topic ON topic.article_id = {self.fts}.rowid"
                " AND topic.topic_id = :topic_id"
            )
            params["topic_id"] = criteria.topic_id
        return sql + f" WHERE {self.fts} MATCH :expression", params

    def count(self, criteria: Criteria, *, cap: int) -> int:
        where, params = self._where(criteria)
        return db.session.execute(
            sa.text(f"SELECT count(*) FROM (SELECT {self.fts}.rowid {where} LIMIT :cap)"),
            {**params, "cap": cap},
        ).scalar_one()

    def ranked(self, criteria: Criteria, *, limit: int, offset: int) -> list[tuple[int, float]]:
        where, params = self._where(criteria)
        rows = db.session.execute(
            sa.text(
                f"SELECT {self.fts}.rowid, {self.bm25} AS score {where}"
                f" ORDER BY score, {self.fts}.rowid DESC LIMIT :limit OFFSET :offset"
            ),
            {**params, "limit": limit, "offset": offset},
        )
        return [(article_id, -score) for article_id, score in rows]

    def title_ids(self, criteria: Criteria, *, cap: int) -> set[int]:
        where, params = self._where(criteria, columns=TITLE_COLUMNS)
        rows = db.session.execute(
            sa.text(f"SELECT {self.fts}.rowid {where} LIMIT :cap"), {**params, "cap": cap}
        )
        return set(rows.scalars())

    def title_ranked(self, criteria: Criteria, *, cap: int) -> list[tuple[int, float]]:
        # The window is the newest `cap` matches: finding its oldest reads `cap` entries of the
        # words' lists, where the newest `cap` title matches could mean reading all of them
        # (words every article uses, but few questions). A rowid range, not a list: FTS5
        # seeks to it, and ranks only what lies inside.
        where, params = self._where(criteria)
        cutoff = db.session.execute(
            sa.text(
                f"SELECT {self.fts}.rowid {where}"
                f" ORDER BY {self.fts}.rowid DESC LIMIT 1 OFFSET :skip"
            ),
            {**params, "skip": cap - 1},
        ).scalar()
        where, params = self._where(criteria, columns=TITLE_COLUMNS)
        rows = db.session.execute(
            sa.text(
                f"SELECT {self.fts}.rowid, {self.bm25} AS score {where}"
                f" AND {self.fts}.rowid >= :cutoff"
                f" ORDER BY score, {self.fts}.rowid DESC LIMIT :cap"
            ),
            {**params, "cutoff": cutoff or 0, "cap": cap},
        )
        return [(article_id, -score) for article_id, score in rows]

    def newest(self, criteria: Criteria, *, limit: int) -> list[int]:
        where, params = self._where(criteria)
        return list(
            db.session.execute(
                sa.text(
                    f"SELECT {self.fts}.rowid {where} ORDER BY {self.fts}.rowid DESC LIMIT :limit"
                ),
                {**params, "limit": limit},
            ).scalars()
        )

    def snippets(
        self, criteria: Criteria, article_ids: list[int], levels: list[ReadingLevel]
    ) -> dict[int, tuple[ReadingLevel, str]]:
        # The first level alone, then the others only where it has no match: snippet()
        # tokenizes the whole column, and the first level nearly always has a match.
        first = self._excerpts(criteria, article_ids, levels[:1])
        found = {article_id: (levels[0], texts[0]) for article_id, texts in first.items()}
        unmatched = [i for i, (_level, text) in found.items() if MARK_START not in text]
        if unmatched and len(levels) > 1:
            for article_id, texts in self._excerpts(criteria, unmatched, levels[1:]).items():
                matched = [
                    (lv, t) for lv, t in zip(levels[1:], texts, strict=True) if MARK_START in t
                ]
                if matched:
                    found[article_id] = matched[0]
        return found

    def _excerpts(
        self, criteria: Criteria, article_ids: list[int], levels: list[ReadingLevel]
    ) -> dict[int, list[str]]:
        if not article_ids:
            return {}
        where, params = self._where(Criteria(criteria.query, criteria.any_clause))
        columns = ", ".join(
            f"snippet({self.fts}, {COLUMN[level]}, '{MARK_START}', '{MARK_END}', '…', "
            f"{SNIPPET_TOKENS})"
            for level in levels
        )
        rows = db.session.execute(
            sa.text(
                f"SELECT {self.fts}.rowid, {columns} {where} AND {self.fts}.rowid IN :ids"
            ).bindparams(sa.bindparam("ids", expanding=True)),
            {**params, "ids": article_ids},
        )
        return {article_id: texts for article_id, *texts in rows}

    def tidy_after_bulk(self) -> None:
        # Merge the many b-trees a bulk load leaves into one, as FTS5's docs advise.
        db.session.execute(sa.text(f"INSERT INTO {self.fts}({self.fts}) VALUES ('optimize')"))
