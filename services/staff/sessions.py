"""Staff sessions, held server-side (models/session.py).

What Flask-Login keeps in the signed cookies (the session's `_user_id` and the remember-me
cookie) is `User.get_id()`: "user id.epoch.session id". A session is current while its row exists
and has not ended, and the user's `session_epoch` is unchanged (a new password or deactivation
raises it, ending every session at once). Signing out ends the row, so a copy of the cookie
replayed afterwards is signed out too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from extensions import db
from models import StaffSession, User
from models.base import utcnow
from services.staff import audit
from services.staff.passwords import password_matches

# How often a session's `last_seen_at` is written: often enough to tell a live session from an
# abandoned one, rarely enough that reading pages costs no write each time.
SEEN_EVERY = timedelta(minutes=5)


def start(user: User, *, remember: bool) -> StaffSession:
    """A new server-side session for `user`, who has just proved their password."""
    row = StaffSession(id=secrets.token_urlsafe(32), user_id=user.id, remember=remember)
    db.session.add(row)
    user.signed_in_session = row
    return row


def user_for_session(
    session_id: str, *, remember_for: timedelta, idle_for: timedelta
) -> User | None:
    """The active staff member a session id ("id.epoch.session") names, while that session is
    current; the user comes back with `signed_in_session` set.

    Lifetimes hold here, not only in the cookies' Expires (a copied cookie has none): a
    "keep me signed in" session ends `remember_for` after sign-in, any other once unused for
    `idle_for` (`last_seen_at`, written every SEEN_EVERY)."""
    user_id, _, rest = session_id.partition(".")
    epoch, _, key = rest.partition(".")
    if not (user_id.isdigit() and epoch.isdigit() and key):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.can_sign_in or user.session_epoch != int(epoch):
        return None
    row = db.session.get(StaffSession, key)
    if row is None or row.ended_at is not None or row.user_id != user.id:
        return None
    now = utcnow()
    if row.created_at < now - remember_for or (
        not row.remember and row.last_seen_at < now - idle_for - SEEN_EVERY
    ):
        return None
    user.signed_in_session = row
    return user


def needs_seen_mark(user: User, *, now: datetime | None = None) -> str | None:
    """The id of `user`'s session when its `last_seen_at` is older than SEEN_EVERY, else None."""
    row = getattr(user, "signed_in_session", None)
    if row is None or row.last_seen_at > (now or utcnow()) - SEEN_EVERY:
        return None
    return row.id


def mark_seen(key: str) -> None:
    """Note that session `key` is in use, on a connection of its own, committed at once: most
    requests commit nothing, and this must not commit what the request has not finished (the
    one write a service makes outside the request's transaction)."""
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(StaffSession).where(StaffSession.id == key).values(last_seen_at=utcnow())
        )


def end(user: User) -> None:
    """Sign out: the session's row ends, so neither its cookie nor a copy of it works again."""
    row = getattr(user, "signed_in_session", None)
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
    audit.record("auth.sign_out", actor=user, target=user)


def password_is_recent(user: User, *, within: timedelta, fresh: bool) -> bool:
    """Whether `user` typed their password in this session within `within`. `fresh` is False
    for a session restored from the remember-me cookie, which never counts as recent."""
    row = getattr(user, "signed_in_session", None)
    return fresh and row is not None and row.password_checked_at > utcnow() - within


def confirm_password(user: User, password: str) -> bool:
    """The signed-in user typed their password again ("Confirm your password"); audited
    either way."""
    row = getattr(user, "signed_in_session", None)
    if row is None or not (user.password_hash and password_matches(user.password_hash, password)):
        audit.record("auth.confirm_failed", actor=user, target=user)
        return False
    row.password_checked_at = row.last_seen_at = utcnow()
    audit.record("auth.confirm", actor=user, target=user)
    return True


def email_key(email: str, *, secret: str) -> str:
    """A keyed digest of a typed email, for the audit row of a failed sign-in to an account that
    does not exist: repeated attempts share it, but the text (perhaps a password typed into the
    wrong field) cannot be read back from it."""
    normalized = email.strip().lower().encode()
    return hmac.new(secret.encode(), b"sign-in email\0" + normalized, hashlib.sha256).hexdigest()[
        :16
    ]
