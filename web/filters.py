"""Template filters: dates as readers and staff read them, and what a listing says of an
article."""

import unicodedata
from datetime import date, datetime

from flask import Flask, g

from models import SOURCE_LANGUAGE, Article, ReadingLevel, Topic
from services.reading import listings
from services.reading.personalization import ListingSummary
from services.reading.readability import ease_label
from web.language import current_language


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(long_date)
    app.add_template_filter(listing_summary)
    app.add_template_filter(listing_question)
    app.add_template_filter(topic_name)
    app.add_template_filter(topic_description)
    app.add_template_filter(by_topic_name)
    app.add_template_global(load_listing_copies)
    app.add_template_filter(long_datetime)
    app.add_template_filter(utc_iso)
    app.add_template_filter(ease_label)


def long_date(value: date | datetime) -> str:
    """May 7, 2025: unambiguous for readers in any country."""
    return f"{value:%B} {value.day}, {value.year}"


def long_datetime(value: datetime) -> str:
    """May 7, 2025 at 14:05 UTC: staff records, where the order within a day matters."""
    return f"{long_date(value)} at {value:%H:%M} UTC"


def utc_iso(value: datetime) -> str:
    """A `<time datetime>` value for a stored time (naive, in UTC), saying that it is UTC."""
    return f"{value.isoformat(timespec='seconds')}Z"


def listing_summary(article: Article, level: ReadingLevel | str) -> ListingSummary:
    """The article's short answer as a listing in the page's language shows it to a reader at
    `level` (the page loads its articles' copies first: services.reading.listings)."""
    return listings.listing_summary(article, ReadingLevel(level), current_language())


def load_listing_copies(articles) -> str:
    """Load a listing's copies in the page's language, one query for all its articles: a
    listing macro calls it first, so no listing queries per article. Returns "" (prints
    nothing)."""
    listings.load_listing_copies(list(articles), current_language())
    return ""


def listing_question(article: Article) -> listings.ListingQuestion:
    """The article's question as a listing in the page's language shows it."""
    return listings.listing_question(article, current_language())


def _topic_words(topic: Topic) -> listings.TopicTranslation | None:
    """The topic's words in the page's language: all topics' loaded once per request."""
    language = current_language()
    if language == SOURCE_LANGUAGE:
        return None
    cache = g.setdefault("topic_words", {})
    if language not in cache:
        cache[language] = listings.topic_words(language)
    return cache[language].get(topic.id)


def topic_name(topic: Topic) -> str:
    """The topic's name in the page's language, else the English one."""
    words = _topic_words(topic)
    return words.name if words is not None else topic.name


def topic_description(topic: Topic) -> str:
    """The topic's description in the page's language, else the English one."""
    words = _topic_words(topic)
    return words.description if words is not None and words.description else topic.description


def by_topic_name(topics: list) -> list:
    """Topics (or (topic, count) pairs) A to Z by their names in the page's language: the
    database orders them by the English ones."""
    if current_language() == SOURCE_LANGUAGE:
        return list(topics)

    def key(item) -> str:
        name = topic_name(item[0] if isinstance(item, tuple) else item)
        folded = unicodedata.normalize("NFKD", name.casefold())
        return "".join(c for c in folded if not unicodedata.combining(c))

    return sorted(topics, key=key)
