"""Health checks, and the site while its database is away and when it comes back."""

import os
import re
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from blueprints.ops import routes as ops_routes
from config import engine_options
from extensions import db, limiter
from services.seeding.demo import load_demo
from tests.conftest import _test_config
from tests.tcp_proxy import TcpProxy
from tests.web.test_live_services import PG_ADMIN_URL, REDIS_URL, needs_postgres, needs_redis

CLOSED_PORT_DB = "postgresql+psycopg://postgres@127.0.0.1:1/vetted"
SEED = "/articles/all-blast-crisis-treatment"


def test_healthz_answers_without_the_database(app_factory):
    client = app_factory(SQLALCHEMY_DATABASE_URI=CLOSED_PORT_DB).test_client()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_readyz_is_ready_when_the_database_is_at_the_migrations_head(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok"},
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_not_ready_when_migrations_are_pending(client, monkeypatch):
    monkeypatch.setattr(ops_routes, "_migration_heads", lambda _dir: frozenset({"f00dfeed"}))
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"] == "ok"
    assert re.fullmatch(r"database at \w+, code expects f00dfeed", checks["migrations"])


def test_readyz_is_not_ready_when_the_database_is_unreachable(app_factory):
    response = app_factory(SQLALCHEMY_DATABASE_URI=CLOSED_PORT_DB).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "not ready", "checks": {"database": "unreachable"}}


def test_readyz_reports_a_redis_that_is_away_as_degraded_not_down(app_factory):
    """Rate limits fall back to memory meanwhile: no reason to take the server out."""
    config = {
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",
    }
    response = app_factory(**config).test_client().get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == body["checks"]["migrations"] == "ok"
    assert body["checks"]["redis"].startswith("degraded")


@needs_redis
def test_readyz_is_ready_with_a_reachable_redis(app_factory):
    config = {"REDIS_URL": REDIS_URL, "RATELIMIT_STORAGE_URI": REDIS_URL}
    response = app_factory(**config).test_client().get("/readyz")
    assert response.get_json()["checks"]["redis"] == "ok"


def test_health_checks_are_never_rate_limited(app_factory):
    try:
        client = app_factory(RATELIMIT_DEFAULT="2 per minute").test_client()
        assert client.get("/").status_code == 200
        statuses = {client.get(path).status_code for path in ["/healthz", "/readyz"] * 5}
        assert statuses == {200}
        assert client.get("/").status_code == 200
        assert client.get("/").status_code == 429  # the default limit does apply elsewhere
    finally:
        limiter.limit_manager.set_default_limits([])  # the limiter is one object for every app


def test_database_away_gives_a_polite_503_with_retry_after(app_factory):
    client = app_factory(SQLALCHEMY_DATABASE_URI=CLOSED_PORT_DB).test_client()
    for path, headers in [(SEED, {}), ("/", {}), (SEED + "?refs=full", {"HX-Request": "true"})]:
        response = client.get(path, headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "30"
        assert response.headers["Cache-Control"] == "no-store"
        assert "Vetted is briefly unavailable" in html and "Traceback" not in html
        assert ("<html" in html) != bool(headers)  # a whole page, or a fragment for htmx


# A SQLite file in a folder that does not exist: every connection attempt fails.
MISSING_SQLITE_DB = "sqlite:////nonexistent-vetted-folder/vetted.db"


def _database_at(url: str) -> dict:
    """Settings for a database at `url`, with that backend's engine options (a PostgreSQL run's
    options would not suit SQLite, nor the reverse)."""
    return {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": engine_options(url)}


@pytest.mark.parametrize("url", [MISSING_SQLITE_DB, CLOSED_PORT_DB])
@pytest.mark.parametrize("path", ["/es" + SEED, "/es/", "/es/no-such-page"])
def test_database_away_on_a_spanish_address_gives_the_spanish_503(app_factory, url, path):
    """The page cannot ask the languages table: the address's code is trusted for it, since
    the site's own words exist in Spanish."""
    response = app_factory(**_database_at(url)).test_client().get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert '<html lang="es">' in html
    assert "Vetted no está disponible por un momento" in html
    assert "Vetted is briefly unavailable" not in html
    assert 'hreflang="en"' not in html  # no switch, no alternates: they would read the table


@pytest.mark.parametrize("path", [SEED, "/xx" + SEED])
def test_database_away_elsewhere_gives_the_english_503(app_factory, path):
    """No catalog for "xx": a page under its lang would be English furniture read aloud in the
    wrong voice."""
    response = app_factory(**_database_at(MISSING_SQLITE_DB)).test_client().get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert '<html lang="en">' in html and "Vetted is briefly unavailable" in html


@pytest.mark.parametrize("path", ["/questions/suggest?text=dose", SEED + "/questions"])
def test_retry_after_on_a_rate_limited_route_is_the_configured_one(app_factory, path):
    """Flask-Limiter rewrote it to its own window's reset (60, or 29 by rounding)."""
    client = app_factory(
        SQLALCHEMY_DATABASE_URI=CLOSED_PORT_DB, DATABASE_RETRY_AFTER=45
    ).test_client()
    for method in (client.get, client.post):
        response = method(path, headers={"Sec-Fetch-Site": "same-origin"})
        if response.status_code == 405:
            continue
        assert response.status_code == 503, (method, path)
        assert response.headers.get_all("Retry-After") == ["45"]


def test_signed_in_reader_gets_the_503_page_too(app_factory):
    """The page must not reach for the database again to show who is signed in."""
    app = app_factory(SQLALCHEMY_DATABASE_URI=CLOSED_PORT_DB)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1.0.session-key"
    response = client.get("/admin/")
    assert response.status_code == 503
    assert "Vetted is briefly unavailable" in response.get_data(as_text=True)


@pytest.fixture
def own_postgres_database():
    """A fresh, migrated PostgreSQL database with the demo content, dropped afterwards."""
    name = f"vetted_outage_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    app = create_app(_test_config(url))
    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@needs_postgres
@pytest.mark.skipif(os.environ.get("VETTED_SKIP_OUTAGE") == "1", reason="VETTED_SKIP_OUTAGE=1")
def test_site_recovers_by_itself_when_the_database_comes_back(app_factory, own_postgres_database):
    """PostgreSQL reached through a forwarder we stop and start: never the server itself."""
    url = sa.make_url(own_postgres_database)
    proxy = TcpProxy((url.host, url.port or 5432)).start()
    try:
        through_proxy = url.set(host="127.0.0.1", port=proxy.port)
        client = app_factory(
            SQLALCHEMY_DATABASE_URI=through_proxy.render_as_string(hide_password=False)
        ).test_client()
        assert client.get(SEED).status_code == 200
        assert client.get("/readyz").status_code == 200

        proxy.stop()  # connections in the pool die, new ones are refused
        for path in (SEED, "/", SEED):
            response = client.get(path)
            assert response.status_code == 503, path
            assert response.headers["Retry-After"] == "30"
            assert "Traceback" not in response.get_data(as_text=True)
        assert client.get("/readyz").get_json()["checks"]["database"] == "unreachable"
        assert client.get("/healthz").status_code == 200

        proxy.start()  # same port: the app must reconnect without a restart
        response = client.get(SEED)
        assert response.status_code == 200
        assert "Which best describes you?" in response.get_data(as_text=True)
        assert client.get("/readyz").status_code == 200
    finally:
        proxy.stop()
