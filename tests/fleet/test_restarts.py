"""Restarts lose nothing: TERM lets gunicorn finish what is in flight, and a worker killed with
SIGKILL under write load never takes an acknowledged write with it (each is committed first)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import urllib.error
import uuid
from collections import defaultdict
from pathlib import Path

import pytest
import sqlalchemy as sa

from deploy.fleet import stop_instance
from tests.fleet.conftest import Browser
from tests.fleet.test_fleet import SEED, query
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.fleet


def workers_of(master_pid: int) -> list[int]:
    """The pids whose parent is `master_pid` (gunicorn's workers)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master_pid:
                pids.append(int(entry.name))
    return pids


def test_term_finishes_requests_in_flight(fleet):
    """The database answers slowly (a forwarder adds latency), so requests are still running
    when the master gets TERM; every one of them completes, and the master exits cleanly."""
    url = sa.make_url(fleet.database_url)
    proxy = TcpProxy((url.host, url.port or 5432), delay=0.08).start()
    slow_db = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    instance = fleet.start_instance("term", DATABASE_URL=slow_db)
    results: list[tuple[int, str, float]] = []

    def read(n: int) -> None:
        page = Browser().get(f"{instance.url}{SEED}?audience=plain&n={n}")
        results.append((page.status, page.text, time.monotonic()))

    try:
        threads = [threading.Thread(target=read, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        terminated_at = time.monotonic()
        instance.process.send_signal(signal.SIGTERM)
        for thread in threads:
            thread.join(timeout=60)
        assert instance.process.wait(timeout=40) == 0
    finally:
        stop_instance(instance)
        proxy.stop()
    assert len(results) == 6
    for status, text, finished_at in results:
        assert status == 200 and text.rstrip().endswith("</html>")
        assert finished_at > terminated_at  # it was in flight when TERM arrived
    with pytest.raises(urllib.error.URLError):
        Browser().get(instance.url + "/healthz")  # and nothing new is accepted


def test_kill_9_of_a_worker_under_write_load_loses_no_acknowledged_write(fleet, staff):
    instance = fleet.start_instance("writes")
    editor, reviewer = Browser(), Browser()
    tokens = {
        "editor": editor.sign_in(instance.url, staff["editor"]),
        "reviewer": reviewer.sign_in(instance.url, staff["reviewer"]),
    }
    articles = [row[0] for row in query(fleet, "SELECT id FROM articles ORDER BY id")][:4]
    acknowledged: list[tuple[str, int | str]] = []  # ("save", marker) or (action, revision_id)
    failures = defaultdict(int)
    stop_at = time.monotonic() + 20

    def post(browser, who, path, data=None):
        response = browser.post(instance.url + path, data, headers={"X-CSRFToken": tokens[who]})
        assert response.status == 200, response.text[:300]
        return json.loads(response.text)

    def write(article_id: int) -> None:
        while time.monotonic() < stop_at:
            try:
                marker = uuid.uuid4().hex
                saved = post(
                    editor, "editor", f"/_fleet/articles/{article_id}/revisions", {"marker": marker}
                )
                acknowledged.append(("save", marker))
                revision = saved["revision_id"]
                for who, browser, action in [
                    ("editor", editor, "submit"),
                    ("reviewer", reviewer, "start_review"),
                    ("reviewer", reviewer, "approve"),
                ]:
                    post(browser, who, f"/_fleet/revisions/{revision}/{action}")
                    acknowledged.append((action, revision))
            except (OSError, AssertionError, json.JSONDecodeError) as error:
                failures[type(error).__name__] += 1  # unacknowledged: may or may not be saved

    writers = [threading.Thread(target=write, args=(a,)) for a in articles]
    try:
        for thread in writers:
            thread.start()
        kills = 0
        # Each new worker pays a few seconds for its first save (textstat loads its dictionary),
        # so kills are spaced out to leave the survivors time to take writes.
        while time.monotonic() < stop_at - 4:
            time.sleep(4)
            if pids := workers_of(instance.process.pid):
                os.kill(pids[kills % len(pids)], signal.SIGKILL)
                kills += 1
        for thread in writers:
            thread.join(timeout=60)
    finally:
        stop_instance(instance)

    markers = {row[0] for row in query(fleet, "SELECT change_note FROM revisions")}
    events = {
        (row[0], row[1]) for row in query(fleet, "SELECT action, revision_id FROM review_events")
    }
    saves = [marker for kind, marker in acknowledged if kind == "save"]
    transitions = [(kind, rev) for kind, rev in acknowledged if kind != "save"]
    lost = [m for m in saves if m not in markers] + [t for t in transitions if t not in events]
    print(
        f"\nwrite load: {len(acknowledged)} acknowledged writes ({len(saves)} saves, "
        f"{len(transitions)} transitions), {kills} workers killed with SIGKILL, "
        f"{sum(failures.values())} requests cut off ({dict(failures)}), {len(lost)} lost"
    )
    assert kills >= 3 and len(saves) >= 8
    assert lost == []
