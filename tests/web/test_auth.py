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
    for _ in range(10):
        client.post("/auth/login", data={"email": "x@example.org", "password": "wrong"})
    response = client.post("/auth/login", data={"email": "x@example.org", "password": "wrong"})
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
