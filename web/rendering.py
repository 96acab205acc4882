"""One template, two renderings: the whole page, or one named block for an htmx swap."""

from flask import render_template, request
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    """A targeted htmx request: not boosted, not a history restore (those need whole pages)."""
    return (
        bool(request.htmx) and not request.htmx.boosted and not request.htmx.history_restore_request
    )


def render_page(template: str, *, fragment: str | None = None, **context) -> str:
    """Whole page for normal and history-restore requests; one block for targeted htmx swaps."""
    if fragment and wants_fragment():
        return render_block(template, fragment, **context)
    return render_template(template, **context)
