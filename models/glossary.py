"""Glossary terms explained inline in plain and standard wording, in each language."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.language import SOURCE_LANGUAGE


@dataclass(frozen=True)
class TermWording:
    """A term as a page in one language names and explains it: what the renderer marks and the
    glossary page lists (`slug` stays the English term's, so anchors agree across languages)."""

    slug: str
    term: str
    definition: str
    abbr: str = ""
    aliases: list[str] = field(default_factory=list)
    language: str = SOURCE_LANGUAGE

    @property
    def title(self) -> str:
        return f"{self.term} ({self.abbr})" if self.abbr else self.term


class GlossaryTerm(db.Model):
    __tablename__ = "glossary_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    term: Mapped[str] = mapped_column(String(120))
    abbr: Mapped[str] = mapped_column(String(40), default="")
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    definition: Mapped[str] = mapped_column(Text)
    # The term in other languages, by code: {"es": {"term", "abbr", "aliases", "definition"}}.
    # Beside the English, so an edit of either is one change to review (services.library).
    translations: Mapped[dict[str, dict]] = mapped_column(JSON, default=dict)
    is_demo: Mapped[bool] = mapped_column(default=False)

    def wording(self, language: str) -> TermWording | None:
        """The term in `language` (English: its own fields); None where it has none."""
        if language == SOURCE_LANGUAGE:
            return TermWording(
                self.slug,
                self.term,
                self.definition,
                self.abbr,
                list(self.aliases),
                SOURCE_LANGUAGE,
            )
        words = (self.translations or {}).get(language)
        if not words or not words.get("term") or not words.get("definition"):
            return None
        return TermWording(
            self.slug,
            words["term"],
            words["definition"],
            words.get("abbr", ""),
            list(words.get("aliases", [])),
            language,
        )

    @property
    def title(self) -> str:
        return f"{self.term} ({self.abbr})" if self.abbr else self.term
