"""The glossary page in the page's language (/glossary, /es/glossary)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa

from extensions import db
from models import SOURCE_LANGUAGE, GlossaryTerm
from models.glossary import TermWording


@dataclass(frozen=True)
class GlossaryPage:
    """The terms worded in the page's language, A to Z in it; then, on a page in another
    language than English, the terms it has no words for, in English (the page says so)."""

    entries: list[TermWording]
    in_english: list[TermWording]
    has_demo: bool


def _sort_key(wording: TermWording) -> str:
    """Alphabetical as readers expect: capitals and accents aside ("Ácido" among the A's)."""
    folded = unicodedata.normalize("NFKD", wording.term.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


def glossary_page(language: str = SOURCE_LANGUAGE) -> GlossaryPage:
    """Every glossary term for the glossary page in `language` (one query)."""
    terms = db.session.scalars(sa.select(GlossaryTerm)).all()
    entries, in_english = [], []
    for term in terms:
        wording = term.wording(language)
        if wording is not None:
            entries.append(wording)
        else:
            in_english.append(term.wording(SOURCE_LANGUAGE))
    return GlossaryPage(
        sorted(entries, key=_sort_key),
        sorted(in_english, key=_sort_key),  # type: ignore[arg-type]
        any(t.is_demo for t in terms),
    )
