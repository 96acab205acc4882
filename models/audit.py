"""The audit log: one append-only row per staff action, written by the service that acts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from extensions import db
from models.base import utcnow
from models.user import User


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    # The log is read newest first, whole or filtered by one of these: each index ends in the
    # sort order, so any page is a short index range, however long the log grows.
    __table_args__ = (
        Index("ix_audit_events_object", "object_type", "object_id", "created_at", "id"),
        Index("ix_audit_events_created_at", "created_at", "id"),
        Index("ix_audit_events_actor_id", "actor_id", "created_at", "id"),
        Index("ix_audit_events_action", "action", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Who it was at the time, kept as text: an email can change, a row must not.
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(40), default="")
    object_label: Mapped[str] = mapped_column(String(300), default="")
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    changes: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.object_type}:{self.object_id}>"


class AuditLogIsAppendOnly(Exception):
    """Something tried to change or delete an audit row."""


@event.listens_for(Session, "before_flush")
def _keep_audit_append_only(session, _context, _instances) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly(f"{obj!r} is part of the audit log and cannot change.")
