"""Fixtures the staff editor's tests share: an editor signed in on `client` (with one reference
to cite), and an approved article for them to work on. A module that needs another editor or
article defines its own fixture of the same name, which takes precedence. And `cache`, a
stand-in for nginx's purge endpoint (test_purge.py, test_purge_volume.py)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from extensions import db
from tests.factories import make_article, make_reference
from tests.web.test_editor import login, staff


@pytest.fixture
def editor(app, client):
    make_reference("ref")
    user = staff()
    db.session.commit()
    login(client, user)
    return user


@pytest.fixture
def article(editor):
    made = make_article(status="approved", question="Test question?")
    db.session.commit()
    return made


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

    class Server(ThreadingHTTPServer):
        request_queue_size = 64  # purges come in parallel, as nginx (backlog 511) takes them

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.purged = purged
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()
