"""Articles in the staff area: the list, an article's staff page, locks and submission for
review, and what the editor (editor.py) and the revision screens (revisions.py) share.

Every form is a plain POST → redirect → GET; a refused action re-renders the page with the
reason (403 for a lock or a role that may not, 409 when the state has moved on).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for

from blueprints.admin.base import acting_user, bp, requires
from extensions import db
from models import Article, ReviewStatus, Revision, Topic
from services.editorial import catalogue, publishing, revisions
from services.editorial import review as review_service
from services.editorial.checks import check_revision
from services.errors import DomainError
from services.followups import promotion
from services.reading.view import load_revision
from services.search import normalise_query
from services.staff.permissions import Permission
from web.redirects import safe_next
from web.rendering import render_page


def find_article(article_id: int) -> Article:
    return db.session.get(Article, article_id) or abort(404)


def latest_revision(article: Article) -> Revision | None:
    """The article's latest revision with its sections and variants (three queries)."""
    if article.latest_revision_id is None:
        return None
    return load_revision(article.latest_revision_id)


def all_topics() -> list[Topic]:
    return list(db.session.scalars(sa.select(Topic).order_by(Topic.name)))


def glossary_url(term) -> str:
    return url_for("articles.glossary", _anchor=term.slug)


def hold(article: Article) -> None:
    """Lock the article's row until the commit (PostgreSQL; SQLite writes one at a time), so
    two saves of one article are checked for conflicts one after the other."""
    db.session.refresh(article, with_for_update={"key_share": True})


# -- The list and the staff page -----------------------------------------------------------


@bp.get("/articles")
@requires(Permission.VIEW_STAFF)
def articles():
    """Every article with its live and latest revision, filtered and paged by plain links."""
    topics = all_topics()
    status = request.args.get("status", "")
    status_filter = ReviewStatus(status) if status in set(ReviewStatus) else None
    topic = next((t for t in topics if t.slug == request.args.get("topic")), None)
    text = normalise_query(request.args.get("q", ""))
    listing = catalogue.staff_articles(
        status=status_filter,
        topic=topic,
        text=text,
        page=request.args.get("page", 1, type=int),
    )
    filters = {
        "status": status_filter.value if status_filter else None,
        "topic": topic.slug if topic else None,
        "q": text or None,
    }
    return render_page(
        "admin/articles.html",
        listing=listing,
        topics=topics,
        filters=filters,
        statuses=[s for s in ReviewStatus if s != ReviewStatus.SUPERSEDED],
    )


@bp.get("/articles/<int:article_id>")
@requires(Permission.VIEW_STAFF)
def article(article_id: int):
    """An article's staff page: live and latest revisions, pending review, lock, actions."""
    return staff_page(find_article(article_id))


def staff_page(article: Article, *, message: str | None = None, status: int = 200):
    latest = latest_revision(article)
    user = acting_user()
    context = {
        "article": article,
        "latest": latest,
        "live": article.live_revision,
        "pending": publishing.pending_revision(article),
        "actions": review_service.actions_for(latest, user) if latest else [],
        "findings": check_revision(latest) if latest else None,
        "recent": catalogue.recent_revisions(article),
        "promoted_from": promotion.promoted_from(article),
        "message": message,
    }
    return render_template("admin/article.html", **context), status


# -- Lock and submit -----------------------------------------------------------------------


def _back_to_article(article: Article):
    target = safe_next(request.form.get("next"), url_for("admin.article", article_id=article.id))
    return redirect(target, 303)


@bp.post("/articles/<int:article_id>/lock")
@requires(Permission.EDIT)
def lock(article_id: int):
    """Lock the article: nobody else can save until it is unlocked."""
    article = find_article(article_id)
    try:
        revisions.lock(article, actor=acting_user())
    except DomainError as error:
        db.session.rollback()
        return staff_page(article, message=str(error), status=error.status_code)
    db.session.commit()
    flash("Locked: nobody else can save this article until you unlock it.", "success")
    return _back_to_article(article)


@bp.post("/articles/<int:article_id>/unlock")
@requires(Permission.EDIT)
def unlock(article_id: int):
    """Release the lock (its holder, or an administrator for anyone's)."""
    article = find_article(article_id)
    try:
        revisions.unlock(article, actor=acting_user())
    except DomainError as error:
        db.session.rollback()
        return staff_page(article, message=str(error), status=error.status_code)
    db.session.commit()
    flash("Unlocked: anyone with editing rights can save again.", "success")
    return _back_to_article(article)


@bp.post("/revisions/<int:revision_id>/submit")
@requires(Permission.EDIT)
def submit(revision_id: int):
    """Send the latest revision to the Medical Advisory Board."""
    revision = db.session.get(Revision, revision_id) or abort(404)
    article = revision.article
    try:
        review_service.submit(revision, actor=acting_user())
    except DomainError as error:
        db.session.rollback()
        return staff_page(article, message=str(error), status=error.status_code)
    db.session.commit()
    flash(f"Submitted {revision.label.lower()} for review.", "success")
    return redirect(url_for("admin.article", article_id=article.id), 303)
