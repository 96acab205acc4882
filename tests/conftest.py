"""Fixtures after flaskr: app, client, runner, auth, hx, plus demo content and a live server.

The suite runs on SQLite by default, and on PostgreSQL when DATABASE_URL points at one (CI does
both). The schema always comes from the real Alembic migrations.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask, g
from flask_migrate import downgrade, upgrade
from werkzeug.serving import make_server

from app import create_app
from extensions import db, limiter
from models import Role
from tests.factories import make_user

PASSWORD = "correct horse battery staple"


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _test_config(url: str, **extra) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": None,
    }
    config.update(extra)
    return config


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """Migrate the test database once: down to nothing, then up through every migration."""
    url = _database_url(tmp_path_factory)
    app = create_app(_test_config(url))
    with app.app_context():
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()
    return url


# Rows the migrations themselves insert (audience roles, reading levels) stay between tests.
MIGRATION_DATA = {"audience_roles", "reading_levels"}


def wipe(app: Flask) -> None:
    """Empty every table between tests (TRUNCATE on PostgreSQL, DELETE on SQLite)."""
    with app.app_context():
        db.session.remove()
        tables = [t for t in db.metadata.sorted_tables if t.name not in MIGRATION_DATA]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(tables):
                    conn.execute(table.delete())


def _forget_cached_user() -> None:
    """Tests keep one application context open, and test requests reuse it, so Flask-Login's
    cached user (on `g`) would outlive its request; in production each request loads its own."""
    g.pop("_login_user", None)


@pytest.fixture
def app(database_url) -> Iterator[Flask]:
    app = create_app(_test_config(database_url))
    app.before_request_funcs.setdefault(None, []).insert(0, _forget_cached_user)
    wipe(app)
    limiter.reset()
    with app.app_context():
        yield app
        db.session.remove()
    with app.app_context():
        db.engine.dispose()


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


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app):
    """The demo content, loaded through the same services editors use."""
    from services.demo import load_demo

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
    """Load the demo content unless it is already there (another test may have wiped it)."""
    from models import Article
    from services.demo import load_demo

    with app.app_context():
        loaded = db.session.scalar(sa.select(sa.func.count(Article.id))) > 0
        # End this read's transaction first: on PostgreSQL, TRUNCATE would wait for it forever.
        db.session.remove()
        if not loaded:
            wipe(app)
            load_demo()
            db.session.commit()
            db.session.remove()


@pytest.fixture(scope="session")
def live_app(database_url) -> Iterator[Flask]:
    """The app the live server runs, with CSRF on as in production."""
    app = create_app(_test_config(database_url, WTF_CSRF_ENABLED=True))
    wipe(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[str]:
    """The real app served over HTTP in a thread, for browser tests."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def live_demo(live_app, live_server) -> str:
    """The live server's URL, with the demo content loaded whatever ran before, and the rate
    limits' counts cleared (every browser test signs in from the same address)."""
    ensure_demo(live_app)
    with live_app.app_context():
        limiter.reset()
    return live_server
