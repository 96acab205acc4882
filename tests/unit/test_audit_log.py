"""The audit log is append-only, filterable, paged newest first, and readable."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from extensions import db
from models import AuditEvent, Role
from models.audit import AuditLogIsAppendOnly
from services.staff import audit
from services.staff.audit_log import (
    NO_ACCOUNT,
    AuditFilter,
    action_label,
    find_events,
    readable_changes,
)
from tests.factories import make_reference, make_user


def test_cannot_change_an_audit_row_through_the_orm(app):
    row = audit.record("auth.sign_in", actor=None, actor_label="someone")
    db.session.commit()
    row.action = "auth.sign_out"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(sa.select(AuditEvent.action)) == "auth.sign_in"


def test_cannot_delete_an_audit_row_through_the_orm(app):
    row = audit.record("auth.sign_in", actor=None, actor_label="someone")
    db.session.commit()
    db.session.delete(row)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 1


def record_at(action: str, when: datetime, **kwargs) -> AuditEvent:
    row = audit.record(action, **kwargs)
    row.created_at = when
    db.session.flush()
    return row


@pytest.fixture
def log(app):
    """A small log: two people, three kinds of action, over three days."""
    ada = make_user(role=Role.ADMIN, name="Ada")
    eve = make_user(role=Role.EDITOR, name="Eve")
    ref = make_reference("ref")
    record_at("auth.sign_in", datetime(2026, 1, 1, 9), actor=ada, target=ada)
    record_at("reference.update", datetime(2026, 1, 2, 10), actor=eve, target=ref)
    record_at("auth.sign_in_failed", datetime(2026, 1, 2, 23, 59), actor=None, actor_label="x@y.z")
    record_at("auth.sign_in", datetime(2026, 1, 3, 8), actor=eve, target=eve)
    db.session.commit()
    return {"ada": ada, "eve": eve, "ref": ref}


def actions(filters: AuditFilter) -> list[str]:
    return [e.action for e in find_events(filters).events]


def test_newest_first_and_every_filter(log):
    assert actions(AuditFilter()) == [
        "auth.sign_in",
        "auth.sign_in_failed",
        "reference.update",
        "auth.sign_in",
    ]
    assert actions(AuditFilter(actor_id=log["eve"].id)) == ["auth.sign_in", "reference.update"]
    assert actions(AuditFilter(actor_id=NO_ACCOUNT)) == ["auth.sign_in_failed"]
    assert actions(AuditFilter(action="auth.sign_in")) == ["auth.sign_in", "auth.sign_in"]
    assert actions(AuditFilter(object_type="reference", object_id=str(log["ref"].id))) == [
        "reference.update"
    ]
    # Dates are whole days, both ends included.
    assert actions(AuditFilter(since=date(2026, 1, 2), until=date(2026, 1, 2))) == [
        "auth.sign_in_failed",
        "reference.update",
    ]


def test_keyset_pages_continue_without_gaps_or_repeats(log):
    first = find_events(AuditFilter(), limit=3)
    assert len(first.events) == 3 and first.next_before == first.events[-1].id
    rest = find_events(AuditFilter(before_id=first.next_before), limit=3)
    assert [e.id for e in rest.events] == [min(e.id for e in first.events) - 1]
    assert rest.next_before is None


def test_rows_know_whether_their_object_still_exists(log):
    db.session.delete(log["ref"])
    db.session.commit()
    page = find_events(AuditFilter())
    named = {e.action + e.object_type: page.exists(e) for e in page.events}
    assert named == {
        "auth.sign_inuser": True,
        "reference.updatereference": False,
        "auth.sign_in_failed": False,
    }


def test_changes_read_as_before_and_after_and_snapshots_as_values(app):
    update = AuditEvent(action="glossary.update", changes={"aliases": [["a"], ["a", "b"]]})
    (line,) = readable_changes(update)
    assert (line.field, line.old, line.new, line.is_change) == ("Other forms", "a", "a, b", True)
    create = AuditEvent(action="glossary.create", changes={"aliases": ["one", "two"]})
    (line,) = readable_changes(create)
    assert (line.value, line.is_change) == ("one, two", False)
    failed = AuditEvent(action="auth.sign_in_failed", changes={"known": False})
    assert readable_changes(failed)[0].value == "no"
    grade = AuditEvent(action="settings.level", changes={"target_grade": [8.0, None]})
    assert (readable_changes(grade)[0].old, readable_changes(grade)[0].new) == ("8.0", "(empty)")


def test_actions_read_as_words():
    assert action_label("user.deactivate") == "Deactivated a staff account"
    assert action_label("followup.answer") == "Followup: answer"


def test_every_action_the_services_record_has_a_readable_label():
    """A new audited action must be named for the audit log's filter and rows."""
    import re
    from pathlib import Path

    from services.staff.audit_log import ACTIONS

    root = Path(__file__).resolve().parents[2]
    recorded = {
        name
        for path in [*root.glob("services/**/*.py"), *root.glob("blueprints/**/*.py")]
        for name in re.findall(r'record\(\s*(?:f?)"([a-z_]+\.[a-z_]+)"', path.read_text())
    }
    recorded |= {
        f"review.{name}" for name in ("submit", "start_review", "approve", "request_changes")
    }
    assert recorded and recorded <= set(ACTIONS), sorted(recorded - set(ACTIONS))
