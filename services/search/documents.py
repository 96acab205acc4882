"""What the index holds for an article: its public revision as plain text, per reading level."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models import (
    SOURCE_LANGUAGE,
    Article,
    ReadingLevel,
    Reference,
    Revision,
    Section,
    SectionKind,
    SectionVariant,
)
from services.reading.markdown import citation_keys
from services.reading.personalization import choose_level
from services.reading.plaintext import plain_outline

BATCH = 1_000  # articles read and written at a time by the bulk paths
NOT_INDEXED = frozenset({SectionKind.QUESTIONS})


@dataclass
class SectionText:
    kind: SectionKind
    heading: str
    position: int
    bodies: dict[ReadingLevel, str] = field(default_factory=dict)


@lru_cache(maxsize=1024)
def _outline(body: str) -> tuple[tuple[str, ...], str]:
    """Sub-headings and plain text of a body; cached because bulk loads repeat bodies."""
    headings, blocks = plain_outline(body)
    return tuple(headings), "\n".join(blocks)


def build(
    article_id: int,
    revision_id: int,
    question: str,
    sections: Iterable[SectionText],
    titles: Mapping[str, str],
) -> dict:
    """The index row for a revision; `titles` maps citation keys to reference titles."""
    # Readers see the short answer first, then the sections in order. The questions to ask
    # the care team are left out: the same few questions ("Is there a clinical trial that
    # fits my situation?") would match every article that has them and be quoted in excerpts
    # as if they were what the article says.
    ordered = sorted(
        (s for s in sections if s.kind not in NOT_INDEXED),
        key=lambda s: (s.kind != SectionKind.SUMMARY, s.position),
    )
    headings: dict[str, None] = {}
    keys: dict[str, None] = {}
    for section in ordered:
        if section.kind != SectionKind.SUMMARY:
            headings[section.heading] = None
        for body in (section.bodies[lv] for lv in ReadingLevel if lv in section.bodies):
            headings.update(dict.fromkeys(_outline(body)[0]))
            keys.update(dict.fromkeys(citation_keys(body)))
    row = {
        "article_id": article_id,
        "revision_id": revision_id,
        "question": question,
        "headings": "\n".join(headings),
        "reference_titles": "\n".join(titles[k] for k in keys if k in titles),
    }
    for level in ReadingLevel:
        texts = []
        for section in ordered:
            chosen = choose_level(section.bodies, level)
            if chosen is not None:
                texts.append(_outline(section.bodies[chosen])[1])
        row[level.value] = "\n".join(texts)
    return row


def for_revision(conn: Connection, article_id: int, revision: Revision) -> dict:
    """The index row for one revision (saved, at least flushed): two queries."""
    return _rows(conn, [(article_id, revision.id, revision.question)], titles=None)[0]


def public_rows(
    conn: Connection, *, first_id: int | None = None, last_id: int | None = None
) -> Iterator[list[dict]]:
    """Index rows for every public article (with an id in the range, if given), in batches.

    Plain Core reads, a batch of articles at a time: two queries per thousand articles.
    """
    titles = dict(conn.execute(sa.select(Reference.key, Reference.title)).all())
    after = (first_id - 1) if first_id is not None else None
    while True:
        query = (
            sa.select(Article.id, Article.public_revision_id, Revision.question)
            .join(Revision, Revision.id == Article.public_revision_id)
            .order_by(Article.id)
            .limit(BATCH)
        )
        if after is not None:
            query = query.where(Article.id > after)
        if last_id is not None:
            query = query.where(Article.id <= last_id)
        articles = [tuple(row) for row in conn.execute(query)]
        if not articles:
            return
        yield _rows(conn, articles, titles)
        after = articles[-1][0]


def _rows(
    conn: Connection, articles: list[tuple[int, int, str]], titles: Mapping[str, str] | None
) -> list[dict]:
    """Rows for (article id, revision id, question) triples; `titles` None: look them up."""
    revision_ids = [revision_id for _, revision_id, _ in articles]
    sections: dict[int, dict[int, SectionText]] = {r: {} for r in revision_ids}
    for revision_id, section_id, kind, heading, position, level, body in conn.execute(
        sa.select(
            Section.revision_id,
            Section.id,
            Section.kind,
            Section.heading,
            Section.position,
            SectionVariant.level,
            SectionVariant.body,
        )
        .join(SectionVariant, SectionVariant.section_id == Section.id)
        # English wording only: translations are indexed by language (issue 16), not here.
        .where(Section.revision_id.in_(revision_ids), SectionVariant.language == SOURCE_LANGUAGE)
    ):
        section = sections[revision_id].setdefault(section_id, SectionText(kind, heading, position))
        section.bodies[level] = body
    if titles is None:
        keys = {
            key
            for by_id in sections.values()
            for section in by_id.values()
            for body in section.bodies.values()
            for key in citation_keys(body)
        }
        titles = dict(
            conn.execute(
                sa.select(Reference.key, Reference.title).where(Reference.key.in_(keys))
            ).all()
        )
    return [
        build(article_id, revision_id, question, sections[revision_id].values(), titles)
        for article_id, revision_id, question in articles
    ]
