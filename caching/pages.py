"""Whole-page cache for anonymous readers: a cached page costs one indexed query, a 304 the same.

A reader page is a function of the code (build id), the request (path, query, the remembered
audience, whether htmx asked for a fragment) and what is published (the site version, raised by
caching/changes.py whenever a service notes a change readers see). The first two make the row's key;
the version must match for the row to count. Nothing is invalidated by hand, every worker and app
server shares the table, and the brotli and gzip bodies are made once, when the page is stored.

Only anonymous answers are kept: a signed-in staff member, a session, a flashed message, a cookie
other than the audience choice (the same for everyone choosing that role) or an htmx header other
than the ones replayed is personal and never stored.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from functools import wraps

import brotli
import sqlalchemy as sa
from flask import current_app, request, session
from flask_login import current_user
from werkzeug.wrappers import Response

from caching.versions import SITE
from caching.writes import insert, write_apart
from config import AUDIENCE_COOKIE
from extensions import db
from models import CachedPage, ContentVersion

# Request headers that change what a reader page renders (whole page or one htmx fragment).
VARYING_HEADERS = ("HX-Request", "HX-Target", "HX-Boosted", "HX-History-Restore-Request")


def _key() -> str:
    digest = hashlib.blake2b(digest_size=16)
    parts = [
        current_app.config.get("BUILD_ID", ""),
        request.path,
        "&".join(sorted(f"{k}={v}" for k, v in request.args.items(multi=True))),
        request.cookies.get(AUDIENCE_COOKIE, ""),
        *(request.headers.get(h, "") for h in VARYING_HEADERS),
    ]
    digest.update("\0".join(parts).encode())
    return digest.hexdigest()


def _etag(key: str, version: int) -> str:
    return hashlib.blake2b(f"{key}:{version}".encode(), digest_size=12).hexdigest()


def _eligible() -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not current_app.config.get("PAGE_CACHE_DISABLED")
        and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
        and not current_user.is_authenticated
    )


# Built once: a cached page is served by one of these, so building the statement per request
# (SQLAlchemy's operator machinery) would cost more than running it.
_CURRENT_SITE = (
    sa.select(ContentVersion.version).where(ContentVersion.name == SITE).scalar_subquery()
)
_IS_CURRENT = (CachedPage.key == sa.bindparam("key"), CachedPage.site_version == _CURRENT_SITE)
_ETAG_ONLY = sa.select(CachedPage.etag, CachedPage.site_version).where(*_IS_CURRENT)
_WITH_BODY = sa.select(
    CachedPage.etag,
    CachedPage.site_version,
    CachedPage.headers,
    CachedPage.body,
    CachedPage.body_gzip,
    CachedPage.body_br,
).where(*_IS_CURRENT)
_SITE_VERSION = sa.select(ContentVersion.version).where(ContentVersion.name == SITE)


def _lookup(key: str, *, with_body: bool):
    return db.session.execute(_WITH_BODY if with_body else _ETAG_ONLY, {"key": key}).first()


def _site_version() -> int:
    return db.session.scalar(_SITE_VERSION) or 0


def _from_row(row) -> Response:
    accepted = request.accept_encodings
    response = Response(mimetype="text/html")
    if accepted["br"] and "br" in current_app.config.get("COMPRESS_ALGORITHM", ["br"]):
        response.set_data(row.body_br)
        response.headers["Content-Encoding"] = "br"
    elif accepted["gzip"]:
        response.set_data(row.body_gzip)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.set_data(row.body)
    for name, value in row.headers:
        response.headers.add(name, value)
    response.vary.add("Accept-Encoding")
    response.set_etag(row.etag)
    response.headers["X-Page-Cache"] = "hit"
    return response


# Response headers a stored page keeps and replays: the picker's swap tells htmx which address to
# show, and sets the audience cookie, whose signed value is the same for everyone choosing that
# role (so the whole answer is, too). Any other cookie or htmx header makes an answer personal.
REPLAYED = {"hx-push-url", "hx-trigger"}


def _replayed_headers(response: Response) -> list[list[str]] | None:
    """The headers to keep with a stored page, or None when the answer must not be stored."""
    kept = []
    for name, value in response.headers.items():
        lowered = name.lower()
        if lowered == "set-cookie":
            if not value.startswith(f"{AUDIENCE_COOKIE}="):
                return None
            kept.append([name, value])
        elif lowered in REPLAYED:
            kept.append([name, value])
        elif lowered.startswith("hx-"):
            return None
    return kept


def _storable(response: Response) -> bool:
    return (
        response.status_code == 200
        and response.mimetype == "text/html"
        and not response.is_streamed
        and not session.modified
        and not session.get("_flashes")
        and _replayed_headers(response) is not None
    )


def _store(key: str, version: int, etag: str, response: Response) -> None:
    """Keep the page for every worker (caching/writes.py: apart from the request)."""
    body = response.get_data()
    values = {
        "key": key,
        "site_version": version,
        "etag": etag,
        "headers": _replayed_headers(response),
        "body": body,
        "body_gzip": gzip.compress(body, 9),
        "body_br": brotli.compress(body, quality=9),
        "created_at": sa.func.current_timestamp(),
    }
    statement = insert(CachedPage, values)
    statement = statement.on_conflict_do_update(
        index_elements=[CachedPage.key],
        set_={k: statement.excluded[k] for k in values if k != "key"},
        where=CachedPage.site_version < statement.excluded.site_version,
    )
    write_apart(statement, "Could not store a cached page for %s", request.path)


def cached_page(view: Callable) -> Callable:
    """Serve an anonymous reader page from the page cache, or render it and keep it."""

    @wraps(view)
    def serve(*args, **kwargs):
        if not _eligible():
            return view(*args, **kwargs)
        key = _key()
        conditional = bool(request.if_none_match)
        row = _lookup(key, with_body=not conditional)
        if row is not None and conditional and request.if_none_match.contains(row.etag):
            response = Response(status=304)
            response.set_etag(row.etag)
            response.vary.add("Accept-Encoding")
            return response
        if row is not None and conditional:
            row = _lookup(key, with_body=True)
        if row is not None:
            return _from_row(row)
        version = _site_version()
        response = current_app.make_response(view(*args, **kwargs))
        if _storable(response):
            etag = _etag(key, version)
            response.set_etag(etag)
            _store(key, version, etag, response)
        return response

    return serve
