"""Tests that need the PostgreSQL and Redis servers, over real connections.

Skipped with a reason when a server is not reachable; CI has both.
"""

import os
import socket
import uuid

import pytest
import redis
import sqlalchemy as sa

from app import create_app
from tests.conftest import _test_config

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PG_ADMIN_URL = os.environ.get(
    "TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


needs_redis = pytest.mark.skipif(
    not reachable("127.0.0.1", 6379), reason="no Redis on 127.0.0.1:6379"
)
needs_postgres = pytest.mark.skipif(
    not reachable("127.0.0.1", 5432), reason="no PostgreSQL on 127.0.0.1:5432"
)


@needs_redis
def test_rate_limit_is_shared_through_redis(app_factory):
    """Two app instances (as two gunicorn workers) share one login limit through Redis."""
    # The limiter is one object shared by every app in this process and keeps the key prefix it
    # was first given, so the test isolates its counts by a client address of its own instead.
    config = {"RATELIMIT_STORAGE_URI": REDIS_URL}
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    workers = [app_factory(**config).test_client(), app_factory(**config).test_client()]
    for worker in workers:
        worker.environ_base["REMOTE_ADDR"] = address
    statuses = [
        workers[i % 2]
        .post("/auth/login", data={"email": f"{uuid.uuid4().hex}@b.org", "password": "x"})
        .status_code
        for i in range(11)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


@needs_redis
def test_follow_up_ask_limit_is_shared_through_redis(app_factory, demo):
    """Two app instances share one follow-up limit per client through Redis: neither worker
    alone has seen three questions from the address, together they have."""
    from extensions import db
    from models import FollowupQuestion

    config = {"RATELIMIT_STORAGE_URI": REDIS_URL, "FOLLOWUP_RATE_LIMIT": "3 per minute"}
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    workers = [app_factory(**config).test_client(), app_factory(**config).test_client()]
    for worker in workers:
        worker.environ_base["REMOTE_ADDR"] = address
    ask = "/articles/all-blast-crisis-treatment/questions"
    statuses = [
        workers[i % 2].post(ask, data={"text": f"Test question number {i} on Redis?"}).status_code
        for i in range(3)
    ]
    assert statuses == [303] * 3
    refused = workers[1].post(
        ask, data={"text": "Test question number 3 on Redis?"}, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 429 and refused.headers["HX-Retarget"] == "#followup-status"
    assert "Please wait a few minutes" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(FollowupQuestion.id))) == 3
    # In one process the limiter object is shared anyway: the counts must really be in Redis
    # for workers in other processes to see them.
    server = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(server.scan_iter(match=f"*/{address}/followups.ask/*"))
        assert len(keys) == 1 and int(server.get(keys[0])) >= 3
    finally:
        server.close()
    other = workers[0].post(
        ask,
        data={"text": "Test question from another client?"},
        environ_base={"REMOTE_ADDR": f"{address}1"},
    )
    assert other.status_code == 303  # the count is per client, not for the whole site


@needs_postgres
def test_migrations_run_up_and_down_on_a_fresh_postgres_database():
    from flask_migrate import downgrade, upgrade

    from extensions import db

    name = f"vetted_mig_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        app = create_app(_test_config(url))
        with app.app_context():
            upgrade()
            tables = set(sa.inspect(db.engine).get_table_names())
            assert {"articles", "revisions", "sections", "section_variants", "references"} <= tables
            downgrade(revision="base")
            assert set(sa.inspect(db.engine).get_table_names()) == {"alembic_version"}
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
