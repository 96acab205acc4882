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
from services.validation import like_contains

MAX_WORDS = 8
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


def matching_ids(text: str) -> sa.Select | sa.TextualSelect | None:
    """Ids of the articles that hold every word of `text`, as a subquery; None for no words."""
    long, short = split_words(text)
    if not long and not short:
        return None
    prefixes = _prefixes(short)
    if prefixes is None:
        return sa.select(sa.literal(0)).where(sa.false())
    if db.session.get_bind().dialect.name == "postgresql":
        return _postgres(long, prefixes)
    return _sqlite(long, prefixes)


def _sqlite(long: list[str], prefixes: list[str]):
    parts, params = [], {}
    if long:
        parts.append("SELECT rowid FROM search_index_staff WHERE search_index_staff MATCH :subs")
        params["subs"] = " AND ".join(_quoted(w) for w in long)
    if prefixes:
        parts.append(
            "SELECT rowid FROM search_index_staff_words"
            " WHERE search_index_staff_words MATCH :starts"
        )
        params["starts"] = " AND ".join(_quoted(p) + "*" for p in prefixes)
    return sa.text(" INTERSECT ".join(parts)).bindparams(**params).columns(rowid=sa.Integer)


_index = sa.table("search_index_staff", sa.column("article_id"), sa.column("text"))


def _postgres(long: list[str], prefixes: list[str]) -> sa.Select:
    conditions = [_index.c.text.ilike(like_contains(w), escape="\\") for w in long]
    if prefixes:
        query = " & ".join(f"{p}:*" for p in prefixes)
        conditions.append(
            sa.func.to_tsvector(sa.literal_column("'simple'"), _index.c.text).op("@@")(
                sa.func.to_tsquery(sa.literal_column("'simple'"), query)
            )
        )
    return sa.select(_index.c.article_id).where(*conditions)
