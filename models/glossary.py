"""Glossary terms explained inline in plain and standard wording."""

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db


class GlossaryTerm(db.Model):
    __tablename__ = "glossary_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    term: Mapped[str] = mapped_column(String(120))
    abbr: Mapped[str] = mapped_column(String(40), default="")
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    definition: Mapped[str] = mapped_column(Text)
    is_demo: Mapped[bool] = mapped_column(default=False)

    @property
    def title(self) -> str:
        return f"{self.term} ({self.abbr})" if self.abbr else self.term
