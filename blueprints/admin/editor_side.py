"""The editor's side column: the live preview of the unsaved text (htmx swaps its panel;
without JavaScript the whole editor comes back) and the "Cite a reference" finder, a plain GET
form that htmx turns into an active search with "Insert" buttons."""

from __future__ import annotations

from flask import request
from jinja2_fragments.flask import render_block

from blueprints.admin.articles import all_topics, find_article
from blueprints.admin.base import bp, requires
from blueprints.admin.editor import EditorTarget, _draft_preview, _editor, _posted_form
from extensions import db
from models import Article, Revision
from services.editorial import catalogue, editing, editor_languages
from services.editorial.editor_languages import translation_languages
from services.search import normalise_query
from services.staff.permissions import Permission
from web.audience import audiences
from web.rendering import render_page, wants_fragment
from web.rescue import Reason, keeps_typed_text


def _rescue_preview(reason: Reason):
    """The live preview while signed out: say so in the panel; the text stays in the editor."""
    body = render_block(
        "admin/edit.html",
        "preview_panel",
        signed_out=reason,
        preview=None,
        preview_body=None,
        levels={},
        level_order=[],
    )
    return body, 401 if reason == "signed_out" else 400


@bp.post("/articles/new/preview", defaults={"article_id": None})
@bp.post("/articles/<int:article_id>/preview")
@requires(Permission.EDIT)
@keeps_typed_text(_rescue_preview)
def preview_draft(article_id: int | None):
    """The live preview of the unsaved text, exactly as readers will see it, with its checks.

    htmx swaps the panel; without JavaScript this is the whole editor with the preview updated.
    """
    topics = all_topics()
    article = find_article(article_id) if article_id is not None else None
    target = EditorTarget(article, article_id)
    form = _posted_form(topics)
    if not wants_fragment():
        return _editor(target, form, topics)
    latest = None
    if article is not None and article.latest_revision_id:
        latest = db.session.get(Revision, article.latest_revision_id)
    subject = article or Article(slug="new-article", question=form.question.data or "")
    preview, body = _draft_preview(subject, form, latest, topics)
    return render_block(
        "admin/edit.html",
        "preview_panel",
        preview=preview,
        preview_body=body,
        levels=audiences().levels,
        level_order=editing.LEVEL_ORDER,
        signed_out=None,
        language_name=_language_name(preview.language),
        ease_targets=editor_languages.level_targets(preview.language),
    )


def _language_name(code: str) -> str:
    found = [lang.english_name for lang in translation_languages() if lang.code == code]
    return found[0] if found else "English"


# -- Citation helper ---------------------------------------------------------------------


def _rescue_lookup(reason: Reason):
    """The citation helper while signed out: a note in its panel, never a redirect."""
    body = render_block("admin/cite_lookup.html", "cite_results", signed_out=reason)
    return body, 401 if reason == "signed_out" else 400


@bp.get("/citations")
@requires(Permission.VIEW_STAFF)
@keeps_typed_text(_rescue_lookup)
def cite_lookup():
    """Find a reference by author, title, key, DOI or PMID, to cite it as [@key]."""
    query = normalise_query(request.args.get("q", ""))
    found = catalogue.find_references(query) if query else []
    return render_page(
        "admin/cite_lookup.html",
        fragment="cite_results",
        q=query,
        references=found,
        inline=wants_fragment(),
        signed_out=None,
    )
