"""A listing in the page's language: each article's question and short answer (issue 16).

English listings read the copies on `articles` alone. A page in another language reads the
article's copies in it (`Article.listing_translations`, kept by the publishing rule), loaded for
every article of the page in one query (`load_listing_copies`), so a listing costs the same at
100,000 articles; where an article has no copy in the language, the English stands in and the
listing says so. Nothing is machine-translated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import attributes

from extensions import db
from models import (
    SOURCE_LANGUAGE,
    Article,
    ArticleListingTranslation,
    ReadingLevel,
    TopicTranslation,
)
from services.reading.personalization import ListingSummary, choose_level
from services.reading.personalization import listing_summary as english_summary


def load_listing_copies(articles: Iterable[Article], language: str) -> None:
    """Load the other-language listing copies of `articles` in one query (none for English, or
    when they are loaded already): call it once per page, before rendering its listings."""
    if language == SOURCE_LANGUAGE:
        return
    waiting = {
        a.id: a
        for a in articles
        if a is not None and "listing_translations" not in attributes.instance_dict(a)
    }
    if not waiting:
        return
    found: dict[int, list[ArticleListingTranslation]] = {id_: [] for id_ in waiting}
    rows = db.session.scalars(
        sa.select(ArticleListingTranslation).where(
            ArticleListingTranslation.article_id.in_(list(waiting))
        )
    )
    for row in rows:
        found[row.article_id].append(row)
    for id_, article in waiting.items():
        attributes.set_committed_value(article, "listing_translations", found[id_])


@dataclass(frozen=True)
class ListingQuestion:
    """An article's question as a listing shows it, and the language it is in."""

    text: str
    language: str


def listing_question(article: Article, language: str) -> ListingQuestion:
    """The question in `language`, else the English one."""
    if language != SOURCE_LANGUAGE:
        copy = article.listing_translations.get(language)
        if copy is not None and copy.question:
            return ListingQuestion(copy.question, language)
    return ListingQuestion(article.question, SOURCE_LANGUAGE)


def listing_summary(article: Article, level: ReadingLevel, language: str) -> ListingSummary:
    """The short answer in `language` at `level`, falling back within the language as the
    article page does (plain, standard, clinical); with no short answer in `language` at all,
    the English one at `level`, marked untranslated."""
    if language != SOURCE_LANGUAGE:
        copy = article.listing_translations.get(language)
        copies = copy.summaries if copy is not None else {}
        chosen = choose_level([lv for lv, text in copies.items() if text], level)
        if chosen is not None:
            return ListingSummary(copies[chosen], chosen, level, language, language)
    english = english_summary(article, level)
    return ListingSummary(
        english.text, english.level, level, SOURCE_LANGUAGE, page_language=language
    )


def topic_words(language: str) -> dict[int, TopicTranslation]:
    """Every topic's name and description in `language`, by topic id: one query for a page,
    whatever the number of topics it names (none for English, whose words are on `topics`)."""
    if language == SOURCE_LANGUAGE:
        return {}
    rows = db.session.scalars(
        sa.select(TopicTranslation).where(TopicTranslation.language == language)
    )
    return {row.topic_id: row for row in rows}
