"""Whole-page cache for anonymous readers: a cached page costs one indexed query, a 304 the same.

A reader page is a function of the code and the compiled catalogs (build id), the request (path,
query, the remembered audience, whether htmx asked for a fragment), the day (`page_day`: an article
past its next-review date says so from that day on) and what is published (the site version,
raised by caching/changes.py whenever a service notes a change readers see). The first three make
the row's key; the version must match for the row to count. Nothing is invalidated by hand, every
worker and app server shares the table, and the brotli and gzip bodies are made once, when the
page is stored.

Only anonymous answers are kept: a signed-in staff member, a session, a flashed message, a cookie
other than the audience choice (the same for everyone choosing that role) or an htmx header other
than the ones replayed is personal and never stored.

Only addresses the site itself links to are kept, so nobody outside can fill the table: each
view names the query arguments it reads and the values it accepts (`cached_page(args=...)`), and
a request with any other argument, a repeated one, an unknown value or an audience cookie the
app did not sign is answered fresh and not stored. The table is also capped
(PAGE_CACHE_MAX_ROWS): each store drops the least recently stored rows beyond the cap.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable, Collection, Mapping
from datetime import date
from functools import partial, wraps
from urllib.parse import urlencode

import brotli
import sqlalchemy as sa
from flask import current_app, has_request_context, request, session
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

from caching.versions import SITE
from caching.writes import insert, write_apart
from config import AUDIENCE_COOKIE
from extensions import db
from models import CachedPage, ContentVersion
from models.base import utcnow

# What a query argument may hold to be kept: the accepted values, or a test of one value.
Accepted = Collection[str] | Callable[[str], bool]
# The salt web/audience.py signs the audience cookie with: only a cookie the app signed (one per
# role) makes a page worth keeping.
AUDIENCE_SALT = "audience"


def page_day() -> date:
    """The day this request's page is for, read once: the page's key and the page itself (which
    compares dates with it) agree even across midnight. A page is rendered again each day, once."""
    if not has_request_context():
        return date.today()
    # On the request, not `g`: an app context can outlive one request (the CLI, tests).
    if not hasattr(request, "vetted_page_day"):
        request.vetted_page_day = date.today()
    return request.vetted_page_day


def page_key(
    build: str, path: str, args: list[tuple[str, str]], role: str, htmx: str, day: date
) -> str:
    """The stored page's key: a digest of an unambiguous encoding of what the page depends on
    (JSON, and the query re-encoded from its parsed pairs, so no value can pass for another)."""
    encoded = json.dumps([build, path, urlencode(sorted(args)), role, htmx, day.isoformat()])
    return hashlib.blake2b(encoded.encode(), digest_size=16).hexdigest()


def _known_args(
    accepted: Mapping[str, Accepted],
) -> tuple[list[tuple[str, str]], list[Callable[[], bool]]] | None:
    """The query's pairs when each argument is one the view reads, given once, with a value it
    accepts, and the tests still to run on values a callable judges; else None.

    A callable's test (a role is one the database knows) runs only before a page is stored, not
    on a hit: a row is only ever stored after its values passed, and a change to what a test
    accepts (an audience role removed) raises the site version, which retires the row."""
    pairs = list(request.args.items(multi=True))
    if len(pairs) != len(request.args):
        return None
    tests = []
    for name, value in pairs:
        rule = accepted.get(name)
        if rule is None:
            return None
        if callable(rule):
            tests.append(partial(rule, value))
        elif value not in rule:
            return None
    return pairs, tests


def _remembered_role() -> str | None:
    """The role in the audience cookie ("" without one); None when the app did not sign it."""
    raw = request.cookies.get(AUDIENCE_COOKIE)
    if raw is None:
        return ""
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=AUDIENCE_SALT)
    try:
        role = serializer.loads(raw)
    except BadSignature:
        return None
    return role if isinstance(role, str) else None


def _key(accepted: Mapping[str, Accepted]) -> tuple[str, list[Callable[[], bool]]] | None:
    """This request's key and the tests its values must pass before a page is stored under it
    (`_known_args`), or None when the page must not be kept (see the module doc)."""
    known = _known_args(accepted)
    role = _remembered_role()
    if known is None or role is None:
        return None
    args, tests = known
    # What htmx headers change (web/rendering.py): a fragment or the whole page, nothing else;
    # HX-Target and the rest never reach the key, so their values cannot add rows.
    htmx = request.htmx
    flags = f"{int(bool(htmx))}{int(htmx.boosted)}{int(htmx.history_restore_request)}"
    build = current_app.config.get("BUILD_ID", "")
    return page_key(build, request.path, args, role, flags, page_day()), tests


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
        # In Python, to the microsecond: eviction keeps the newest rows by this order.
        "created_at": utcnow(),
    }
    statement = insert(CachedPage, values)
    statement = statement.on_conflict_do_update(
        index_elements=[CachedPage.key],
        set_={k: statement.excluded[k] for k in values if k != "key"},
        where=CachedPage.site_version < statement.excluded.site_version,
    )
    cap = current_app.config["PAGE_CACHE_MAX_ROWS"]
    write_apart([statement, _evict(cap)], "Could not store a cached page for %s", request.path)


def _evict(cap: int):
    """Drop the least recently stored rows beyond `cap` (a range of ix_cached_pages_created_at)."""
    beyond = (
        sa.select(CachedPage.key)
        .order_by(CachedPage.created_at.desc(), CachedPage.key.desc())
        .offset(max(cap, 0))
    )
    return sa.delete(CachedPage).where(CachedPage.key.in_(beyond))


def cached_page(
    view: Callable | None = None, /, *, args: Mapping[str, Accepted] | None = None
) -> Callable:
    """Serve an anonymous reader page from the page cache, or render it and keep it.

    `args` names the query arguments the view reads and what each may hold; a request with any
    other is answered by the view and not kept. Use bare (`@cached_page`) for a view that reads
    none.
    """
    accepted = dict(args or {})

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def serve(*args, **kwargs):
            if not _eligible() or (keyed := _key(accepted)) is None:
                return view(*args, **kwargs)
            key, tests = keyed
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
            if _storable(response) and all(test() for test in tests):
                etag = _etag(key, version)
                response.set_etag(etag)
                _store(key, version, etag, response)
            return response

        # web.language leaves the check of an address's language to the page (a kept page was
        # stored while its language was published).
        serve.page_cached = True  # type: ignore[attr-defined]
        return serve

    return decorate(view) if view is not None else decorate
