"""The editor's view of one language other than English: ease per wording against that
language's targets, and what English each saved translation follows (the "based on English
revision N" marker, with "the English has changed since" when it lags)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from extensions import db
from models import SOURCE_LANGUAGE, Language, ReadabilityTarget, ReadingLevel, Revision
from services.editorial.checks import readability_targets
from services.editorial.translations import lags
from services.reading.readability import ease_label

LEVEL_ORDER = [ReadingLevel.CLINICAL, ReadingLevel.STANDARD, ReadingLevel.PLAIN]


def translation_languages() -> list[Language]:
    """Every language but English, in order: enabled or not (translators work ahead)."""
    return list(
        db.session.scalars(
            sa.select(Language)
            .where(Language.code != SOURCE_LANGUAGE)
            .order_by(Language.position, Language.code)
        )
    )


@dataclass(frozen=True)
class EaseCell:
    """One translation's measured ease beside its target (None: no target at that level)."""

    ease: float | None
    word_count: int
    target: ReadabilityTarget | None

    @property
    def misses(self) -> bool:
        return self.target is not None and self.target.misses(self.ease)

    @property
    def band(self) -> str:
        return ease_label(self.ease) if self.ease is not None else ""


@dataclass
class EaseRow:
    heading: str
    cells: dict[ReadingLevel, EaseCell | None]


def ease_rows(revision: Revision, language: str) -> list[EaseRow]:
    """Each section's wording in `language`, its ease against that language's targets."""
    targets = readability_targets()
    rows = []
    for section in revision.sections:
        by_level = {w.level: w for w in section.translations if w.language == language}
        cells: dict[ReadingLevel, EaseCell | None] = {}
        for level in LEVEL_ORDER:
            wording = by_level.get(level)
            cells[level] = (
                EaseCell(wording.reading_ease, wording.word_count, targets.get((language, level)))
                if wording is not None
                else None
            )
        heading = (section.heading_translations or {}).get(language) or section.heading
        rows.append(EaseRow(heading, cells))
    return rows


def level_targets(language: str) -> dict[ReadingLevel, ReadabilityTarget]:
    return {level: t for (code, level), t in readability_targets().items() if code == language}


@dataclass(frozen=True)
class Marker:
    """What a saved translation follows: the English of revision `source_number`; `lags` when
    the saved revision's English changed since. `body` is its saved text: the marker holds for
    the text on screen only while it is unchanged."""

    position: int
    level: ReadingLevel
    source_number: int | None
    lags: bool
    body: str


def markers(latest: Revision | None, language: str) -> dict[tuple[int, str], Marker]:
    """The saved revision's translations in `language`, by (section position, level value)."""
    if latest is None:
        return {}
    found = {}
    for section in latest.sections:
        for wording in section.translations:
            if wording.language != language:
                continue
            source = wording.source_revision
            found[(section.position, wording.level.value)] = Marker(
                section.position,
                wording.level,
                source.number if source is not None else None,
                lags(section, wording),
                wording.body,
            )
    return found


def language_names() -> dict[str, str]:
    """Every language's English name by code, for staff screens."""
    return dict(db.session.execute(sa.select(Language.code, Language.english_name)).all())
