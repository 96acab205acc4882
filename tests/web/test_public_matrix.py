"""The other half of the access matrix: every route that is not a staff route (readers' pages and
actions, sign-in, health checks, static files) × each method it accepts × the same five visitors
as test_access_matrix.py: anonymous, editor, reviewer, administrator and a deactivated account.

What each answers is written out by hand (READERS): the status a reader gets and the one a
signed-in staff member gets, where a redirect goes, the Cache-Control each gets, and the one
cookie, if any, a reader is meant to be given. Together with the staff table (EXPECTED) it must
name every route the app serves, so a new route anywhere fails until someone says what it does.

The rules checked on every case, whatever the table says:
- an anonymous reader gets no cookie but the one the row names (readers get none from just
  reading: web/csrf.py, caching/headers.py);
- a deactivated account, whose session no longer counts, gets what an anonymous reader gets:
  the same status, redirect and cookies, and a page a shared cache may keep comes back private
  (it came with a session);
- a signed-in staff member's page is `private, no-store` unless the row says otherwise;
- nothing answers 5xx, and no reader's page or action sends anyone to sign in.

These run on the app as production runs it, CSRF on: a reader's form is accepted on the word of
the browser (Sec-Fetch-Site), a staff member's must carry the session's token, and a page that
wrongly used a token would set the very cookie this checks for. The objects URLs name and the
signed-in sessions are test_access_matrix.py's, with what readers' URLs name added, built once
per module; each case starts from that state, put back from a snapshot.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from app import create_app
from config import AUDIENCE_COOKIE
from extensions import db
from models import FollowupQuestion, ReadingLevel, Role, Topic, User
from services.editorial import review
from services.editorial.revisions import save_revision
from services.staff import accounts
from tests import snapshots
from tests.conftest import SECRET_KEY, _reset_limits, _test_config
from tests.factories import ask_question, make_sections, make_user
from tests.web import test_access_matrix as staff_matrix
from tests.web.test_access_matrix import EXPECTED, ROUTING, WHO, _is_staff, _name

# The staff matrix's module-scoped fixture (its objects and signed-in sessions), built here too.
world = staff_matrix.world

# Cache-Control values, as caching/headers.py, the views and web/assets.py write them.
ARTICLE = "public, max-age=60, stale-while-revalidate=600"  # headers.ARTICLE, at its canonical URL
LISTING = "public, max-age=60, stale-while-revalidate=600"  # headers.LISTING
FEED = "public, max-age=300, stale-while-revalidate=3600"  # headers.FEED
PRIVATE = "private, no-cache"  # the browser keeps it and revalidates; no shared cache does
NO_STORE = "no-store"  # health checks, and the set-password link (its address is a secret)
FOLLOWUP = "private, no-store"  # follow-ups: most of their pages carry the private link
STAFF = "private, no-store"  # what a signed-in staff member saw: nobody keeps it
STATIC = "public, max-age=3600"  # a file of static/ that the build did not fingerprint
SHARED = {ARTICLE, LISTING, FEED}  # the answers a shared cache may keep (for no one with a session)

SESSION = "session"  # Flask's session cookie: a form's token, or a message shown on the next page


@dataclass(frozen=True)
class Answer:
    """What a visit answers. `status`, `to` and `cookie` are a reader's (anonymous, and the
    deactivated account); `staff`, `staff_to` and `staff_cache` a signed-in staff member's,
    where they differ. `to` is where a redirect goes (a glob, with {names} of objects); `cache` is
    the Cache-Control an anonymous reader's GET gets (None: no header)."""

    status: int
    cache: str | None = None
    to: str | None = None
    cookie: str | None = None  # the one cookie an anonymous reader is meant to get
    staff: int | None = None
    staff_to: str | None = None
    staff_cache: str | None = STAFF

    def for_staff(self) -> tuple[int, str | None]:
        # staff_to="" says staff stay where they are though readers are redirected.
        return (
            self.staff or self.status,
            self.to if self.staff_to is None else self.staff_to or None,
        )


# (method, endpoint) -> what the route answers; a visit with no query or form (a form left empty).
READERS: dict[tuple[str, str], Answer] = {
    # Listings and article pages: public at their canonical address, for a shared cache.
    ("GET", "articles.index"): Answer(200, LISTING),
    ("GET", "articles.topics"): Answer(200, LISTING),
    ("GET", "articles.topic"): Answer(200, LISTING),
    ("GET", "articles.glossary"): Answer(200, LISTING),
    ("GET", "articles.policy"): Answer(200, LISTING),
    ("GET", "articles.detail"): Answer(200, ARTICLE),
    ("GET", "articles.reference"): Answer(200, ARTICLE),  # a cited reference's own page
    # A revision's own address, its print view and PDF, and the current revision's.
    ("GET", "articles.revision"): Answer(200, ARTICLE),
    ("GET", "articles.print_view"): Answer(200, ARTICLE),
    ("GET", "articles.revision_print"): Answer(200, ARTICLE),
    ("GET", "articles.pdf"): Answer(200, ARTICLE),
    ("GET", "articles.revision_pdf"): Answer(200, ARTICLE),
    # Free text, the review record, a change waiting for review: the browser's to keep.
    ("GET", "articles.search"): Answer(200, PRIVATE),
    ("GET", "articles.history"): Answer(200, PRIVATE),
    ("GET", "articles.pending"): Answer(200, PRIVATE),
    # Without htmx, a section's toggle opens the article at that section.
    ("GET", "articles.section"): Answer(302, to="/articles/{slug}#*", staff_cache=None),
    # For search engines and feed readers, who poll.
    ("GET", "feeds.sitemap"): Answer(200, FEED),
    ("GET", "feeds.pages"): Answer(200, FEED),
    ("GET", "feeds.articles"): Answer(200, FEED),
    ("GET", "feeds.feed"): Answer(200, FEED),
    ("GET", "feeds.robots"): Answer(200, FEED),
    # Follow-up questions: asked with no account, followed through a private link.
    ("GET", "followups.ask"): Answer(200, FOLLOWUP),
    ("GET", "followups.track"): Answer(200, FOLLOWUP),
    ("GET", "followups.deleted"): Answer(200, FOLLOWUP),
    ("GET", "followups.suggest"): Answer(200, FOLLOWUP),
    ("POST", "followups.ask"): Answer(422),  # no question: the form again, saying what it lacks
    ("POST", "followups.delete"): Answer(303, to="/questions/deleted"),
    # The picker's form without JavaScript, and no role chosen: back home, asked to choose (a
    # message for the next page, in the session).
    ("POST", "personalization.choose"): Answer(302, to="/", cookie=SESSION),
    # Sign-in: its form carries a token, kept in the session; staff are signed in already.
    ("GET", "auth.login"): Answer(
        200, PRIVATE, cookie=SESSION, staff=302, staff_to="/admin/", staff_cache=None
    ),
    ("POST", "auth.login"): Answer(200, cookie=SESSION, staff=302, staff_to="/admin/"),
    # Signing out: home, saying so (in the session's message), even from a session that ended.
    ("POST", "auth.logout"): Answer(302, to="/", cookie=SESSION, staff_to="/"),
    # "Confirm your password" (before user management): for signed-in staff; readers are sent
    # to sign in (a message in the session). Staff leaving it empty get the form again.
    ("GET", "auth.confirm"): Answer(
        302, to="/auth/login?next=*", cookie=SESSION, staff=200, staff_to=""
    ),
    ("POST", "auth.confirm"): Answer(302, to="/auth/login", cookie=SESSION, staff=422, staff_to=""),
    # Changing your own password: the same, for signed-in staff only.
    ("GET", "auth.change_password"): Answer(
        302, to="/auth/login?next=*", cookie=SESSION, staff=200, staff_to=""
    ),
    ("POST", "auth.change_password"): Answer(
        302, to="/auth/login", cookie=SESSION, staff=422, staff_to=""
    ),
    # An administrator's link to choose a password: usable signed in or not, never stored.
    ("GET", "auth.set_password"): Answer(200, NO_STORE, cookie=SESSION, staff_cache=NO_STORE),
    ("POST", "auth.set_password"): Answer(422, cookie=SESSION),
    # Health checks: never cached, whoever asks.
    ("GET", "ops.healthz"): Answer(200, NO_STORE, staff_cache=NO_STORE),
    ("GET", "ops.readyz"): Answer(200, NO_STORE, staff_cache=NO_STORE),
    # A file as it is in static/: the same for everyone.
    ("GET", "static"): Answer(200, STATIC, staff_cache=STATIC),
}

# Which object a URL argument names, where a name means different things in different URLs.
ARGUMENTS = {("auth.set_password", "token"): "invitation"}

GOOD_PASSWORD = "a long enough password, chosen from the link"


def public_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(method, rule, endpoint) for every route that is not a staff route, each method it
    accepts."""
    return sorted(
        (method, rule.rule, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if not _is_staff(app, rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


@dataclass(frozen=True)
class Visit:
    method: str
    rule: str  # as the URL map writes it: /articles/<slug>/sections/<int:section_id>
    endpoint: str
    query: str = ""
    form: tuple[tuple[str, str], ...] = ()
    htmx: bool = False
    answer: Answer | None = field(default=None, compare=False)  # else READERS says

    def __str__(self) -> str:  # GET /articles/{slug}?role=patient [htmx]
        sent = " [" + "&".join(f"{k}={v}" for k, v in self.form) + "]" if self.form else ""
        query = f"?{self.query}" if self.query else ""
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", self.rule)
        return f"{self.method} {path}{query}{sent}{' [htmx]' if self.htmx else ''}"

    def url(self, ids: dict[str, int | str]) -> str:
        def named(m: re.Match) -> str:
            name = ARGUMENTS.get((self.endpoint, m[1]), m[1])
            assert name in ids, f"{self}: make an object for <{m[1]}> in _public_objects"
            return str(ids[name])

        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", named, self.rule)
        return f"{path}?{self.query}" if self.query else path

    def expected(self) -> Answer:
        answer = self.answer or READERS.get((self.method, _unlocalized(self.endpoint)))
        assert answer, f"{self.method} {self.endpoint}: write down what it answers in READERS"
        if self.answer is None and self.endpoint.startswith(LOCALIZED):
            # The same page in Spanish: it answers alike, and sends readers on in Spanish.
            answer = replace(answer, to=_in_spanish(answer.to))
        return answer


# Reader pages are served again under each enabled language's prefix (web/language.py): the
# Spanish twin `localized.articles.detail` at /es/articles/<slug> answers as its English page.
LOCALIZED = "localized."


def _unlocalized(endpoint: str) -> str:
    return endpoint.removeprefix(LOCALIZED)


def _in_spanish(to: str | None) -> str | None:
    return f"/es{to}" if to and to.startswith("/") and not to.startswith("/auth/") else to


def _extra(method: str, endpoint: str, answer: Answer, **sent) -> Visit:
    (rule,) = ROUTING.url_map.iter_rules(endpoint)
    sent["form"] = tuple(sent.get("form", ()))
    return Visit(method, rule.rule, endpoint, answer=answer, **sent)


VISITS = [Visit(method, rule, endpoint) for method, rule, endpoint in public_routes(ROUTING)] + [
    # A section's body, as htmx asks for it: a fragment, private.
    _extra("GET", "articles.section", Answer(200, PRIVATE), query="expanded=1", htmx=True),
    # A search for something: free text, never kept by a shared cache.
    _extra("GET", "articles.search", Answer(200, PRIVATE), query="q=dose"),
    # A shared wording's address is public; the picker's `?role=` is there to set the cookie.
    _extra("GET", "articles.detail", Answer(200, ARTICLE), query="audience=plain"),
    _extra(
        "GET",
        "articles.detail",
        Answer(302, to="/articles/{slug}?audience=plain", cookie=AUDIENCE_COOKIE, staff_cache=None),
        query="role=patient",
    ),
    # A question asked: stored, then its private page (whoever asks: no account needed).
    _extra(
        "POST",
        "followups.ask",
        Answer(303, to="/questions/*?saved=1"),
        form=[("text", "How long does the test treatment take to work?")],
    ),
    # A role chosen without JavaScript: remembered, and back to the page it was chosen on.
    _extra(
        "POST",
        "personalization.choose",
        Answer(302, to="/articles/{slug}?audience=plain", cookie=AUDIENCE_COOKIE),
        form=[("role", "patient"), ("next", "/articles/{slug}")],
    ),
    # The same in Spanish: the picker, asking and choosing keep the reader on Spanish pages.
    _extra(
        "GET",
        "localized.articles.detail",
        Answer(
            302, to="/es/articles/{slug}?audience=plain", cookie=AUDIENCE_COOKIE, staff_cache=None
        ),
        query="role=patient",
    ),
    _extra(
        "POST",
        "localized.followups.ask",
        Answer(303, to="/es/questions/*?saved=1"),
        form=[("text", "¿Cuánto tarda en hacer efecto el tratamiento de prueba?")],
    ),
    _extra(
        "POST",
        "localized.personalization.choose",
        Answer(302, to="/es/articles/{slug}?audience=plain", cookie=AUDIENCE_COOKIE),
        form=[("role", "patient"), ("next", "/es/articles/{slug}")],
    ),
    # A wrong password: the form again, with the error; staff are signed in already.
    _extra(
        "POST",
        "auth.login",
        Answer(200, cookie=SESSION, staff=302, staff_to="/admin/"),
        form=[("email", "nobody@example.org"), ("password", "not the password")],
    ),
    # A password chosen: its owner signs in with it (whoever was signed in here is signed out).
    _extra(
        "POST",
        "auth.set_password",
        Answer(302, to="/auth/login", cookie=SESSION),
        form=[("password", GOOD_PASSWORD), ("confirm", GOOD_PASSWORD)],
    ),
]


def _public_objects(ids: dict[str, int]) -> dict[str, int | str]:
    """What readers' URLs name, beside the staff matrix's objects: its published article (with a
    change now waiting for review, a section and the reference it cites), a topic, a reader's
    question and its private token, a set-password link, a sitemap part and a static file."""
    published = db.session.get(FollowupQuestion, ids["question_id"]).article
    section = published.public_revision.body_sections[0]
    author = make_user(role=Role.EDITOR)
    waiting = save_revision(
        published, author=author, question=published.question, sections=make_sections()
    )
    review.submit(waiting, actor=author)
    topic = Topic(slug="test-topic", name="Test topic")
    db.session.add(topic)
    asked = ask_question(
        published,
        text="Another test question, about how long it lasts?",
        level=ReadingLevel.CLINICAL,
        client="t",
    )
    invited = db.session.get(User, ids["user_id"])
    db.session.commit()
    return {
        "slug": published.slug,
        "section_id": section.id,
        "number": published.public_revision.number,
        "key": "ref",
        "topic_slug": topic.slug,
        "token": asked.token,
        "invitation": accounts.set_password_token(invited, secret=SECRET_KEY),
        "page": 1,
        "filename": "favicon.svg",
        "lang_code": "es",
    }


@pytest.fixture(scope="module")
def production(database_url) -> Iterator[Flask]:
    """The app as production runs it: CSRF on."""
    app = create_app(_test_config(database_url, WTF_CSRF_ENABLED=True))
    yield app
    with app.app_context():
        db.engine.dispose()


@dataclass(frozen=True)
class Readers:
    ids: dict[str, int | str]
    cookies: dict[Role | str, str]  # who -> their session cookie
    tokens: dict[Role, str]  # staff -> their session's CSRF token, as their pages carry it
    snapshot: snapshots.Snapshot


@pytest.fixture(scope="module")
def readers(session_app, production, world) -> Readers:
    """The staff matrix's world, with what readers' URLs name added, and each staff session's
    token, taken from a page as a browser would (it is kept in the session, so the cookie
    changes with it)."""
    name = session_app.config["SESSION_COOKIE_NAME"]
    with session_app.app_context():
        db.session.remove()
        snapshots.restore(db.engine, db.metadata, world.snapshot)
        ids = {**world.ids, **_public_objects(world.ids)}
        cookies, tokens = dict(world.cookies), {}
        for who in (Role.EDITOR, Role.REVIEWER, Role.ADMIN):
            client = production.test_client()
            client.set_cookie(name, cookies[who])
            page = client.get("/").get_data(as_text=True)
            tokens[who] = re.search(r'"X-CSRFToken": "([^"]+)"', page)[1]
            cookies[who] = client.get_cookie(name).value
        db.session.remove()
        snapshot = snapshots.take(db.engine, db.metadata)
    return Readers(ids, cookies, tokens, snapshot)


@pytest.fixture
def send(session_app, production, readers):
    """Send a visit as `who`, from the module's state put back (and the rate limits' counts
    cleared: every case signs in or asks from the same address)."""
    responses: list[TestResponse] = []

    def visit(case: Visit, who) -> TestResponse:
        client = production.test_client()
        client.environ_base["HTTP_SEC_FETCH_SITE"] = "same-origin"  # a page of this site
        headers = {"HX-Request": "true"} if case.htmx else {}
        if who != "anonymous":
            client.set_cookie(session_app.config["SESSION_COOKIE_NAME"], readers.cookies[who])
        if case.method == "POST" and who in readers.tokens:
            headers["X-CSRFToken"] = readers.tokens[who]  # as the page's hx-headers send it
        form = {k: v.format(**readers.ids) for k, v in case.form}
        response = client.open(
            case.url(readers.ids), method=case.method, data=form, headers=headers
        )
        responses.append(response)
        return response

    with session_app.app_context():
        db.session.remove()
        snapshots.restore(db.engine, db.metadata, readers.snapshot)
        _reset_limits()
        yield visit
        db.session.remove()
    for response in responses:
        response.close()  # a static file's


def _cookies(response: TestResponse) -> set[str]:
    return {header.split("=", 1)[0] for header in response.headers.getlist("Set-Cookie")}


def test_every_route_is_in_exactly_one_table(session_app):
    served = {
        (method, _unlocalized(rule.endpoint))
        for rule in session_app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    staff = {(method, e) for e, (methods, _permission) in EXPECTED.items() for method in methods}
    assert not staff & set(READERS), "a route is in both tables"
    assert sorted(served - staff - set(READERS)) == [], "say what these answer (READERS)"
    assert sorted((staff | set(READERS)) - served) == [], "the app no longer serves these"


def test_the_matrix_walks_every_route_the_app_serves(session_app):
    assert public_routes(session_app) == public_routes(ROUTING)


@pytest.mark.parametrize("who", WHO, ids=_name)
@pytest.mark.parametrize("case", VISITS, ids=str)
def test_public(send, readers, case, who):
    answer = case.expected()
    response = send(case, who)
    status, location = response.status_code, response.headers.get("Location")
    cache = response.headers.get("Cache-Control")
    said = f"{case} as {_name(who)}: {status} {location or ''} ({cache})"
    assert status < 500, said
    is_reader = who in ("anonymous", "deactivated")
    expected_status, to = (answer.status, answer.to) if is_reader else answer.for_staff()
    assert status == expected_status, (said, response.get_data(as_text=True)[:500])
    if to is None:
        assert location is None, said
    else:
        assert location is not None and fnmatchcase(location, to.format(**readers.ids)), said
    if is_reader and not case.endpoint.startswith("auth."):
        assert not (location or "").startswith("/auth/"), f"{said}: a reader sent to sign in"
    if case.method == "GET":
        if who == "anonymous":
            assert cache == answer.cache, said
        elif who == "deactivated":
            # Its session counts for nothing but the header: what anyone may keep comes back
            # private, as for any reader who arrives with a session.
            assert cache == (PRIVATE if answer.cache in SHARED else answer.cache), said
        else:
            assert cache == answer.staff_cache, said
    if is_reader:
        expected_cookies = {answer.cookie} if answer.cookie else set()
        assert _cookies(response) == expected_cookies, f"{said}: {response.headers}"
