"""A revision's screens: any revision previewed as readers would see it, an article's history,
two revisions compared word by word, and an old revision restored as a new draft (history is
never rewritten)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, url_for

from blueprints.admin.articles import all_topics, find_article, glossary_url, hold
from blueprints.admin.base import acting_user, bp, requires
from blueprints.admin.editor import PreviewMode, reader_context
from extensions import db
from models import Article, ReadingLevel
from services.editorial import catalogue, conflicts, editing, publishing, revisions
from services.editorial.diffing import diff
from services.editorial.dossier import snapshot_of
from services.errors import Conflict, DomainError
from services.reading.view import build_view, load_revision
from services.staff.permissions import Permission
from web.audience import audiences


@bp.get("/revisions/<int:revision_id>/preview")
@requires(Permission.VIEW_STAFF)
def preview(revision_id: int):
    """Any revision exactly as the public page would show it, at `?audience=`; never public."""
    revision = load_revision(revision_id) or abort(404)
    article = revision.article
    level = ReadingLevel.parse(request.args.get("audience")) or ReadingLevel.CLINICAL
    view = build_view(article, level, card_url=None, glossary_url=glossary_url, revision=revision)
    assert view is not None
    topic_ids = revision.topic_ids
    topics = (
        [t for t in all_topics() if t.id in set(topic_ids)]
        if topic_ids is not None
        else article.topics
    )
    settings = audiences().levels
    pending = publishing.pending_revision(article)
    mode = PreviewMode(
        revision,
        topics,
        [settings[lv] for lv in reversed(editing.LEVEL_ORDER) if lv in settings],
        shown_to_readers="public"
        if article.public_revision_id == revision.id
        else "pending"
        if pending is not None and pending.id == revision.id
        else "",
    )
    response = make_response(render_template("articles/detail.html", **reader_context(view, mode)))
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/articles/<int:article_id>/history")
@requires(Permission.VIEW_STAFF)
def history(article_id: int):
    """Every revision of an article with its review record; compare, preview, restore."""
    return _history_page(find_article(article_id))


def _history_page(article: Article, *, message: str | None = None, status: int = 200):
    history = catalogue.revision_history(article)
    return render_template(
        "admin/history.html", article=article, revisions=history, message=message
    ), status


@bp.get("/articles/<int:article_id>/compare")
@requires(Permission.VIEW_STAFF)
def compare(article_id: int):
    """Word-level differences between any two revisions of an article (`?a=` → `?b=`)."""
    article = find_article(article_id)
    choices = catalogue.revision_history(article)
    if not choices:
        abort(404)
    by_id = {r.id: r for r in choices}
    newest = choices[0]
    b = by_id.get(request.args.get("b", type=int) or newest.id)
    default_a = choices[1].id if len(choices) > 1 else newest.id
    a = by_id.get(request.args.get("a", type=int) or default_a)
    if a is None or b is None:
        abort(404)
    old, new = load_revision(a.id), load_revision(b.id)
    names = conflicts.topic_names()
    return render_template(
        "admin/compare.html",
        article=article,
        revisions=choices,
        a=a,
        b=b,
        difference=diff(snapshot_of(old, names), snapshot_of(new, names)),
        levels=audiences().levels,
    )


@bp.post("/revisions/<int:revision_id>/restore")
@requires(Permission.EDIT)
def restore(revision_id: int):
    """Copy an old revision into a new draft; history is never rewritten."""
    revision = load_revision(revision_id) or abort(404)
    article = revision.article
    article_id = article.id
    based_on = request.form.get("based_on_id", type=int)
    try:
        hold(article)
        restored = revisions.restore_revision(revision, actor=acting_user(), based_on_id=based_on)
        message = f"Restored {revision.label.lower()} as a new draft, {restored.label.lower()}."
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        message = "Someone saved this article at the same moment: nothing was restored."
        return _history_page(article, message=message, status=409)
    except DomainError as error:
        db.session.rollback()
        if isinstance(error, Conflict):
            message = (
                f"{error} Nothing was restored: the list below now shows that revision; "
                f"restore {revision.label.lower()} again if you still want it."
            )
            return _history_page(article, message=message, status=409)
        return _history_page(article, message=str(error), status=error.status_code)
    flash(message, "success")
    return redirect(url_for("admin.article", article_id=article_id), 303)
