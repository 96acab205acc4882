"""Typed text that must survive a lost session.

An editor may type for an hour and then press Save after their session ended (signed out in
another tab, a new password elsewhere, the cookie expired). A redirect to sign-in or a "form
expired" page would throw the text away. Views marked with `keeps_typed_text` answer such
requests themselves: their rescue re-renders what was posted, with a way to sign in again in a
new tab, and shows nothing from the database (the sender is not signed in).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal
from urllib.parse import urlsplit

from flask import current_app, request
from flask_login import current_user

Reason = Literal["signed_out", "expired"]
Rescue = Callable[[Reason], object]


def keeps_typed_text(rescue: Rescue) -> Callable:
    """Give a view a rescue for its POSTs and htmx requests when the session or form token is
    gone: `rescue(reason)` answers instead of a redirect to sign-in or an error page."""

    def decorate(view: Callable) -> Callable:
        view.rescue = rescue  # type: ignore[attr-defined]
        return view

    return decorate


def _from_this_site() -> bool:
    """Only our own pages get their text back: another site cannot have a form re-shown here."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
        return False
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def rescue_for_request() -> Rescue | None:
    """The current view's rescue, when this request carries text it would otherwise lose.

    Its reason is "signed_out" whenever nobody is signed in (an expired token usually means a
    lost session too), else "expired".
    """
    view = current_app.view_functions.get(request.endpoint or "")
    rescue = getattr(view, "rescue", None)
    if rescue is None or not (request.method == "POST" or request.htmx):
        return None
    if not _from_this_site():
        return None

    def answer(reason: Reason):
        return rescue(reason if current_user.is_authenticated else "signed_out")

    return answer
