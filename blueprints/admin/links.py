"""Where staff pages link an audited or cited object to: its staff page."""

from __future__ import annotations

from flask import url_for

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
    "followup": ("admin.followup", "question_id"),
    "language": ("admin.language", "language_code"),
}


def object_url(object_type: str, object_id: str) -> str | None:
    """The staff page of an audited object, if it has one (the caller knows it exists)."""
    if object_type not in OBJECT_PAGES:
        return None
    endpoint, param = OBJECT_PAGES[object_type]
    if param is None:
        return url_for(endpoint)
    if object_type == "language":
        return url_for(endpoint, **{param: object_id}) if object_id != "en" else None
    if not object_id.isdigit():
        return None
    return url_for(endpoint, **{param: int(object_id)})


def article_url(article: Article) -> str:
    """An article's staff page."""
    return url_for("admin.article", article_id=article.id)


@bp.app_context_processor
def _links() -> dict:
    return {"object_url": object_url, "article_url": article_url}
