"""Who is reading: the role chosen in "Which best describes you?" and the level it maps to.

Roles and levels are rows (models/audience.py), loaded once per request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from extensions import db
from models import (
    SOURCE_LANGUAGE,
    Article,
    AudienceRole,
    LevelSetting,
    ReadingLevel,
    Section,
    SectionKind,
    SectionVariant,
)
from services.reading.audience_labels import in_language

DEFAULT_LEVEL = ReadingLevel.CLINICAL  # the seed's content is for healthcare professionals

# Nearest more technical level first; a less technical one only as a last resort.
FALLBACK = {
    ReadingLevel.PLAIN: [ReadingLevel.PLAIN, ReadingLevel.STANDARD, ReadingLevel.CLINICAL],
    ReadingLevel.STANDARD: [ReadingLevel.STANDARD, ReadingLevel.CLINICAL, ReadingLevel.PLAIN],
    ReadingLevel.CLINICAL: [ReadingLevel.CLINICAL, ReadingLevel.STANDARD, ReadingLevel.PLAIN],
}

# Sections written for some readers only. "Questions to ask your care team" is for patients,
# caregivers and students, and nurses and pharmacists who read at the standard level: the page
# is keyed (and cached) by level, not role, so it shows at plain and standard. A clinician, and
# a reader who has not chosen (clinical by default), never sees it: not in clinical wording,
# and not in another level's wording through FALLBACK either.
ONLY_AT: dict[SectionKind, frozenset[ReadingLevel]] = {
    SectionKind.QUESTIONS: frozenset({ReadingLevel.PLAIN, ReadingLevel.STANDARD}),
}


def shown_at(kind: SectionKind, level: ReadingLevel) -> bool:
    """Whether readers at `level` see sections of `kind` at all."""
    levels = ONLY_AT.get(kind)
    return levels is None or level in levels


@dataclass(frozen=True)
class Audiences:
    """Every role, in picker order, and every level's settings."""

    roles: list[AudienceRole]
    levels: dict[ReadingLevel, LevelSetting]

    def role(self, key: str | None) -> AudienceRole | None:
        return next((r for r in self.roles if r.key == key), None)

    def only_role_for(self, level: ReadingLevel) -> AudienceRole | None:
        """The role a level serves when it serves just one (plain: patients); else None."""
        matching = [r for r in self.roles if r.level == level]
        return matching[0] if len(matching) == 1 else None


def load_audiences(language: str = SOURCE_LANGUAGE) -> Audiences:
    """Roles and level settings from the database (two small queries), worded in `language`
    (two more for a language other than English: services/reading/audience_labels.py)."""
    roles = list(db.session.scalars(sa.select(AudienceRole).order_by(AudienceRole.position)))
    levels = {s.level: s for s in db.session.scalars(sa.select(LevelSetting))}
    if language != SOURCE_LANGUAGE:
        roles, levels = in_language(roles, levels, language)
    return Audiences(roles, levels)


@dataclass(frozen=True)
class Audience:
    """The wording a request gets: its level, the role to mark in the picker (None when no role
    or several roles fit), and whether the reader chose it (else: the default, clinical)."""

    role: AudienceRole | None
    level: ReadingLevel
    setting: LevelSetting | None
    chosen: bool = True

    @property
    def announcement(self) -> str:
        """What the live region says after a swap."""
        name = self.setting.audience_name if self.setting else self.level.value
        return f"Showing wording for {name}"


def resolve(
    audiences: Audiences,
    *,
    query_level: str | None = None,
    query_role: str | None = None,
    remembered_role: str | None = None,
) -> Audience:
    """A role picked now wins, then `?audience=`, then the remembered role, then clinical.

    `?audience=LEVEL` shows that level's wording whatever the reader chose before. The picker
    marks the reader's own role when it fits the level, else the level's only role (none when
    several share it, as students and nurses do); only that mark can depend on the reader.
    """
    setting = audiences.levels.get
    picked = audiences.role(query_role)
    if picked is not None:
        return Audience(picked, picked.level, setting(picked.level))
    remembered = audiences.role(remembered_role)
    if (level := ReadingLevel.parse(query_level)) is not None:
        if remembered is not None and remembered.level == level:
            return Audience(remembered, level, setting(level))
        return Audience(audiences.only_role_for(level), level, setting(level))
    if remembered is not None:
        return Audience(remembered, remembered.level, setting(remembered.level))
    return Audience(None, DEFAULT_LEVEL, setting(DEFAULT_LEVEL), chosen=False)


def is_over_target(grade: float | None, setting: LevelSetting | None) -> bool:
    """True when a variant's measured grade exceeds its level's target (no target: never)."""
    return (
        grade is not None
        and setting is not None
        and setting.target_grade is not None
        and grade > setting.target_grade
    )


def choose_level(available: Iterable[ReadingLevel], level: ReadingLevel) -> ReadingLevel | None:
    """Which of the `available` wordings a reader at `level` gets: theirs, else the nearest
    more technical one."""
    present = set(available)
    return next((lv for lv in FALLBACK[level] if lv in present), None)


def choose_variant(section: Section, level: ReadingLevel) -> SectionVariant | None:
    """The variant at `level`, else the nearest more technical one; None when the section's
    kind is not for readers at `level` (`shown_at`)."""
    if not shown_at(section.kind, level):
        return None
    by_level = {v.level: v for v in section.variants}
    chosen = choose_level(by_level, level)
    return by_level[chosen] if chosen else None


@dataclass(frozen=True)
class ListingSummary:
    """The short answer a listing shows for an article: `text` worded at `level` (None when the
    article has none), for a reader who asked for `requested`."""

    text: str
    level: ReadingLevel | None
    requested: ReadingLevel
    language: str = SOURCE_LANGUAGE  # the text's; a page in another language may show English
    page_language: str = SOURCE_LANGUAGE

    @property
    def is_fallback(self) -> bool:
        """The reader's level has no wording: a more technical one stands in (say so)."""
        return self.level is not None and self.level != self.requested

    @property
    def untranslated(self) -> bool:
        """The page's language has no short answer: the English one stands in (say so)."""
        return bool(self.text) and self.language != self.page_language


def listing_summary(article: Article, level: ReadingLevel) -> ListingSummary:
    """The article's short answer for a listing at `level`, from its listing copies (no query),
    falling back as the article page does."""
    copies = article.summaries
    chosen = choose_level([lv for lv, text in copies.items() if text], level)
    return ListingSummary(copies[chosen] if chosen else "", chosen, level)
