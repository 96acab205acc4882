"""The review record: one row per named transition, shown on the revision's history."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import ReviewStatus, enum_column, utcnow
from models.user import User

if TYPE_CHECKING:
    from models.revision import Revision


class ReviewEvent(db.Model):
    __tablename__ = "review_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("revisions.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[ReviewStatus] = mapped_column(enum_column(ReviewStatus))
    to_status: Mapped[ReviewStatus] = mapped_column(enum_column(ReviewStatus))
    comment: Mapped[str] = mapped_column(Text, default="")
    # Set when a reviewer approved despite failed checks (over-target wording, broken citations).
    override_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    revision: Mapped[Revision] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
