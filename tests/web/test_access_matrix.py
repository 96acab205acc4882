"""Every staff URL × anonymous, editor, reviewer, admin and a deactivated account.

The permission each staff view needs is written out here, by hand, so that a view whose guard
changes (or a new view nobody added to this table) fails the suite instead of slipping through.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from extensions import db
from models import AuditEvent, GlossaryTerm, ReadingLevel, Role, User
from services.followups import questions as followups
from services.staff import accounts
from services.staff.permissions import ROLE_PERMISSIONS, Permission
from tests.conftest import Auth
from tests.factories import make_article, make_reference, make_user

P = Permission
# endpoint -> (methods, the permission it needs)
EXPECTED: dict[str, tuple[tuple[str, ...], Permission]] = {
    "admin.dashboard": (("GET",), P.VIEW_STAFF),
    "admin.articles": (("GET",), P.VIEW_STAFF),
    "admin.article": (("GET",), P.VIEW_STAFF),
    "admin.compare": (("GET",), P.VIEW_STAFF),
    "admin.history": (("GET",), P.VIEW_STAFF),
    "admin.preview": (("GET",), P.VIEW_STAFF),
    "admin.cite_lookup": (("GET",), P.VIEW_STAFF),
    "admin.edit": (("GET", "POST"), P.EDIT),
    "admin.new_article": (("GET", "POST"), P.EDIT),
    "admin.preview_draft": (("POST",), P.EDIT),
    "admin.lock": (("POST",), P.EDIT),
    "admin.unlock": (("POST",), P.EDIT),
    "admin.restore": (("POST",), P.EDIT),
    "admin.submit": (("POST",), P.EDIT),
    "admin.review_queue": (("GET",), P.VIEW_STAFF),
    "admin.review": (("GET",), P.VIEW_STAFF),
    "admin.start_review": (("POST",), P.REVIEW),
    "admin.approve": (("POST",), P.REVIEW),
    "admin.request_changes": (("POST",), P.REVIEW),
    "admin.references": (("GET",), P.VIEW_STAFF),
    "admin.reference": (("GET",), P.VIEW_STAFF),
    "admin.save_reference": (("POST",), P.REFERENCES),
    "admin.new_reference": (("GET", "POST"), P.REFERENCES),
    "admin.delete_reference": (("POST",), P.REFERENCES),
    "admin.glossary": (("GET",), P.VIEW_STAFF),
    "admin.term": (("GET", "POST"), P.GLOSSARY),
    "admin.new_term": (("GET", "POST"), P.GLOSSARY),
    "admin.delete_term": (("POST",), P.GLOSSARY),
    "admin.settings": (("GET", "POST"), P.SETTINGS),
    "admin.users": (("GET",), P.USERS),
    "admin.user": (("GET", "POST"), P.USERS),
    "admin.new_user": (("GET", "POST"), P.USERS),
    "admin.deactivate_user": (("POST",), P.USERS),
    "admin.reactivate_user": (("POST",), P.USERS),
    "admin.reset_password": (("POST",), P.USERS),
    "admin.audit": (("GET",), P.AUDIT),
    "admin.followups": (("GET",), P.VIEW_STAFF),
    "admin.followup": (("GET",), P.VIEW_STAFF),
    "admin.answer_followup": (("POST",), P.EDIT),
    "admin.approve_followup": (("POST",), P.REVIEW),
    "admin.promote_followup": (("POST",), P.EDIT),
    "admin.reject_followup": (("POST",), P.EDIT),
    "admin.reopen_followup": (("POST",), P.EDIT),
    "admin.reject_followups": (("POST",), P.EDIT),
}
WHO = ["anonymous", Role.EDITOR, Role.REVIEWER, Role.ADMIN, "deactivated"]
CASES = [(endpoint, method) for endpoint, (methods, _p) in EXPECTED.items() for method in methods]


def _objects() -> dict[str, int]:
    """One of everything a staff URL names."""
    make_reference("ref")
    article = make_article(status="submitted", question="Test question?")
    term = GlossaryTerm(slug="test-term", term="test term", definition="A test definition.")
    db.session.add(term)
    other = make_user(role=Role.EDITOR, email="other@example.org")
    asked = followups.ask(
        article, text="Test question about a dose?", level=ReadingLevel.CLINICAL, client="t"
    )
    db.session.commit()
    return {
        "article_id": article.id,
        "revision_id": article.latest_revision_id,
        "reference_id": db.session.scalar(sa.text('SELECT id FROM "references" LIMIT 1')),
        "term_id": term.id,
        "user_id": other.id,
        "question_id": asked.question.id,
    }


def _url(app, endpoint: str, method: str, ids: dict[str, int]) -> str:
    # Where an endpoint has two addresses (a new article's preview), take the one naming an object.
    rule = max(
        (r for r in app.url_map.iter_rules(endpoint) if method in r.methods),
        key=lambda r: len(r.arguments),
    )
    return app.url_map.bind("localhost").build(
        endpoint, {k: ids[k] for k in rule.arguments}, method=method
    )


def _sign_in(client, who) -> None:
    if who == "anonymous":
        return
    role = Role.EDITOR if who == "deactivated" else who
    email = f"{who if isinstance(who, str) else who.value}@matrix.example.org"
    Auth(client).login(role, email=email)
    if who == "deactivated":
        user = db.session.scalar(sa.select(User).where(User.email == email))
        accounts.deactivate(user, actor=make_user(role=Role.ADMIN))
        db.session.commit()


def test_every_staff_view_is_in_this_table_with_the_guard_it_declares(app):
    declared = {
        rule.endpoint: app.view_functions[rule.endpoint].required_permission
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("admin.")
    }
    assert declared == {endpoint: permission for endpoint, (_m, permission) in EXPECTED.items()}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in EXPECTED:
            assert set(EXPECTED[rule.endpoint][0]) >= rule.methods - {"HEAD", "OPTIONS"}


@pytest.mark.parametrize("who", WHO, ids=lambda w: getattr(w, "value", w))
@pytest.mark.parametrize(("endpoint", "method"), CASES)
def test_access(app, client, endpoint, method, who):
    ids = _objects()
    _sign_in(client, who)
    audit_rows = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    url = _url(app, endpoint, method, ids)
    response = client.open(url, method=method, data={})
    permission = EXPECTED[endpoint][1]
    if who in ("anonymous", "deactivated"):
        # To sign-in and back; or, for the editor's forms, the typed text kept (401).
        if response.status_code == 302:
            assert "/auth/login" in response.headers["Location"]
        else:
            assert response.status_code == 401, (url, response.status_code)
    elif permission not in ROLE_PERMISSIONS[who]:
        assert response.status_code == 403, (url, response.status_code)
    elif method == "GET":
        assert response.status_code == 200, (url, response.status_code)
    else:
        # Allowed: the action ran or explained what was missing from the empty form.
        assert response.status_code in (200, 302, 303, 400, 409, 410, 422), (url, response)
        assert "/auth/login" not in response.headers.get("Location", "")
    if (
        response.status_code in (302, 401, 403)
        and who != "anonymous"
        and (who == "deactivated" or permission not in ROLE_PERMISSIONS.get(who, ()))
    ):
        after = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
        assert after == audit_rows, "a refused request changed something"


EVERYONE_SEES = [
    ("/admin/", "Dashboard"),
    ("/admin/articles", "Articles"),
    ("/admin/review", "Review"),
    ("/admin/followups", "Follow-ups"),
    ("/admin/references", "References"),
    ("/admin/glossary", "Glossary"),
]
ADMINS_ALSO_SEE = [
    ("/admin/users", "Users"),
    ("/admin/settings", "Settings"),
    ("/admin/audit", "Audit log"),
]


@pytest.mark.parametrize(
    ("role", "entries"),
    [
        (Role.EDITOR, EVERYONE_SEES),
        (Role.REVIEWER, EVERYONE_SEES),
        (Role.ADMIN, EVERYONE_SEES + ADMINS_ALSO_SEE),
    ],
    ids=lambda v: getattr(v, "value", None),
)
def test_the_staff_navigation_lists_exactly_what_each_role_may_open(client, role, entries):
    Auth(client).login(role)
    page = client.get("/admin/").get_data(as_text=True)
    nav = page.split('aria-label="Staff"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    assert links == entries
    for path, _label in links:
        assert client.get(path).status_code == 200, path
