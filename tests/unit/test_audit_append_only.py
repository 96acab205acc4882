"""The audit log is append-only in the database itself, not only through the ORM: raw SQL
cannot change or delete a row, on SQLite or PostgreSQL (migration cea78d0ba8ff)."""

import pytest
import sqlalchemy as sa

from extensions import db
from models import AuditEvent
from services.staff import audit
from tests import snapshots


@pytest.fixture
def logged(app) -> int:
    event = audit.record("auth.sign_in_failed", actor=None, actor_label="unknown email 0")
    db.session.commit()
    event_id = event.id
    db.session.remove()  # no open transaction of ours holds a lock TRUNCATE would wait for
    return event_id


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_events SET actor_label = 'someone else' WHERE id = :id",
        "UPDATE audit_events SET changes = '{}'",
        "DELETE FROM audit_events WHERE id = :id",
        "DELETE FROM audit_events",
    ],
)
def test_cannot_change_or_delete_an_audit_row_with_raw_sql(logged, sql):
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(sa.text(sql), {"id": logged})
    assert db.session.get(AuditEvent, logged).actor_label == "unknown email 0"


def test_cannot_truncate_the_audit_log_on_postgresql(logged):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE audit_events CASCADE"))


def test_the_test_suites_snapshots_still_put_the_log_back_and_keep_it_guarded(logged, migrated):
    snapshots.restore(db.engine, db.metadata, migrated)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0
    audit.record("auth.sign_in_failed", actor=None, actor_label="unknown email 1")
    db.session.commit()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM audit_events"))
