"""The last active administrator stays one, even when two administrators demote or deactivate
each other at the same moment, on SQLite (which ignores FOR UPDATE) as on PostgreSQL.

Two threads, each with its own session: the first demotes and holds its transaction open; the
second checks while the first is uncommitted, so only an atomic guard refuses it.
"""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from extensions import db
from models import Role, User
from services.staff import accounts
from services.validation import InvalidFields
from tests.factories import make_user


def active_admins() -> int:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN, User.is_active.is_(True))
    )


def demote(user: User, actor: User) -> None:
    accounts.update_user(
        user, actor=actor, name=user.name, credentials="", email=user.email, role=Role.EDITOR
    )


def deactivate(user: User, actor: User) -> None:
    accounts.deactivate(user, actor=actor)


@pytest.mark.parametrize(("first_does", "second_does"), [(demote, demote), (deactivate, demote)])
def test_two_admins_removing_each_other_at_once_leave_one(app, first_does, second_does):
    one, two = make_user(role=Role.ADMIN), make_user(role=Role.ADMIN)
    db.session.commit()
    ids = one.id, two.id
    first_written = threading.Event()
    outcome: dict[str, str] = {}

    def first() -> None:
        with app.app_context():
            actor, target = db.session.get(User, ids[0]), db.session.get(User, ids[1])
            first_does(target, actor)
            db.session.flush()
            first_written.set()
            time.sleep(0.5)  # the second runs its checks while this is uncommitted
            db.session.commit()
            outcome["first"] = "done"

    def second() -> None:
        with app.app_context():
            assert first_written.wait(10)
            actor, target = db.session.get(User, ids[1]), db.session.get(User, ids[0])
            try:
                second_does(target, actor)
                db.session.commit()
                outcome["second"] = "done"
            except InvalidFields as error:
                db.session.rollback()
                outcome["second"] = "refused"
                assert error.status_code == 409 and "last active administrator" in str(error)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcome == {"first": "done", "second": "refused"}
    assert active_admins() == 1


def test_the_last_admin_cannot_be_demoted_or_deactivated(app):
    only, other = make_user(role=Role.ADMIN), make_user(role=Role.ADMIN)
    db.session.commit()
    demote(other, only)
    db.session.commit()
    with pytest.raises(InvalidFields):
        demote(only, only)
    db.session.rollback()
    assert active_admins() == 1
