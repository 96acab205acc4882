"""Staff accounts (administrators only): add with a one-time set-password link, change details
and role, deactivate and reactivate, reset a password.

Every screen here asks for the password again when it was typed in this session longer ago
than REAUTHENTICATE_AFTER (web/reauthenticate.py).

Vetted sends no email: the administrator copies the link to the new colleague. It is shown once,
on the page the administrator lands on, and kept in their session only until then.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from blueprints.admin.base import acting_user, bp, requires
from blueprints.admin.library_forms import ROLE_LABELS, UserForm
from extensions import db
from models import Role, User
from models.base import utcnow
from services.errors import DomainError
from services.staff import accounts
from services.staff.permissions import Permission, can
from services.validation import InvalidFields
from web.reauthenticate import recent_password_required

LINK_KEY = "set_password_link"


def _keep_link(user: User, token: str) -> None:
    """Hold the new link for the one page view that shows it."""
    expires = utcnow() + timedelta(seconds=accounts.LINK_MAX_AGE)
    session[LINK_KEY] = {
        "user_id": user.id,
        "url": url_for("auth.set_password", token=token, _external=True),
        "expires": expires.isoformat(timespec="minutes"),
    }


def _take_link(user: User) -> dict | None:
    link = session.get(LINK_KEY)
    if isinstance(link, dict) and link.get("user_id") == user.id:
        session.pop(LINK_KEY)
        return link
    return None


@bp.get("/users")
@requires(Permission.USERS)
@recent_password_required
def users():
    """Every staff account, active ones first."""
    return render_template("admin/users.html", staff=accounts.staff_list(), role_labels=ROLE_LABELS)


@bp.route("/users/new", methods=["GET", "POST"])
@requires(Permission.USERS)
@recent_password_required
def new_user():
    """Add a staff member; the next page shows their set-password link to copy."""
    form = UserForm()
    status = 200
    if form.validate_on_submit():
        try:
            created = accounts.create_user(
                email=form.email.data,
                role=Role(form.role.data),
                name=form.name.data,
                credentials=form.credentials.data or "",
                actor=acting_user(),
            )
            token = accounts.set_password_token(
                created, secret=current_app.config["SECRET_KEY"], issued_by=acting_user()
            )
            db.session.commit()
        except InvalidFields as error:
            db.session.rollback()
            form.add_errors(error.errors)
            status = error.status_code
        else:
            _keep_link(created, token)
            flash(f"{created.name} can now be given their set-password link.", "info")
            return redirect(url_for("admin.user", user_id=created.id))
    elif form.is_submitted():
        status = 422
    return render_template("admin/user_new.html", form=form), status


def _user_page(user: User, form: UserForm | None = None, status: int = 200, **context):
    if form is None:
        form = UserForm(
            formdata=None,
            data={
                "email": user.email,
                "name": user.name,
                "credentials": user.credentials,
                "role": user.role.value,
            },
        )
    return render_template(
        "admin/user.html",
        user=user,
        form=form,
        link=_take_link(user),
        role_labels=ROLE_LABELS,
        **context,
    ), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires(Permission.USERS)
@recent_password_required
def user(user_id: int):
    """A staff account: its state, its details form and what can be done to it."""
    found = db.get_or_404(User, user_id)
    if request.method == "GET":
        return _user_page(found)
    form = UserForm()
    if not form.validate_on_submit():
        return _user_page(found, form, 422)
    try:
        accounts.update_user(
            found,
            actor=acting_user(),
            name=form.name.data,
            credentials=form.credentials.data or "",
            email=form.email.data,
            role=Role(form.role.data),
        )
        db.session.commit()
    except InvalidFields as error:
        db.session.rollback()
        form.add_errors(error.errors)
        return _user_page(found, form, error.status_code)
    flash(f"{found.name}’s account saved.", "info")
    if not can(current_user, Permission.USERS):  # they changed their own role
        return redirect(url_for("admin.dashboard"))
    return redirect(url_for("admin.user", user_id=found.id))


def _account_action(user: User, action, done: str):
    """Run one account action; a refusal shows on the account's page with the reason."""
    try:
        action(user, actor=acting_user())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _user_page(user, status=409, action_error=str(error))
    flash(done, "info")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/users/<int:user_id>/deactivate")
@requires(Permission.USERS)
@recent_password_required
def deactivate_user(user_id: int):
    """The account can no longer sign in and its sessions end; its name stays on its work."""
    found = db.get_or_404(User, user_id)
    return _account_action(
        found,
        accounts.deactivate,
        f"{found.name} is deactivated and signed out everywhere. Their name stays on what they "
        "wrote and approved.",
    )


@bp.post("/users/<int:user_id>/reactivate")
@requires(Permission.USERS)
@recent_password_required
def reactivate_user(user_id: int):
    """Let a deactivated account sign in again."""
    found = db.get_or_404(User, user_id)
    return _account_action(
        found,
        accounts.reactivate,
        f"{found.name} can sign in again"
        + ("." if found.password_hash else " once they set a password: reset it for a link."),
    )


@bp.post("/users/<int:user_id>/reset-password")
@requires(Permission.USERS)
@recent_password_required
def reset_password(user_id: int):
    """Void the password and every session; the next page shows a new set-password link."""
    found = db.get_or_404(User, user_id)
    try:
        token = accounts.reset_password(
            found, actor=acting_user(), secret=current_app.config["SECRET_KEY"]
        )
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _user_page(found, status=409, action_error=str(error))
    if found.id == current_user.id:
        # Their own session has just ended: take them straight to choosing the new password.
        logout_user()
        return redirect(url_for("auth.set_password", token=token))
    _keep_link(found, token)
    flash(f"{found.name}’s password is void and their sessions have ended.", "info")
    return redirect(url_for("admin.user", user_id=found.id))
