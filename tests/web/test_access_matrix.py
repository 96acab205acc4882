"""One access matrix: every staff route in the app's URL map × each method it accepts × anonymous,
editor, reviewer, administrator and a deactivated account.

The routes are read from the URL map, so a new route is walked without anyone adding it here.
What each needs is written out by hand (EXPECTED, GRANTS): a view whose guard changes, a role that
gains or loses a permission, or a route nobody wrote down fails the suite instead of slipping
through. The objects the URLs name and the signed-in sessions are built once per module; each case
starts from that state, put back from a snapshot.

Every other route (readers' pages and actions, sign-in, health checks, static files) is walked the
same way by test_public_matrix.py, which also checks that this table and its own name every route
the app serves, each in exactly one of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

import blueprints
from extensions import db
from models import GlossaryTerm, ReadingLevel, Reference, Role, User
from services.library import references
from services.staff import accounts
from services.staff.permissions import ROLE_PERMISSIONS, Permission
from tests import snapshots
from tests.conftest import PASSWORD, _reset_limits
from tests.factories import ask_question, make_article, make_reference, make_user

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
    "admin.translation_still_current": (("POST",), P.EDIT),
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
    "admin.library_changes_list": (("GET",), P.VIEW_STAFF),
    "admin.library_change": (("GET",), P.VIEW_STAFF),
    "admin.approve_library_change": (("POST",), P.REVIEW),
    "admin.send_back_library_change": (("POST",), P.REVIEW),
    "admin.withdraw_library_change": (("POST",), P.REFERENCES),
    "admin.settings": (("GET", "POST"), P.SETTINGS),
    "admin.languages": (("GET", "POST"), P.SETTINGS),
    "admin.language": (("GET", "POST"), P.SETTINGS),
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

# What each role holds: references are for all staff; glossary, settings, users and the audit log
# for administrators; reviewing for the Medical Advisory Board and administrators.
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.EDITOR: frozenset({P.VIEW_STAFF, P.EDIT, P.REFERENCES}),
    Role.REVIEWER: frozenset({P.VIEW_STAFF, P.EDIT, P.REVIEW, P.REFERENCES}),
    Role.ADMIN: frozenset(Permission),
}

# What a role allowed to send it gets for an empty form, where that is known exactly; any other
# POST it may send is processed or refused with a validation status (ALLOWED_POST).
EMPTY_FORM: dict[tuple[str, str], int] = {
    ("POST", "admin.new_reference"): 422,
    ("POST", "admin.save_reference"): 422,
    ("POST", "admin.delete_reference"): 302,
    ("POST", "admin.new_term"): 422,
    ("POST", "admin.term"): 422,
    ("POST", "admin.delete_term"): 302,
    ("POST", "admin.new_user"): 422,
    ("POST", "admin.user"): 422,
    ("POST", "admin.deactivate_user"): 302,
    ("POST", "admin.reactivate_user"): 302,
    ("POST", "admin.reset_password"): 302,
    ("POST", "admin.settings"): 302,  # nothing to change: saved as it was
    ("POST", "admin.languages"): 422,  # a code and names are required
    ("POST", "admin.language"): 422,
    # The library change was proposed by the approver account below, not by any matrix user.
    ("POST", "admin.approve_library_change"): 303,
    ("POST", "admin.send_back_library_change"): 422,  # a comment is required
    ("POST", "admin.withdraw_library_change"): 403,  # only its author withdraws it
}
# Staff actions answer 303 (See Other); a 302 is expected only where written above.
ALLOWED_POST = {200, 303, 400, 409, 410, 422}

# Where text an editor typed is at stake, a request from a lost session gets that text back (401)
# instead of a redirect to sign-in that would throw it away (web/rescue.py).
KEEPS_TYPED_TEXT = {
    ("POST", "admin.edit"),
    ("POST", "admin.new_article"),
    ("POST", "admin.preview_draft"),
}

WHO = ["anonymous", Role.EDITOR, Role.REVIEWER, Role.ADMIN, "deactivated"]


def _name(who) -> str:
    return getattr(who, "value", who)


def _is_staff(app: Flask, rule: Rule) -> bool:
    view = app.view_functions[rule.endpoint]
    return (
        rule.endpoint.startswith("admin.")
        or rule.rule.startswith("/admin")
        or hasattr(view, "required_permission")
    )


def staff_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(method, rule, endpoint) for every staff route and every method it accepts."""
    return sorted(
        (method, rule.rule, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if _is_staff(app, rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def _routing() -> Flask:
    """The app's routes, without an app: cases are chosen when tests are collected. (That the
    real app serves exactly these is checked below.)"""
    app = Flask(__name__)
    blueprints.register(app)
    return app


ROUTING = _routing()


@dataclass(frozen=True)
class Case:
    method: str
    rule: str  # as the URL map writes it: /admin/users/<int:user_id>
    endpoint: str
    query: str = ""
    form: tuple[tuple[str, str], ...] = ()
    status: int | None = None  # what a role allowed to send it gets, when known exactly

    def __str__(self) -> str:  # GET /admin/users/{user_id}, POST /admin/settings [label=]
        sent = " [" + "&".join(f"{k}={v}" for k, v in self.form) + "]" if self.form else ""
        return f"{self.method} {self.url(_NAMED)}{sent}"

    def url(self, ids: dict[str, int | str]) -> str:
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(ids[m[1]]), self.rule)
        return f"{path}?{self.query}" if self.query else path


class _Named(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


_NAMED = _Named()


def _extra(method: str, endpoint: str, status: int, *, query: str = "", form=()) -> Case:
    (rule,) = ROUTING.url_map.iter_rules(endpoint)
    return Case(method, rule.rule, endpoint, query, tuple(form), status)


CASES = [
    Case(method, rule, endpoint, status=EMPTY_FORM.get((method, endpoint)))
    for method, rule, endpoint in staff_routes(ROUTING)
] + [
    # A list's filters and pages, and a settings form that blanks a label.
    _extra("GET", "admin.references", 200, query="q=study&kind=research&page=2"),
    _extra("GET", "admin.audit", 200, query="action=auth.sign_in&since=2026-01-01"),
    _extra("POST", "admin.settings", 422, form=[("role_patient-label", "")]),
]


def _objects() -> dict[str, int]:
    """One of everything a staff URL names: an article with a revision submitted for review, a
    published article with a reader's question, an unused reference, a glossary term and
    another staff account."""
    make_reference("ref")
    unused = make_reference("unused")
    article = make_article(status="submitted", question="Test question?")
    # Approved by an administrator, who holds every permission whatever the other roles hold.
    approver = make_user(role=Role.ADMIN, email="approver@example.org", credentials="MD")
    published = make_article(question="A published test question?", reviewer=approver)
    term = GlossaryTerm(slug="test-term", term="test term", definition="A test definition.")
    db.session.add(term)
    other = make_user(role=Role.EDITOR, email="other@example.org")
    # A change to the reference the published article cites: it waits for review.
    cited = db.session.scalar(sa.select(Reference).where(Reference.key == "ref"))
    change = references.update_reference(
        cited, replace(references.ReferenceInput.of(cited), title="Retitled"), actor=approver
    )
    asked = ask_question(
        published,
        text="Test question about a dose?",
        level=ReadingLevel.CLINICAL,
        client="t",
    )
    db.session.commit()
    return {
        "article_id": article.id,
        "revision_id": article.latest_revision_id,
        "reference_id": unused.id,
        "term_id": term.id,
        "user_id": other.id,
        "question_id": asked.question.id,
        "approver_id": approver.id,
        "change_id": change.id,
        "language_code": "es",
    }


def _url(app, endpoint: str, method: str, ids: dict[str, int]) -> str:
    """A URL of `endpoint` (for test_staff_csrf.py); where it has two, the one naming an object."""
    rule = max(
        (r for r in app.url_map.iter_rules(endpoint) if method in r.methods),
        key=lambda r: len(r.arguments),
    )
    return app.url_map.bind("localhost").build(
        endpoint, {k: ids[k] for k in rule.arguments}, method=method
    )


@dataclass(frozen=True)
class World:
    ids: dict[str, int]
    cookies: dict[Role | str, str]  # who -> the session cookie the sign-in form gave them
    snapshot: snapshots.Snapshot


@pytest.fixture(scope="module")
def world(session_app, migrated) -> World:
    """Everything the cases share, built once: the objects, and a session for each account,
    signed in through the real form.

    The deactivated account is an administrator, deactivated by another through the accounts
    service after signing in. Deactivating ends its sessions; its cookie is then rewritten to name
    the account's current session, so that only the check that the account is active stands
    between it and every page."""
    with session_app.app_context():
        db.session.remove()
        snapshots.restore(db.engine, db.metadata, migrated)
        _reset_limits()
        ids = _objects()
        cookies = {}
        for who in WHO[1:]:
            email = f"{_name(who)}@matrix.example.org"
            role = Role.ADMIN if who == "deactivated" else who
            make_user(role=role, email=email, password=PASSWORD)
            db.session.commit()
            client = session_app.test_client()
            signed_in = client.post("/auth/login", data={"email": email, "password": PASSWORD})
            assert signed_in.status_code == 302, signed_in.status_code
            cookies[who] = client.get_cookie(session_app.config["SESSION_COOKIE_NAME"]).value
        gone = db.session.scalar(sa.select(User).where(User.email.startswith("deactivated@")))
        accounts.deactivate(gone, actor=db.session.get(User, ids["approver_id"]))
        db.session.commit()
        cookies["deactivated"] = _current_session(session_app, cookies["deactivated"], gone)
        db.session.remove()
        snapshot = snapshots.take(db.engine, db.metadata)
    return World(ids, cookies, snapshot)


def _current_session(app: Flask, cookie: str, user: User) -> str:
    """`cookie`, rewritten to name `user`'s current session."""
    serializer = app.session_interface.get_signing_serializer(app)
    session = serializer.loads(cookie)
    assert session["_user_id"] != user.get_id(), "deactivating should end the account's sessions"
    return serializer.dumps({**session, "_user_id": user.get_id()})


@pytest.fixture
def built(session_app, world) -> Iterator[World]:
    """The module's state, put back before each case. (Not the `app` fixture: it would first put
    back the migrated state, and build the demo content, which no case here needs.)"""
    with session_app.app_context():
        db.session.remove()
        snapshots.restore(db.engine, db.metadata, world.snapshot)
        yield world
        db.session.remove()


@pytest.fixture
def as_who(session_app, built):
    """A client signed in as `who`, with the session its sign-in gave it (none: anonymous)."""

    def client(who) -> FlaskClient:
        client = session_app.test_client()
        if who != "anonymous":
            client.set_cookie(session_app.config["SESSION_COOKIE_NAME"], built.cookies[who])
        return client

    return client


def _as_taken(snapshot: snapshots.Snapshot) -> dict[str, list[str]]:
    return {table: sorted(map(repr, rows)) for table, rows in snapshot.rows.items()}


def test_every_staff_view_is_in_this_table_with_the_guard_it_declares(session_app):
    app = session_app
    declared: dict[str, tuple[set[str], Permission | None]] = {}
    for rule in app.url_map.iter_rules():
        if _is_staff(app, rule):
            methods, _ = declared.setdefault(
                rule.endpoint,
                (set(), getattr(app.view_functions[rule.endpoint], "required_permission", None)),
            )
            methods |= rule.methods - {"HEAD", "OPTIONS"}
    assert declared == {e: (set(methods), p) for e, (methods, p) in EXPECTED.items()}


def test_the_roles_grant_what_this_table_says():
    assert ROLE_PERMISSIONS == GRANTS


def test_the_matrix_walks_every_route_the_app_serves(session_app):
    assert staff_routes(session_app) == staff_routes(ROUTING)


@pytest.mark.parametrize("who", WHO, ids=_name)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_access(built, as_who, case, who):
    assert case.endpoint in EXPECTED, f"{case.endpoint}: write down the permission it needs"
    permission = EXPECTED[case.endpoint][1]
    url = case.url(built.ids)
    response = as_who(who).open(url, method=case.method, data=dict(case.form))
    status, location = response.status_code, response.headers.get("Location", "")
    said = f"{case} as {_name(who)}: {status} {location}"
    refused = who in ("anonymous", "deactivated") or permission not in GRANTS[who]
    if who in ("anonymous", "deactivated"):
        if (case.method, case.endpoint) in KEEPS_TYPED_TEXT:
            assert status == 401, said
        else:
            # To sign-in, and back to this URL afterwards if a browser can open it again: a
            # form's address answers only POST, so sign-in leads to the page it was sent from
            # (none here: these requests name no referring page).
            assert status == 302, said
            assert urlsplit(location).path == "/auth/login", said
            back = [url] if case.method == "GET" else None
            assert parse_qs(urlsplit(location).query).get("next") == back, said
    elif refused:
        assert status == 403, said
        assert "You can’t do that" in response.get_data(as_text=True), said
    elif case.status is not None:
        assert status == case.status, (said, response.get_data(as_text=True)[:500])
    elif case.method == "GET":
        assert status == 200, said
    else:
        assert status in ALLOWED_POST, said  # the action ran, or said what the form lacks
    if not refused:
        assert "/auth/login" not in location, said
    else:
        db.session.remove()
        after = _as_taken(snapshots.take(db.engine, db.metadata))
        changed = [t for t, rows in _as_taken(built.snapshot).items() if after[t] != rows]
        assert not changed, f"{said}: a refused request changed {changed}"


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
def test_the_staff_navigation_lists_exactly_what_each_role_may_open(as_who, role, entries):
    client = as_who(role)
    page = client.get("/admin/").get_data(as_text=True)
    nav = page.split('aria-label="Staff"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    assert links == entries
    for path, _label in links:
        assert client.get(path).status_code == 200, path
