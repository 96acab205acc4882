"""Reading-level measurement, computed when content is saved and stored with it."""

from dataclasses import dataclass

import textstat

from models.base import ReadingLevel
from services.reading.plaintext import plain_blocks


@dataclass(frozen=True)
class Readability:
    fk_grade: float | None
    smog_grade: float | None
    word_count: int


def measure(markdown: str) -> Readability:
    """Flesch-Kincaid and SMOG grades of Markdown text, each block counted as a sentence.

    List items and headings rarely end in a full stop; without one textstat would merge them
    into one long sentence and overstate the grade.
    """
    blocks = plain_blocks(markdown)
    text = " ".join(b if b[-1] in ".!?:" else b + "." for b in blocks)
    words = len(text.split())
    if words == 0:
        return Readability(None, None, 0)
    return Readability(
        fk_grade=round(textstat.flesch_kincaid_grade(text), 1),
        smog_grade=round(textstat.smog_index(text), 1),
        word_count=words,
    )


@dataclass(frozen=True)
class VariantReading:
    """One variant's measured readability beside its level's target (None: no cap)."""

    heading: str
    level: ReadingLevel
    fk_grade: float | None
    smog_grade: float | None
    word_count: int
    target: float | None

    @property
    def over_target(self) -> bool:
        return self.target is not None and self.fk_grade is not None and self.fk_grade > self.target


@dataclass(frozen=True)
class OverTarget:
    heading: str
    level: str
    grade: float
    target: float


def over_target(revision, levels: dict) -> list[OverTarget]:
    """Variants of a revision whose measured grade exceeds their level's target grade."""
    flagged = []
    for section in revision.sections:
        for variant in section.variants:
            setting = levels.get(variant.level)
            target = setting.target_grade if setting else None
            if target is not None and variant.fk_grade is not None and variant.fk_grade > target:
                flagged.append(
                    OverTarget(section.heading, variant.level.value, variant.fk_grade, target)
                )
    return flagged
