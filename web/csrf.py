"""Cross-site request forgery: one check for every unsafe request, with no cookie for readers.

Every POST (PUT, PATCH, DELETE) must come from a page of this site. Browsers say where a request
comes from in `Sec-Fetch-Site` (every current browser) and `Origin` (every browser sends it with a
POST); a request whose headers name another site, or that carries neither, is refused. This needs
nothing stored on the reader's side, so anonymous pages set no cookie and a shared cache can keep
them. Signed-in staff have a session anyway, and their requests must also carry the session's
token (Flask-WTF), as a second, independent check on everything a privileged account can do.
See docs/architecture.md, "CSRF".
"""

from __future__ import annotations

from functools import cached_property

from flask import Flask, current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from werkzeug.exceptions import Forbidden

from extensions import csrf as csrf_protect

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# `none`: the user started the request themselves (typed the address, used a bookmark).
ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})


class CrossSiteRequest(Forbidden):
    """An unsafe request that did not come from a page of this site."""

    description = _l(
        "This form was sent from another website, or your browser did not say where it came "
        "from, so it was refused and nothing was saved. Open the page on Vetted and send it again."
    )


class ReaderForm(FlaskForm):
    """A form anonymous readers send. The origin check protects it, so it carries no token and
    the page that shows it sets no cookie; for signed-in staff it carries their token."""

    class Meta(FlaskForm.Meta):
        @cached_property
        def csrf(self) -> bool:
            return current_app.config.get("WTF_CSRF_ENABLED", True) and bool(
                current_user.is_authenticated
            )


def origin_verdict() -> bool | None:
    """True: the browser says this request comes from this site; False: from another one;
    None: the browser said nothing (a very old browser, or not a browser)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ALLOWED_FETCH_SITES
    origin = request.headers.get("Origin")
    if origin is not None:
        own = f"{request.scheme}://{request.host}"
        return origin == own or origin in current_app.config.get("TRUSTED_ORIGINS", ())
    return None


def check_request() -> None:
    """Refuse an unsafe request from another site; staff requests must carry the token too.

    :raises CrossSiteRequest: the browser names another site (or, for a reader, names none).
    :raises flask_wtf.csrf.CSRFError: a signed-in user's token is missing or wrong.
    """
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if request.method not in UNSAFE_METHODS:
        return
    verdict = origin_verdict()
    if verdict is False:
        raise CrossSiteRequest()
    if current_user.is_authenticated:
        csrf_protect.protect()
    elif verdict is None:
        raise CrossSiteRequest()
    else:
        g.csrf_valid = True  # Flask-WTF forms skip their own token check for this request


def csrf_token() -> str:
    """The token for templates: signed-in users only (a reader's token would need a cookie)."""
    if current_app.config.get("WTF_CSRF_ENABLED", True) and current_user.is_authenticated:
        return generate_csrf()
    return ""


def csrf_field() -> Markup:
    """The hidden token field for a hand-written form; nothing for anonymous readers."""
    token = csrf_token()
    if not token:
        return Markup("")
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(token)


def init_app(app: Flask) -> None:
    """Check every request; templates get `csrf_token()` and `csrf_field()` for signed-in users."""
    app.before_request(check_request)
    app.jinja_env.globals.update(csrf_token=csrf_token, csrf_field=csrf_field)
