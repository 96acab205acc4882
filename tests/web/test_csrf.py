"""CSRF without a reader cookie: the browser's Sec-Fetch-Site / Origin for every unsafe request,
and the session's token as well for signed-in staff."""

import re

import pytest

from config import AUDIENCE_COOKIE
from extensions import db
from models import Role
from tests.conftest import PASSWORD
from tests.factories import make_user

SEED = "/articles/all-blast-crisis-treatment"
SAME_SITE = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}
PICK = {"role": "patient", "next": SEED}


@pytest.fixture
def guarded(demo, app_factory):
    """A client of the app with CSRF protection on, as in production."""
    return app_factory(WTF_CSRF_ENABLED=True).test_client()


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://shop.localhost"},  # a sibling subdomain
        {"Origin": "https://evil.example"},  # an older browser: Origin only
        {"Origin": "null"},  # a sandboxed frame or a data: page
        {"Origin": "https://localhost"},  # another scheme is another origin
        {},  # says nothing: refused for readers
    ],
)
def test_cannot_post_from_another_site(guarded, headers):
    response = guarded.post("/audience", data=PICK, headers=headers)
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "sent from another website" in html and "nothing was saved" in html
    assert AUDIENCE_COOKIE not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize(
    "headers",
    [
        SAME_SITE,
        {"Sec-Fetch-Site": "same-origin"},
        {"Origin": "http://localhost"},  # a browser without Fetch Metadata
    ],
)
def test_reader_form_from_this_site_is_accepted_without_any_token(guarded, headers):
    response = guarded.post("/audience", data=PICK, headers=headers)
    assert response.status_code == 302
    assert response.headers["Location"] == SEED + "?audience=plain"
    assert AUDIENCE_COOKIE in response.headers["Set-Cookie"]


def test_reader_pages_carry_no_token(guarded):
    html = guarded.get(SEED).get_data(as_text=True)
    assert "csrf" not in html.lower() and "hx-headers" not in html
    assert '<form method="post" action="/audience">' in html  # the no-JavaScript picker


def _sign_in(client) -> str:
    make_user(role=Role.EDITOR, email="editor@example.org", password=PASSWORD)
    db.session.commit()
    response = client.post(
        "/auth/login",
        data={"email": "editor@example.org", "password": PASSWORD},
        headers=SAME_SITE,
    )
    assert response.status_code == 302
    html = client.get("/admin/").get_data(as_text=True)
    return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


def test_signed_in_staff_also_need_the_token(guarded):
    _sign_in(guarded)
    response = guarded.post("/auth/logout", headers=SAME_SITE)
    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)
    assert guarded.get("/admin/").status_code == 200  # still signed in


def test_signed_in_staff_with_the_token_from_this_site_are_accepted(guarded):
    token = _sign_in(guarded)
    response = guarded.post("/auth/logout", headers=SAME_SITE | {"X-CSRFToken": token})
    assert response.status_code == 302
    assert guarded.get("/admin/").status_code == 302  # signed out


def test_a_token_does_not_excuse_a_cross_site_request(guarded):
    token = _sign_in(guarded)
    headers = {"Sec-Fetch-Site": "cross-site", "X-CSRFToken": token}
    assert guarded.post("/auth/logout", headers=headers).status_code == 403
    assert guarded.get("/admin/").status_code == 200


def test_staff_in_a_browser_that_names_no_origin_are_checked_by_the_token(guarded):
    token = _sign_in(guarded)
    assert guarded.post("/auth/logout", data={"csrf_token": token}).status_code == 302


def test_staff_pages_carry_the_token_for_htmx(guarded):
    token = _sign_in(guarded)
    html = guarded.get("/articles/all-blast-crisis-treatment").get_data(as_text=True)
    assert token.split(".")[0] in html  # hx-headers and the sign-out form
