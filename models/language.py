"""The languages Vetted publishes in: data, not code (issue 16).

An admin adds a language by adding a row (its code, its own name, how its readability is
measured); Spanish ships enabled beside English. English is the source language: every other
language's wording translates an English one (services.reading.languages).
"""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db

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
