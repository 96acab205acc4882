"""What the site refuses to read, answered so that nothing typed is lost.

- A body over `MAX_CONTENT_LENGTH` (config.max_body_bytes; nginx allows a little more, so this
  answer, not nginx's bare one, is what the sender sees): 413.
- A control character (services.validation.CONTROL_CHARACTERS) in any form field or query
  parameter: 422, before any view or service reads the request, so every form and both
  databases behave alike (PostgreSQL refuses NUL in text). In a URL's path: 404.

Without JavaScript the answer is a page saying what was wrong and that Back returns to the form
as typed. An htmx request gets the message alone, swapped inside its target (which keeps its id;
static/js/vetted.js shows 413 and 422 inside `[data-swap-errors]`), so the form that sent it is
never replaced. Blueprints with a status line of their own (follow-up questions) handle
`UnsafeCharacters` and `RequestEntityTooLarge` themselves.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import format_decimal, gettext
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import NotFound, RequestEntityTooLarge, UnprocessableEntity

from services.validation import has_control_characters
from web.errors import error_page

UNSAFE_TITLE = _l("That text contains characters we can’t store")


class UnsafeCharacters(UnprocessableEntity):
    """A form field or query parameter holds a control character."""

    description = _l(
        "It includes invisible control characters (such as a NUL byte, often pasted in from "
        "another program). Nothing was saved. Go back: what you typed is still in the form. "
        "Retype or paste the text again as plain text, then send it again."
    )


def _size(limit: int) -> str:
    if limit >= 1_048_576:
        return f"{format_decimal(limit / 1_048_576)} MB"
    return f"{format_decimal(limit // 1024)} KB"


def too_large_message(limit: int) -> str:
    """What a 413 says: the limit, that nothing was saved, and that the text is still there."""
    return gettext(
        "A form here can send up to %(size)s, and this was more. Nothing was saved. Go "
        "back: what you typed is still in the form. Shorten it, or save part of it now and add "
        "the rest in a second save.",
        size=_size(limit),
    )


def refusal(status: int, title: str, detail: str):
    """The refusal as a page, or for htmx as a message swapped inside the request's target."""
    body, status = error_page(status, detail, title=title)
    swap = {"HX-Reswap": "innerHTML"} if request.htmx else {}
    return body, status, {**swap, "Cache-Control": "no-store"}


def _refuse_control_characters() -> None:
    """Refuse the request before any view reads it when a field or parameter is not text."""
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and has_control_characters(value):
            raise NotFound()
    for fields in (request.args, request.form):
        for name, value in fields.items(multi=True):
            if has_control_characters(name) or has_control_characters(value):
                raise UnsafeCharacters()


def init_app(app: Flask) -> None:
    """Check every request's fields; answer 413 and 422 in place."""
    app.before_request(_refuse_control_characters)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_error: RequestEntityTooLarge):
        limit = request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]
        return refusal(413, gettext("That was too much to send at once"), too_large_message(limit))

    @app.errorhandler(UnsafeCharacters)
    def unsafe_characters(error: UnsafeCharacters):
        return refusal(422, UNSAFE_TITLE, error.description or "")
