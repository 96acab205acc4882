"""Reading the audit log: filters, pages newest first, and the changes put into words.

Pages are keyset pages on (created_at, id), the order every audit index ends in: the next page is
"older than the last row shown", as cheap at row ten million as at row ten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from extensions import db
from models import Article, AuditEvent, GlossaryTerm, Reference, Revision, User

PAGE_SIZE = 50
NO_ACCOUNT = 0  # the actor filter's value for rows without an account (command line, unknown email)

ACTIONS = {
    "auth.sign_in": "Signed in",
    "auth.sign_in_failed": "Failed sign-in",
    "auth.sign_out": "Signed out",
    "auth.confirm": "Confirmed their password",
    "auth.confirm_failed": "Failed to confirm their password",
    "auth.change_password_failed": "Failed to change their password (wrong current password)",
    "article.create": "Created an article",
    "article.lock": "Locked an article",
    "article.unlock": "Unlocked an article",
    "revision.save": "Saved a revision",
    "revision.restore": "Restored a revision",
    "translation.still_current": "Marked a translation as still current",
    "review.submit": "Submitted for review",
    "review.start_review": "Started review",
    "review.approve": "Approved",
    "review.request_changes": "Requested changes",
    "review.supersede": "Superseded a revision",
    "reference.create": "Added a reference",
    "reference.update": "Changed a reference",
    "reference.delete": "Deleted a reference",
    "glossary.create": "Added a glossary term",
    "glossary.update": "Changed a glossary term",
    "glossary.delete": "Deleted a glossary term",
    "library.propose": "Proposed a library change for review",
    "library.approve": "Approved a library change",
    "library.reject": "Sent back a library change",
    "library.withdraw": "Withdrew a library change",
    "settings.role": "Changed an audience role",
    "settings.level": "Changed a reading level",
    "settings.language": "Changed a language",
    "settings.language_add": "Added a language",
    "user.create": "Added a staff account",
    "user.update": "Changed a staff account",
    "user.deactivate": "Deactivated a staff account",
    "user.reactivate": "Reactivated a staff account",
    "user.reset_password": "Reset a password",
    "user.set_password": "Set their password",
    "user.change_password": "Changed their password",
    "followup.answer_save": "Saved a follow-up answer",
    "followup.answer_submit": "Submitted a follow-up answer",
    "followup.answer_approve": "Approved a follow-up answer",
    "followup.reject": "Rejected a follow-up question",
    "followup.reopen": "Reopened a follow-up question",
    "followup.promote": "Promoted a follow-up question to an article",
    "followup.delete_by_reader": "A reader deleted their question",
}
OBJECT_TYPES = {
    "article": "Article",
    "revision": "Revision",
    "reference": "Reference",
    "glossary_term": "Glossary term",
    "user": "Staff account",
    "audience_role": "Audience role",
    "reading_level": "Reading level",
    "language": "Language",
    "topic": "Topic",
    "followup": "Follow-up question",
}
FIELDS = {
    "known": "Known account",
    "deactivated": "Account deactivated",
    "by": "Superseded by revision",
    "restored_from": "Restored from revision",
    "number": "Revision",
    "holder": "Lock held by",
    "doi": "DOI",
    "pmid": "PMID",
    "nct": "NCT number",
    "url": "URL",
    "volume_pages": "Volume and pages",
    "read": "What was read",
    "read_detail": "What was read (detail)",
    "abbr": "Abbreviation",
    "aliases": "Other forms",
    "language_name": "Name of the wording",
    "audience_name": "Who it is for",
    "target_grade": "Target grade",
    "change_note": "Change note",
    "override_reason": "Override reason",
}
# Object types whose rows still exist can be linked to; the others are settings or gone.
_MODELS = {
    "article": Article,
    "revision": Revision,
    "reference": Reference,
    "glossary_term": GlossaryTerm,
    "user": User,
}


def action_label(action: str) -> str:
    """What an action code means, in words."""
    return ACTIONS.get(action, action.replace("_", " ").replace(".", ": ").capitalize())


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None  # NO_ACCOUNT for rows without one
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: date | None = None
    until: date | None = None  # inclusive
    before_id: int | None = None  # keyset: only rows older than this one

    def conditions(self) -> list:
        where = []
        if self.actor_id == NO_ACCOUNT:
            where.append(AuditEvent.actor_id.is_(None))
        elif self.actor_id is not None:
            where.append(AuditEvent.actor_id == self.actor_id)
        if self.action:
            where.append(AuditEvent.action == self.action)
        if self.object_type:
            where.append(AuditEvent.object_type == self.object_type)
        if self.object_id:
            where.append(AuditEvent.object_id == self.object_id)
        if self.since:
            where.append(AuditEvent.created_at >= datetime.combine(self.since, time.min))
        if self.until:
            where.append(
                AuditEvent.created_at < datetime.combine(self.until + timedelta(days=1), time.min)
            )
        return where


@dataclass
class ChangeLine:
    field: str
    old: Any = None
    new: Any = None
    value: Any = None
    is_change: bool = False  # [old, new] rather than one recorded value


@dataclass
class AuditPage:
    events: list[AuditEvent]
    next_before: int | None  # the `before_id` of the next (older) page, if there is one
    existing: set[tuple[str, str]]  # (object type, id) of the objects that still exist

    def exists(self, event: AuditEvent) -> bool:
        """True when the object the row names is still there (settings always are)."""
        if event.object_type in ("audience_role", "reading_level", "language"):
            return True
        return (event.object_type, event.object_id) in self.existing


def find_events(filters: AuditFilter, *, limit: int = PAGE_SIZE) -> AuditPage:
    """One page of audit rows matching `filters`, newest first (by time, then id)."""
    query = sa.select(AuditEvent).where(*filters.conditions())
    if filters.before_id is not None:
        last = db.session.scalar(
            sa.select(AuditEvent.created_at).where(AuditEvent.id == filters.before_id)
        )
        if last is not None:
            query = query.where(
                sa.tuple_(AuditEvent.created_at, AuditEvent.id) < (last, filters.before_id)
            )
    order = (AuditEvent.created_at.desc(), AuditEvent.id.desc())
    rows = list(db.session.scalars(query.order_by(*order).limit(limit + 1)))
    events, more = rows[:limit], len(rows) > limit
    return AuditPage(events, events[-1].id if more else None, _existing(events))


def _existing(events: list[AuditEvent]) -> set[tuple[str, str]]:
    """Which objects named on the page still exist: one query per type, not per row."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.object_type in _MODELS and event.object_id.isdigit():
            wanted.setdefault(event.object_type, set()).add(int(event.object_id))
    found = set()
    for object_type, ids in wanted.items():
        model = _MODELS[object_type]
        for object_id in db.session.scalars(sa.select(model.id).where(model.id.in_(ids))):
            found.add((object_type, str(object_id)))
    return found


def filter_choices() -> tuple[list[str], list[str], list[User]]:
    """Actions and object types to filter by, and every account.

    The known lists, not a DISTINCT over the log: that would read the whole table on every view.
    An action missing from ACTIONS still filters by URL (`?action=...`) and reads as its code.
    """
    users = list(db.session.scalars(sa.select(User).order_by(sa.func.lower(User.name))))
    return list(ACTIONS), list(OBJECT_TYPES), users


def readable_changes(event: AuditEvent) -> list[ChangeLine]:
    """Each recorded change as a line: an `[old, new]` pair as a change, anything else (and every
    field of a created or deleted object's snapshot) as a value."""
    snapshot = event.action.endswith((".create", ".delete"))
    lines = []
    for name, value in (event.changes or {}).items():
        label = FIELDS.get(name, name.replace("_", " ").capitalize())
        if not snapshot and isinstance(value, list) and len(value) == 2:
            lines.append(
                ChangeLine(label, old=_shown(value[0]), new=_shown(value[1]), is_change=True)
            )
        else:
            lines.append(ChangeLine(label, value=_shown(value)))
    return lines


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value) or "(none)"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_shown(v)}" for k, v in value.items())
    return str(value)
