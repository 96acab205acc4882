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
from sqlalchemy.orm import selectinload

from extensions import db
from models import SOURCE_LANGUAGE, ReadingLevel, ReviewStatus, Revision, Section, SectionVariant
from services.editorial.translations import digest_of_english, lags
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

    english_updated: date  # when readers first saw English this translation does not follow
    translation_of: date  # the date of the English version the translation follows
    level: ReadingLevel  # the English section's level, for the link to it


def _edition_date(revision: Revision) -> date:
    return (revision.reviewed_at or revision.created_at).date()


def lags_in(revision: Revision, chosen: list[tuple[Section, SectionVariant]]) -> dict[int, Lag]:
    """By section id, the translations shown whose English has moved on, none when nothing
    lags (no query); else the revisions they follow and the approvals between (four queries)."""
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
    if not sources:  # the revisions they followed are gone: no date to give
        return {}
    between = _approvals_between(revision, min(r.number for r in sources.values()))
    found = {}
    for section, wording in lagging:
        source = sources.get(wording.source_revision_id)  # type: ignore[arg-type]
        if source is None:
            continue
        later = [r for r in between if r.number > source.number] + [revision]
        found[section.id] = Lag(
            _english_changed_on(section, wording, later), _edition_date(source), wording.level
        )
    return found


def _approvals_between(revision: Revision, after: int) -> list[Revision]:
    """The article's approved revisions after number `after` and before `revision`, oldest
    first, with their English wording."""
    sections = selectinload(Revision.sections)
    return list(
        db.session.scalars(
            sa.select(Revision)
            .where(
                Revision.article_id == revision.article_id,
                Revision.number > after,
                Revision.number < revision.number,
                Revision.status == ReviewStatus.APPROVED,
                Revision.reviewed_at.is_not(None),
            )
            .order_by(Revision.number)
            .options(sections.selectinload(Section.variants))
        )
    )


def _english_changed_on(section: Section, wording: SectionVariant, later: list[Revision]) -> date:
    """The date of the first of `later` (reviewed revisions, then the one shown) whose English
    for this section (same place, same kind) no longer digests as the translation's source:
    when readers first saw the English it does not follow."""
    for candidate in later:
        same = next(
            (
                s
                for s in candidate.sections
                if s.position == section.position and s.kind == section.kind
            ),
            None,
        )
        if same is not None and digest_of_english(same, wording.level) != wording.source_digest:
            return _edition_date(candidate)
    return _edition_date(later[-1])


def reading_ease(wordings: list[SectionVariant]) -> float | None:
    """The ease of what is shown in a language measured by ease, weighted by length."""
    parts = [w for w in wordings if w.reading_ease is not None and w.word_count]
    words = sum(w.word_count for w in parts)
    return sum(w.reading_ease * w.word_count for w in parts) / words if words else None  # type: ignore[operator]
