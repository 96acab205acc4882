"""Every editorial POST, sent from our own page by someone allowed to send it, but without the
session's token: refused, and nothing in the database changes.

The library's POSTs (references, glossary, settings, users) are checked the same way in
test_library_access.py::test_every_staff_post_needs_the_session_token; this covers the rest, taken
from the access matrix so a new staff POST is covered as soon as it is in that table.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from extensions import db
from models import Role
from tests.conftest import PASSWORD
from tests.factories import make_user
from tests.web.test_access_matrix import EXPECTED, _objects, _url

LIBRARY_ENDPOINTS = {
    "admin.save_reference",
    "admin.new_reference",
    "admin.delete_reference",
    "admin.term",
    "admin.new_term",
    "admin.delete_term",
    "admin.settings",
    "admin.user",
    "admin.new_user",
    "admin.deactivate_user",
    "admin.reactivate_user",
    "admin.reset_password",
}
EDITORIAL_POSTS = sorted(
    endpoint
    for endpoint, (methods, _permission) in EXPECTED.items()
    if "POST" in methods and endpoint not in LIBRARY_ENDPOINTS
)


def _row_counts() -> dict[str, int]:
    """Rows in every table: revisions, review events, audit entries and everything else."""
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_the_editorial_posts_include_every_kind_the_issue_names():
    assert {
        "admin.submit",
        "admin.lock",
        "admin.unlock",
        "admin.restore",
        "admin.start_review",
        "admin.approve",
        "admin.request_changes",
        "admin.new_article",
        "admin.edit",
        "admin.preview_draft",
        "admin.answer_followup",
        "admin.approve_followup",
        "admin.promote_followup",
        "admin.reject_followup",
        "admin.reopen_followup",
        "admin.reject_followups",
    } <= set(EDITORIAL_POSTS)


# The live preview is only ever sent by htmx, with the token in `hx-headers`.
CASES = [(endpoint, False) for endpoint in EDITORIAL_POSTS] + [("admin.preview_draft", True)]


@pytest.mark.parametrize(
    ("endpoint", "htmx"), CASES, ids=[f"{e}{' htmx' if h else ''}" for e, h in CASES]
)
def test_every_editorial_post_needs_the_session_token(app, app_factory, endpoint, htmx):
    ids = _objects()
    make_user(role=Role.ADMIN, email="token-admin@example.org", password=PASSWORD)
    db.session.commit()
    protected = app_factory(WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    client.environ_base["HTTP_SEC_FETCH_SITE"] = "same-origin"  # from our own page
    signed_in = client.post(
        "/auth/login", data={"email": "token-admin@example.org", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    before = _row_counts()
    url = _url(app, endpoint, "POST", ids)
    # What a real form would carry, so only the missing token can be the reason for refusal.
    data = {"body": "Changed text.", "comment": "Looks fine.", "text": "An answer."}
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(url, data=data, headers=headers)
    assert response.status_code == 400, (url, response.status_code)
    db.session.expire_all()
    assert _row_counts() == before, f"{url} without a token changed the database"
