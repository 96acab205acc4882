"""Staff accounts: sign-in, sessions, set-password links, roles, deactivation.

Sessions (services/staff/sessions.py) carry the user's `session_epoch` (models/user.py): raising it
signs the user out on every device and voids every set-password link issued before, so a link
works once.
"""

from __future__ import annotations

import re
import secrets
from functools import cache

import sqlalchemy as sa
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import aliased

from extensions import db
from models import Article, Revision, Role, User
from models.base import utcnow
from services.editorial import publishing
from services.errors import DomainError
from services.staff import audit, sessions
from services.staff.passwords import (
    hash_password,
    needs_rehash,
    password_matches,
    password_problems,
)
from services.staff.permissions import Permission, require
from services.staff.sessions import user_for_session  # noqa: F401 (its old home)
from services.validation import InvalidFields

LINK_MAX_AGE = 72 * 3600  # a set-password link lasts three days
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@cache
def _stand_in() -> User:
    """Checked when the email matches no account, so a wrong email takes as long as a wrong
    password and sign-in timing does not tell which accounts exist."""
    return User(
        email="", name="", role=Role.EDITOR, password_hash=hash_password(secrets.token_hex(16))
    )


class PasswordRejected(DomainError):
    """The new password breaks the rule; `problems` lists why."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


def authenticate(email: str, password: str, *, secret: str, remember: bool = False) -> User | None:
    """The account for these credentials, signed in (a new server-side session,
    services/staff/sessions.py) and audited; None (audited too) otherwise. `secret` (the app's
    SECRET_KEY) keys the digest an unknown email is recorded as: never the typed text, which may
    be a password typed into the wrong field.
    """
    email = email.strip().lower()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        password_matches(_stand_in().password_hash, password)
        audit.record(
            "auth.sign_in_failed",
            actor=None,
            actor_label=f"unknown email {sessions.email_key(email, secret=secret)}",
            changes={"known": False},
        )
        return None
    if not (user.can_sign_in and password_matches(user.password_hash, password)):
        audit.record(
            "auth.sign_in_failed",
            actor=user,
            target=user,
            changes={"deactivated": True} if not user.is_active else {},
        )
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    sessions.start(user, remember=remember)
    audit.record("auth.sign_in", actor=user, target=user)
    return user


def _check_email(email: str, *, exclude: User | None = None) -> str:
    email = email.strip().lower()
    if not EMAIL.match(email) or len(email) > 254:
        raise InvalidFields({"email": f"“{email}” is not an email address."})
    query = sa.select(User.id).where(User.email == email)
    if exclude is not None:
        query = query.where(User.id != exclude.id)
    if db.session.scalar(query):
        raise InvalidFields(
            {"email": f"A staff account with the email {email} already exists."}, status_code=409
        )
    return email


def _apply_password(user: User, password: str) -> None:
    problems = password_problems(password, email=user.email, name=user.name)
    if problems:
        raise PasswordRejected(problems)
    user.password_hash = hash_password(password)
    user.session_epoch += 1


def create_user(
    *,
    email: str,
    role: Role,
    name: str = "",
    credentials: str = "",
    password: str | None = None,
    actor: User | None = None,
) -> User:
    """A staff account; without a password it waits for its set-password link.

    `actor` is the administrator adding it (None from the command line).
    :raises DomainError: the email is malformed or taken; PasswordRejected: a weak password.
    """
    if actor is not None:
        require(actor, Permission.USERS)
    email = _check_email(email)
    name = " ".join(name.split())[:120] or email.split("@")[0]
    user = User(
        email=email,
        role=role,
        name=name,
        credentials=credentials.strip()[:120],
        is_active=True,
        session_epoch=0,
        # Four eyes: nobody approves work through an account its author made or keyed.
        created_by_id=actor.id if actor else None,
        password_set_by_id=actor.id if actor and password is not None else None,
    )
    if password is not None:
        _apply_password(user, password)
    db.session.add(user)
    audit.record(
        "user.create",
        actor=actor,
        actor_label=None if actor else "command line",
        target=user,
        changes={"role": role.value, "name": name, "credentials": user.credentials},
    )
    return user


def set_password_token(user: User, *, secret: str, issued_by: User | None = None) -> str:
    """A link token, signed with `secret` (the app's SECRET_KEY), that lets `user` choose a
    password once, within three days. It names `issued_by` (the administrator acting; None from
    the command line), who becomes the password's `password_set_by` when the link is used."""
    return _serializer(secret).dumps(
        {"u": user.id, "e": user.session_epoch, "by": issued_by.id if issued_by else None}
    )


def link_issuer_id(token: str, *, secret: str) -> int | None:
    """Who issued a set-password link (None: the command line, or a link that does not say).
    Read only after `user_for_token` accepted the token."""
    try:
        data = _serializer(secret).loads(token, max_age=LINK_MAX_AGE)
    except (SignatureExpired, BadSignature):
        return None
    issuer = data.get("by") if isinstance(data, dict) else None
    return issuer if isinstance(issuer, int) else None


def user_for_token(token: str, *, secret: str) -> User | None:
    """The account a set-password token is for, while it is unused and unexpired."""
    try:
        data = _serializer(secret).loads(token, max_age=LINK_MAX_AGE)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or not user.is_active or user.is_demo or user.session_epoch != data.get("e"):
        return None
    return user


def set_password(user: User, password: str, *, set_by_id: int | None = None) -> None:
    """The account holder sets a password from their link; every other session ends.

    `set_by_id` is who issued the link (`link_issuer_id`), or the holder themself changing it
    signed in: the four-eyes rule remembers who held the keys to this password.
    :raises PasswordRejected: the password breaks the rule.
    """
    _apply_password(user, password)
    user.password_set_by_id = set_by_id
    audit.record(
        "user.set_password", actor=user, target=user, changes={"link_issued_by": set_by_id}
    )


def change_password(user: User, current: str, new: str) -> bool:
    """The signed-in holder changes their own password, typing the current one: a password
    change always asks for the password, however recent the sign-in. Every session ends, this
    one too, so they sign in again with the new one. False (audited) when `current` is wrong.

    Whoever keyed the old password could have typed this change too, so it stays on record as
    the password's keyer (`password_set_by_id`): changing it does not clear the four-eyes bar.
    Only a link the holder receives from someone else moves it.
    :raises PasswordRejected: the new password breaks the rule.
    """
    if not (user.password_hash and password_matches(user.password_hash, current)):
        audit.record("auth.change_password_failed", actor=user, target=user)
        return False
    _apply_password(user, new)
    audit.record("user.change_password", actor=user, target=user)
    return True


def reset_password(user: User, *, actor: User, secret: str) -> str:
    """An administrator voids the password and every session; returns a new set-password token.

    :raises DomainError: the account is a demo persona or deactivated (a link would not work).
    """
    require(actor, Permission.USERS)
    if user.is_demo:
        raise DomainError("Demo personas never sign in, so they have no password to reset.")
    if not user.is_active:
        raise DomainError("Reactivate the account first: a deactivated account cannot sign in.")
    user.password_hash = None
    user.session_epoch += 1
    audit.record("user.reset_password", actor=actor, target=user)
    return set_password_token(user, secret=secret, issued_by=actor)


def _keep_an_admin(user: User, **values) -> None:
    """Write `values` (a new role, or is_active=False) to an active administrator's row only
    while another active administrator remains.

    One conditional UPDATE decides, so two administrators demoting each other at once cannot
    both succeed: SQLite runs writes one at a time and evaluates the WHERE on the latest data;
    on PostgreSQL every active administrator's row is locked first, always in id order, so the
    second demotion waits for the first and then counts without it (and never deadlocks).

    :raises InvalidFields: (409) `user` is the last active administrator.
    """
    if not (user.role == Role.ADMIN and user.is_active):
        return
    admins = sa.select(User.id).where(User.role == Role.ADMIN, User.is_active.is_(True))
    db.session.execute(admins.order_by(User.id).with_for_update())  # ignored by SQLite
    other = aliased(User)
    another_admin = (
        sa.select(other.id)
        .where(other.role == Role.ADMIN, other.is_active.is_(True), other.id != user.id)
        .exists()
    )
    written = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, User.role == Role.ADMIN, User.is_active.is_(True))
        .where(another_admin)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if written.rowcount != 1:
        raise InvalidFields(
            {
                "role": f"{user.name} is the last active administrator; make someone else an "
                "administrator first."
            },
            status_code=409,
        )


def update_user(
    user: User, *, actor: User, name: str, credentials: str, email: str, role: Role
) -> None:
    """Change a staff member's details and role (never the last active administrator's role).

    :raises DomainError: the email is taken, or this would leave no active administrator.
    """
    require(actor, Permission.USERS)
    if role != user.role:
        _keep_an_admin(user, role=role)
    email = _check_email(email, exclude=user)
    changes = audit.field_changes(
        user,
        {
            "name": " ".join(name.split())[:120] or user.name,
            "credentials": credentials.strip()[:120],
            "email": email,
            "role": role,
        },
    )
    if changes:
        audit.record("user.update", actor=actor, target=user, changes=changes)
    if "name" in changes or "credentials" in changes:
        # Reviewed pages name their reviewer: the proxy drops the ones this person approved.
        reviewed = (
            sa.select(Article.slug)
            .join(Revision, Revision.id == Article.public_revision_id)
            .where(Revision.reviewer_id == user.id)
        )
        publishing.note_changed(list(db.session.scalars(reviewed)))


def deactivate(user: User, *, actor: User) -> None:
    """The account can no longer sign in, and its sessions end; its name stays on its work.

    :raises DomainError: it is the actor's own account, or the last active administrator.
    """
    require(actor, Permission.USERS)
    if not user.is_active:
        return
    if user.id == actor.id:
        raise DomainError("You cannot deactivate your own account; ask another administrator.")
    _keep_an_admin(user, is_active=False)
    user.is_active = False
    user.deactivated_at = utcnow()
    user.session_epoch += 1
    audit.record("user.deactivate", actor=actor, target=user)


def reactivate(user: User, *, actor: User) -> None:
    """Let a deactivated account sign in again (with its old password, if it still has one)."""
    require(actor, Permission.USERS)
    if user.is_active:
        return
    user.is_active = True
    user.deactivated_at = None
    audit.record("user.reactivate", actor=actor, target=user)


def staff_list() -> list[User]:
    """Every account: active ones first, then by name."""
    return list(
        db.session.scalars(
            sa.select(User).order_by(User.is_active.desc(), sa.func.lower(User.name), User.id)
        )
    )


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="set-password")
