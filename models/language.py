"""The languages Vetted publishes in: data, not code (issue 16).

An admin adds a language by adding a row (its code, its own name, how its readability is
measured); Spanish ships enabled beside English. English is the source language: every other
language's wording translates an English one (services.reading.languages).
"""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.base import ReadingLevel, enum_column

SOURCE_LANGUAGE = "en"


class Language(db.Model):
    __tablename__ = "languages"

    # A BCP 47 primary tag ("en", "es"): the reader's address starts with it (/es/…), except the
    # source language's, which has none.
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))  # in the language itself: "Español"
    english_name: Mapped[str] = mapped_column(String(60))  # for staff screens: "Spanish"
    # How its wording's readability is measured (services.reading.readability):
    # "flesch_kincaid" (a US grade) or "fernandez_huerta" (a 0-100 ease, higher is easier).
    readability_formula: Mapped[str] = mapped_column(String(30), default="flesch_kincaid")
    enabled: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<Language {self.code}>"


class ReadabilityTarget(db.Model):
    """A level's readability target in a language other than English, in that language's own
    formula: Spanish plain wording reads at Fernández Huerta 70 ("bastante fácil") or easier.

    English keeps its targets as grades on `LevelSetting.target_grade` (a ceiling); a language
    measured by an ease score (higher is easier) sets a floor, so each row says which way it
    points. No row: no target for that level.
    """

    __tablename__ = "readability_targets"

    language: Mapped[str] = mapped_column(ForeignKey("languages.code"), primary_key=True)
    level: Mapped[ReadingLevel] = mapped_column(enum_column(ReadingLevel), primary_key=True)
    target: Mapped[float]
    # "at_least" (an ease: the score must reach it) or "at_most" (a grade: must not pass it).
    direction: Mapped[str] = mapped_column(String(10), default="at_least")

    def misses(self, score: float | None) -> bool:
        """Whether a measured score falls on the wrong side of this target."""
        if score is None:
            return False
        return score < self.target if self.direction == "at_least" else score > self.target
