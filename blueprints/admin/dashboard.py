"""The staff dashboard."""

import sqlalchemy as sa
from flask import render_template
from sqlalchemy.orm import selectinload

from blueprints.admin.base import bp, requires
from extensions import db
from models import Article, Revision, Section
from services.permissions import Permission
from services.personalization import load_audiences
from services.readability import over_target


@bp.get("/")
@requires(Permission.VIEW_STAFF)
def dashboard():
    """Every article with the state of its latest revision."""
    articles = list(
        db.session.scalars(
            sa.select(Article)
            .options(
                selectinload(Article.latest_revision)
                .selectinload(Revision.sections)
                .selectinload(Section.variants),
                selectinload(Article.live_revision),
            )
            .order_by(Article.updated_at.desc())
        )
    )
    levels = load_audiences().levels
    flags = {a.id: over_target(a.latest_revision, levels) for a in articles if a.latest_revision}
    return render_template("admin/dashboard.html", articles=articles, flags=flags)
