"""The reader's audience: from the picker, `?audience=`, a signed cookie or the staff profile."""

from urllib.parse import urlencode, urlsplit

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from blueprints.redirects import safe_next
from extensions import db
from services.personalization import (
    COOKIE_MAX_AGE,
    COOKIE_NAME,
    Audience,
    Audiences,
    load_audiences,
    resolve,
)

from .forms import AudienceForm

bp = Blueprint("personalization", __name__)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="audience")


def remembered_role() -> str | None:
    """The role this reader chose with the picker before (cookie, or a staff member's profile)."""
    if current_user.is_authenticated and current_user.audience_role:
        return current_user.audience_role
    raw = request.cookies.get(COOKIE_NAME)
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
        request.vetted_audiences = load_audiences()
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


@bp.after_app_request
def remember_choice(response):
    """Write a newly chosen role to the cookie (and a signed-in staff member's profile)."""
    role_key = getattr(request, "vetted_remember_role", None)
    if role_key and response.status_code < 400:
        _remember(response, role_key)
        del request.vetted_remember_role
    return response


def remember_now(response):
    """Remember a role just picked on this response already, not after it: the page cache keeps
    the answer, cookie included, when the view returns (the cookie's value is the same for
    everyone who picks that role)."""
    return remember_choice(response)


def _remember(response, role_key: str) -> None:
    """Signed, HttpOnly, SameSite=Lax cookie holding only the role key; staff: their profile."""
    if current_user.is_authenticated:
        current_user.audience_role = role_key
        db.session.commit()
    response.set_cookie(
        COOKIE_NAME,
        _serializer().dumps(role_key),
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


@bp.post("/audience")
def choose():
    """No-JavaScript path of the picker: remember the role, go back with `?audience=`."""
    form = AudienceForm()
    # Only the path: the level goes in the query string built below.
    target = urlsplit(safe_next(form.next.data, url_for("articles.index"))).path
    role = audiences().role(form.role.data) if form.validate() else None
    if role is None:
        flash("Choose the description that fits you best.", "error")
        return redirect(target)
    response = redirect(f"{target}?{urlencode({'audience': role.level.value})}")
    _remember(response, role.key)
    return response
