"""Translations on staff screens: "mark as still current" when an English edit needed no change
in a translation (services/editorial/translations.py), from the review page or the editor's
view of that language."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, request, url_for

from blueprints.admin.articles import find_article, hold
from blueprints.admin.base import acting_user, bp, requires
from blueprints.admin.revisions import _history_page
from extensions import db
from models import ReadingLevel
from services.editorial import translations
from services.errors import DomainError
from services.staff.permissions import Permission


@bp.post("/articles/<int:article_id>/translations/still-current")
@requires(Permission.EDIT)
def translation_still_current(article_id: int):
    """Re-point one translation at the current English, its words unchanged: a new draft."""
    article = find_article(article_id)
    level = ReadingLevel.parse(request.form.get("level"))
    position = request.form.get("position", type=int)
    language = request.form.get("language", "")
    if level is None or position is None or not language:
        return _history_page(
            article, message="Say which translation to mark: nothing was saved.", status=422
        )
    try:
        hold(article)
        revision = translations.mark_still_current(
            article,
            actor=acting_user(),
            position=position,
            language=language,
            level=level,
            based_on_id=request.form.get("based_on_id", type=int),
        )
        message = (
            f"The translation follows the current English in a new draft, "
            f"{revision.label.lower()}: submit it for review to publish that."
        )
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        message = "Someone saved this article at the same moment: nothing was saved."
        return _history_page(article, message=message, status=409)
    except DomainError as error:
        db.session.rollback()
        return _history_page(
            article, message=f"{error} Nothing was saved.", status=error.status_code
        )
    flash(message, "success")
    if request.form.get("return_to") == "editor":  # the editor's button: back to that language
        return redirect(url_for("admin.edit", article_id=article_id, language=language), 303)
    return redirect(url_for("admin.article", article_id=article_id), 303)
