"""Fixtures after flaskr: app, client, runner, auth, hx, plus demo content and a live server.

Setup is paid once per test process, as Flask's and Wagtail's own suites do: the database is
migrated once, one app serves every test, and the demo content is built once through the real
services and then put back from a snapshot (tests/snapshots.py) before each test that asks for
it. Each test still starts from a known database with real commits: `app` puts back the state
the migrations leave (their audience roles and reading levels), `demo` the demo content.

The suite runs on SQLite by default, and on PostgreSQL when DATABASE_URL points at one (CI does
both). Under pytest-xdist each worker has a database of its own: a SQLite file in its temporary
folder, or on PostgreSQL a database named after DATABASE_URL's plus the worker, created and
dropped here. The schema always comes from the real Alembic migrations.
"""

from __future__ import annotations

import copy
import os
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask, g
from flask_migrate import downgrade, upgrade
from limits.storage import MemoryStorage
from werkzeug.serving import make_server

from app import create_app
from config import engine_options
from extensions import db, limiter
from models import Role
from tests import snapshots
from tests.factories import make_user

PASSWORD = "correct horse battery staple"
SECRET_KEY = "test-secret-key"


def _worker() -> str:
    """The pytest-xdist worker this process is ("gw0", ...), or "" when not distributed."""
    return os.environ.get("PYTEST_XDIST_WORKER", "")


def _admin_execute(url: sa.URL, sql: str) -> None:
    engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(sql))
    finally:
        engine.dispose()


def _test_config(url: str, **extra) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": None,
        # Tests sign in hundreds of times; the production cost is tested on its own
        # (tests/unit/test_staff_accounts.py), so every other hash takes argon2's cheapest.
        "PASSWORD_HASH_PROFILE": "CHEAPEST",
        # Module-scoped signed-in sessions (the access matrices) outlive production's ten
        # minutes on a slow run; tests/web/test_auth.py sets it back to test the prompt.
        "REAUTHENTICATE_AFTER": timedelta(hours=12),
        # Tests read what a stand-in cache was asked as soon as the commit returns: wait for it
        # to answer, however busy the machine. Production's short budget is tested against a
        # cache that never answers (tests/web/test_purge.py), which sets it back.
        "CACHE_PURGE_WAIT": 10,
    }
    if url.startswith("postgresql"):
        # A test database need not survive a power cut: commits skip waiting for the disk.
        options = engine_options(url)
        options["connect_args"] = {
            **options["connect_args"],
            "options": "-c synchronous_commit=off",
        }
        config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    config.update(extra)
    return config


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """This process's test database, migrated once: down to nothing, then up through every
    migration."""
    url = os.environ.get("DATABASE_URL")
    created = None
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    elif worker := _worker():
        parsed = sa.make_url(url)
        created = parsed.set(database=f"{parsed.database}_{worker}")
        _admin_execute(created, f'DROP DATABASE IF EXISTS "{created.database}" WITH (FORCE)')
        _admin_execute(created, f'CREATE DATABASE "{created.database}"')
        url = created.render_as_string(hide_password=False)
    app = create_app(_test_config(url))
    with app.app_context():
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()
    yield url
    if created is not None:
        _admin_execute(created, f'DROP DATABASE IF EXISTS "{created.database}" WITH (FORCE)')


def _forget_cached_user() -> None:
    """Tests keep one application context open, and test requests reuse it, so what a request
    keeps on `g` (Flask-Login's user, the CSRF check's verdict) would outlive it; in production
    each request has its own."""
    for name in list(g):
        g.pop(name)


def _reset_limits() -> None:
    """Clear the rate limits' counts, kept in this process's memory (see app_factory)."""
    assert isinstance(limiter.storage, MemoryStorage), limiter.storage
    limiter.reset()


@pytest.fixture(scope="session")
def session_app(database_url) -> Iterator[Flask]:
    """The one app every test of this process uses (see `app`)."""
    app = create_app(_test_config(database_url))
    app.before_request_funcs.setdefault(None, []).insert(0, _forget_cached_user)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated(session_app) -> snapshots.Snapshot:
    """What the migrations leave in the tables: the audience roles and reading levels."""
    with session_app.app_context():
        return snapshots.take(db.engine, db.metadata)


@pytest.fixture(scope="session")
def demo_snapshot(session_app, migrated) -> snapshots.Snapshot:
    """The demo content, built once through the same services editors use."""
    from services.seeding.demo import load_demo

    with session_app.app_context():
        snapshots.restore(db.engine, db.metadata, migrated)
        load_demo()
        db.session.commit()
        db.session.remove()
        return snapshots.take(db.engine, db.metadata)


def wipe(app: Flask) -> None:
    """Put the database back as the migrations leave it (their audience roles and levels)."""
    with app.app_context():
        db.session.remove()
        snapshots.restore(db.engine, db.metadata, _snapshot(app, "migrated"))


def _snapshot(app: Flask, name: str) -> snapshots.Snapshot:
    return app.extensions["test_snapshots"][name]


@pytest.fixture
def app(session_app, migrated, demo_snapshot) -> Iterator[Flask]:
    """The app, with its database as the migrations leave it and its settings as configured."""
    session_app.extensions["test_snapshots"] = {"migrated": migrated, "demo": demo_snapshot}
    settings = copy.deepcopy(dict(session_app.config))
    _reset_limits()
    with session_app.app_context():
        db.session.remove()
        snapshots.restore(db.engine, db.metadata, migrated)
        yield session_app
        db.session.remove()
    session_app.config.clear()
    session_app.config.update(settings)


@pytest.fixture
def app_factory(database_url):
    """Build extra app instances (e.g. two workers); their connection pools close afterwards."""
    apps = []

    def build(**config):
        built = create_app(_test_config(database_url, **config))
        apps.append(built)
        return built

    yield build
    for built in apps:
        with built.app_context():
            db.engine.dispose()
    if any(built.config["RATELIMIT_STORAGE_URI"] != "memory://" for built in apps):
        # The limiter is one object whose storage the last app built chose: put it back in
        # memory for the tests that follow, which must never reset a Redis other runs share.
        with create_app(_test_config(database_url)).app_context():
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _as_migrated(migrated: snapshots.Snapshot) -> bool:
    """Whether the database still holds exactly what the migrations leave: their rows, and
    nothing in the tables they leave empty."""
    tables = [t for t in db.metadata.sorted_tables if not migrated.rows.get(t.name)]
    if db.session.scalar(sa.select(sa.or_(*(sa.exists().select_from(t) for t in tables)))):
        return False
    seeded = [t for t in db.metadata.sorted_tables if migrated.rows.get(t.name)]
    now = snapshots.take(db.engine, db.metadata, tables=seeded)
    return all(now.rows[t.name] == migrated.rows[t.name] for t in seeded)


@pytest.fixture
def demo(app, migrated, demo_snapshot):
    """The demo content, as loading it through the services editors use leaves it: put back
    from the snapshot, or (when another fixture already added rows) loaded again beside them."""
    from services.seeding.demo import load_demo

    if _as_migrated(migrated):
        db.session.remove()
        snapshots.restore(db.engine, db.metadata, demo_snapshot)
    else:
        load_demo()
        db.session.commit()
    return app


class Hx:
    """Send requests as htmx does (HX-Request: true)."""

    def __init__(self, client):
        self.client = client

    def get(self, url, **kwargs):
        headers = {"HX-Request": "true", **kwargs.pop("headers", {})}
        return self.client.get(url, headers=headers, **kwargs)

    def post(self, url, **kwargs):
        headers = {"HX-Request": "true", **kwargs.pop("headers", {})}
        return self.client.post(url, headers=headers, **kwargs)


@pytest.fixture
def hx(client):
    return Hx(client)


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, role: Role = Role.EDITOR, email: str | None = None):
        email = email or f"{role.value}@example.org"
        make_user(role=role, email=email, password=PASSWORD)
        db.session.commit()
        return self.client.post("/auth/login", data={"email": email, "password": PASSWORD})

    def logout(self):
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


def ensure_demo(app: Flask) -> None:
    """Put the demo content back as it was first loaded, whatever ran before."""
    with app.app_context():
        db.session.remove()
        snapshots.restore(db.engine, db.metadata, _snapshot(app, "demo"))


@pytest.fixture(scope="session")
def live_app(database_url, migrated, demo_snapshot) -> Iterator[Flask]:
    """The app the live server runs, with CSRF on as in production."""
    app = create_app(_test_config(database_url, WTF_CSRF_ENABLED=True))
    app.extensions["test_snapshots"] = {"migrated": migrated, "demo": demo_snapshot}
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[str]:
    """The real app served over HTTP in a thread, for browser tests."""
    server = make_server("127.0.0.1", 0, _read_whole(live_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def _read_whole(app):
    """Each response read whole and closed before Werkzeug's development server writes it.

    That server skips the response's close() when the browser drops the connection first (a
    favicon or a page left mid-load): a static file's handle then waits for the garbage
    collector, whose ResourceWarning lands in whichever test runs next. Production serves
    through gunicorn and nginx, which close it."""

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@pytest.fixture
def live_demo(live_app, live_server) -> str:
    """The live server's URL, with the demo content as first loaded, whatever ran before, and
    the rate limits' counts cleared (every browser test signs in from the same address)."""
    ensure_demo(live_app)
    _reset_limits()
    return live_server


def pytest_collection_modifyitems(items) -> None:
    """Under pytest-xdist, keep the fleet's tests on one worker (they share one fleet of nginx
    and app servers, started once: tests/fleet/conftest.py), and hand out the longest work
    first: the fleet, then the browser tests, then the many short ones, which fill in the end."""
    for item in items:
        if item.get_closest_marker("fleet"):
            item.add_marker(pytest.mark.xdist_group("fleet"))

    def order(item) -> int:
        if item.get_closest_marker("fleet"):
            return 0
        return 1 if item.get_closest_marker("browser") else 2

    items.sort(key=order)
