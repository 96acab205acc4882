"""Which languages readers can choose (models.language): the source language first."""

from __future__ import annotations

import sqlalchemy as sa

from extensions import db
from models.language import SOURCE_LANGUAGE, Language


def enabled_languages() -> list[Language]:
    """Enabled languages in their order; the source language is always among them."""
    return list(
        db.session.scalars(
            sa.select(Language)
            .where(sa.or_(Language.enabled, Language.code == SOURCE_LANGUAGE))
            .order_by(Language.position, Language.code)
        )
    )


def language_names() -> dict[str, str]:
    """Every language's English name by code, enabled or not, for staff screens."""
    return {
        code: name
        for code, name in db.session.execute(sa.select(Language.code, Language.english_name))
    }


def published_language(code: str) -> bool:
    """Whether readers have pages in `code` under its own prefix (/es/...): an enabled language
    other than the source language, whose pages have none."""
    if code == SOURCE_LANGUAGE:
        return False
    language = db.session.get(Language, code)
    return language is not None and language.enabled


def readability_formulas() -> dict[str, str]:
    """How each language's wording is measured, by code (Language.readability_formula)."""
    return dict(db.session.execute(sa.select(Language.code, Language.readability_formula)).all())
