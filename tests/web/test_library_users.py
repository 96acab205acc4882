"""Staff accounts: add with a one-time link, set a password, change, deactivate, reset."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from extensions import db
from models import AuditEvent, Role, User
from services.staff import accounts
from tests.conftest import PASSWORD, Auth
from tests.factories import make_article, make_user

NEW_PASSWORD = "plum harbour velvet engine"


def html_of(response) -> str:
    return response.get_data(as_text=True)


def link_in(html: str) -> str:
    match = re.search(
        r'id="set-password-link" type="text" value="http://localhost(/auth/set-password/[^"]+)"',
        html,
    )
    assert match, "no set-password link on the page"
    return match.group(1)


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def admin(client, auth):
    auth.login(Role.ADMIN, email="admin@example.org")
    return user("admin@example.org")


def add(client, **fields):
    data = {
        "email": "new@example.org",
        "name": "Test Person",
        "credentials": "MD",
        "role": "reviewer",
    }
    return client.post("/admin/users/new", data=data | fields)


def test_a_new_staff_member_gets_a_link_shown_once_that_works_once(app, client, admin):
    response = add(client)
    assert response.status_code == 302
    page = html_of(client.get(response.headers["Location"]))
    assert "Vetted sends no email" in page and "You will not see this link again" in page
    link = link_in(page)
    assert "set-password-link" not in html_of(client.get(response.headers["Location"]))

    other = app.test_client()  # the new colleague's browser
    form = html_of(other.get(link))
    assert "Choose your password" in form and 'autocomplete="new-password"' in form
    assert "Test Person" in form
    done = other.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/auth/login"
    assert other.get(link).status_code == 410
    assert (
        other.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code
        == 410
    )
    signed_in = other.post(
        "/auth/login", data={"email": "new@example.org", "password": NEW_PASSWORD}
    )
    assert signed_in.headers["Location"] == "/admin/"
    assert actions() == ["auth.sign_in", "user.create", "user.set_password", "auth.sign_in"]


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short one", "short one", "Use at least 12 characters."),
        ("password1234", "password1234", "one of the most common passwords"),
        ("plum harbour velvet engine", "plum harbour velvet engin", "are not the same"),
        ("", "", "Choose a password."),
    ],
)
def test_a_weak_or_mistyped_password_is_explained_beside_the_field(
    app, client, admin, password, confirm, message
):
    add(client)
    link = link_in(html_of(client.get(f"/admin/users/{user('new@example.org').id}")))
    response = app.test_client().post(link, data={"password": password, "confirm": confirm})
    html = html_of(response)
    assert response.status_code == 422 and message in html
    assert 'aria-invalid="true"' in html
    assert user("new@example.org").password_hash is None


def test_a_mistyped_confirmation_still_says_what_is_wrong_with_the_password(app, client, admin):
    add(client)
    link = link_in(html_of(client.get(f"/admin/users/{user('new@example.org').id}")))
    response = app.test_client().post(
        link, data={"password": "password1234", "confirm": "password12345"}
    )
    html = html_of(response)
    assert "one of the most common passwords" in html and "are not the same" in html


def test_an_expired_link_is_refused(app, client, admin, monkeypatch):
    add(client)
    link = link_in(html_of(client.get(f"/admin/users/{user('new@example.org').id}")))
    monkeypatch.setattr(accounts, "LINK_MAX_AGE", -1)
    response = app.test_client().get(link)
    assert response.status_code == 410 and "has expired" in html_of(response)


def test_the_set_password_page_is_never_cached_nor_leaks_its_address(app, client, admin):
    add(client)
    link = link_in(html_of(client.get(f"/admin/users/{user('new@example.org').id}")))
    response = app.test_client().get(link)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_setting_a_password_is_rate_limited(app, client, admin):
    other = app.test_client()
    for _ in range(10):
        other.post("/auth/set-password/nonsense", data={"password": "x", "confirm": "x"})
    assert other.post("/auth/set-password/nonsense", data={}).status_code == 429


def test_a_taken_email_is_refused_beside_the_field(app, client, admin):
    response = add(client, email="ADMIN@example.org", name="Typed name")
    html = html_of(response)
    assert response.status_code == 409 and 'id="email-error"' in html
    assert "already exists" in html and 'value="Typed name"' in html


def test_role_and_details_change_and_are_audited(app, client, admin):
    target = make_user(role=Role.EDITOR, email="ed@example.org", name="Ed")
    db.session.commit()
    data = {
        "email": "ed@example.org",
        "name": "Ed Itor",
        "credentials": "PharmD",
        "role": "reviewer",
    }
    assert client.post(f"/admin/users/{target.id}", data=data).status_code == 302
    db.session.refresh(target)
    assert target.role == Role.REVIEWER and target.display_name == "Ed Itor, PharmD"
    row = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.update"))
    assert row.changes["role"] == ["editor", "reviewer"]


def test_the_last_active_admin_cannot_be_demoted(app, client, admin):
    data = {"email": admin.email, "name": admin.name, "credentials": "", "role": "editor"}
    response = client.post(f"/admin/users/{admin.id}", data=data)
    html = html_of(response)
    assert response.status_code == 409 and 'id="role-error"' in html
    assert "is the last active administrator" in html
    db.session.refresh(admin)
    assert admin.role == Role.ADMIN


def test_cannot_deactivate_oneself(app, client, admin):
    response = client.post(f"/admin/users/{admin.id}/deactivate")
    assert response.status_code == 409 and "your own account" in html_of(response)
    db.session.refresh(admin)
    assert admin.is_active


def test_deactivation_ends_their_session_and_blocks_sign_in(app, client, admin):
    theirs = app.test_client()
    Auth(theirs).login(Role.EDITOR, email="leaving@example.org")
    assert theirs.get("/admin/references").status_code == 200
    target = user("leaving@example.org")
    response = client.post(f"/admin/users/{target.id}/deactivate")
    assert response.status_code == 302
    assert theirs.get("/admin/references").headers["Location"].startswith("/auth/login")
    again = theirs.post("/auth/login", data={"email": "leaving@example.org", "password": PASSWORD})
    assert again.status_code == 200 and "do not match an account" in html_of(again)
    assert "Deactivated" in html_of(client.get("/admin/users"))
    client.post(f"/admin/users/{target.id}/reactivate")
    back = theirs.post("/auth/login", data={"email": "leaving@example.org", "password": PASSWORD})
    assert back.status_code == 302
    assert actions()[-4:] == [
        "user.deactivate",
        "auth.sign_in_failed",
        "user.reactivate",
        "auth.sign_in",
    ]


def test_a_deactivated_reviewer_is_still_named_on_the_pages_they_approved(app, client, admin):
    reviewer = make_user(role=Role.REVIEWER, name="Test Reviewer", credentials="MD")
    article = make_article(reviewer=reviewer)
    db.session.commit()
    client.post(f"/admin/users/{reviewer.id}/deactivate")
    db.session.refresh(reviewer)
    assert not reviewer.is_active
    html = html_of(app.test_client().get(f"/articles/{article.slug}"))
    assert "Reviewed by Test Reviewer, MD on" in html


def test_reset_voids_the_password_and_sessions_and_shows_a_new_link(app, client, admin):
    theirs = app.test_client()
    Auth(theirs).login(Role.EDITOR, email="forgot@example.org")
    target = user("forgot@example.org")
    response = client.post(f"/admin/users/{target.id}/reset-password")
    assert response.status_code == 302
    link = link_in(html_of(client.get(response.headers["Location"])))
    assert theirs.get("/admin/").status_code == 302
    refused = theirs.post("/auth/login", data={"email": "forgot@example.org", "password": PASSWORD})
    assert "do not match an account" in html_of(refused)
    theirs.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    signed_in = theirs.post(
        "/auth/login", data={"email": "forgot@example.org", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302


def test_resetting_ones_own_password_leads_straight_to_choosing_a_new_one(app, client, admin):
    response = client.post(f"/admin/users/{admin.id}/reset-password")
    assert response.headers["Location"].startswith("/auth/set-password/")
    assert "Choose your password" in html_of(client.get(response.headers["Location"]))
    assert client.get("/admin/").status_code == 302


def test_the_list_shows_who_can_sign_in(app, client, admin):
    add(client)
    html = html_of(client.get("/admin/users"))
    assert "Test Person, MD" in html and "Has not set a password yet" in html
    assert "Reviewer (Medical Advisory Board)" in html
