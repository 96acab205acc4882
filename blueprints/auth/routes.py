"""Staff sign-in and sign-out. Readers never need an account."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from extensions import db, limiter, login_manager
from services.staff import accounts
from services.staff.passwords import MIN_PASSWORD, password_problems
from web.redirects import safe_next

from .forms import LoginForm, SetPasswordForm

bp = Blueprint("auth", __name__, url_prefix="/auth")
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to continue."


@login_manager.user_loader
def load_user(session_id: str):
    """Flask-Login's loader: the active staff member whose session is still current."""
    return accounts.user_for_session(session_id)


def _back_after_sign_in() -> str | None:
    """Where sign-in should lead: the address asked for, if a browser can open it again (a GET);
    after a form sent from a lost session, the page it was sent from (a GET to a POST-only
    address would answer 405), if it is one of ours."""
    if request.method in ("GET", "HEAD"):
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return None
    return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""), "") or None


@login_manager.unauthorized_handler
def unauthorized():
    """htmx requests get HX-Redirect, so a login form is never swapped into a panel."""
    target = url_for("auth.login", next=_back_after_sign_in())
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
def logout():
    """Sign out (a POST with CSRF, so a link elsewhere cannot sign staff out). A session that
    has ended already is signed out all the same: sign-in first would only lead back here."""
    if current_user.is_authenticated:
        accounts.signed_out(current_user._get_current_object())
        db.session.commit()
        logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("articles.index"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def set_password(token: str):
    """Choose a password from the one-time link an administrator sent; opening it uses nothing."""
    user = accounts.user_for_token(token, secret=current_app.config["SECRET_KEY"])
    if user is None:
        response = make_response(render_template("auth/set_password.html", user=None), 410)
    else:
        form = SetPasswordForm()
        status = 200
        if form.validate_on_submit():
            try:
                accounts.set_password(user, form.password.data)
                db.session.commit()
            except accounts.PasswordRejected as error:
                db.session.rollback()
                form.password.errors = list(error.problems)
                status = 422
            else:
                if current_user.is_authenticated:
                    logout_user()  # whoever was signed in here, the new password's owner signs in
                flash("Your password is set. Sign in with your email and new password.", "info")
                return redirect(url_for("auth.login"))
        elif form.is_submitted():
            status = 422
            if form.password.data and not form.password.errors:
                # A mistyped confirmation should not hide what is wrong with the password itself.
                form.password.errors = password_problems(
                    form.password.data, email=user.email, name=user.name
                )
        response = make_response(
            render_template(
                "auth/set_password.html", user=user, form=form, min_length=MIN_PASSWORD
            ),
            status,
        )
    # The address holds a secret: never cached, never sent on as a referrer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
