"""The library's URLs (references, glossary, settings, users, audit) beyond who may open them,
which test_access_matrix.py checks for every staff route: a set-password link needs no account,
and every library POST is refused from another site or without the session's token."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from extensions import db
from models import GlossaryTerm, Role, User
from services.staff import accounts
from services.staff.permissions import Permission as P
from tests.conftest import PASSWORD, Auth
from tests.factories import make_reference, make_user
from tests.web.test_access_matrix import EXPECTED, ROUTING, WHO, staff_routes

LIBRARY = {P.REFERENCES, P.GLOSSARY, P.SETTINGS, P.USERS, P.AUDIT}
# Every library POST, read from the URL map, naming object 1 wherever it names one.
POSTS = [
    re.sub(r"<[^>]+>", "1", rule)
    for method, rule, endpoint in staff_routes(ROUTING)
    if method == "POST" and endpoint in EXPECTED and EXPECTED[endpoint][1] in LIBRARY
]


@pytest.fixture
def objects(app):
    """What the URLs name: an unused reference, a glossary term, another staff account."""
    reference = make_reference("unused")
    term = GlossaryTerm(slug="blast", term="blast", definition="An immature blood cell.")
    db.session.add(term)
    target = make_user(role=Role.EDITOR, email="target@example.org")
    db.session.commit()
    return {"reference_id": reference.id, "term_id": term.id, "user_id": target.id}


def sign_in(client, who) -> None:
    if who == "anonymous":
        return
    role = Role.EDITOR if who == "deactivated" else who
    Auth(client).login(role, email=f"{role.value}-{who}@example.org")
    if who == "deactivated":
        user = db.session.scalar(
            sa.select(User).where(User.email == "editor-deactivated@example.org")
        )
        accounts.deactivate(user, actor=make_user(role=Role.ADMIN))
        db.session.commit()


@pytest.mark.parametrize("who", WHO, ids=lambda w: getattr(w, "value", w))
def test_a_set_password_link_page_needs_no_account_and_a_bad_link_says_so(client, who, objects):
    sign_in(client, who)
    response = client.get("/auth/set-password/not-a-real-token")
    assert response.status_code == 410
    assert "This link no longer works" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", [*POSTS, "/auth/set-password/x"])
def test_every_post_from_another_site_is_refused(app_factory, path):
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {}):  # another site; no origin at all
        response = client.post(path, data={}, headers=headers)
        assert response.status_code == 403
        assert "nothing was saved" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", POSTS)
def test_every_staff_post_needs_the_session_token(app_factory, objects, path):
    make_user(role=Role.ADMIN, email="token-admin@example.org", password=PASSWORD)
    db.session.commit()
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    client.environ_base["HTTP_SEC_FETCH_SITE"] = "same-origin"  # from our own page
    signed_in = client.post(
        "/auth/login", data={"email": "token-admin@example.org", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    response = client.post(path, data={})
    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)


def test_the_library_posts_include_every_kind_the_issue_names():
    assert set(POSTS) >= {
        "/admin/references/new",
        "/admin/references/1",
        "/admin/references/1/delete",
        "/admin/glossary/new",
        "/admin/glossary/1",
        "/admin/glossary/1/delete",
        "/admin/settings",
        "/admin/users/new",
        "/admin/users/1",
        "/admin/users/1/deactivate",
        "/admin/users/1/reactivate",
        "/admin/users/1/reset-password",
    }
