"""The reader's audience choice: read from `?audience=` or a signed cookie, and remembered."""

from urllib.parse import urlencode, urlsplit

from flask import Blueprint, current_app, flash, g, redirect, request, url_for
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from extensions import db
from services.personalization import COOKIE_MAX_AGE, COOKIE_NAME, Audience, resolve, role_by_key

from .forms import AudienceForm

bp = Blueprint("personalization", __name__)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="audience")


def _remembered_role() -> str | None:
    if current_user.is_authenticated and current_user.audience_role:
        return current_user.audience_role
    raw = request.cookies.get(COOKIE_NAME)
    if not raw:
        return None
    try:
        return _serializer().loads(raw)
    except BadSignature:
        return None


def current_audience() -> Audience:
    """The audience for this request; a `?audience=` choice is remembered for next time."""
    if "audience" not in g:
        remembered = _remembered_role()
        g.audience = resolve(request.args.get("audience"), remembered)
        if g.audience.role and g.audience.role.key != remembered:
            g.remember_role = g.audience.role.key
    return g.audience


@bp.after_app_request
def remember_choice(response):
    role = g.pop("remember_role", None)
    if role:
        _remember(response, role)
    return response


def _remember(response, role_key: str) -> None:
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


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a reader off Vetted."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return parts.path
    return url_for("articles.index")


@bp.post("/audience")
def choose():
    """No-JavaScript path of the picker: remember the role, go back with `?audience=`."""
    form = AudienceForm()
    target = _safe_next(form.next.data)
    if not form.validate():
        flash("Choose the description that fits you best.", "error")
        return redirect(target)
    role = role_by_key(form.role.data)
    response = redirect(f"{target}?{urlencode({'audience': role.level.value})}")
    _remember(response, role.key)
    return response
