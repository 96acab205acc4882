"""HTTP caching: which answers a shared cache (nginx, a CDN) may keep, for how long, keyed how.

A reader page is public only at its canonical address (no query arguments but the ones its view
names, in canonical form), for an anonymous reader with no session, on a whole-page request (htmx
fragments stay private), and when nothing personal went into it: no cookie set, and for pages
worded for the reader's audience no remembered choice sent with the request.
Everything else is `private` (revalidated with the ETag), and signed-in staff get `no-store`.
Article pages are purged from nginx when their public revision changes (caching/purge.py); listings
expire on a short TTL. See deploy/README.md for the reasons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Flask, Response, current_app, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from config import AUDIENCE_COOKIE
from models import ReadingLevel

CONDITIONAL_TYPES = {"text/html", "application/xml", "application/atom+xml"}


@dataclass(frozen=True)
class Policy:
    max_age: int
    stale: int
    args: frozenset[str]
    audience: bool  # worded for the reader's remembered audience unless ?audience= names it


def shared(
    *, max_age: int, stale: int, args: tuple[str, ...] = (), audience: bool = False
) -> Callable:
    """Let shared caches keep this view's canonical, anonymous answers (see the module doc)."""

    def decorate(view: Callable) -> Callable:
        view.cache_policy = Policy(max_age, stale, frozenset(args), audience)  # type: ignore[attr-defined]
        return view

    return decorate


# Article pages: purged on publication and on edits to what they show (glossary, references,
# readers' answered questions), so the TTL only bounds what a browser keeps.
ARTICLE = {"max_age": 60, "stale": 600}
# Listings: not purged; a new article shows within a minute.
LISTING = {"max_age": 60, "stale": 600}
# Sitemaps and the feed: read by crawlers and feed readers, who poll.
FEED = {"max_age": 300, "stale": 3600}


def _policy() -> Policy | None:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "cache_policy", None)


def _canonical_query(policy: Policy) -> bool:
    """Only the view's own arguments, each once, encoded as url_for would: one cache key per
    page, so purging the canonical addresses purges every stored copy."""
    args = request.args
    if not set(args) <= policy.args or any(len(args.getlist(k)) > 1 for k in args):
        return False
    if "audience" in args and ReadingLevel.parse(args["audience"]) is None:
        return False
    return request.query_string.decode("latin-1") == urlencode(list(args.items()))


def cache_control(response: Response) -> str:
    """The Cache-Control value for a GET answer (adds `Vary: Cookie` where a cookie matters)."""
    if current_user.is_authenticated:
        return "private, no-store"
    policy = _policy()
    if policy is None:
        return "private, no-cache"
    worded_by_cookie = policy.audience and "audience" not in request.args
    if worded_by_cookie:
        # Same address, other wording for a reader who chose an audience: caches that don't
        # know our cookies must keep them apart (nginx bypasses its cache for them instead).
        response.vary.add("Cookie")
    if (
        request.headers.get("HX-Request")
        or "Set-Cookie" in response.headers
        or session.modified
        or session
        or not _canonical_query(policy)
        # A reader's remembered choice can mark their own role in the picker: their answer is
        # theirs. (Decided from the request, so a page served from the app's page cache, which
        # never renders, gets the same header.)
        or (policy.audience and AUDIENCE_COOKIE in request.cookies)
    ):
        return "private, no-cache"
    return f"public, max-age={policy.max_age}, stale-while-revalidate={policy.stale}"


def set_cache_headers(response: Response) -> Response:
    """Cache-Control on every GET answer (a 304 says what its 200 would); an ETag and 304s for
    pages, sitemaps and feeds."""
    if request.method not in ("GET", "HEAD") or response.status_code not in (200, 304):
        return response
    response.headers.setdefault("Cache-Control", cache_control(response))
    if (
        response.status_code == 200
        and response.mimetype in CONDITIONAL_TYPES
        and not response.is_streamed
    ):
        response.add_etag()
        response.make_conditional(request)
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, without `Vary: Cookie` on answers to requests that came
    without a session and leave without one.

    Flask adds the header whenever the session was looked at, and every page looks (is someone
    signed in?). But such an answer is the anonymous page, the same for every reader; a request
    that does carry a session gets a private answer, and the proxy passes it by (deploy/). A
    `Vary: Cookie` here would only stop caches that vary on every cookie from keeping any page.
    """

    def save_session(self, app, session, response) -> None:
        if (
            not session
            and not session.modified
            and self.get_cookie_name(app) not in request.cookies
        ):
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    """Register the cache headers hook.

    Call after Flask-Compress and before the blueprints: after-request hooks run in reverse
    order, so this one sees any cookie a blueprint's hook set, and computes the ETag on the
    uncompressed body.
    """
    app.session_interface = SessionInterface()
    app.after_request(set_cache_headers)
