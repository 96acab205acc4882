"""Screens that change who can do what (user management) ask for the password again when it
was last typed in this session longer ago than REAUTHENTICATE_AFTER, or the session came back
from the remember-me cookie: "Confirm your password" (blueprints/auth), then back here."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import current_app, redirect, request, url_for
from flask_login import current_user, login_fresh

from services.staff import sessions
from web.redirects import safe_next


def back_here() -> str | None:
    """Where to come back to: this address, if a browser can open it again (a GET); for a form,
    the page it was sent from (a GET to a POST-only address would answer 405), if it is ours."""
    if request.method in ("GET", "HEAD"):
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return None
    return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""), "") or None


def recent_password_required(view: Callable) -> Callable:
    """Guard a view (after `@requires`) so it runs only with a recently typed password."""

    @wraps(view)
    def checked(*args, **kwargs):
        recent = sessions.password_is_recent(
            current_user._get_current_object(),
            within=current_app.config["REAUTHENTICATE_AFTER"],
            fresh=login_fresh(),
        )
        if recent:
            return view(*args, **kwargs)
        target = url_for("auth.confirm", next=back_here())
        if request.htmx:
            return "", 401, {"HX-Redirect": target}
        return redirect(target)

    return checked
