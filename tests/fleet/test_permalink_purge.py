"""A newer approval purges the older revision's permalink, print view and PDF from nginx, so a
clinician opening a printed address learns at once that a newer reviewed version exists (not
after the cached copy's max-age plus stale-while-revalidate, 60 s + 600 s)."""

from __future__ import annotations

import uuid

import pytest

from tests.fleet.conftest import Browser, with_values
from tests.fleet.test_fleet import approval, query
from tests.fleet.test_restarts import SAVE, review_steps

pytestmark = pytest.mark.fleet
NEWER = "A newer reviewed version of this article exists"


def fetch(url: str) -> tuple[int, str, bytes]:
    """A reader's GET (a PDF too): its status, nginx's cache status and the body."""
    with Browser().opener.open(url, timeout=60) as response:
        return response.status, response.headers["X-Cache-Status"], response.read()


def test_a_newer_approval_purges_the_older_revisions_addresses(fleet, staff):
    # An article whose live revision is approved, with nothing waiting for the board.
    [(article_id, slug, number)] = query(
        fleet,
        "SELECT a.id, a.slug, r.number FROM articles a JOIN revisions r"
        " ON r.id = a.public_revision_id WHERE r.status = 'approved'"
        " AND a.latest_revision_id = a.public_revision_id ORDER BY a.id DESC LIMIT 1",
    )
    old = f"/articles/{slug}/revisions/{number}"
    pages = [old, old + "?audience=plain", old + "/print?audience=plain", old + ".pdf"]
    pages += [f"/articles/{slug}/print?audience=plain", f"/articles/{slug}.pdf?audience=plain"]
    for path in pages:
        assert fetch(fleet.url + path)[:2] in ((200, "MISS"), (200, "EXPIRED")), path
        assert fetch(fleet.url + path)[:2] == (200, "HIT"), path
    assert NEWER.encode() not in fetch(fleet.url + old)[2]

    # An editor saves a new wording and takes it through review; a board member approves it.
    editor, reviewer = Browser(), Browser()
    people = {"editor": editor, "reviewer": reviewer}
    editor.sign_in(fleet.url, staff["editor"])
    reviewer.sign_in(fleet.url, staff["reviewer"])
    edit = f"/admin/articles/{article_id}/edit"
    form = editor.form(fleet.url + edit, edit)
    saved = editor.post(
        fleet.url + edit, with_values(form, {"change_note": uuid.uuid4().hex}) + SAVE
    )
    assert saved.status == 303, saved.text[:500]
    revision = int(dict(editor.form(fleet.url + edit, edit))["based_on_id"])
    for who, kind, page, action, status, goes_to in review_steps(article_id, revision):
        fields = people[who].form(fleet.url + page, action)
        if kind == "approve":
            fields = approval(fields)
        done = people[who].post(fleet.url + action, fields)
        assert done.status == status and goes_to in done.headers["Location"], done.text[:500]
    [(newer,)] = query(fleet, "SELECT number FROM revisions WHERE id = %s", revision)
    assert newer > number

    # At once: every address was purged, and the older permalink says what replaced it.
    for path in pages:
        assert fetch(fleet.url + path)[:2] in ((200, "MISS"), (200, "EXPIRED")), path
    for path in (old, old + "?audience=plain", old + "/print?audience=plain"):
        assert NEWER.encode() in fetch(fleet.url + path)[2], path
    print_view = fetch(f"{fleet.url}/articles/{slug}/print?audience=plain")[2]
    assert f"/articles/{slug}/revisions/{newer}".encode() in print_view
