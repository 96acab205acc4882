"""The real app plus staff write routes over the real services, for the fleet tests to drive.

Until the editorial helpers' staff routes are on main, this is how a test makes the writes the
site has (revision saves and review transitions) through gunicorn over HTTP: each route loads,
calls one service as the signed-in user, commits, and only then acknowledges with JSON, exactly
as a staff route does. It is never part of the site: only the fleet tests serve it.
"""

from flask import Blueprint, abort, request
from flask_login import current_user, login_required

from app import create_app as create_site
from extensions import db
from models import Article, Revision
from services import review
from services.publishing import save_revision
from tests.factories import make_sections

bp = Blueprint("fleet_writes", __name__, url_prefix="/_fleet")


@bp.post("/articles/<int:article_id>/revisions")
@login_required
def save(article_id: int):
    """Save a new revision whose change note is the client's marker."""
    article = db.session.get(Article, article_id) or abort(404)
    revision = save_revision(
        article,
        author=current_user,
        question=article.question,
        sections=make_sections(summary=f"Test answer {request.form['marker']}."),
        change_note=request.form["marker"],
        based_on_id=article.latest_revision_id,
    )
    db.session.commit()
    return {"revision_id": revision.id, "marker": revision.change_note}


@bp.post("/revisions/<int:revision_id>/<action>")
@login_required
def transition(revision_id: int, action: str):
    """Move a revision through review: submit, start_review or approve."""
    revision = db.session.get(Revision, revision_id) or abort(404)
    user = current_user._get_current_object()
    if action == "submit":
        review.submit(revision, actor=user)
    elif action == "start_review":
        review.start_review(revision, reviewer=user)
    elif action == "approve":
        review.approve(revision, reviewer=user, override_reason="Fleet test")
    else:
        abort(404)
    db.session.commit()
    return {"revision_id": revision.id, "status": revision.status.value}


def create_app():
    """The site with the write routes above."""
    app = create_site()
    app.register_blueprint(bp)
    return app
