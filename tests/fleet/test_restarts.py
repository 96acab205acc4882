"""Restarts lose nothing: TERM lets gunicorn finish what is in flight, and a worker killed with
SIGKILL under write load never takes an acknowledged write with it (each is committed first)."""

from __future__ import annotations

import http.client
import os
import signal
import threading
import time
import urllib.error
import uuid
from collections import Counter, defaultdict
from hashlib import sha256
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from deploy.fleet import stop_instance
from tests.fleet.conftest import Browser, with_values
from tests.fleet.test_fleet import SEED, approval, query
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


def review_steps(article_id: int, revision: int) -> list[tuple[str, str, str, str, int, str]]:
    """A saved revision's way through review, as (who, transition, page, form action, status,
    redirect): the editor submits it from the article's staff page; a board member who did not
    write it takes it into review and approves it from the review page."""
    staff_page, review_page = f"/admin/articles/{article_id}", f"/admin/review/{revision}"
    return [
        ("editor", "submit", staff_page, f"/admin/revisions/{revision}/submit", 303, staff_page),
        ("reviewer", "start_review", review_page, f"{review_page}/start", 303, review_page),
        ("reviewer", "approve", review_page, f"{review_page}/approve", 303, review_page),
    ]


CUT_OFF = (OSError, http.client.HTTPException)  # the worker died with the request: no answer
SAVE = [("action", "save")]  # the editor's "Save draft" button


def test_kill_9_of_a_worker_under_write_load_loses_no_acknowledged_write(fleet, staff):
    """An editor saves four articles at once (four tabs) and takes each save through submit,
    start review and approve, the last two by a second person (four eyes), while readers ask
    follow-up questions, and a worker is killed every 4 s. Every write the site acknowledged (its
    redirect arrived) is in the database afterwards; a request cut off may or may not be."""
    # One test client asks far more questions than the per-client limit lets a reader ask.
    instance = fleet.start_instance("writes", FOLLOWUP_RATE_LIMIT="100000 per minute")
    editor, reviewer = Browser(), Browser()
    people = {"editor": editor, "reviewer": reviewer}
    editor.sign_in(instance.url, staff["editor"])
    reviewer.sign_in(instance.url, staff["reviewer"])
    articles = [row[0] for row in query(fleet, "SELECT id FROM articles ORDER BY id")][:4]
    public = query(fleet, "SELECT slug FROM articles WHERE public_revision_id IS NOT NULL")
    assert articles and public
    # ("save", change note), (transition, revision id) or ("question", private link token)
    acknowledged: list[tuple[str, int | str]] = []
    asked: dict[str, str] = {}  # private link token → the question's text
    cut_off: dict[str, int] = defaultdict(int)
    unexpected: list[str] = []  # an answer that is neither a success nor a cut-off: a bug
    stop_at = time.monotonic() + 20

    def expect(response, status: int, location: str) -> None:
        if response.status != status or location not in response.headers.get("Location", ""):
            raise AssertionError(f"{response.url}: {response.status} {response.text[:300]}")

    def write(article_id: int) -> None:
        path = f"/admin/articles/{article_id}/edit"
        form = None
        while time.monotonic() < stop_at:
            try:
                if form is None:  # (re)open the editor: it builds on the latest revision
                    form = editor.form(instance.url + path, path)
                marker = uuid.uuid4().hex
                saved = editor.post(
                    instance.url + path, with_values(form, {"change_note": marker}) + SAVE
                )
                form = None
                expect(saved, 303, path)
                acknowledged.append(("save", marker))
                # The editor page the save redirects to builds on the revision just saved.
                form = editor.form(instance.url + path, path)
                revision = int(dict(form)["based_on_id"])
                for who, kind, page, action, status, goes_to in review_steps(article_id, revision):
                    fields = people[who].form(instance.url + page, action)
                    if kind == "approve":
                        fields = approval(fields)
                    expect(people[who].post(instance.url + action, fields), status, goes_to)
                    acknowledged.append((kind, revision))
            except CUT_OFF as error:
                cut_off[type(error).__name__] += 1  # unacknowledged: may or may not be saved
                form = None
            except AssertionError as error:
                unexpected.append(str(error))
                form = None

    def ask(n: int) -> None:
        reader = Browser()  # no account, no cookie: the origin headers are its protection
        # Each question from the article's ask page, with a text of its own (the same text from
        # the same client within minutes is a duplicate, answered with the first one's link).
        while time.monotonic() < stop_at:
            n += 1
            path = f"/articles/{public[n % len(public)][0]}/questions"
            text = f"Test question {uuid.uuid4().hex}: what does this mean for me?"
            try:
                form = reader.form(instance.url + path, path)
                response = reader.post(instance.url + path, with_values(form, {"text": text}))
                expect(response, 303, "?saved=1")
            except CUT_OFF as error:
                cut_off[type(error).__name__] += 1
                continue
            except AssertionError as error:
                unexpected.append(str(error))
                continue
            link = urlsplit(response.headers["Location"]).path.rsplit("/", 1)[1]
            asked[link] = text
            acknowledged.append(("question", link))

    threads = [threading.Thread(target=write, args=(a,)) for a in articles]
    threads += [threading.Thread(target=ask, args=(n,)) for n in range(2)]
    try:
        for thread in threads:
            thread.start()
        kills = 0
        # Each new worker pays a few seconds for its first save (textstat loads its dictionary),
        # so kills are spaced out to leave the survivors time to take writes.
        while time.monotonic() < stop_at - 4:
            time.sleep(4)
            if pids := workers_of(instance.process.pid):
                os.kill(pids[kills % len(pids)], signal.SIGKILL)
                kills += 1
        for thread in threads:
            thread.join(timeout=60)
    finally:
        stop_instance(instance)

    markers = {row[0] for row in query(fleet, "SELECT change_note FROM revisions")}
    events = {
        (row[0], row[1]) for row in query(fleet, "SELECT action, revision_id FROM review_events")
    }
    questions = dict(query(fleet, "SELECT token_hash, text FROM followup_questions"))
    kinds = Counter(kind for kind, _ in acknowledged)

    def kept(kind: str, what) -> bool:
        if kind == "save":
            return what in markers
        if kind == "question":  # the database keeps the link's hash, never the link
            return questions.get(sha256(what.encode()).hexdigest()) == asked[what]
        return (kind, what) in events

    lost = [(kind, what) for kind, what in acknowledged if not kept(kind, what)]
    print(
        f"\nwrite load: {len(acknowledged)} acknowledged writes ({dict(kinds)}), {kills} workers "
        f"killed with SIGKILL, {sum(cut_off.values())} requests cut off ({dict(cut_off)}), "
        f"{len(lost)} lost"
    )
    assert unexpected == []
    assert kills >= 3 and kinds["save"] >= 8 and kinds["approve"] >= 4 and kinds["question"] >= 8
    assert lost == []
