"""The language of the page a request asks for, and the addresses that keep it (issue 16).

Reader addresses carry it as a prefix: `/es/articles/SLUG` is the Spanish page, `/articles/SLUG`
the English one (the source language, no prefix). Every blueprint that words a page asks
`current_language()`, as it asks `web.audience.current_audience()`.

How the prefix is served (docs/architecture.md, "Languages"):
- `blueprints.register` registers the reader blueprints twice: as they are, and nested under
  the `localized` blueprint (`url_prefix="/<lang:lang_code>"`, endpoints `localized.articles.
  detail`, ...). `enter_language` is that blueprint's URL value preprocessor: it pops the code,
  sends the source language's own prefix (`/en/...`) to the bare address with a 308, and sets
  `request.vetted_language`. A code that is not an enabled language gets a 404 (a language an
  admin enables has addresses at once, no deploy), checked before the view runs, except for a
  view the page cache serves (caching.pages.cached_page): there the check waits for the page's
  first `current_language()`, so a kept page costs its one lookup. A kept page proves it: it
  was stored while its language was published, and switching a language off raises the site
  version, which retires every page kept before.
- `VettedFlask.url_for` keeps the language: inside a Spanish page `url_for("articles.detail",
  slug=...)` is `/es/articles/SLUG` for every endpoint that has a localized twin; staff,
  feeds and static files keep their one address. `_language="en"` asks for another language's
  address (the switch, hreflang): `localized_url` says it plainly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Flask, abort, current_app, has_request_context, request, url_for
from werkzeug.routing import BaseConverter, RequestRedirect

from models.language import SOURCE_LANGUAGE
from services.reading.languages import enabled_languages, published_language

# The blueprint every reader blueprint is nested under for the prefixed addresses.
LOCALIZED = "localized"


class LanguageConverter(BaseConverter):
    """A language code as an address's first segment: a BCP 47 primary tag, with an optional
    region or script ("es", "pt-BR"). Narrow on purpose: `/admin/...` or `/auth/...` can never
    be read as a language, whatever rules exist."""

    regex = r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?"


def current_language() -> str:
    """The code of the language this request's page is in ("en", "es"); a 404 when its address
    names a language that is not published (see the module doc)."""
    if getattr(request, "vetted_language_unchecked", False):
        _check_language()
    return getattr(request, "vetted_language", SOURCE_LANGUAGE)


def _check_language() -> None:
    request.vetted_language_unchecked = False
    if not published_language(request.vetted_language):
        request.vetted_language = SOURCE_LANGUAGE  # the 404 page is the site's own
        abort(404)


def _check_language_unless_page_cached() -> None:
    """Before the view: check the address's language now, unless the page cache may answer
    without asking it (see the module doc)."""
    if getattr(request, "vetted_language_unchecked", False):
        view = current_app.view_functions.get(request.endpoint or "")
        if not getattr(view, "page_cached", False):
            _check_language()


def enter_language(endpoint: str | None, values: dict | None) -> None:
    """The localized blueprint's URL value preprocessor (see the module doc)."""
    code = (values or {}).pop("lang_code", None)
    if code is None:
        return
    if code == SOURCE_LANGUAGE:
        # One address per page: /en/articles/x is /articles/x (a redirect, not a 404, because a
        # person or a tool that guessed the prefix should still reach the page).
        base = endpoint.removeprefix(f"{LOCALIZED}.")
        target = localized_url(base, SOURCE_LANGUAGE, **values, **request.args.to_dict(False))
        raise RequestRedirect(target)
    request.vetted_language = code
    request.vetted_language_unchecked = True


def address_language() -> str | None:
    """The language code the address starts with (`/es/...`), if its first segment looks like
    one and is not the source language's; whether readers have that language is not checked."""
    first = request.path.split("/", 2)[1]
    if first != SOURCE_LANGUAGE and re.fullmatch(LanguageConverter.regex, first):
        return first
    return None


def take_address_language(code: str) -> None:
    """The page is in `code`, unchecked: for a page that must not read the database (the 503,
    web.errors), whose caller has decided from the address alone."""
    request.vetted_language = code
    request.vetted_language_unchecked = False


def _language_of_unmatched_address() -> None:
    """A `/es/...` address no route matched still gets its 404 page in Spanish."""
    if request.routing_exception is None or hasattr(request, "vetted_language"):
        return
    if (code := address_language()) and published_language(code):
        request.vetted_language = code


class VettedFlask(Flask):
    """Flask whose `url_for` keeps the page's language (see the module doc)."""

    def url_for(self, /, endpoint: str, *, _language: str | None = None, **values) -> str:
        if has_request_context() and endpoint.startswith("."):
            # Resolve a relative endpoint here, so the language below applies to it too.
            blueprint = request.blueprint
            endpoint = f"{blueprint}{endpoint}" if blueprint else endpoint[1:]
        base = endpoint.removeprefix(f"{LOCALIZED}.")
        language = _language or (current_language() if has_request_context() else None)
        language = language or SOURCE_LANGUAGE
        twin = f"{LOCALIZED}.{base}"
        if language != SOURCE_LANGUAGE and twin in self.view_functions:
            return super().url_for(twin, lang_code=language, **values)
        values.pop("lang_code", None)
        return super().url_for(base, **values)


def localized_url(endpoint: str, language: str, **values) -> str:
    """The address of `endpoint` in `language`: the switch and the hreflang alternates."""
    return url_for(endpoint, _language=language, **values)


def is_localized(endpoint: str | None) -> bool:
    """Whether `endpoint` is a reader page that has an address per language."""
    if not endpoint:
        return False
    return f"{LOCALIZED}.{endpoint.removeprefix(f'{LOCALIZED}.')}" in current_app.view_functions


# The query arguments a page in another language keeps: the same wording, the same search.
KEPT_ARGS = ("audience", "q", "topic")


@dataclass(frozen=True)
class PageLanguage:
    """This page in one language: for `<link rel="alternate" hreflang>` and the switch."""

    code: str
    name: str  # in the language itself: "Español"
    url: str  # absolute
    current: bool


def page_languages() -> list[PageLanguage]:
    """This reader page in every enabled language, in their order (none for staff pages, for
    anything that is not a reader GET page, nor while the source language is the only one). An
    error page (`web.errors`, or an address no route matched) offers each language's home page."""
    if not has_request_context() or request.method not in ("GET", "HEAD"):
        return []
    if not hasattr(request, "vetted_page_languages"):
        endpoint, values = request.endpoint, dict(request.view_args or {})
        unmatched = endpoint is None and request.routing_exception is not None
        if unmatched or (getattr(request, "vetted_error_page", False) and is_localized(endpoint)):
            # Home, and nothing of the address that failed (a refused ?q= would fail again).
            endpoint, values = "articles.index", {}
        elif not is_localized(endpoint):
            request.vetted_page_languages = []
            return []
        else:
            values |= {k: v for k in KEPT_ARGS if (v := request.args.get(k))}
        current, languages = current_language(), enabled_languages()
        request.vetted_page_languages = [
            PageLanguage(
                language.code,
                language.name,
                localized_url(endpoint, language.code, _external=True, **values),
                language.code == current,
            )
            for language in (languages if len(languages) > 1 else [])
        ]
    return request.vetted_page_languages


def init_app(app: Flask) -> None:
    """The language of an unmatched prefixed address, and `page_languages` and
    `current_language` for base.html (html lang, hreflang, the switch). (`blueprints.register`
    installs the `lang` converter with the prefixed rules.)"""
    app.before_request(_language_of_unmatched_address)
    app.before_request(_check_language_unless_page_cached)
    app.jinja_env.globals.update(
        page_languages=page_languages,
        current_language=current_language,
        source_language=SOURCE_LANGUAGE,
        kept_args=" ".join(KEPT_ARGS),
    )
