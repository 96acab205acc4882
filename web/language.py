"""The language of the page a request asks for (issue 16).

Reader addresses carry it as a prefix: `/es/articles/SLUG` is the Spanish page, `/articles/SLUG`
the English one (the source language, no prefix). The routing that sets it lives here too; every
blueprint that words a page asks `current_language()`, as it asks `web.audience.current_audience()`.
"""

from __future__ import annotations

from flask import request

from models.language import SOURCE_LANGUAGE


def current_language() -> str:
    """The code of the language this request's page is in ("en", "es")."""
    return getattr(request, "vetted_language", SOURCE_LANGUAGE)
