"""What a reviewer must see before approving, and an editor while writing.

Blocking: a variant above its reading level's target grade, a citation key no reference has, a
translation citing other sources than the English it translates.
Warnings: a sentence that states a clinical number (dose, percentage, survival, time) with no
citation; "Questions to ask your care team" wording that is not a list of questions. The same checks
serve the editor's live preview, the review page and the approval gate, on saved revisions and
on the unsaved ones the preview builds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import sqlalchemy as sa

from extensions import db
from models import LevelSetting, ReadabilityTarget, ReadingLevel, Reference, Revision, SectionKind
from services.reading.markdown import CITATION, citation_keys
from services.reading.personalization import choose_level
from services.reading.plaintext import inline_blocks, list_items
from services.reading.readability import OverTarget

# A number with what makes it a clinical claim: a unit, a percentage, a duration, "1 in 3",
# or an outcome measure. Plain counts ("phase 2", "CD20", "2024") are not flagged.
_UNIT = r"(?:mg|mcg|µg|μg|ng|g|kg|ml|mL|L|dL|mmol|µmol|μmol|mEq|IU|units?|U)"
_PER = r"(?:/(?:m2|m²|kg|day|d|dL|L|h|hour|week|wk))?"
_TIME = r"(?:years?|yrs?|months?|mo|weeks?|wks?|days?|hours?|hrs?|h|minutes?|mins?)"
_RANGE = r"\d+(?:[.,]\d+)?(?:\s*(?:-|–|to)\s*\d+(?:[.,]\d+)?)?"
NUMBER_CLAIM = re.compile(
    rf"""
    {_RANGE}\s*(?:%|percent\b|per\s+cent\b)
  | \b{_RANGE}\s*{_UNIT}{_PER}(?![\w])
  | \b{_RANGE}[\s-]*{_TIME}\b
  | \b\d+\s+(?:in|of|out\s+of)\s+(?:every\s+)?\d+\b
  | \b(?:survival|mortality|remission|response|relapse|hazard\s+ratio|odds\s+ratio|HR|OR|CI)\b
      [^.;]*?\b\d+(?:[.,]\d+)?\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“(*\[]?[A-Z0-9])")
# The same claims in Spanish wording: "30 %", "por ciento", "5 días", "1 de cada 3",
# "supervivencia ... 40". Sentences may open with ¿ or ¡ and an accented capital.
_TIEMPO = r"(?:años?|meses|mes|semanas?|días?|horas?|minutos?|h)"
NUMBER_CLAIM_ES = re.compile(
    rf"""
    {_RANGE}\s*(?:%|por\s+ciento\b)
  | \b{_RANGE}\s*{_UNIT}{_PER}(?![\w])
  | \b{_RANGE}(?:\s*(?:-|–|a)\s*\d+)?[\s-]*{_TIEMPO}\b
  | \b\d+\s+(?:de\s+cada|entre|de)\s+\d+\b
  | \b(?:supervivencia|mortalidad|remisión|respuesta|recaída|cociente\s+de\s+riesgos)\b
      [^.;]*?\b\d+(?:[.,]\d+)?\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
SENTENCE_END_ES = re.compile(r"(?<=[.!?])\s+(?=[\"“(*\[¿¡]?[A-ZÁÉÍÓÚÑ0-9])")
_CLAIMS = {"es": (NUMBER_CLAIM_ES, SENTENCE_END_ES)}


@dataclass(frozen=True)
class BrokenCitation:
    heading: str
    level: ReadingLevel
    key: str


@dataclass(frozen=True)
class CitationMismatch:
    """A translation whose citations are not those of the English wording it translates: a
    dropped or added source changes what the reader is told the evidence is."""

    heading: str
    level: ReadingLevel
    missing: tuple[str, ...]  # cited by the English, not by the translation
    extra: tuple[str, ...]  # cited by the translation, not by the English


@dataclass(frozen=True)
class UncitedNumber:
    heading: str
    level: ReadingLevel
    sentence: str


@dataclass(frozen=True)
class NotAQuestion:
    """Questions-to-ask wording that is not a `-` list (`item` empty), or a list item that does
    not end in a question mark (`item` its text)."""

    heading: str
    level: ReadingLevel
    item: str


@dataclass
class Findings:
    over_target: list[OverTarget] = field(default_factory=list)
    broken: list[BrokenCitation] = field(default_factory=list)
    uncited_numbers: list[UncitedNumber] = field(default_factory=list)
    not_questions: list[NotAQuestion] = field(default_factory=list)
    mismatched_citations: list[CitationMismatch] = field(default_factory=list)

    @property
    def blocking(self) -> bool:
        """Approval needs an override reason while any of these stand."""
        return bool(self.over_target or self.broken or self.mismatched_citations)

    def blocking_reasons(self) -> list[str]:
        """One line per problem that blocks approval, for messages and the review record."""
        lines = [
            f"“{o.heading}” ({o.level}) reads at grade {o.grade:.1f}, above its target of "
            f"{o.target:g}."
            if o.language == "en"
            else f"“{o.heading}” ({o.level}) reads at {o.described}."
            for o in self.over_target
        ]
        lines += [f"“{b.heading}” ({b.level.value}) cites @{b.key}, which no reference has."
                  for b in self.broken]  # fmt: skip
        lines += [
            f"“{m.heading}” ({m.level.value}) does not cite what its English cites"
            + (f"; missing {', '.join('@' + k for k in m.missing)}" if m.missing else "")
            + (f"; added {', '.join('@' + k for k in m.extra)}" if m.extra else "")
            + "."
            for m in self.mismatched_citations
        ]
        return lines


def uncited_number_sentences(markdown: str, language: str = "en") -> list[str]:
    """Sentences that state a clinical number and cite nothing (English patterns, or those of
    `language` where it has its own: Spanish)."""
    return list(uncited_sentences(markdown, language))


# A pure function of the text: the editor's live preview re-checks every variant on each
# keystroke pause, and all but the one being typed are unchanged since the last request.
@lru_cache(maxsize=256)
def uncited_sentences(markdown: str, language: str = "en") -> tuple[str, ...]:
    """`uncited_number_sentences`, cached per text (a tuple: shared between callers)."""
    claim, sentence_end = _CLAIMS.get(language, (NUMBER_CLAIM, SENTENCE_END))
    found = []
    for block in inline_blocks(markdown):
        for sentence in sentence_end.split(block):
            if claim.search(CITATION.sub("", sentence)) and not CITATION.search(sentence):
                found.append(sentence.strip())
    return tuple(found)


@lru_cache(maxsize=256)
def question_problems(markdown: str) -> tuple[str, ...]:
    """What keeps wording from being a list of questions: ("",) when it has no list, else the
    list items that do not end in a question mark. A lead-in paragraph is fine."""
    items = list_items(markdown)
    if not items:
        return ("",)
    return tuple(item for item in items if not item.rstrip().endswith("?"))


def known_reference_keys(keys: set[str]) -> set[str]:
    """Which of `keys` the reference library has (one query)."""
    if not keys:
        return set()
    return set(db.session.scalars(sa.select(Reference.key).where(Reference.key.in_(keys))))


def level_settings() -> dict[ReadingLevel, LevelSetting]:
    return {s.level: s for s in db.session.scalars(sa.select(LevelSetting))}


def readability_targets() -> dict[tuple[str, ReadingLevel], ReadabilityTarget]:
    """Every language's targets other than English's, by (language, level)."""
    return {(t.language, t.level): t for t in db.session.scalars(sa.select(ReadabilityTarget))}


def check_revision(
    revision: Revision,
    *,
    levels: dict[ReadingLevel, LevelSetting] | None = None,
    known_keys: set[str] | None = None,
    targets: dict[tuple[str, ReadingLevel], ReadabilityTarget] | None = None,
) -> Findings:
    """Every check on every variant of a revision, saved or not; translations are held to their
    language's readability targets and must cite known keys as well."""
    levels = level_settings() if levels is None else levels
    variants = [(s, v) for s in revision.sections for v in s.variants]
    translated = [(s, v) for s in revision.sections for v in s.translations]
    if known_keys is None:
        known_keys = known_reference_keys(
            {k for _, v in variants + translated for k in citation_keys(v.body)}
        )
    findings = Findings()
    if translated:
        _check_translations(translated, findings, known_keys, targets)
    for section, variant in variants:
        setting = levels.get(variant.level)
        target = setting.target_grade if setting else None
        if target is not None and variant.fk_grade is not None and variant.fk_grade > target:
            findings.over_target.append(
                OverTarget(section.heading, variant.level.value, variant.fk_grade, target)
            )
        for key in dict.fromkeys(citation_keys(variant.body)):
            if key not in known_keys:
                findings.broken.append(BrokenCitation(section.heading, variant.level, key))
        for sentence in uncited_number_sentences(variant.body):
            findings.uncited_numbers.append(UncitedNumber(section.heading, variant.level, sentence))
        if section.kind == SectionKind.QUESTIONS:
            for item in question_problems(variant.body):
                findings.not_questions.append(NotAQuestion(section.heading, variant.level, item))
    return findings


def _check_translations(
    translated: list,
    findings: Findings,
    known_keys: set[str],
    targets: dict[tuple[str, ReadingLevel], ReadabilityTarget] | None,
) -> None:
    """Readability against the language's own targets, and citations, of each translation."""
    targets = readability_targets() if targets is None else targets
    for section, wording in translated:
        heading = f"{section.heading} ({wording.language})"
        target = targets.get((wording.language, wording.level))
        if target is not None and target.misses(wording.reading_ease):
            findings.over_target.append(
                OverTarget(
                    section.heading,
                    wording.level.value,
                    wording.reading_ease,  # type: ignore[arg-type]
                    target.target,
                    wording.language,
                )
            )
        for key in dict.fromkeys(citation_keys(wording.body)):
            if key not in known_keys:
                findings.broken.append(BrokenCitation(heading, wording.level, key))
        for sentence in uncited_number_sentences(wording.body, wording.language):
            findings.uncited_numbers.append(UncitedNumber(heading, wording.level, sentence))
        by_level = {v.level: v for v in section.variants}
        english = by_level.get(choose_level(by_level, wording.level))  # what it translates
        if english is not None:
            ours, theirs = set(citation_keys(wording.body)), set(citation_keys(english.body))
            if ours != theirs:
                findings.mismatched_citations.append(
                    CitationMismatch(
                        heading,
                        wording.level,
                        tuple(sorted(theirs - ours)),
                        tuple(sorted(ours - theirs)),
                    )
                )
