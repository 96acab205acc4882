"""The staff blueprint and its one guard: every route is for signed-in, active staff, and each
view names the permission it needs with `@requires` (services check again, with the object)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import Blueprint, abort, current_app, request
from flask_login import current_user

from extensions import login_manager
from models import User
from services.staff.permissions import Permission, can
from web.rescue import rescue_for_request

bp = Blueprint("admin", __name__, url_prefix="/admin")


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    permission: Permission
    section: str  # matched against the current endpoint's module for aria-current


# The staff navigation, in order. An entry shows to those whose role grants its permission.
NAVIGATION = [
    NavItem("admin.dashboard", "Dashboard", Permission.VIEW_STAFF, "dashboard"),
    NavItem("admin.articles", "Articles", Permission.VIEW_STAFF, "articles"),
    NavItem("admin.review_queue", "Review", Permission.VIEW_STAFF, "review"),
    NavItem("admin.followups", "Follow-ups", Permission.VIEW_STAFF, "followups"),
    NavItem("admin.references", "References", Permission.VIEW_STAFF, "references"),
    NavItem("admin.glossary", "Glossary", Permission.VIEW_STAFF, "glossary"),
    NavItem("admin.users", "Users", Permission.USERS, "users"),
    NavItem("admin.settings", "Settings", Permission.SETTINGS, "settings"),
    NavItem("admin.audit", "Audit log", Permission.AUDIT, "audit"),
]


def acting_user() -> User:
    """The signed-in staff member, as the model the services take (never the proxy)."""
    return current_user._get_current_object()


def requires(permission: Permission) -> Callable:
    """Guard a staff view: signed-in active staff whose role grants `permission`, else 403."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        guarded.required_permission = permission  # type: ignore[attr-defined]
        return guarded

    return decorate


@bp.before_request
def _signed_in_staff_only():
    """Signed out (or deactivated, which ends the session): to sign-in and back."""
    if not current_user.is_authenticated:
        if (rescue := rescue_for_request()) is not None:
            return rescue("signed_out")  # an editor's typed text comes back, not a redirect
        return login_manager.unauthorized()
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and not hasattr(view, "required_permission"):
        # A staff view without @requires is a programming error: refuse rather than expose it.
        abort(403)
    return None


@bp.after_request
def _never_cached(response):
    """Staff pages show drafts and personal queues: no cache may keep or reuse them."""
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_context_processor
def _staff_navigation() -> dict:
    def staff_nav() -> list[NavItem]:
        return [
            item
            for item in NAVIGATION
            if item.endpoint in current_app.view_functions and can(current_user, item.permission)
        ]

    return {"staff_nav": staff_nav, "can": lambda name: can(current_user, Permission(name))}


@bp.app_template_filter("language_name")
def language_name(code: str) -> str:
    """A language's English name for staff screens ("es" → "Spanish"), read once a request."""
    from flask import g

    from services.editorial.editor_languages import language_names

    names = g.get("_language_names")
    if names is None:
        names = g._language_names = language_names()
    return names.get(code, code)
