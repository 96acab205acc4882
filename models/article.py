"""An article answers one clinical question; its content lives in immutable revisions."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import utcnow
from models.topic import Topic, article_topics

if TYPE_CHECKING:
    from models.revision import Revision


class Article(db.Model):
    """Identity, URL and pointers: the latest revision and the live (approved) one, as in Wagtail.

    `question` and `summary` copy the revision readers see, so lists and search need no join;
    services.publishing keeps them in step.
    """

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    question: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_review_on: Mapped[date | None]
    latest_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revisions.id", use_alter=True, ondelete="SET NULL")
    )
    live_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revisions.id", use_alter=True, ondelete="SET NULL")
    )

    latest_revision: Mapped[Revision | None] = relationship(
        foreign_keys=[latest_revision_id], post_update=True
    )
    live_revision: Mapped[Revision | None] = relationship(
        foreign_keys=[live_revision_id], post_update=True
    )
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="article",
        foreign_keys="Revision.article_id",
        order_by="Revision.number",
        cascade="all, delete-orphan",
    )
    topics: Mapped[list[Topic]] = relationship(secondary=article_topics, order_by=Topic.name)

    def __repr__(self) -> str:
        return f"<Article {self.slug}>"
