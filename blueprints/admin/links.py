"""Where staff pages link an object to: its staff page when that page exists in this build."""

from __future__ import annotations

from flask import current_app, url_for

from blueprints.admin.base import bp
from models import Article

# Audit object types → (endpoint, its URL parameter) of the staff page showing one.
OBJECT_PAGES = {
    "article": ("admin.article", "article_id"),
    "revision": ("admin.preview", "revision_id"),
    "reference": ("admin.reference", "reference_id"),
    "glossary_term": ("admin.term", "term_id"),
    "user": ("admin.user", "user_id"),
    "audience_role": ("admin.settings", None),
    "reading_level": ("admin.settings", None),
}


def _has(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def object_url(object_type: str, object_id: str) -> str | None:
    """The staff page of an audited object, if this build has one (the caller knows it exists)."""
    endpoint, param = OBJECT_PAGES.get(object_type, ("", None))
    if not _has(endpoint):
        return None
    if param is None:
        return url_for(endpoint)
    if not object_id.isdigit():
        return None
    return url_for(endpoint, **{param: int(object_id)})


def article_url(article: Article) -> str | None:
    """An article's staff page, else its public page while it is public, else nothing."""
    if _has("admin.article"):
        return url_for("admin.article", article_id=article.id)
    if article.is_public:
        return url_for("articles.detail", slug=article.slug)
    return None


@bp.app_context_processor
def _links() -> dict:
    return {"object_url": object_url, "article_url": article_url}
