from urllib.parse import parse_qs, urlsplit

import pytest

from models import Role


def test_staff_area_requires_login(demo, client):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_htmx_request_after_session_expiry_gets_hx_redirect(demo, hx):
    response = hx.get("/admin/")
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/auth/login")


@pytest.mark.parametrize("role", list(Role))
def test_each_staff_role_can_sign_in_and_out(demo, client, auth, role):
    response = auth.login(role)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    auth.logout()
    assert client.get("/admin/").status_code == 302


def test_wrong_password_says_so_without_saying_which(demo, client, auth):
    auth.login(Role.EDITOR)
    auth.logout()
    response = client.post("/auth/login", data={"email": "editor@example.org", "password": "nope"})
    assert response.status_code == 200
    assert "That email and password do not match an account." in response.get_data(as_text=True)


def test_login_never_redirects_off_site(demo, client, auth):
    from extensions import db
    from tests.conftest import PASSWORD
    from tests.factories import make_user

    make_user(role=Role.EDITOR, email="e@example.org", password=PASSWORD)
    db.session.commit()
    response = client.post(
        "/auth/login",
        data={"email": "e@example.org", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.headers["Location"] == "/admin/"


def test_login_is_rate_limited(demo, client):
    # A new email each time, so this is the limit per address, not the one per account.
    for n in range(10):
        client.post("/auth/login", data={"email": f"x{n}@example.org", "password": "wrong"})
    response = client.post("/auth/login", data={"email": "y@example.org", "password": "wrong"})
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)


def test_forms_without_an_origin_are_refused_with_a_clear_message(app_factory):
    response = (
        app_factory(WTF_CSRF_ENABLED=True)
        .test_client()
        .post("/auth/login", data={"email": "a@b.c", "password": "x"})
    )
    assert response.status_code == 403
    assert "nothing was saved" in response.get_data(as_text=True)


def test_signing_in_takes_you_back_to_the_page_you_asked_for(demo, client):
    from urllib.parse import parse_qs, urlsplit

    from extensions import db
    from tests.conftest import PASSWORD
    from tests.factories import make_user

    make_user(role=Role.EDITOR, email="back@example.org", password=PASSWORD)
    db.session.commit()
    asked = client.get("/admin/articles")
    assert asked.status_code == 302
    location = urlsplit(asked.headers["Location"])
    assert location.path == "/auth/login"
    (next_url,) = parse_qs(location.query)["next"]
    assert next_url == "/admin/articles"
    form = client.get(f"/auth/login?{location.query}").get_data(as_text=True)
    assert 'name="next" type="hidden" value="/admin/articles"' in form
    response = client.post(
        "/auth/login",
        data={"email": "back@example.org", "password": PASSWORD, "next": next_url},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/articles"
    assert client.get("/admin/articles").status_code == 200


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example/"]
)
def test_cannot_be_sent_off_site_after_signing_in(demo, client, next_url):
    from urllib.parse import urlsplit

    from extensions import db
    from tests.conftest import PASSWORD
    from tests.factories import make_user

    make_user(role=Role.EDITOR, email="stay@example.org", password=PASSWORD)
    db.session.commit()
    response = client.post(
        "/auth/login",
        data={"email": "stay@example.org", "password": PASSWORD, "next": next_url},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    # A path on this site; browsers read a backslash as a slash, so "/\\host" would be "//host".
    assert location.startswith("/")
    assert urlsplit(location.replace("\\", "/")).netloc == ""


def test_signing_out_after_the_session_ended_goes_home_signed_out(demo, client):
    response = client.post("/auth/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "You are signed out." in client.get("/").get_data(as_text=True)


def test_a_form_sent_from_a_lost_session_leads_back_to_its_page_never_to_a_405(demo, client):
    """Sign-in must lead somewhere a browser can open: the form's page, not its POST address."""
    from extensions import db
    from models import Article
    from tests.conftest import PASSWORD
    from tests.factories import make_user

    make_user(role=Role.EDITOR, email="back@example.org", password=PASSWORD)
    article = db.session.scalar(db.select(Article).limit(1))
    db.session.commit()
    page = f"/admin/articles/{article.id}"
    sent = client.post(f"{page}/lock", headers={"Referer": f"http://localhost{page}"})
    assert sent.status_code == 302
    back = parse_qs(urlsplit(sent.headers["Location"]).query)["next"]
    assert back == [page]
    credentials = {"email": "back@example.org", "password": PASSWORD, "next": back[0]}
    signed_in = client.post("/auth/login", data=credentials)
    assert signed_in.headers["Location"] == page
    assert client.get(signed_in.headers["Location"]).status_code == 200
    elsewhere = client.post("/auth/logout")
    assert elsewhere.status_code == 302
    off_site = client.post(f"{page}/lock", headers={"Referer": "https://evil.example/x"})
    assert "next" not in off_site.headers["Location"]


# --- Secrets stay secret (issue 14) ---------------------------------------------------------


@pytest.fixture
def log_stream():
    """Everything the "vetted" loggers write, as the JSON lines production gets."""
    import io
    import logging

    from web.logs import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("vetted")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def test_secret_links_are_logged_as_their_route_never_with_the_token(app, client, log_stream):
    import json

    from extensions import db
    from services.staff import accounts
    from tests.conftest import SECRET_KEY
    from tests.factories import make_user

    user = make_user(role=Role.EDITOR, email="new@example.org")
    db.session.commit()
    link = accounts.set_password_token(user, secret=SECRET_KEY)
    question = "Q" * 22  # a private question link's shape, opening nothing
    assert client.get(f"/auth/set-password/{link}").status_code == 200
    assert client.get(f"/questions/{question}").status_code == 404
    client.post(f"/questions/{question}/delete")
    client.get(f"/questions/{question}/no/such/page")  # no route at all: masked all the same
    text = log_stream.getvalue()
    assert link not in text and question not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["path"] for line in lines] == [
        "/auth/set-password/<token>",
        "/questions/<token>",
        "/questions/<token>/delete",
        "/questions/<token>/no/such/page",
    ]


def test_errors_in_a_secret_link_never_log_the_token(app_factory, log_stream):
    app = app_factory()

    @app.get("/questions/<token>/boom")
    def boom(token):
        raise RuntimeError(f"kaboom at /questions/{token}")

    token = "S" * 22
    assert app.test_client().get(f"/questions/{token}/boom").status_code == 500
    assert "kaboom" in log_stream.getvalue() and token not in log_stream.getvalue()


def test_every_route_with_a_secret_sits_where_the_logs_mask_it(app):
    from web.logs import SECRET_ARGUMENTS, SECRET_PATHS

    secret_rules = [r.rule for r in app.url_map.iter_rules() if SECRET_ARGUMENTS & r.arguments]
    assert secret_rules
    # A reader page's twin under a language's prefix (/es/questions/<token>) is masked too: the
    # logs match SECRET_PATHS anywhere in the path.
    assert all(
        rule.removeprefix("/<lang:lang_code>").startswith(SECRET_PATHS) for rule in secret_rules
    )


def test_an_unknown_email_is_audited_as_a_keyed_digest_never_as_typed(app, client):
    import sqlalchemy as sa

    from extensions import db
    from models import AuditEvent
    from services.staff.sessions import email_key

    typed = "Tr0ub4dor&3-typed-in-the-wrong-field"
    for _ in range(2):
        client.post("/auth/login", data={"email": typed, "password": "x"})
    client.post("/auth/login", data={"email": "someone.else@example.org", "password": "x"})
    rows = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    labels = [row.actor_label for row in rows]
    assert all(typed.lower() not in repr(row.__dict__).lower() for row in rows)
    assert labels[0] == labels[1] != labels[2]  # repeated attempts correlate
    assert labels[0] == f"unknown email {email_key(typed, secret='test-secret-key')}"
    assert email_key(typed, secret="another key") not in labels[0]  # keyed: not a plain hash


def _staff(email: str, role: Role = Role.EDITOR):
    from extensions import db
    from tests.conftest import PASSWORD
    from tests.factories import make_user

    make_user(role=role, email=email, password=PASSWORD)
    db.session.commit()
    return {"email": email, "password": PASSWORD}


def test_signing_in_starts_a_fresh_session_and_token(app, client):
    credentials = _staff("fresh@example.org")
    with client.session_transaction() as before:
        before["csrf_token"] = "planted-before-sign-in"
        before["planted"] = "by someone else"
    assert client.post("/auth/login", data=credentials).status_code == 302
    client.get("/admin/")
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after.get("csrf_token") != "planted-before-sign-in"


def test_a_copied_cookie_replayed_after_sign_out_is_signed_out(app, client):
    credentials = _staff("copied@example.org")
    client.post("/auth/login", data=credentials | {"remember": "y"})
    session_cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    remember_cookie = client.get_cookie(app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    assert client.get("/admin/").status_code == 200
    client.post("/auth/logout")
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], session_cookie)
    assert thief.get("/admin/").status_code == 302
    other = app.test_client()
    other.set_cookie(remember_cookie.key, remember_cookie.value)
    assert other.get("/admin/").status_code == 302


def test_signing_out_ends_only_that_session(app, client):
    from extensions import db
    from models import StaffSession

    credentials = _staff("two@example.org")
    laptop = app.test_client()
    laptop.post("/auth/login", data=credentials)
    client.post("/auth/login", data=credentials)
    client.post("/auth/logout")
    assert laptop.get("/admin/").status_code == 200
    rows = db.session.scalars(db.select(StaffSession).order_by(StaffSession.created_at)).all()
    assert [row.ended_at is None for row in rows] == [True, False]


def test_remember_me_lasts_two_weeks_not_a_year(app, client):
    from datetime import UTC, datetime, timedelta

    credentials = _staff("remember@example.org")
    client.post("/auth/login", data=credentials | {"remember": "y"})
    cookie = client.get_cookie("remember_token")
    lasts = datetime.fromtimestamp(cookie.expires.timestamp(), UTC) - datetime.now(UTC)
    assert timedelta(days=13) < lasts <= timedelta(days=14)


def _age_sessions(email: str, **older) -> None:
    """Move `email`'s sessions' timestamps back: created_at=, last_seen_at= (timedeltas)."""
    import sqlalchemy as sa

    from extensions import db
    from models import StaffSession, User

    rows = db.session.scalars(
        sa.select(StaffSession)
        .join(User, User.id == StaffSession.user_id)
        .where(User.email == email)
    ).all()
    for row in rows:
        for field, by in older.items():
            setattr(row, field, getattr(row, field) - by)
    db.session.commit()


def test_a_remembered_session_ends_on_the_server_after_two_weeks(app, client):
    """A copied remember-me cookie carries no expiry of its own: the session's row decides."""
    from datetime import timedelta

    credentials = _staff("aged@example.org")
    client.post("/auth/login", data=credentials | {"remember": "y"})
    remembered = client.get_cookie("remember_token")
    _age_sessions(
        credentials["email"], created_at=timedelta(days=13), last_seen_at=timedelta(days=13)
    )
    thief = app.test_client()
    thief.set_cookie(remembered.key, remembered.value)
    assert thief.get("/admin/").status_code == 200  # within two weeks: still signed in
    _age_sessions(credentials["email"], created_at=timedelta(days=1, minutes=1))
    later = app.test_client()
    later.set_cookie(remembered.key, remembered.value)
    assert later.get("/admin/").status_code == 302
    assert client.get("/admin/").status_code == 302


def test_a_session_left_unused_ends_on_the_server(app, client):
    from datetime import timedelta

    credentials = _staff("idle@example.org")
    client.post("/auth/login", data=credentials)
    assert client.get("/admin/").status_code == 200
    _age_sessions(credentials["email"], last_seen_at=timedelta(hours=11))
    assert client.get("/admin/").status_code == 200  # marked seen again now
    _age_sessions(credentials["email"], last_seen_at=timedelta(hours=13))
    assert client.get("/admin/").status_code == 302


def _age_password(email: str, minutes: int) -> None:
    """Make `email`'s sessions' password `minutes` older, with production's ten-minute prompt."""
    from datetime import timedelta

    import sqlalchemy as sa
    from flask import current_app

    from extensions import db
    from models import StaffSession, User

    current_app.config["REAUTHENTICATE_AFTER"] = timedelta(minutes=10)

    sessions = db.session.scalars(
        sa.select(StaffSession)
        .join(User, User.id == StaffSession.user_id)
        .where(User.email == email)
    ).all()
    for row in sessions:
        row.password_checked_at -= timedelta(minutes=minutes)
    db.session.commit()


def test_user_management_asks_for_the_password_again_after_ten_minutes(app, client):
    credentials = _staff("boss@example.org", Role.ADMIN)
    client.post("/auth/login", data=credentials)
    assert client.get("/admin/users").status_code == 200
    _age_password("boss@example.org", 11)
    asked = client.get("/admin/users?page=1")
    assert asked.status_code == 302
    location = urlsplit(asked.headers["Location"])
    assert location.path == "/auth/confirm"
    assert parse_qs(location.query)["next"] == ["/admin/users?page=1"]
    page = client.get(asked.headers["Location"])
    assert page.status_code == 200 and "Confirm your password" in page.get_data(as_text=True)
    assert client.get("/admin/articles").status_code == 200  # other screens do not ask
    wrong = client.post("/auth/confirm", data={"password": "not it", "next": "/admin/users"})
    assert wrong.status_code == 422 and "not your password" in wrong.get_data(as_text=True)
    confirmed = client.post(
        "/auth/confirm", data={"password": credentials["password"], "next": "/admin/users?page=1"}
    )
    assert confirmed.headers["Location"] == "/admin/users?page=1"
    assert client.get("/admin/users").status_code == 200


def test_a_stale_user_management_form_changes_nothing_and_comes_back_to_its_page(app, client):
    from extensions import db
    from models import User

    _staff("boss@example.org", Role.ADMIN)
    target = _staff("target@example.org")
    client.post("/auth/login", data={**_staff_credentials("boss@example.org")})
    _age_password("boss@example.org", 11)
    user = db.session.scalar(db.select(User).where(User.email == target["email"]))
    page = f"/admin/users/{user.id}"
    sent = client.post(f"{page}/deactivate", headers={"Referer": f"http://localhost{page}"})
    assert sent.status_code == 302
    assert parse_qs(urlsplit(sent.headers["Location"]).query)["next"] == [page]
    db.session.refresh(user)
    assert user.is_active
    htmx = client.post(f"{page}/deactivate", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/auth/confirm")


def _staff_credentials(email: str) -> dict:
    from tests.conftest import PASSWORD

    return {"email": email, "password": PASSWORD}


def test_a_session_restored_from_the_remember_cookie_is_never_fresh(app, client):
    credentials = _staff("boss@example.org", Role.ADMIN)
    client.post("/auth/login", data=credentials | {"remember": "y"})
    remembered = client.get_cookie("remember_token")
    browser_restarted = app.test_client()
    browser_restarted.set_cookie(remembered.key, remembered.value)
    assert browser_restarted.get("/admin/").status_code == 200  # still signed in
    asked = browser_restarted.get("/admin/users")
    assert asked.status_code == 302 and "/auth/confirm" in asked.headers["Location"]


def test_hsts_in_production_only(app, client, monkeypatch, tmp_path):
    from config import Config

    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    monkeypatch.setenv("VETTED_ENV", "production")
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.setenv(name, "x")
    assert Config(str(tmp_path)).HSTS_MAX_AGE >= 31_536_000
    app.config["HSTS_MAX_AGE"] = 31_536_000
    assert client.get("/healthz").headers["Strict-Transport-Security"] == "max-age=31536000"


def test_each_account_is_slowed_after_a_few_failures_but_never_locked_out_for_good(
    app, monkeypatch
):
    import time

    credentials = _staff("target@example.org", Role.ADMIN)
    wrong = credentials | {"password": "guess"}

    def attempt(data, n, client=None):
        # A different address each time: the per-address limit never applies.
        client = client or app.test_client()
        return client.post(
            "/auth/login", data=data, environ_base={"REMOTE_ADDR": f"198.51.100.{n}"}
        )

    holder = app.test_client()  # the account holder's own browser
    assert attempt(credentials, 1, holder).status_code == 302  # successes do not count
    device = holder.get_cookie("vetted_device", path="/auth/login")
    assert device.http_only and device.secure == app.config["SESSION_COOKIE_SECURE"]
    holder.post("/auth/logout")
    for n in range(5):
        assert attempt(wrong, 10 + n).status_code == 200
    assert attempt(credentials, 20).status_code == 429  # slowed, even with the right password
    assert attempt(_staff("other@example.org"), 21).status_code == 302  # others are not
    # The holder's browser, which signed in before, is not held up by someone else's failures:
    # its signed cookie names this account (as a digest), and only this one.
    assert attempt(credentials, 22, holder).status_code == 302
    forged = app.test_client()
    forged.set_cookie("vetted_device", device.value[:-2] + "xx", path="/auth/login")
    assert attempt(credentials, 23, forged).status_code == 429
    for n in range(5):
        assert attempt(wrong | {"email": "third@example.org"}, 30 + n).status_code == 200
    elsewhere = app.test_client()
    elsewhere.set_cookie("vetted_device", device.value, path="/auth/login")
    third = attempt(wrong | {"email": "third@example.org"}, 40, elsewhere)
    assert third.status_code == 429  # the cookie does not excuse another account
    later = time.time() + 3601
    monkeypatch.setattr(time, "time", lambda: later)
    assert attempt(credentials, 41).status_code == 302


def test_a_session_in_use_is_marked_seen_now_and_then(app, client):
    from datetime import timedelta

    import sqlalchemy as sa

    from extensions import db
    from models import StaffSession

    client.post("/auth/login", data=_staff("seen@example.org"))
    row = db.session.scalar(sa.select(StaffSession))
    row.last_seen_at -= timedelta(minutes=6)
    db.session.commit()
    aged = row.last_seen_at
    assert client.get("/admin/").status_code == 200
    db.session.expire_all()
    assert db.session.get(StaffSession, row.id).last_seen_at > aged + timedelta(minutes=5)


def test_changing_your_password_asks_for_the_current_one_and_signs_out_everywhere(app, client):
    import sqlalchemy as sa

    from extensions import db
    from models import AuditEvent, User

    credentials = _staff("changer@example.org")
    laptop = app.test_client()
    laptop.post("/auth/login", data=credentials)
    client.post("/auth/login", data=credentials)
    new = "quartz lantern meadow violin"
    assert client.get("/auth/password").status_code == 200

    wrong = client.post(
        "/auth/password", data={"current": "not it", "password": new, "confirm": new}
    )
    assert wrong.status_code == 422
    assert "That is not your current password." in wrong.get_data(as_text=True)
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "auth.change_password_failed" in actions

    weak = client.post(
        "/auth/password",
        data={"current": credentials["password"], "password": "short", "confirm": "shorter"},
    )
    assert weak.status_code == 422  # every reason at once, in a summary; nothing changed
    page = weak.get_data(as_text=True)
    assert 'role="alert"' in page and "not the same" in page and "Use at least 12" in page

    changed = client.post(
        "/auth/password",
        data={"current": credentials["password"], "password": new, "confirm": new},
    )
    assert changed.status_code == 302 and changed.location.endswith("/auth/login")
    for device in (client, laptop):
        assert device.get("/admin/").status_code == 302  # signed out everywhere
    user = db.session.scalar(sa.select(User).where(User.email == credentials["email"]))
    # Whoever keyed the old password could have typed the new one: the record stays.
    assert user.password_set_by_id is None
    assert laptop.post("/auth/login", data=credentials).status_code == 200  # the old one fails
    signed_in = laptop.post("/auth/login", data=credentials | {"password": new})
    assert signed_in.status_code == 302
