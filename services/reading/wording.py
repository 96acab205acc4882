"""Which wording a page in a given language shows, and whether its translation lags.

A page in another language than English shows, per section, that language's wording at the
reader's level with the usual level fallback (plain → standard → clinical) within the language;
a section with no wording in it shows the English one under a notice (never a machine
translation). A translation records the English it translates (services.editorial.translations):
when the English shown beside it at the same level has changed since, the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from extensions import db
from models import SOURCE_LANGUAGE, ReadingLevel, Revision, Section, SectionVariant
from services.editorial.translations import lags
from services.reading.personalization import choose_level, choose_variant, shown_at


def choose_wording(section: Section, level: ReadingLevel, language: str) -> SectionVariant | None:
    """The wording a reader at `level` of a page in `language` gets: the language's own at that
    level or the nearest more technical one, else the English one (`choose_variant`); None when
    the section is not for readers at `level`."""
    if language != SOURCE_LANGUAGE and shown_at(section.kind, level):
        by_level = {w.level: w for w in section.wordings(language)}
        chosen = choose_level(by_level, level)
        if chosen is not None:
            return by_level[chosen]
    return choose_variant(section, level)


@dataclass(frozen=True)
class Lag:
    """A translation that follows an older English wording than the one this revision has."""

    english_updated: date  # when the English readers see was written (reviewed, if it was)
    translation_of: date  # the date of the English version the translation follows
    level: ReadingLevel  # the English section's level, for the link to it


def _edition_date(revision: Revision) -> date:
    return (revision.reviewed_at or revision.created_at).date()


def lags_in(revision: Revision, chosen: list[tuple[Section, SectionVariant]]) -> dict[int, Lag]:
    """By section id, the translations shown whose English has moved on: one query for the
    dates of the revisions they follow, none when nothing lags."""
    lagging = [
        (section, wording)
        for section, wording in chosen
        if wording.language != SOURCE_LANGUAGE
        and wording.source_revision_id != revision.id
        and lags(section, wording)
    ]
    if not lagging:
        return {}
    ids = {w.source_revision_id for _, w in lagging if w.source_revision_id is not None}
    sources = {r.id: r for r in db.session.scalars(sa.select(Revision).where(Revision.id.in_(ids)))}
    english_updated = _edition_date(revision)
    found = {}
    for section, wording in lagging:
        source = sources.get(wording.source_revision_id)  # type: ignore[arg-type]
        if source is None:  # the revision it followed is gone: no date to give
            continue
        found[section.id] = Lag(english_updated, _edition_date(source), wording.level)
    return found


def reading_ease(wordings: list[SectionVariant]) -> float | None:
    """The ease of what is shown in a language measured by ease, weighted by length."""
    parts = [w for w in wordings if w.reading_ease is not None and w.word_count]
    words = sum(w.word_count for w in parts)
    return sum(w.reading_ease * w.word_count for w in parts) / words if words else None  # type: ignore[operator]
