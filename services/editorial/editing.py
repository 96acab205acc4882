"""The editor's rules that are not HTTP: form rows to `SectionInput`s, rearranging sections,
and unsaved revisions for the live preview (conflicts.py has the two sides of a conflict).

An unsaved revision is built from transient objects that never join the database session, so
a preview can never be flushed by accident; `preview_draft` also turns autoflush off while it
reads, in case anything else is pending.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from extensions import db
from models import (
    SOURCE_LANGUAGE,
    Article,
    GlossaryTerm,
    LevelSetting,
    ReadingLevel,
    ReviewStatus,
    Revision,
    SectionKind,
)
from models.base import utcnow
from services.editorial.checks import Findings, check_revision, known_reference_keys
from services.editorial.editor_languages import EaseRow, ease_rows
from services.editorial.revisions import SectionInput, build_sections
from services.reading.markdown import citation_keys
from services.reading.readability import VariantReading, measure
from services.reading.view import ArticleView, build_view

# Editor columns, most technical first: editors usually write the clinical text, then simplify.
LEVEL_ORDER = [ReadingLevel.CLINICAL, ReadingLevel.STANDARD, ReadingLevel.PLAIN]
# What a new article starts with: the seed page's short answer and its three kinds of source.
STARTER_KINDS = [
    SectionKind.SUMMARY,
    SectionKind.GUIDELINES,
    SectionKind.DRUG_LABEL,
    SectionKind.RESEARCH,
]

# Readability is a pure function of the text; while someone types, every variant but one is
# the same as in the previous preview request.
measured = lru_cache(maxsize=256)(measure)


# -- Form rows -----------------------------------------------------------------------------
# A row is one section as the editor form holds it: {"kind", "heading", "clinical", ...}.


def blank_row(kind: SectionKind = SectionKind.OTHER) -> dict:
    """An empty section of `kind`, headed by its kind's label ("Other": the editor names it)."""
    heading = "" if kind == SectionKind.OTHER else kind.label
    return {
        "kind": kind.value,
        "heading": heading,
        **{lv.value: "" for lv in LEVEL_ORDER},
        "translations": {},
        "heading_translations": {},
    }


def starter_rows() -> list[dict]:
    """The sections a new article starts with."""
    return [blank_row(kind) for kind in STARTER_KINDS]


def rows_from_revision(revision: Revision) -> list[dict]:
    """A saved revision's sections as editor rows, in order."""
    rows = []
    for section in revision.sections:
        bodies = {v.level: v.body for v in section.variants}
        translations: dict[str, dict[str, str]] = {}
        for wording in section.translations:
            translations.setdefault(wording.language, {})[wording.level.value] = wording.body
        rows.append(
            {
                "kind": section.kind.value,
                "heading": section.heading,
                **{lv.value: bodies.get(lv, "") for lv in LEVEL_ORDER},
                "translations": translations,
                "heading_translations": dict(section.heading_translations or {}),
            }
        )
    return rows


def _kind(value: object) -> SectionKind:
    try:
        return SectionKind(value)
    except ValueError:
        return SectionKind.OTHER


def section_inputs(rows: Iterable[Mapping]) -> list[SectionInput]:
    """Editor rows as the publishing service takes them; empty levels are left out (they fall
    back to another level on the public page). A row without "translations" (a form that
    posted English only) keeps the saved translations (`SectionInput.translations` None)."""
    inputs = []
    for row in rows:
        bodies = {lv: (row.get(lv.value) or "") for lv in LEVEL_ORDER}
        given = row.get("translations")
        inputs.append(
            SectionInput(
                kind=_kind(row.get("kind")),
                heading=" ".join((row.get("heading") or "").split()),
                variants={lv: body for lv, body in bodies.items() if body.strip()},
                translations=None
                if given is None
                else {
                    code: {lv: body for lv in LEVEL_ORDER if (body := by.get(lv.value) or "")}
                    for code, by in given.items()
                },
                heading_translations=None
                if given is None
                else dict(row.get("heading_translations") or {}),
            )
        )
    return inputs


def rearrange(rows: list[dict], action: str) -> list[dict]:
    """Apply an editor button to the rows: `add`, `add:KIND`, `remove:N`, `move-up:N`,
    `move-down:N` (N counts from 0). Anything else leaves them as they are."""
    name, _, argument = action.partition(":")
    rows = list(rows)
    if name == "add":
        return [*rows, blank_row(_kind(argument) if argument else SectionKind.OTHER)]
    try:
        index = int(argument)
    except ValueError:
        return rows
    if not 0 <= index < len(rows):
        return rows
    if name == "remove":
        del rows[index]
    elif name == "move-up" and index > 0:
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    elif name == "move-down" and index < len(rows) - 1:
        rows[index + 1], rows[index] = rows[index], rows[index + 1]
    return rows


# -- Unsaved revisions and the live preview ------------------------------------------------


def draft_revision(
    *,
    question: str,
    sections: list[SectionInput],
    topic_ids: list[int] | None = None,
    next_review_on: date | None = None,
    number: int = 0,
    questions: Mapping[str, str] | None = None,
    formulas: dict[str, str] | None = None,
) -> Revision:
    """A revision built from form input and never added to the session: what Save would write.

    It has no article relationship on purpose: linking it to a persistent article would cascade
    it into the session (and the next query would flush it).
    """
    revision = Revision(
        number=number,
        question=" ".join(question.split()),
        question_translations={k: " ".join(v.split()) for k, v in (questions or {}).items()}
        or None,
        topic_ids=sorted(topic_ids) if topic_ids is not None else None,
        next_review_on=next_review_on,
        change_note="",
        status=ReviewStatus.DRAFT,
        created_at=utcnow(),
        review_comment="",
    )
    revision.sections.extend(build_sections(sections, measure_text=measured, formulas=formulas))
    return revision


@dataclass
class ReadingRow:
    """One section's readings, by level (None: not written at that level)."""

    heading: str
    cells: dict[ReadingLevel, VariantReading | None]


@dataclass
class DraftPreview:
    view: ArticleView
    findings: Findings
    readings: list[ReadingRow]
    level: ReadingLevel
    language: str = SOURCE_LANGUAGE
    # Another language's wording: its ease against that language's targets.
    ease_rows: list[EaseRow] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        rows = self.ease_rows if self.language != SOURCE_LANGUAGE else self.readings
        return any(cell is not None for row in rows for cell in row.cells.values())


def readings(revision: Revision, levels: Mapping[ReadingLevel, LevelSetting]) -> list[ReadingRow]:
    """Every variant's grades against its level's target, a row per section."""
    rows = []
    for section in revision.sections:
        by_level = {v.level: v for v in section.variants}
        cells: dict[ReadingLevel, VariantReading | None] = {}
        for level in LEVEL_ORDER:
            variant = by_level.get(level)
            setting = levels.get(level)
            cells[level] = (
                VariantReading(
                    heading=section.heading,
                    level=level,
                    fk_grade=variant.fk_grade,
                    smog_grade=variant.smog_grade,
                    word_count=variant.word_count,
                    target=setting.target_grade if setting else None,
                )
                if variant is not None
                else None
            )
        rows.append(ReadingRow(section.heading, cells))
    return rows


def preview_draft(
    article: Article,
    revision: Revision,
    level: ReadingLevel,
    *,
    levels: Mapping[ReadingLevel, LevelSetting],
    glossary_url: Callable[[GlossaryTerm], str] | None,
    language: str = SOURCE_LANGUAGE,
) -> DraftPreview:
    """Render an unsaved revision exactly as readers would see it, with every check on it.

    Writes nothing: the revision is transient and autoflush is off while the page reads the
    reference library and the glossary.
    """
    with db.session.no_autoflush:
        wordings = [v for s in revision.sections for v in [*s.variants, *s.translations]]
        keys = {k for v in wordings for k in citation_keys(v.body)}
        known = known_reference_keys(keys)
        view = build_view(
            article,
            level,
            card_url=None,
            glossary_url=glossary_url,
            revision=revision,
            language=language,
        )
        findings = check_revision(revision, levels=dict(levels), known_keys=known)
        ease = ease_rows(revision, language) if language != SOURCE_LANGUAGE else []
    assert view is not None  # a revision was given, so there is always a view
    return DraftPreview(view, findings, readings(revision, levels), level, language, ease)
