"""Template filters: dates as readers and staff read them, and what a listing says of an
article."""

from datetime import date, datetime

from flask import Flask

from models import Article, ReadingLevel
from services.reading.personalization import ListingSummary
from services.reading.personalization import listing_summary as _listing_summary
from services.reading.readability import ease_label


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(long_date)
    app.add_template_filter(listing_summary)
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
    """The article's short answer as a listing shows it to a reader at `level`."""
    return _listing_summary(article, ReadingLevel(level))
