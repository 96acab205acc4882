"""Topics group articles for browsing."""

import sqlalchemy as sa
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, attribute_keyed_dict, mapped_column, relationship

from extensions import db
from models.translation import TopicTranslation

article_topics = sa.Table(
    "article_topics",
    db.metadata,
    sa.Column("article_id", sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("topic_id", sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
    # Topic pages page through a topic's articles newest first, by this index alone.
    sa.Index("ix_article_topics_topic_id_article_id", "topic_id", "article_id"),
)


class Topic(db.Model):
    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    # Public articles in the topic, kept by services.editorial.publishing.refresh_publication.
    article_count: Mapped[int] = mapped_column(default=0)
    # Name and description per language other than English, by code: a few small rows, loaded
    # with the topics (one query for all of them).
    translations: Mapped[dict[str, TopicTranslation]] = relationship(
        collection_class=attribute_keyed_dict("language"),
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    def name_in(self, language: str) -> str | None:
        """The name in `language`, None where it has none (the English one stands in)."""
        found = self.translations.get(language)
        return found.name if found else None

    def description_in(self, language: str) -> str | None:
        found = self.translations.get(language)
        return found.description if found and found.description else None

    def __repr__(self) -> str:
        return f"<Topic {self.slug}>"
