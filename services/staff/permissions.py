"""Who may do what: one policy, asked by the staff routes' guard and by the services themselves.

Wagtail's permission policies, not `if user.role == ...` scattered through views. Rules that
depend on the object (the author of a revision never reviews it; a lock holds off other savers)
live in the service that acts, on top of this.
"""

from __future__ import annotations

import enum

from extensions import db
from models import Role, User
from services.errors import NotPermitted


class Permission(enum.StrEnum):
    VIEW_STAFF = "view_staff"  # the staff area: dashboard, lists, previews, history
    EDIT = "edit"  # write articles, save revisions, submit, restore, lock
    REVIEW = "review"  # take, approve, request changes (never on one's own revision)
    REFERENCES = "references"  # create and edit the reference library
    GLOSSARY = "glossary"  # edit glossary terms
    SETTINGS = "settings"  # audience roles, reading levels, target grades
    USERS = "users"  # staff accounts
    AUDIT = "audit"  # read the audit log
    UNLOCK = "unlock"  # release a lock someone else holds


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.EDITOR: frozenset({Permission.VIEW_STAFF, Permission.EDIT, Permission.REFERENCES}),
    Role.REVIEWER: frozenset(
        {Permission.VIEW_STAFF, Permission.EDIT, Permission.REVIEW, Permission.REFERENCES}
    ),
    Role.ADMIN: frozenset(Permission),
}

REFUSALS = {
    Permission.VIEW_STAFF: "Only active staff accounts can use the staff area.",
    Permission.EDIT: "Your role cannot write or change articles.",
    Permission.REVIEW: "Only the Medical Advisory Board reviews articles.",
    Permission.REFERENCES: "Your role cannot change the reference library.",
    Permission.GLOSSARY: "Only administrators edit the glossary.",
    Permission.SETTINGS: "Only administrators change audience settings.",
    Permission.USERS: "Only administrators manage staff accounts.",
    Permission.AUDIT: "Only administrators read the audit log.",
    Permission.UNLOCK: "Only administrators release a lock someone else holds.",
}


def can(user: User | None, permission: Permission) -> bool:
    """True when `user` is an active staff member whose role grants `permission`."""
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and permission in ROLE_PERMISSIONS.get(user.role, frozenset())
    )


def require(user: User | None, permission: Permission) -> None:
    """:raises NotPermitted: `user` lacks `permission`."""
    if not can(user, permission):
        raise NotPermitted(REFUSALS[permission])


def independence(approver: User, authors: dict[int, str]) -> str | None:
    """Why `approver` is not a second pair of eyes on work by `authors` ({user id: name}), or
    None when they are: the one four-eyes rule for revisions, library changes and answers.

    Barred: an author, and anyone whose account an author created, or whose current password
    came through a set-password link an author issued (an admin could otherwise approve their
    own work through an account they hold the keys to); and so on up the chain, since an
    account an author holds the keys to could have made or keyed the approver's in turn.
    """
    if approver.id in authors:
        return "You wrote part of this text, so another board member must review it."
    seen, waiting = {approver.id}, [approver]
    while waiting:
        account = waiting.pop(0)
        whose = (
            "your account"
            if account is approver
            else f"the account of {account.name}, which stands behind yours,"
        )
        for field, how in (
            ("created_by_id", "created"),
            ("password_set_by_id", "set the password of"),
        ):
            maker_id = getattr(account, field)
            if maker_id is None or maker_id in seen:
                continue
            if maker_id in authors:
                return (
                    f"{authors[maker_id]} {how} {whose} and wrote part of this text, "
                    "so another board member must review it."
                )
            seen.add(maker_id)
            maker = db.session.get(User, maker_id)
            if maker is not None:
                waiting.append(maker)
    return None
