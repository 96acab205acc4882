"""Audience settings: the picker's role labels, the level each reads, each level's names and
target grade. Administrators only; reader pages show a change on their next view."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from blueprints.admin.base import acting_user, bp, requires
from blueprints.admin.library_forms import LEVEL_LABELS, SettingsForm
from extensions import db
from services.reading.personalization import load_audiences
from services.staff import settings as audience_settings
from services.staff.permissions import Permission
from services.validation import InvalidFields


@bp.route("/settings", methods=["GET", "POST"])
@requires(Permission.SETTINGS)
def settings():
    """Edit the roles and reading levels in one form."""
    audiences = load_audiences()
    form = SettingsForm.build(audiences)
    status = 200
    if form.validate_on_submit():
        try:
            changed = audience_settings.update_settings(
                roles=form.roles_input(),
                levels=form.levels_input(),
                actor=acting_user(),
            )
            db.session.commit()
        except InvalidFields as error:
            db.session.rollback()
            form.add_service_errors(error.errors)
            status = error.status_code
        else:
            flash(
                f"Settings saved ({changed} change{'s' if changed != 1 else ''}); reader pages "
                "use them from their next view."
                if changed
                else "Nothing had changed, so nothing was saved.",
                "info",
            )
            return redirect(url_for("admin.settings"))
    elif form.is_submitted():
        status = 422
    return render_template(
        "admin/settings.html",
        form=form,
        audiences=audiences,
        level_labels=LEVEL_LABELS,
        min_grade=audience_settings.MIN_GRADE,
        max_grade=audience_settings.MAX_GRADE,
    ), status
