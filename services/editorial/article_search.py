"""Staff article search: which articles, drafts included, hold every word staff typed.

The index (migration d5e8f3a1c7b2, kept in step by triggers on `articles`) holds each article's
address, question and latest revision's question. A word of three characters or more matches
anywhere in that text, case-insensitively ("ponat" finds ponatinib, "04217" an address): a
trigram index (SQLite FTS5's trigram tokenizer, PostgreSQL's pg_trgm). A word of one or two
characters matches the start of a word ("cm" finds CML, "b" B-cell): trigrams cannot look up
something shorter than a trigram, and a substring of two letters would match most articles,
so those use a prefix index instead (FTS5 prefix indexes; PostgreSQL `to_tsvector` GIN).
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from extensions import db
from models import Article
from services.validation import like_contains

MAX_WORDS = 8
LOOKUP_CAP = 1_000  # PostgreSQL: matches read from the index before walking the list instead
# PostgreSQL: above this many matches by the planner's estimate (pg_trgm's statistics), a search
# is common beyond doubt, and the list is walked without reading LOOKUP_CAP matches first.
SURELY_COMMON = 5 * LOOKUP_CAP // 2  # estimates from a sample can be out by a third or more
SUBSTRING_FROM = 3  # characters: shorter words match the start of a word
_WORD_CHARACTERS = re.compile(r"\w+")


def split_words(text: str) -> tuple[list[str], list[str]]:
    """(words matched anywhere, words matched at the start of a word) in `text`."""
    words = text.split()[:MAX_WORDS]
    return (
        [w for w in words if len(w) >= SUBSTRING_FROM],
        [w for w in words if len(w) < SUBSTRING_FROM],
    )


def _prefixes(short: list[str]) -> list[str] | None:
    """The word starts to look up (lowercase letters and digits); None if a short word holds
    none, which then matches nothing (as its substring search did, bar punctuation)."""
    found = []
    for word in short:
        pieces = _WORD_CHARACTERS.findall(word.lower())
        if not pieces:
            return None
        found += pieces
    return found


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def select_matching(latest, text: str) -> tuple[sa.Select, int] | None:
    """The staff list's statement (articles, from their `latest` revisions) for the articles
    that hold every word of `text`, newest saved first (the latest revision's id); None when
    `text` holds no words. Callers add their filters. With it, how many articles match (0: not
    looked up; above LOOKUP_CAP: at least that many), so a caller need not count them again.

    SQLite reads the list's page straight from FTS5 in rowid (latest revision id) order and
    stops at the LIMIT; PostgreSQL joins the trigram-indexed table and its planner chooses
    between the index (a rare word) and the list's own order (a common one)."""
    long, short = split_words(text)
    if not long and not short:
        return None
    prefixes = _prefixes(short)
    if prefixes is None:
        return _listing(latest, latest).where(sa.false()).order_by(latest.id.desc()), 0
    if db.session.get_bind().dialect.name == "postgresql":
        return _postgres(latest, long, prefixes)
    return _sqlite(latest, long, prefixes), 0


def _listing(source, latest) -> sa.Select:
    return (
        sa.select(Article)
        .select_from(source)
        .join(Article, Article.latest_revision_id == latest.id)
    )


_substrings = sa.table("search_index_staff", sa.column("rowid"))
_words = sa.table("search_index_staff_words", sa.column("rowid"))


def _sqlite(latest, long: list[str], prefixes: list[str]) -> sa.Select:
    """FTS5 drives: the matches of every long word (else of the short ones), newest first, each
    one a lookup by primary key."""
    if long:
        driver, table = _substrings, "search_index_staff"
        match = " AND ".join(_quoted(w) for w in long)
    else:
        driver, table = _words, "search_index_staff_words"
        match, prefixes = _prefix_query(prefixes), []
    source = sa.join(driver, latest, latest.id == driver.c.rowid)
    stmt = (
        _listing(source, latest)
        .where(sa.text(f"{table} MATCH :match").bindparams(match=match))
        .order_by(driver.c.rowid.desc())
    )
    if prefixes:  # short words beside long ones: their matches as a set
        words = sa.text(
            "SELECT rowid FROM search_index_staff_words"
            " WHERE search_index_staff_words MATCH :starts"
        )
        stmt = stmt.where(
            latest.id.in_(
                words.bindparams(starts=_prefix_query(prefixes)).columns(rowid=sa.Integer)
            )
        )
    return stmt


def _prefix_query(prefixes: list[str]) -> str:
    return " AND ".join(_quoted(p) + "*" for p in prefixes)


_index = sa.table(
    "search_index_staff", sa.column("article_id"), sa.column("text"), sa.column("words")
)


def _postgres(latest, long: list[str], prefixes: list[str]) -> tuple[sa.Select, int]:
    """Up to LOOKUP_CAP + 1 matches from the index alone first: a rare word (the usual search)
    gives the whole set, and the page sorts those few; a common one gives up the set, and the
    page walks the list's own order, where matches come often, checking each row.

    Reading those LOOKUP_CAP + 1 matches is most of a common word's cost (a scan of thousands
    of rows, whichever way), so when the planner already expects SURELY_COMMON matches the list
    is walked at once and said to hold more than LOOKUP_CAP (the count is capped anyway)."""
    conditions = [_index.c.text.ilike(like_contains(w), escape="\\") for w in long]
    if prefixes:
        query = " & ".join(f"{p}:*" for p in prefixes)
        conditions.append(
            _index.c.words.op("@@")(sa.func.to_tsquery(sa.literal_column("'simple'"), query))
        )
    stmt = _listing(latest, latest).order_by(latest.id.desc())
    walk = stmt.join(_index, _index.c.article_id == Article.id).where(*conditions)
    if _expected(conditions) > SURELY_COMMON:
        return walk, LOOKUP_CAP + 1
    found = list(
        db.session.scalars(sa.select(_index.c.article_id).where(*conditions).limit(LOOKUP_CAP + 1))
    )
    if len(found) <= LOOKUP_CAP:
        return stmt.where(Article.id.in_(found)), len(found)
    return walk, len(found)


def _expected(conditions: list) -> int:
    """The planner's estimate of the rows matching `conditions` (EXPLAIN: nothing is read)."""
    probe = sa.select(_index.c.article_id).where(*conditions)
    compiled = probe.compile(db.session.get_bind())
    explain = "EXPLAIN (FORMAT JSON) " + str(compiled)
    plan = db.session.connection().exec_driver_sql(explain, compiled.params).scalar()
    return int(plan[0]["Plan"]["Plan Rows"])
