"""Reading-level measurement, computed when content is saved and stored with it."""

from dataclasses import dataclass

import textstat
from textstat.textstat import textstatistics

from models.base import ReadingLevel
from services.reading.plaintext import plain_blocks


@dataclass(frozen=True)
class Readability:
    fk_grade: float | None
    smog_grade: float | None
    word_count: int
    # A 0-100 ease (higher is easier) for languages measured that way: Fernández Huerta.
    ease: float | None = None


FLESCH_KINCAID = "flesch_kincaid"
FERNANDEZ_HUERTA = "fernandez_huerta"

# Spanish gets its own textstat instance: `set_lang` on the module-level one would change how
# every English text is measured (syllables, and the formulas' constants).
_spanish = textstatistics()
_spanish.set_lang("es")


def _sentences(markdown: str) -> str:
    """Markdown as plain text, each block counted as a sentence.

    List items and headings rarely end in a full stop; without one textstat would merge them
    into one long sentence and overstate the grade.
    """
    blocks = plain_blocks(markdown)
    return " ".join(b if b[-1] in ".!?:" else b + "." for b in blocks)


def measure(markdown: str, formula: str = FLESCH_KINCAID) -> Readability:
    """The readability of Markdown text by `formula` (models.language.Language's): for English,
    Flesch-Kincaid and SMOG grades; for Spanish, the Fernández Huerta ease."""
    text = _sentences(markdown)
    words = len(text.split())
    if words == 0:
        return Readability(None, None, 0)
    if formula == FERNANDEZ_HUERTA:
        return Readability(None, None, words, ease=round(_spanish.fernandez_huerta(text), 1))
    return Readability(
        fk_grade=round(textstat.flesch_kincaid_grade(text), 1),
        smog_grade=round(textstat.smog_index(text), 1),
        word_count=words,
    )


# Fernández Huerta's bands as Spanish readers know them (Inflesz-style labels), lowest first.
EASE_BANDS = (
    (30, "muy difícil"),
    (50, "difícil"),
    (60, "bastante difícil"),
    (70, "normal"),
    (80, "bastante fácil"),
    (90, "fácil"),
)


def ease_label(ease: float) -> str:
    """The band an ease score falls in, in Spanish ("bastante fácil" for 70 to 80); very short
    words can take the formula past 100, still "muy fácil"."""
    return next((label for limit, label in EASE_BANDS if ease < limit), "muy fácil")


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
    """Wording that misses its level's target: an English grade above it, or (`language` other
    than English) an ease score below it (`grade` holds the score)."""

    heading: str
    level: str
    grade: float
    target: float
    language: str = "en"

    @property
    def described(self) -> str:
        """What staff read: "grade 9.2, target 8" or "Spanish: Fernández Huerta 64.0, target
        at least 70"."""
        if self.language == "en":
            return f"grade {self.grade:.1f}, target {self.target:g}"
        name = LANGUAGE_NAMES.get(self.language, self.language)
        return f"{name}: Fernández Huerta {self.grade:.1f}, target at least {self.target:g}"


# For staff messages; the languages table has the same names (english_name).
LANGUAGE_NAMES = {"es": "Spanish"}


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
