"""The reader's audience on the web: the role chosen in "Which best describes you?", remembered
in a signed cookie (or a signed-in staff member's profile), and `?audience=` links.

Every blueprint that words a page for its reader asks `current_audience()`; the rule that turns
a role, a link and a remembered choice into a level is services.reading.personalization.resolve.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from config import AUDIENCE_COOKIE
from extensions import db
from services.reading.personalization import Audience, Audiences, load_audiences, resolve
from web.language import current_language

COOKIE_MAX_AGE = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    """Write a newly picked role back when the response goes out.

    Register before the cache headers hook's turn comes (after-request hooks run in reverse
    order), so that hook sees the cookie this one sets.
    """
    app.after_request(remember_choice)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="audience")


def remembered_role() -> str | None:
    """The role this reader chose with the picker before (cookie, or a staff member's profile)."""
    if current_user.is_authenticated and current_user.audience_role:
        return current_user.audience_role
    raw = request.cookies.get(AUDIENCE_COOKIE)
    if not raw:
        return None
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


# Cached on the request object rather than `g`: an app context (and so `g`) can outlive one
# request, e.g. in the CLI or tests, and an audience must never leak into the next request.
def audiences() -> Audiences:
    """Roles and level settings, loaded once per request."""
    if not hasattr(request, "vetted_audiences"):
        request.vetted_audiences = load_audiences(current_language())
    return request.vetted_audiences


def current_audience() -> Audience:
    """This request's audience; a role just picked is remembered when the response goes out.

    Only the picker changes what is remembered: a shared `?audience=` link shows its wording
    without rewriting the reader's own choice (and, but for the picker's mark on a level several
    roles share, answers the same for everyone, which lets a shared cache keep it).
    """
    if not hasattr(request, "vetted_audience"):
        picked = request.args.get("role")
        remembered = remembered_role()
        audience = resolve(
            audiences(),
            query_level=request.args.get("audience"),
            query_role=picked,
            remembered_role=remembered,
        )
        request.vetted_audience = audience
        if picked and audience.role and audience.role.key == picked and picked != remembered:
            request.vetted_remember_role = picked
    return request.vetted_audience


def remembered_level() -> str | None:
    """The level of the remembered role (None: nothing remembered, or a role that is gone)."""
    role = audiences().role(remembered_role()) if remembered_role() else None
    return role.level.value if role else None


def remember_choice(response):
    """Write a newly chosen role to the cookie (and a signed-in staff member's profile)."""
    role_key = getattr(request, "vetted_remember_role", None)
    if role_key and response.status_code < 400:
        remember(response, role_key)
        del request.vetted_remember_role
    return response


def remember_now(response):
    """Remember a role just picked on this response already, not after it: the page cache keeps
    the answer, cookie included, when the view returns (the cookie's value is the same for
    everyone who picks that role)."""
    return remember_choice(response)


def remember(response, role_key: str) -> None:
    """Signed, HttpOnly, SameSite=Lax cookie holding only the role key; staff: their profile."""
    if current_user.is_authenticated:
        current_user.audience_role = role_key
        db.session.commit()
    response.set_cookie(
        AUDIENCE_COOKIE,
        _serializer().dumps(role_key),
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
