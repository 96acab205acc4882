"""An article past its next-review date says so, on the day it passes, cached or not."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from caching import pages
from extensions import db
from models import Article

SLUG = "ph-positive-all-tki"
SEED = f"/articles/{SLUG}"
DAY = date(2026, 12, 7)
OVERDUE = "and is overdue"
OVERDUE_ES = "y está atrasada"


@pytest.fixture
def reader(demo, app_factory):
    """An anonymous reader of the app as production runs it (page cache on, no session)."""
    return app_factory(WTF_CSRF_ENABLED=True).test_client()


@pytest.fixture
def today(monkeypatch):
    """The day the site believes it is: set `today.day`."""

    class Day(date):
        day_of = DAY

        @classmethod
        def today(cls):
            return cls.day_of

    monkeypatch.setattr(pages, "date", Day)
    return Day


def _review_on(day: date) -> None:
    """Set the article's next review date as a direct row change: nothing raises the site
    version, so a stored page would be served as it is unless its key says otherwise."""
    article = db.session.scalar(sa.select(Article).where(Article.slug == SLUG))
    article.next_review_on = day
    db.session.commit()


@pytest.mark.parametrize(
    ("path", "notice", "due"),
    [
        (SEED, f"December 6, 2026</time> {OVERDUE}", "Next review was due <time"),
        ("/es" + SEED, f"6 de diciembre de 2026</time> {OVERDUE_ES}", "prevista para el <time"),
        (SEED + "/print", "December 6, 2026</time> (overdue)", 'datetime="2026-12-06"'),
    ],
)
def test_a_past_review_date_says_the_review_is_overdue(reader, today, path, notice, due):
    _review_on(DAY - timedelta(days=1))
    html = reader.get(path).get_data(as_text=True)
    assert notice in html and due in html


@pytest.mark.parametrize("path", [SEED, "/es" + SEED, SEED + "/print"])
@pytest.mark.parametrize("offset", [0, 30])
def test_a_review_date_today_or_ahead_is_not_overdue(reader, today, path, offset):
    _review_on(DAY + timedelta(days=offset))
    html = reader.get(path).get_data(as_text=True)
    assert reader.get(path).status_code == 200
    assert OVERDUE not in html and OVERDUE_ES not in html and "(overdue)" not in html


@pytest.mark.parametrize("path", [SEED, "/es" + SEED])
def test_a_page_cached_the_day_before_does_not_hide_the_overdue_review(reader, today, path):
    _review_on(DAY)
    assert reader.get(path).status_code == 200
    cached = reader.get(path)
    assert cached.headers["X-Page-Cache"] == "hit"
    etag = cached.headers["ETag"]
    today.day_of = DAY + timedelta(days=1)
    response = reader.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 200, "yesterday's ETag must not earn a 304"
    html = response.get_data(as_text=True)
    assert OVERDUE in html or OVERDUE_ES in html
    assert reader.get(path).headers["X-Page-Cache"] == "hit"  # today's copy, kept in turn
