"""Staff sign-in and sign-out, "Confirm your password", and the set-password link."""

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import confirm_login, current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from extensions import db, limiter, login_manager
from services.staff import accounts, sessions
from services.staff.passwords import MIN_PASSWORD, password_problems
from web.reauthenticate import back_here
from web.redirects import safe_next

from .forms import ChangePasswordForm, ConfirmForm, LoginForm, SetPasswordForm

bp = Blueprint("auth", __name__, url_prefix="/auth")
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to continue."


@login_manager.user_loader
def load_user(session_id: str):
    """Flask-Login's loader: the active staff member whose server-side session is current."""
    user = sessions.user_for_session(
        session_id,
        remember_for=current_app.config["REMEMBER_COOKIE_DURATION"],
        idle_for=current_app.config["SESSION_IDLE"],
    )
    if user is not None and (key := sessions.needs_seen_mark(user)):
        sessions.mark_seen(key)
    return user


@login_manager.unauthorized_handler
def unauthorized():
    """htmx requests get HX-Redirect, so a login form is never swapped into a panel."""
    target = url_for("auth.login", next=back_here())
    if request.htmx:
        return "", 401, {"HX-Redirect": target}
    flash(login_manager.login_message, "info")
    return redirect(target)


def _account_key() -> str:
    """The per-account limit's key: a digest of the typed email, never the email itself."""
    email = request.form.get("email", "")
    return "account:" + sessions.email_key(email, secret=current_app.config["SECRET_KEY"])


# A browser that has signed in to an account before carries this signed cookie naming it (a
# digest, as the account key): the per-account throttle does not apply to it, so an attacker
# failing on purpose from elsewhere slows guessing without locking the holder out (OWASP's
# "device cookies"). The per-address limit still applies to everyone.
DEVICE_COOKIE = "vetted_device"
DEVICE_MAX_AGE = 180 * 24 * 3600
DEVICE_ACCOUNTS = 5  # a shared computer remembers the last few accounts signed in from it


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="sign-in device")


def _device_accounts() -> list[str]:
    try:
        seen = _devices().loads(request.cookies.get(DEVICE_COOKIE, ""), max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return []
    return seen if isinstance(seen, list) else []


def _known_device() -> bool:
    """This browser signed in to the account typed before: exempt from the per-account limit."""
    return _account_key() in _device_accounts()


def _remember_device(response):
    """After a sign-in, this browser is known for that account."""
    key = _account_key()
    seen = [key, *(k for k in _device_accounts() if k != key)][:DEVICE_ACCOUNTS]
    response.set_cookie(
        DEVICE_COOKIE,
        _devices().dumps(seen),
        max_age=DEVICE_MAX_AGE,
        path=url_for("auth.login"),
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


def _user_key() -> str:
    """The confirm page's per-account key (it is for signed-in staff only)."""
    return f"user:{(current_user.get_id() or '').partition('.')[0]}"


def _refused(response) -> bool:
    """Only refused attempts count against an account (a sign-in that works redirects)."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_refused,
    exempt_when=_known_device,
)
def login():
    """Sign in with email and password, into a fresh session."""
    if current_user.is_authenticated:
        return redirect(url_for("admin.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.authenticate(
            form.email.data,
            form.password.data,
            remember=form.remember.data,
            secret=current_app.config["SECRET_KEY"],
        )
        db.session.commit()  # the audit row of a failed attempt is kept too
        if user is not None:
            # Nothing from before sign-in carries over: a new session and a new CSRF token.
            session.clear()
            login_user(user, remember=form.remember.data)
            return _remember_device(redirect(safe_next(form.next.data, url_for("admin.dashboard"))))
        form.password.errors.append("That email and password do not match an account.")
    return render_template("auth/login.html", form=form)


@bp.route("/confirm", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
@limiter.limit("5 per minute; 20 per hour", key_func=_user_key, methods=["POST"])
def confirm():
    """Type the password again before user management, then go back to where you were."""
    form = ConfirmForm(next=request.args.get("next", ""))
    status = 200
    if form.validate_on_submit():
        confirmed = sessions.confirm_password(
            current_user._get_current_object(), form.password.data
        )
        db.session.commit()
        if confirmed:
            confirm_login()
            return redirect(safe_next(form.next.data, url_for("admin.dashboard")))
        form.password.errors.append("That is not your password.")
        status = 422
    elif form.is_submitted():
        status = 422
    return (
        render_template("auth/confirm.html", form=form),
        status,
        {"Cache-Control": "private, no-store"},
    )


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
@limiter.limit("5 per minute; 20 per hour", key_func=_user_key, methods=["POST"])
def change_password():
    """A signed-in staff member changes their own password (the current one asked every time);
    every session ends, so they sign in again with the new one."""
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    status = 200
    if form.is_submitted():
        status = 422
        valid = form.validate()
        if form.password.data and not form.password.errors:
            # Every problem at once: a mismatch should not hide what is wrong with the password.
            form.password.errors = password_problems(
                form.password.data, email=user.email, name=user.name
            )
        if valid and not form.password.errors:
            changed = accounts.change_password(user, form.current.data, form.password.data)
            db.session.commit()  # the change, or the audit row of a wrong current password
            if changed:
                session.clear()
                logout_user()
                flash("Your password is changed. Sign in with your new password.", "info")
                return redirect(url_for("auth.login"))
            form.current.errors = ["That is not your current password."]
    return (
        render_template("auth/change_password.html", form=form, min_length=MIN_PASSWORD),
        status,
        {"Cache-Control": "private, no-store"},
    )


@bp.post("/logout")
def logout():
    """Sign out (a POST with CSRF, so a link elsewhere cannot sign staff out): the server-side
    session ends, so a copy of the cookie no longer works. A session that has ended already is
    signed out all the same: sign-in first would only lead back here."""
    if current_user.is_authenticated:
        sessions.end(current_user._get_current_object())
        db.session.commit()
    session.clear()
    logout_user()  # after clear(): it asks for the remember-me cookie to be deleted
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
                accounts.set_password(
                    user,
                    form.password.data,
                    set_by_id=accounts.link_issuer_id(
                        token, secret=current_app.config["SECRET_KEY"]
                    ),
                )
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
