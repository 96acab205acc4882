"""After a change to what readers see commits, the proxy's copies of that article are purged."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from extensions import db
from models import Role
from services import review
from services.publishing import save_revision
from tests.factories import make_article, make_sections, make_user

PAGES = [
    "/articles/{}",
    "/articles/{}?audience=plain",
    "/articles/{}?audience=standard",
    "/articles/{}?audience=clinical",
]


@pytest.fixture
def cache():
    """A stand-in for nginx's purge endpoint that records what it was asked to drop."""
    purged: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_PURGE(self):  # noqa: N802 (the method's name is the HTTP verb)
            purged.append((self.path, self.headers.get("X-Cache-Encoding", "")))
            self.send_response(200 if len(purged) % 2 else 404)  # cached or not: both fine
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.purged = purged
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def pending(app):
    article = make_article(slug="purge-me", status="under_review")
    db.session.commit()
    return article


def test_approval_purges_every_canonical_address_after_commit(app, cache, pending):
    app.config["CACHE_PURGE_URLS"] = [cache.url]
    reviewer = pending.latest_revision.reviewer
    review.approve(pending.latest_revision, reviewer=reviewer, override_reason="Test")
    assert cache.purged == []  # nothing until the change is safe in the database
    db.session.commit()
    assert cache.purged == [
        (page.format("purge-me"), encoding) for page in PAGES for encoding in ("", "br", "gzip")
    ]


def test_every_cache_is_purged(app, cache, pending):
    app.config["CACHE_PURGE_URLS"] = [cache.url, cache.url + "/"]
    review.request_changes(
        pending.latest_revision, reviewer=pending.latest_revision.reviewer, comment="Fix it."
    )
    db.session.commit()
    assert len(cache.purged) == 2 * 4 * 3  # caches × addresses × encodings


def test_a_rolled_back_change_purges_nothing(app, cache, pending):
    app.config["CACHE_PURGE_URLS"] = [cache.url]
    review.approve(
        pending.latest_revision,
        reviewer=pending.latest_revision.reviewer,
        override_reason="Test",
    )
    db.session.rollback()
    db.session.commit()
    assert cache.purged == []


def test_a_draft_purges_nothing(app, cache, pending):
    app.config["CACHE_PURGE_URLS"] = [cache.url]
    save_revision(
        pending,
        author=make_user(role=Role.EDITOR),
        question="What is the question?",
        sections=make_sections(),
    )
    db.session.commit()
    assert cache.purged == []


def test_an_unreachable_cache_never_fails_the_change(app, pending, caplog):
    app.config["CACHE_PURGE_URLS"] = ["http://127.0.0.1:1"]
    revision = pending.latest_revision
    review.approve(revision, reviewer=revision.reviewer, override_reason="Test")
    db.session.commit()
    assert pending.live_revision_id == revision.id
    assert "Cache purge failed" in caplog.text
