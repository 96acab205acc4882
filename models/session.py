"""Staff sessions held server-side: the browser's cookie names a row here, and signing out ends
the row, so a copied cookie replayed afterwards is signed out (services/staff/sessions.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.base import utcnow


class StaffSession(db.Model):
    __tablename__ = "staff_sessions"

    # A random 256-bit id, part of the signed session and remember-me cookies (User.get_id).
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the password was last typed in this session: sign-in, or "Confirm your password".
    password_checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    remember: Mapped[bool] = mapped_column(default=False)
    ended_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<StaffSession user={self.user_id} ended={self.ended_at}>"
