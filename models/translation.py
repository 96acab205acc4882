"""What listings and topic pages show in a language other than English (issue 16).

Listings read one row per article (`articles`: the English question and short answers); a page
in another language reads these copies beside it, one batched query per page
(services.reading.listings). Both are copies or data, never machine translations: a listing
without its language's copy shows the English under a notice.
"""

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.base import ListingSummaries


class ArticleListingTranslation(ListingSummaries, db.Model):
    """An article's listing copies in one language: its question ("" when the public revision
    has none in it) and its short answer per reading level ("" where that level has no wording
    in the language), copied from the public revision by
    services.editorial.publishing.refresh_publication, like the English ones on `articles`."""

    __tablename__ = "article_listing_translations"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(ForeignKey("languages.code"), primary_key=True)
    question: Mapped[str] = mapped_column(String(300), default="")
    summary: Mapped[str] = mapped_column(Text, default="")  # clinical
    summary_standard: Mapped[str] = mapped_column(Text, default="")
    summary_plain: Mapped[str] = mapped_column(Text, default="")


class TopicTranslation(db.Model):
    """A topic's name and description in one language (data: the demo seeds Spanish ones)."""

    __tablename__ = "topic_translations"

    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(ForeignKey("languages.code"), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
