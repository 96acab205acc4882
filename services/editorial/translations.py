"""Translations: wording in other languages, each recording the English wording it translates.

A translation (a `SectionVariant` whose language is not the source language) names the revision
whose English it translates and a digest of that English text, at the same section and level
(`source_revision_id`, `source_digest`). A revision's translation lags when this revision's
English digests differently: the English moved on and the translation has not followed.

At save (services.editorial.revisions): a translation whose text is unchanged from the revision
saved before (or the one being restored) keeps its source; a new or changed text translates the
English of the revision being saved; `mark_still_current` re-points a translation at the current
English without changing its words, as a new revision (revisions are immutable) and audited.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from extensions import db
from models import (
    SOURCE_LANGUAGE,
    Article,
    Language,
    ReadingLevel,
    Revision,
    Section,
    SectionVariant,
    Topic,
    User,
)
from services.errors import Conflict, DomainError
from services.reading.personalization import choose_level
from services.staff import audit


def english_digest(body: str) -> str:
    """A digest of an English wording: what a translation records, and lag compares."""
    return hashlib.blake2b(body.encode(), digest_size=16).hexdigest()


def english_for(section: Section, level: ReadingLevel) -> SectionVariant | None:
    """The English wording a translation at `level` follows: the same level, else the one an
    English reader at that level would be shown (the nearest more technical)."""
    by_level = {v.level: v for v in section.variants}
    chosen = choose_level(by_level, level)
    return by_level[chosen] if chosen else None


def digest_of_english(section: Section, level: ReadingLevel) -> str | None:
    english = english_for(section, level)
    return english_digest(english.body) if english is not None else None


def lags(section: Section, wording: SectionVariant) -> bool:
    """Whether this translation follows English older than its section's English now."""
    if wording.language == SOURCE_LANGUAGE or wording.source_digest is None:
        return False
    return digest_of_english(section, wording.level) != wording.source_digest


def translation_languages() -> set[str]:
    """The codes a wording may be written in besides English (any language row, enabled or not:
    translators work ahead of a language's launch)."""
    return set(db.session.scalars(sa.select(Language.code))) - {SOURCE_LANGUAGE}


def check_languages(codes: set[str]) -> None:
    """:raises DomainError: a translation names a language Vetted does not have."""
    unknown = codes - translation_languages()
    if unknown:
        raise DomainError(f"No such language for a translation: {', '.join(sorted(unknown))}.")


def _candidates(previous: list[Revision]) -> dict[tuple[str, ReadingLevel, str], list]:
    """Earlier translations by (language, level, text), each with its section's position."""
    found: dict[tuple[str, ReadingLevel, str], list] = {}
    for revision in previous:
        for section in revision.sections:
            for wording in section.translations:
                key = (wording.language, wording.level, wording.body)
                found.setdefault(key, []).append((section.position, wording))
    return found


def assign_sources(
    revision: Revision,
    previous: list[Revision],
    confirmed: dict[int, frozenset[tuple[str, ReadingLevel]]],
) -> None:
    """Record what English each of a new revision's translations translates.

    `previous`: revisions whose unchanged translations keep their source (the one saved before,
    then any being restored); `confirmed`: by section position, the (language, level) wordings
    an editor marked as still current, which translate this revision's English whatever came
    before.
    """
    earlier = _candidates([r for r in previous if r is not None])
    for section in revision.sections:
        for wording in section.translations:
            key = (wording.language, wording.level, wording.body)
            matches = [] if key[:2] in confirmed.get(section.position, ()) else earlier.get(key, [])
            # The same text in the same place first; else wherever it was (sections move).
            match = min(matches, key=lambda m: m[0] != section.position, default=None)
            if match is not None and match[1].source_digest is not None:
                wording.source_revision_id = match[1].source_revision_id
                wording.source_digest = match[1].source_digest
            else:
                wording.source_revision = revision
                wording.source_digest = digest_of_english(section, wording.level)
            wording.lags = lags(section, wording)


def mark_still_current(
    article: Article,
    *,
    actor: User,
    position: int,
    language: str,
    level: ReadingLevel,
    based_on_id: int | None,
) -> Revision:
    """Say a translation still fits the current English (an English edit that needed no change
    in it): a new draft revision, the same text throughout, in which that translation records
    the current English as its source. It goes through review like any other revision.

    :raises DomainError: the latest revision has no such translation, or it already follows
        the current English.
    :raises Conflict, NotPermitted: as `save_revision`.
    """
    from services.editorial.revisions import inputs_from, save_revision

    latest = article.latest_revision
    if latest is not None and based_on_id != latest.id:
        raise Conflict(
            f"Revision {latest.number} was saved after you looked: check its translations.",
            latest=latest,
            base_id=based_on_id,
        )
    section = next((s for s in latest.sections if s.position == position), None) if latest else None
    wording = None
    if section is not None and language != SOURCE_LANGUAGE:
        wording = next((w for w in section.wordings(language) if w.level == level), None)
    if wording is None:
        raise DomainError("This section has no such translation to mark.")
    if not lags(section, wording):
        raise DomainError("This translation already follows the current English.")
    sections = inputs_from(latest)
    sections[position].confirmed = frozenset({(language, level)})
    revision = save_revision(
        article,
        author=actor,
        question=latest.question,
        question_translations=latest.question_translations,
        sections=sections,
        change_note=f"Translation ({language}, {level.value}) of “{section.heading}” still current",
        based_on_id=based_on_id,
        topics=_topics(latest),
        next_review_on=latest.next_review_on,
    )
    audit.record(
        "translation.still_current",
        actor=actor,
        target=revision,
        changes={
            "section": section.heading,
            "language": language,
            "level": level.value,
            "was_based_on_revision": wording.source_revision.number
            if wording.source_revision
            else None,
            "number": revision.number,
        },
    )
    return revision


def _topics(revision: Revision) -> list[Topic] | None:
    if revision.topic_ids is None:
        return None
    return list(db.session.scalars(sa.select(Topic).where(Topic.id.in_(revision.topic_ids))))
