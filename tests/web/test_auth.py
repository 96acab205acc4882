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
