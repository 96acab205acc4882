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
    # Name and description per language other than English, by code. Pages read them for all
    # topics at once (services.reading.listings.topic_words), not through this.
    translations: Mapped[dict[str, TopicTranslation]] = relationship(
        collection_class=attribute_keyed_dict("language"), cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Topic {self.slug}>"
