"""Who may open each references, glossary, settings, users and audit URL: every route × anonymous,
editor, reviewer, administrator and a deactivated account (whose session has ended)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from extensions import db
from models import GlossaryTerm, Role, User
from services.staff import accounts
from tests.conftest import PASSWORD, Auth
from tests.factories import make_reference, make_user

STAFF = {Role.EDITOR, Role.REVIEWER, Role.ADMIN}
ADMIN = {Role.ADMIN}

# method, path, roles allowed, status for them (a POST with nothing valid in it: 422).
ROUTES = [
    ("GET", "/admin/references", STAFF, 200),
    ("GET", "/admin/references?q=study&kind=research&page=2", STAFF, 200),
    ("GET", "/admin/references/new", STAFF, 200),
    ("POST", "/admin/references/new", STAFF, 422),
    ("GET", "/admin/references/{reference_id}", STAFF, 200),
    ("POST", "/admin/references/{reference_id}", STAFF, 422),
    ("POST", "/admin/references/{reference_id}/delete", STAFF, 302),
    ("GET", "/admin/glossary", STAFF, 200),
    ("GET", "/admin/glossary/new", ADMIN, 200),
    ("POST", "/admin/glossary/new", ADMIN, 422),
    ("GET", "/admin/glossary/{term_id}", ADMIN, 200),
    ("POST", "/admin/glossary/{term_id}", ADMIN, 422),
    ("POST", "/admin/glossary/{term_id}/delete", ADMIN, 302),
    ("GET", "/admin/settings", ADMIN, 200),
    ("POST", "/admin/settings?role_patient-label=", ADMIN, 422),
    ("GET", "/admin/users", ADMIN, 200),
    ("GET", "/admin/users/new", ADMIN, 200),
    ("POST", "/admin/users/new", ADMIN, 422),
    ("GET", "/admin/users/{user_id}", ADMIN, 200),
    ("POST", "/admin/users/{user_id}", ADMIN, 422),
    ("POST", "/admin/users/{user_id}/deactivate", ADMIN, 302),
    ("POST", "/admin/users/{user_id}/reactivate", ADMIN, 302),
    ("POST", "/admin/users/{user_id}/reset-password", ADMIN, 302),
    ("GET", "/admin/audit", ADMIN, 200),
    ("GET", "/admin/audit?action=auth.sign_in&since=2026-01-01", ADMIN, 200),
]
WHO = ["anonymous", Role.EDITOR, Role.REVIEWER, Role.ADMIN, "deactivated"]


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
@pytest.mark.parametrize(
    ("method", "path", "allowed", "status"),
    ROUTES,
    ids=[f"{m} {p}" for m, p, _, _ in ROUTES],
)
def test_access(client, objects, who, method, path, allowed, status):
    sign_in(client, who)
    path, _, form = path.format(**objects).partition("?") if method == "POST" else (path, "", "")
    response = client.open(
        path.format(**objects), method=method, data=dict(p.split("=") for p in form.split("&") if p)
    )
    if who in ("anonymous", "deactivated"):
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login?next=")
    elif who in allowed:
        assert response.status_code == status, response.get_data(as_text=True)[:500]
        if status == 302:
            assert not response.headers["Location"].startswith("/auth/login")
    else:
        assert response.status_code == 403
        assert "You can’t do that" in response.get_data(as_text=True)


@pytest.mark.parametrize("who", WHO, ids=lambda w: getattr(w, "value", w))
def test_a_set_password_link_page_needs_no_account_and_a_bad_link_says_so(client, who, objects):
    sign_in(client, who)
    response = client.get("/auth/set-password/not-a-real-token")
    assert response.status_code == 410
    assert "This link no longer works" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [p.format(reference_id=1, term_id=1, user_id=1) for m, p, _, _ in ROUTES if m == "POST"]
    + ["/auth/set-password/x"],
)
def test_every_post_from_another_site_is_refused(app_factory, path):
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {}):  # another site; no origin at all
        response = client.post(path, data={}, headers=headers)
        assert response.status_code == 403
        assert "nothing was saved" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path", [p.format(reference_id=1, term_id=1, user_id=1) for m, p, _, _ in ROUTES if m == "POST"]
)
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


def test_every_library_route_is_in_the_matrix(app):
    from blueprints.admin import audit, glossary, references, settings, users

    modules = {m.__name__ for m in (audit, glossary, references, settings, users)}
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if app.view_functions[rule.endpoint].__module__ in modules
        for method in rule.methods & {"GET", "POST"}
    }
    adapter = app.url_map.bind("localhost")
    paths = [
        (m, p.format(reference_id=1, term_id=1, user_id=1).split("?")[0]) for m, p, *_ in ROUTES
    ]
    covered = {(adapter.match(path, method)[0], method) for method, path in paths}
    assert routes == covered
