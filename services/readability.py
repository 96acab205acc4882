"""Reading-level measurement, computed when content is saved and stored with it."""

from dataclasses import dataclass

import textstat

from services.markdown import plain_blocks


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
