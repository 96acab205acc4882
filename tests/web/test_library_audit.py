"""The audit log page: administrators read and filter it; it names who, when, where and what."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from extensions import db
from models import AuditEvent, Role
from services.staff import audit
from services.staff.audit_log import PAGE_SIZE
from services.staff.sessions import email_key
from tests.conftest import SECRET_KEY
from tests.factories import make_reference, make_user


def html_of(response) -> str:
    return response.get_data(as_text=True)


def test_sign_in_failed_sign_in_and_sign_out_are_recorded_with_the_address(app, client, auth):
    client.post("/auth/login", data={"email": "nobody@example.org", "password": "wrong"})
    auth.login(Role.EDITOR)
    client.post("/auth/login", data={"email": "editor@example.org", "password": "wrong"})
    auth.logout()
    rows = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(r.action, r.actor_label) for r in rows] == [
        # An unknown email is kept as a keyed digest, never as typed (test_auth.py).
        (
            "auth.sign_in_failed",
            f"unknown email {email_key('nobody@example.org', secret=SECRET_KEY)}",
        ),
        ("auth.sign_in", "editor@example.org"),
        ("auth.sign_out", "editor@example.org"),
    ]
    assert {r.ip_address for r in rows} == {"127.0.0.1"}


def test_an_admin_reads_who_when_where_on_what_and_what_changed(app, client, auth):
    auth.login(Role.ADMIN)
    reference = make_reference("ref", title="Old title")
    db.session.commit()
    data = {"kind": "research", "key": "ref", "title": "New title", "read": "abstract"}
    client.post(f"/admin/references/{reference.id}", data=data | {"version": "1"})
    gone = make_reference("gone")
    db.session.commit()
    client.post(f"/admin/references/{gone.id}/delete")
    html = html_of(client.get("/admin/audit")).split('id="audit-results"')[1]
    assert (
        "Changed a reference" in html and f'href="/admin/references/{reference.id}">ref</a>' in html
    )
    assert '<del><span class="visually-hidden">was </span>Old title</del>' in html
    assert '<ins><span class="visually-hidden">now </span>New title</ins>' in html
    assert "Deleted a reference" in html and "no longer exists" in html
    assert "from 127.0.0.1" in html and "admin@example.org" in html and " UTC</time>" in html
    # Newest first: the deletion comes before the change.
    assert html.index("Deleted a reference") < html.index("Changed a reference")


def test_filters_narrow_the_log_and_htmx_swaps_only_the_results(app, client, auth, hx):
    auth.login(Role.ADMIN)
    other = make_user(role=Role.EDITOR, name="Other Person")
    audit.record("reference.create", actor=other, target=make_reference("ref"))
    db.session.commit()
    html = html_of(client.get(f"/admin/audit?actor={other.id}"))
    assert "Added a reference" in html and "Signed in" not in html.split('id="audit-results"')[1]
    assert "Other Person (" in html and "Clear filters" in html
    fragment = html_of(hx.get("/admin/audit?action=auth.sign_in"))
    assert "<html" not in fragment and "Signed in" in fragment
    assert "Added a reference" not in fragment
    by_object = html_of(client.get("/admin/audit?object_type=reference&object_id=999"))
    assert "No entries match these filters" in by_object


def test_bad_filters_are_explained_beside_the_field(app, client, auth):
    auth.login(Role.ADMIN)
    response = client.get("/admin/audit?since=2026-02-30&until=2025-01-01&actor=someone")
    html = html_of(response)
    assert response.status_code == 422
    assert 'id="since-error"' in html and "YYYY-MM-DD" in html
    assert 'id="actor-error"' in html and 'value="2026-02-30"' in html
    assert "Correct the filters above" in html


def test_older_entries_follow_by_plain_links(app, client, auth):
    auth.login(Role.ADMIN)
    for n in range(PAGE_SIZE + 5):
        audit.record("auth.sign_in_failed", actor=None, actor_label=f"guess{n:02d}@example.org")
    db.session.commit()
    first = html_of(client.get("/admin/audit?action=auth.sign_in_failed"))
    assert first.count('class="audit-entry"') == PAGE_SIZE
    older = re.search(r'href="(/admin/audit\?[^"]*before=\d+[^"]*)" rel="next"', first)
    assert older and "action=auth.sign_in_failed" in older.group(1)
    second = html_of(client.get(older.group(1).replace("&amp;", "&")))
    assert second.count('class="audit-entry"') == 5
    assert "guess00@example.org" in second and "guess00@example.org" not in first
    assert "Newest entries" in second and 'rel="next"' not in second


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER])
def test_only_admins_read_the_log_or_see_it_in_the_navigation(app, client, auth, role):
    auth.login(role)
    assert client.get("/admin/audit").status_code == 403
    assert "/admin/audit" not in html_of(client.get("/admin/references"))


def test_admins_see_every_library_screen_in_the_navigation(app, client, auth):
    auth.login(Role.ADMIN)
    nav = html_of(client.get("/admin/audit")).split('aria-label="Staff"')[1].split("</nav>")[0]
    for path in ["/admin/references", "/admin/glossary", "/admin/users", "/admin/settings"]:
        assert f'href="{path}"' in nav
    assert 'href="/admin/audit" aria-current="page"' in nav
