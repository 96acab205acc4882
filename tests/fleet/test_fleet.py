"""Two app servers behind nginx never disagree about what is published, share sessions and
rate limits, and nginx serves static files and cached pages as deploy/README.md says."""

from __future__ import annotations

import gzip
import http.client
import json
import time
import urllib.parse
import uuid
from urllib.request import Request

import brotli
import psycopg
import pytest

from deploy.fleet import ROOT
from tests.fleet.conftest import Browser, Fields, create_staff, with_values

pytestmark = pytest.mark.fleet
SEED = "/articles/all-blast-crisis-treatment"
PENDING = "Exercise caution as content is pending human review"
SEED_ES = "/es" + SEED
PENDING_ES = "Tenga precaución: este contenido está pendiente de revisión humana"


def query(fleet, sql: str, *params):
    url = fleet.database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def approval(form: Fields) -> list[tuple[str, str]]:
    """The review page's Approve form as a board member sends it: the proposed next review date
    kept, and a reason given when the page asks for one (its checks would block approval)."""
    if "approve-override_reason" in dict(form):
        return with_values(form, {"approve-override_reason": "Test override for the fleet."})
    return list(form)


def revision_content(fleet, revision_id: int) -> tuple:
    """A revision's question, topics, and every section's text at every level, in order."""
    [(question, topic_ids, article_topics)] = query(
        fleet,
        "SELECT question, topic_ids, ARRAY(SELECT topic_id FROM article_topics t"
        " WHERE t.article_id = r.article_id ORDER BY topic_id) FROM revisions r WHERE id = %s",
        revision_id,
    )
    sections = query(
        fleet,
        "SELECT s.position, s.kind, s.heading, v.level, v.body FROM sections s"
        " JOIN section_variants v ON v.section_id = s.id"
        " WHERE s.revision_id = %s ORDER BY s.position, v.level",
        revision_id,
    )
    # No topic_ids (the demo content's revisions): the article's topics are the revision's.
    return question, sorted(topic_ids if topic_ids is not None else article_topics), sections


def test_approval_through_one_server_is_what_every_reader_sees_at_once(fleet):
    a, b = fleet.servers
    reader = Browser()
    for path in (SEED, SEED + "?audience=plain"):
        assert reader.get(fleet.url + path).headers["X-Cache-Status"] in ("MISS", "EXPIRED")
        cached = reader.get(fleet.url + path)
        assert cached.headers["X-Cache-Status"] == "HIT" and PENDING in cached.text
    assert cache_status(fleet.url + SEED, "br") in ("MISS", "EXPIRED")
    assert cache_status(fleet.url + SEED, "br") == "HIT"  # a brotli copy, kept apart
    # The Spanish page is a copy of its own: never served for the English address, nor the
    # English one for it, whatever the browser's Accept-Language says.
    prefers_english = {"Accept-Language": "en"}
    assert reader.get(fleet.url + SEED_ES, headers=prefers_english).headers["X-Cache-Status"] in (
        "MISS",
        "EXPIRED",
    )
    cached = reader.get(fleet.url + SEED_ES)
    assert cached.headers["X-Cache-Status"] == "HIT" and '<html lang="es">' in cached.text
    assert PENDING_ES in cached.text
    english = reader.get(fleet.url + SEED, headers={"Accept-Language": "es"})
    assert english.headers["X-Cache-Status"] == "HIT" and '<html lang="en">' in english.text

    # The article is under review by the demo's board member: an administrator steps in, on A,
    # through the review page's Approve form as the page offers it.
    create_staff(fleet, {"fleet-admin@example.org": "admin"})
    admin = Browser()
    admin.sign_in(a.url, "fleet-admin@example.org")
    [(revision_id,)] = query(
        fleet, "SELECT latest_revision_id FROM articles WHERE slug = %s", SEED.split("/")[-1]
    )
    decision = f"/admin/review/{revision_id}/approve"
    form = admin.form(f"{a.url}/admin/review/{revision_id}", decision)
    approved = admin.post(a.url + decision, approval(form))
    assert approved.status == 303, approved.text[:500]
    assert approved.headers["Location"].endswith(f"/admin/review/{revision_id}")

    # At once, with no wait: instance B reads the same database, nginx's copies were purged.
    direct = reader.get(b.url + SEED)
    assert PENDING not in direct.text and "Reviewed by" in direct.text
    for path in (SEED, SEED + "?audience=plain"):
        fresh = reader.get(fleet.url + path)
        assert fresh.headers["X-Cache-Status"] in ("MISS", "EXPIRED"), path
        assert PENDING not in fresh.text and "Reviewed by fleet-admin" in fresh.text
        again = reader.get(fleet.url + path)
        assert again.headers["X-Cache-Status"] == "HIT" and "Reviewed by fleet-admin" in again.text
    # Its Spanish page was purged with it.
    fresh = reader.get(fleet.url + SEED_ES)
    assert fresh.headers["X-Cache-Status"] in ("MISS", "EXPIRED")
    assert PENDING_ES not in fresh.text and "Revisado por fleet-admin" in fresh.text
    with Browser().opener.open(
        Request(fleet.url + SEED, headers={"Accept-Encoding": "br"}), timeout=30
    ) as compressed:
        assert compressed.headers["X-Cache-Status"] in ("MISS", "EXPIRED")  # purged too
        assert compressed.headers["Content-Encoding"] == "br"
        assert "Reviewed by fleet-admin" in brotli.decompress(compressed.read()).decode()


def cache_status(url: str, encoding: str) -> str:
    with Browser().opener.open(
        Request(url, headers={"Accept-Encoding": encoding}), timeout=30
    ) as r:
        r.read()
        return r.headers["X-Cache-Status"]


def test_a_staff_session_works_on_both_servers_and_is_never_cached(fleet, staff):
    a, b = fleet.servers
    editor = Browser()
    token = editor.sign_in(a.url, staff["editor"])
    dashboard = editor.get(b.url + "/admin/")
    assert dashboard.status == 200 and "fleet-editor" in dashboard.text
    assert dashboard.headers["Cache-Control"] == "private, no-store"
    # The token from A's page is good on B: one secret key, one session. A save through B's
    # editor, sent with A's token, is stored.
    [(article_id,)] = query(fleet, "SELECT id FROM articles WHERE slug = 'mrd-testing-all'")
    edit = f"/admin/articles/{article_id}/edit"
    note = f"Saved on B with A's token {uuid.uuid4().hex}"
    form = editor.form(b.url + edit, edit)
    assert dict(form)["csrf_token"] and dict(form)["based_on_id"]
    changes = {"csrf_token": token, "change_note": note, "action": "save"}
    saved = editor.post(b.url + edit, with_values(form, changes))
    assert saved.status == 303 and saved.headers["Location"].endswith(edit), saved.text[:500]
    [(new_id, base_id)] = query(
        fleet, "SELECT id, based_on_id FROM revisions WHERE change_note = %s", note
    )
    # Saved as the editor showed it: only the change note differs from the revision it built on.
    assert base_id == int(dict(form)["based_on_id"])
    before = revision_content(fleet, base_id)
    assert before[2] and revision_content(fleet, new_id) == before
    through_nginx = [editor.get(fleet.url + path) for path in ("/admin/", "/", SEED)]
    assert {r.headers["X-Cache-Status"] for r in through_nginx} == {"BYPASS"}
    assert all(r.headers["Cache-Control"] == "private, no-store" for r in through_nginx)
    assert all("fleet-editor" in r.text or "Staff" in r.text for r in through_nginx)


def test_rate_limits_are_shared_through_redis(fleet):
    a, b = fleet.servers
    client = Browser()
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    # A new email each time: the per-account limit (tested below) stays out of it.
    statuses = [
        client.post(
            f"{server.url}/auth/login",
            {"email": f"nobody{n}@example.org", "password": "wrong"},
            headers={"X-Forwarded-For": address},
        ).status
        for n, server in enumerate([a, b] * 6)
    ][:11]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    # Another reader (another address, as nginx reports it) is not affected.
    other = client.post(
        f"{a.url}/auth/login",
        {"email": "nobody@example.org", "password": "wrong"},
        headers={"X-Forwarded-For": "203.0.113.200"},
    )
    assert other.status == 200


def test_nginx_serves_static_files_precompressed_and_immutable(fleet):
    manifest = json.loads((ROOT / "static/dist/manifest.json").read_text())
    name = manifest["css/vetted.css"]
    source = (ROOT / "static/css/vetted.css").read_bytes()
    reader = Browser()
    assert f"/static/{name}" in reader.get(fleet.url + SEED).text
    for accept, encoding, decode in [
        ("br", "br", brotli.decompress),
        ("gzip", "gzip", gzip.decompress),
        ("identity", None, lambda body: body),
    ]:
        request = Request(fleet.url + f"/static/{name}", headers={"Accept-Encoding": accept})
        with reader.opener.open(request, timeout=10) as response:
            body = response.read()
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert response.headers.get("Content-Encoding") == encoding
            assert response.headers["Content-Type"] == "text/css"
        assert decode(body) == source
    # Served from disk by nginx: no app server saw the request.
    assert f"/static/{name}" not in "".join(server.log.read_text() for server in fleet.servers)


def test_a_missing_static_file_is_an_error_never_cached_as_immutable(fleet):
    """A fingerprinted name nginx cannot serve (no build made it, or its workers cannot read
    it) is an error for now, never a year-long immutable copy of an error page."""
    reader = Browser()
    for path in ("/static/css/vetted.0badc0de.css", "/static/js/missing.12345678.js"):
        response = reader.get(fleet.url + path)
        assert response.status == 404, path
        assert "immutable" not in response.headers.get("Cache-Control", "")
        assert response.headers["Cache-Control"] == "no-store"


def test_nginx_reads_static_files_from_a_folder_its_workers_can_enter(fleet):
    """Wherever the checkout sits (a folder only its owner may enter, such as `mktemp -d` or
    root's home), nginx serves a copy of static/ that every user may read."""
    served = fleet.directory / "static"
    assert f"alias {served}/dist/" in (fleet.directory / "nginx.conf").read_text()
    for folder in [served, *served.parents]:
        assert folder.stat().st_mode & 0o005 == 0o005, folder  # others may enter and list
    css = json.loads((ROOT / "static/dist/manifest.json").read_text())["css/vetted.css"]
    assert (served / "dist" / css).stat().st_mode & 0o004


def test_anonymous_pages_through_nginx_set_no_cookie_and_readers_with_a_choice_bypass(fleet):
    reader = Browser()
    for path in ("/", "/topics", SEED, SEED + "?audience=standard", "/feed.atom", "/sitemap.xml"):
        response = reader.get(fleet.url + path)
        assert response.status == 200 and "Set-Cookie" not in response.headers, path
    picked = reader.get(fleet.url + SEED + "?role=patient")
    assert picked.status == 302 and "vetted_audience" in picked.headers["Set-Cookie"]
    redirected = reader.get(fleet.url + SEED)
    assert redirected.status == 302 and redirected.headers["X-Cache-Status"] == "BYPASS"
    assert redirected.headers["Location"].endswith(SEED + "?audience=plain")
    shared = reader.get(fleet.url + SEED + "?audience=plain")
    assert shared.headers["X-Cache-Status"] in ("HIT", "MISS", "EXPIRED")
    fragment = reader.get(fleet.url + SEED + "?refs=full", headers={"HX-Request": "true"})
    assert fragment.headers["X-Cache-Status"] == "BYPASS"


def test_logs_are_json_lines_sharing_nginx_request_ids(fleet):
    reader = Browser()
    request_id = reader.get(fleet.url + "/topics?fresh=" + uuid.uuid4().hex).headers["X-Request-ID"]
    time.sleep(0.2)
    app_lines = [
        json.loads(line)
        for server in fleet.servers
        for line in server.log.read_text().splitlines()
        if line.startswith("{")
    ]
    [line] = [line for line in app_lines if line.get("request_id") == request_id]
    assert line["logger"] == "vetted.access" and line["endpoint"] == "articles.topics"
    assert line["status"] == 200 and line["client"] == "127.0.0.1"
    nginx = [
        json.loads(line) for line in (fleet.directory / "logs/access.log").read_text().splitlines()
    ]
    assert any(entry["request_id"] == request_id for entry in nginx)
    assert all("fresh" not in json.dumps(entry) for entry in nginx)  # no query strings


def test_the_per_account_sign_in_limit_is_shared_through_redis(fleet):
    a, b = fleet.servers
    email = f"target-{uuid.uuid4().hex[:8]}@example.org"
    statuses = [
        Browser()
        .post(
            f"{server.url}/auth/login",
            {"email": email, "password": "wrong"},
            headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},  # a new address each time
        )
        .status
        for n, server in enumerate([a, b, a, b, a, b])
    ]
    assert statuses == [200] * 5 + [429]


def _refused_body(url: str, headers: dict) -> int:
    """POST announcing a body it never sends; nginx refuses on the announced length."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.putrequest("POST", parts.path)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def test_secret_links_never_reach_nginx_or_app_logs(fleet):
    reader = Browser()
    token = "Zq" + uuid.uuid4().hex[:20]  # a private question link's shape
    link = "eyJ1IjoxfQ." + uuid.uuid4().hex  # a set-password link's shape
    paths = [
        f"/questions/{token}",
        f"/questions/{token}/delete",
        f"//questions/{token}",
        f"/es/questions/{token}",
        f"/auth/set-password/{link}",
        f"/auth/set-password/{link}?x=1",
    ]
    ids = [reader.get(fleet.url + path).headers["X-Request-ID"] for path in paths]
    # nginx writes the request line into its error log, for a body over its limit among others.
    too_large = {"Content-Length": str(20 * 2**20), "Content-Type": "text/plain"}
    for path in (
        f"/questions/{token}/delete",
        f"/es/questions/{token}/delete",
        f"/auth/set-password/{link}",
    ):
        assert _refused_body(fleet.url + path, too_large) == 413
    time.sleep(0.2)
    nginx_log = (fleet.directory / "logs/access.log").read_text()
    error_log = (fleet.directory / "logs/error.log").read_text()
    app_logs = "".join(server.log.read_text() for server in fleet.servers)
    for text in (nginx_log, error_log, app_logs):
        assert token not in text and link not in text
    logged = {
        entry["request_id"]: entry["path"] for entry in map(json.loads, nginx_log.splitlines())
    }
    assert [logged[i] for i in ids] == [
        "/questions/<token>",
        "/questions/<token>/delete",
        "/questions/<token>",
        "/es/questions/<token>",
        "/auth/set-password/<token>",
        "/auth/set-password/<token>",
    ]


def test_hsts_in_production_from_the_app_and_from_nginx_over_https_only(fleet):
    a, _b = fleet.servers
    direct = Browser().get(a.url + "/healthz")
    assert direct.headers["Strict-Transport-Security"] == "max-age=31536000"
    # The fleet's nginx listens on plain HTTP, where the header means nothing: it sends none.
    assert "Strict-Transport-Security" not in Browser().get(fleet.url + "/").headers


def test_readiness_is_for_the_app_servers_not_the_public(fleet):
    client = Browser()
    outside = client.get(f"{fleet.url}/readyz")
    assert outside.status == 404 and "checks" not in outside.text
    for server in fleet.servers:
        inside = client.get(f"{server.url}/readyz")
        assert inside.status == 200, inside.text
        assert json.loads(inside.text)["checks"]["redis"] == "ok"
