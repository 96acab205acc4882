"""Staff sign-in and sign-out. Readers never need an account."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from blueprints.redirects import safe_next
from extensions import db, limiter, login_manager
from services import accounts

from .forms import LoginForm

bp = Blueprint("auth", __name__, url_prefix="/auth")
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to continue."


@login_manager.user_loader
def load_user(session_id: str):
    """Flask-Login's loader: the active staff member whose session is still current."""
    return accounts.user_for_session(session_id)


@login_manager.unauthorized_handler
def unauthorized():
    """htmx requests get HX-Redirect, so a login form is never swapped into a panel."""
    target = url_for("auth.login", next=request.full_path.rstrip("?"))
    if request.htmx:
        return "", 401, {"HX-Redirect": target}
    flash(login_manager.login_message, "info")
    return redirect(target)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("admin.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        db.session.commit()  # the audit row of a failed attempt is kept too
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(form.next.data, url_for("admin.dashboard")))
        form.password.errors.append("That email and password do not match an account.")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """Sign out (a POST with CSRF, so a link elsewhere cannot sign staff out)."""
    accounts.signed_out(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("articles.index"))
