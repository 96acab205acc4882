"""The audit log: services call `record` in the same transaction as the change they make.

Services never read the request, so the client's address reaches the log through the database
session's `info` (set once per request by blueprints/__init__.py); the CLI leaves it empty.
"""

from __future__ import annotations

from typing import Any

from extensions import db
from models import (
    Article,
    AudienceRole,
    AuditEvent,
    FollowupQuestion,
    GlossaryTerm,
    Language,
    LevelSetting,
    Reference,
    Revision,
    Topic,
    User,
)

CLIENT_ADDRESS = "client_address"


def describe(target: Any) -> tuple[str, str, str]:
    """(object type, id, human label) of what an action was done to."""
    match target:
        case None:
            return "", "", ""
        case Article():
            return "article", str(target.id), target.question
        case Revision():
            return "revision", str(target.id), f"{target.question} (revision {target.number})"
        case Reference():
            return "reference", str(target.id), target.key
        case GlossaryTerm():
            return "glossary_term", str(target.id), target.term
        case User():
            return "user", str(target.id), target.email
        case AudienceRole():
            return "audience_role", target.key, target.label
        case LevelSetting():
            return "reading_level", target.level.value, target.language_name
        case Topic():
            return "topic", str(target.id), target.name
        case Language():
            return "language", target.code, target.english_name
        case FollowupQuestion():
            # Never the reader's words: they may hold personal details, and audit rows stay.
            return "followup", str(target.id), target.label
    raise TypeError(f"No audit description for {target!r}")


def record(
    action: str,
    *,
    actor: User | None,
    target: Any = None,
    changes: dict | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one audit row: who (`actor`), did what (`action`), to what, changing what."""
    if target is not None and getattr(target, "id", 1) is None:
        db.session.flush()  # the row names the object by id
    object_type, object_id, object_label = describe(target)
    event = AuditEvent(
        actor=actor,
        actor_label=actor_label if actor_label is not None else (actor.email if actor else ""),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label[:300],
        ip_address=db.session.info.get(CLIENT_ADDRESS, "")[:64],
        changes=changes or {},
    )
    db.session.add(event)
    return event


def field_changes(obj: Any, values: dict[str, Any]) -> dict[str, list]:
    """Set `values` on `obj`; return {field: [old, new]} for each one that changed (JSON-safe)."""
    changed = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            changed[name] = [_plain(old), _plain(new)]
            setattr(obj, name, new)
    return changed


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(getattr(value, "value", value))
