"""What the index holds for an article: its public revision as plain text, per reading level
and per language (English, and Spanish as a Spanish page shows it)."""

from __future__ import annotations

import unicodedata
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
from services.search.spanish import stemmed_text

BATCH = 1_000  # articles read and written at a time by the bulk paths
# Languages with an index of their own besides English (each needs its engine's stemming:
# services.search.spanish, PostgreSQL's spanish_unaccent configuration).
TRANSLATED = ("es",)
TEXT_COLUMNS = ("question", "headings", "plain", "standard", "clinical", "reference_titles")
NOT_INDEXED = frozenset({SectionKind.QUESTIONS})


@dataclass
class SectionText:
    kind: SectionKind
    heading: str
    position: int
    bodies: dict[ReadingLevel, str] = field(default_factory=dict)  # the English wording
    headings: dict[str, str] = field(default_factory=dict)  # the heading in other languages
    # The wording in other languages, by language code and level.
    translations: dict[str, dict[ReadingLevel, str]] = field(default_factory=dict)


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


def for_revision(conn: Connection, article_id: int, revision: Revision) -> dict[str, dict]:
    """The index rows for one revision (saved, at least flushed), by language: two queries."""
    articles = [(article_id, revision.id, revision.question, revision.question_translations)]
    return {language: rows[0] for language, rows in _rows(conn, articles, titles=None).items()}


def public_rows(
    conn: Connection, *, first_id: int | None = None, last_id: int | None = None
) -> Iterator[dict[str, list[dict]]]:
    """Index rows for every public article (with an id in the range, if given), in batches,
    by language.

    Plain Core reads, a batch of articles at a time: two queries per thousand articles.
    """
    titles = dict(conn.execute(sa.select(Reference.key, Reference.title)).all())
    after = (first_id - 1) if first_id is not None else None
    while True:
        query = (
            sa.select(
                Article.id,
                Article.public_revision_id,
                Revision.question,
                Revision.question_translations,
            )
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


def in_language(section: SectionText, language: str) -> SectionText:
    """The section as a page in `language` shows it: per level, that language's wording with
    the level fallback within it, else the English one (the page's fallback), so a reader of
    that language finds every article, in the words their page shows."""
    own = section.translations.get(language, {})
    bodies = {}
    for level in ReadingLevel:
        chosen = choose_level(own, level)
        if chosen is not None:
            bodies[level] = own[chosen]
        elif (english := choose_level(section.bodies, level)) is not None:
            bodies[level] = section.bodies[english]
    heading = section.headings.get(language) or section.heading
    return SectionText(section.kind, heading, section.position, bodies)


def translated(row: dict, *, stems: bool) -> dict:
    """A Spanish index row: text NFC-normalised (one code point per accented letter, as the
    stems expect), and on SQLite the stems of each text column (services.search.spanish)."""
    for column in TEXT_COLUMNS:
        row[column] = unicodedata.normalize("NFC", row[column])
    row["stems"] = {c: stemmed_text(row[c]) for c in TEXT_COLUMNS} if stems else None
    return row


def _rows(
    conn: Connection,
    articles: list[tuple[int, int, str, dict | None]],
    titles: Mapping[str, str] | None,
) -> dict[str, list[dict]]:
    """Rows by language for (article id, revision id, question, its translations) tuples;
    `titles` None: look them up."""
    revision_ids = [revision_id for _, revision_id, _, _ in articles]
    sections: dict[int, dict[int, SectionText]] = {r: {} for r in revision_ids}
    for (
        revision_id,
        section_id,
        kind,
        heading,
        headings,
        position,
        language,
        level,
        body,
    ) in conn.execute(
        sa.select(
            Section.revision_id,
            Section.id,
            Section.kind,
            Section.heading,
            Section.heading_translations,
            Section.position,
            SectionVariant.language,
            SectionVariant.level,
            SectionVariant.body,
        )
        .join(SectionVariant, SectionVariant.section_id == Section.id)
        .where(
            Section.revision_id.in_(revision_ids),
            SectionVariant.language.in_([SOURCE_LANGUAGE, *TRANSLATED]),
        )
    ):
        section = sections[revision_id].setdefault(
            section_id, SectionText(kind, heading, position, headings=headings or {})
        )
        if language == SOURCE_LANGUAGE:
            section.bodies[level] = body
        else:
            section.translations.setdefault(language, {})[level] = body
    if titles is None:
        keys = {
            key
            for by_id in sections.values()
            for section in by_id.values()
            for bodies in (section.bodies, *section.translations.values())
            for body in bodies.values()
            for key in citation_keys(body)
        }
        titles = dict(
            conn.execute(
                sa.select(Reference.key, Reference.title).where(Reference.key.in_(keys))
            ).all()
        )
    rows: dict[str, list[dict]] = {
        SOURCE_LANGUAGE: [
            build(article_id, revision_id, question, sections[revision_id].values(), titles)
            for article_id, revision_id, question, _ in articles
        ]
    }
    stems = conn.dialect.name == "sqlite"
    for language in TRANSLATED:
        rows[language] = [
            translated(
                build(
                    article_id,
                    revision_id,
                    (questions or {}).get(language) or question,
                    [in_language(s, language) for s in sections[revision_id].values()],
                    titles,
                ),
                stems=stems,
            )
            for article_id, revision_id, question, questions in articles
        ]
    return rows
