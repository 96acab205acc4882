"""Article search: a case-insensitive match on the question and short answer.

Every word of the query must appear in the question or the summary. The follow-ups issue replaces
this with full-text search.
"""

import re

import sqlalchemy as sa

from extensions import db
from models import Article
from services.publishing import publicly_visible

MAX_TERMS = 8
MAX_QUERY = 200


def normalise_query(raw: str) -> str:
    """Collapse white space and cut the query to a sane length."""
    return " ".join(raw.split())[:MAX_QUERY]


def search_articles(query: str, limit: int = 30) -> list[Article]:
    """Visible articles matching every word of `query`, approved first, then by question."""
    terms = [t for t in re.findall(r"[\w+\-]+", query.lower()) if len(t) > 1][:MAX_TERMS]
    if not terms:
        return []
    conditions = []
    for term in terms:
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        conditions.append(
            sa.or_(
                Article.question.ilike(pattern, escape="\\"),
                Article.summary.ilike(pattern, escape="\\"),
            )
        )
    return list(
        db.session.scalars(
            sa.select(Article)
            .where(publicly_visible(), *conditions)
            .order_by(Article.live_revision_id.is_(None), Article.question)
            .limit(limit)
        )
    )
