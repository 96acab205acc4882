"""Reader pages in the page's language: Flask-Babel's catalogs, dates and numbers (issue 16).

The locale is the page's language (`web.language.current_language`, set by the address), never
the browser's Accept-Language: pages are cached and shared by address (caching/pages.py, nginx),
so nothing in them may depend on a header the cache key leaves out. Strings are marked with
`_()`/`gettext` in templates and views; `translations/` holds the catalogs (`messages.pot`, one
`LANG/LC_MESSAGES/messages.po` per language, committed; the `.mo` files are compiled by
`make catalogs` and git-ignored). README.md, "Translations", has the pybabel commands.

Staff screens stay English: they never reach a prefixed address, so their locale is English.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import Flask, has_request_context
from flask_babel import Babel, force_locale, format_date, format_decimal, gettext

from config import PRODUCTION, SettingsError
from models.language import SOURCE_LANGUAGE
from web.language import current_language

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"

babel = Babel()


def _locale() -> str:
    return current_language() if has_request_context() else SOURCE_LANGUAGE


def uncompiled_catalogs(directory: Path = TRANSLATIONS) -> list[str]:
    """Each catalog (.po) whose compiled .mo is missing or older: its pages would fall back to
    English without a word of warning."""
    return [
        f"{po.relative_to(directory.parent)} is not compiled: run `make catalogs`."
        for po in sorted(directory.glob("*/LC_MESSAGES/*.po"))
        if not (mo := po.with_suffix(".mo")).exists() or mo.stat().st_mtime < po.stat().st_mtime
    ]


def has_catalog(code: str) -> bool:
    """Whether the site's own words exist in `code`, compiled: without them Flask-Babel would
    serve English furniture under `<html lang="CODE">`, read aloud in the wrong voice."""
    return code == SOURCE_LANGUAGE or (TRANSLATIONS / code / "LC_MESSAGES" / "messages.mo").exists()


def init_app(app: Flask) -> None:
    """Flask-Babel with the page's language as its locale, and the reader's date filter.

    :raises config.SettingsError: in production, a catalog is not compiled (make install does).
    """
    if app.config.get("VETTED_ENV") == PRODUCTION and (problems := uncompiled_catalogs()):
        raise SettingsError(problems)
    babel.init_app(
        app,
        default_locale=SOURCE_LANGUAGE,
        default_translation_directories=str(TRANSLATIONS),
        locale_selector=_locale,
    )
    app.add_template_filter(reader_date)
    app.add_template_filter(reader_number)
    app.jinja_env.globals["gettext_in"] = gettext_in


def gettext_in(language: str, message: str) -> str:
    """`message` in `language`, whatever the page's: the note suggesting another language is
    written in that language. (`pybabel extract -k gettext_in:2` finds these.)"""
    with force_locale(language):
        return gettext(message)


def reader_date(value: date | datetime) -> str:
    """A date as a reader of the page's language writes it: "May 7, 2025" on English pages,
    "7 de mayo de 2025" on Spanish ones (CLDR's long format, through Babel)."""
    return format_date(value, "long")


def reader_number(value: int | float) -> str:
    """A number in the page's language: 1,234 in English, 1234 or 12.345 in Spanish (CLDR)."""
    return format_decimal(value)
