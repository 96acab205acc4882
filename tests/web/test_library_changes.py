"""The library-change screens: the list, a change's review page, and approve / send back /
withdraw, with the statuses a refusal answers (403 the rules, 409 moved on, 422 the form)."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa

from extensions import db
from models import ChangeStatus, GlossaryTerm, LibraryChange, Reference, Role
from services.library import changes
from services.library.references import ReferenceInput, apply_edit, update_reference
from tests.factories import make_user

ARTICLE = "/articles/ph-positive-all-tki"


def html_of(response) -> str:
    return response.get_data(as_text=True)


def eln() -> Reference:
    return db.session.scalar(sa.select(Reference).where(Reference.key == "eln2024"))


def the_change() -> LibraryChange:
    return db.session.scalar(sa.select(LibraryChange).order_by(LibraryChange.id.desc()))


@pytest.fixture
def proposed(demo, client, auth):
    """An editor's retitling of a reference the article cites, waiting for review."""
    auth.login(Role.EDITOR)
    reference = eln()
    data = {
        "kind": reference.kind.value,
        "key": reference.key,
        "title": "Test corrected title",
        "authors": reference.authors,
        "journal": reference.journal,
        "year": str(reference.year or ""),
        "volume_pages": reference.volume_pages,
        "doi": reference.doi,
        "pmid": reference.pmid,
        "url": reference.url,
        "read": reference.read.value,
        "read_detail": reference.read_detail,
        "version": str(reference.version),
    }
    saved = client.post(f"/admin/references/{reference.id}", data=data, follow_redirects=True)
    assert "Your change is waiting for review" in html_of(saved)
    change = the_change()
    assert change.status == ChangeStatus.PENDING and change.changed_fields == ["title"]
    return change


def test_readers_see_a_change_only_after_a_board_member_approves_it(proposed, client, auth):
    assert "Test corrected title" not in html_of(client.get(ARTICLE))
    listing = html_of(client.get("/admin/library-changes"))
    assert "Reference “eln2024”: title" in listing
    page = html_of(client.get(f"/admin/library-changes/{proposed.id}"))
    assert "<del>" in page and "<ins>Test corrected title</ins>" in page
    assert "Articles it will alter" in page and "Withdraw my change" in page
    assert "You proposed this change" in page and "/approve" not in page
    auth.logout()
    auth.login(Role.REVIEWER)
    page = html_of(client.get(f"/admin/library-changes/{proposed.id}"))
    assert f'action="/admin/library-changes/{proposed.id}/approve"' in page
    response = client.post(f"/admin/library-changes/{proposed.id}/approve")
    assert response.status_code == 303
    assert "Test corrected title" in html_of(client.get(ARTICLE))
    history = html_of(client.get(ARTICLE + "/history"))
    assert "Source “Test corrected title” corrected: title; approved by" in history


def test_the_dashboard_and_the_review_queue_link_the_list(proposed, client):
    for path in ("/admin/", "/admin/review"):
        page = html_of(client.get(path))
        assert 'href="/admin/library-changes"' in page, path


def test_cannot_approve_own_change_and_the_page_says_why(demo, client, auth):
    auth.login(Role.ADMIN)
    term = db.session.scalar(sa.select(GlossaryTerm).where(GlossaryTerm.abbr == "MRD"))
    data = {
        "term": term.term,
        "abbr": term.abbr,
        "aliases": "\n".join(term.aliases),
        "definition": "Test definition, proposed.",
    }
    saved = client.post(f"/admin/glossary/{term.id}", data=data, follow_redirects=True)
    assert "Your change is waiting for review" in html_of(saved)
    change = the_change()
    page = html_of(client.get(f"/admin/library-changes/{change.id}"))
    assert "You may not decide this change" in page and "You proposed this change" in page
    refused = client.post(f"/admin/library-changes/{change.id}/approve")
    assert refused.status_code == 403 and "You proposed this change" in html_of(refused)
    assert the_change().status == ChangeStatus.PENDING


def test_editors_cannot_approve(proposed, client):
    assert client.post(f"/admin/library-changes/{proposed.id}/approve").status_code == 403
    assert the_change().status == ChangeStatus.PENDING


def test_someone_else_cannot_propose_over_a_pending_change(proposed, client, auth):
    auth.logout()
    auth.login(Role.REVIEWER)
    reference = eln()
    page = html_of(client.get(f"/admin/references/{reference.id}"))
    assert "change is waiting for review" in page
    data = {
        "kind": reference.kind.value,
        "key": reference.key,
        "title": "Another title",
        "read": reference.read.value,
        "version": str(reference.version),
    }
    refused = client.post(f"/admin/references/{reference.id}", data=data)
    assert refused.status_code == 409
    assert "has a change to this entry waiting for review" in html_of(refused)


def test_sending_back_needs_a_comment(proposed, client, auth):
    auth.logout()
    auth.login(Role.REVIEWER)
    url = f"/admin/library-changes/{proposed.id}/send-back"
    empty = client.post(url, data={"send_back-comment": ""})
    assert empty.status_code == 422 and "a comment is required" in html_of(empty)
    sent = client.post(url, data={"send_back-comment": "Use the journal's title."})
    assert sent.status_code == 303
    assert the_change().status == ChangeStatus.REJECTED
    assert eln().title != "Test corrected title"


def test_a_stale_change_is_refused_with_409(proposed, client, auth):
    reference = eln()
    apply_edit(
        reference,
        replace(ReferenceInput.of(reference), read_detail="Test detail"),
        actor=make_user(role=Role.EDITOR),
    )
    db.session.commit()
    auth.logout()
    auth.login(Role.REVIEWER)
    assert "changed after this was proposed" in html_of(
        client.get(f"/admin/library-changes/{proposed.id}")
    )
    refused = client.post(f"/admin/library-changes/{proposed.id}/approve")
    assert refused.status_code == 409
    assert "changed after this change was proposed" in html_of(refused)
    assert eln().title != "Test corrected title"


def test_only_its_author_withdraws_it(proposed, client, auth):
    url = f"/admin/library-changes/{proposed.id}/withdraw"
    assert client.post(url).status_code == 303
    assert the_change().status == ChangeStatus.WITHDRAWN
    again = client.post(url)
    assert again.status_code == 409


def test_a_pending_change_leaves_cached_pages_in_place(demo, app_factory):
    """Proposing changes nothing readers see, so it must not say so (the cache rule)."""
    reader = app_factory(WTF_CSRF_ENABLED=True).test_client()
    reader.get(ARTICLE)
    assert reader.get(ARTICLE).headers.get("X-Page-Cache") == "hit"
    reference = eln()
    change = update_reference(
        reference,
        replace(ReferenceInput.of(reference), title="Test corrected title"),
        actor=make_user(role=Role.EDITOR),
    )
    db.session.commit()
    assert reader.get(ARTICLE).headers.get("X-Page-Cache") == "hit"
    changes.approve(change, approver=make_user(role=Role.REVIEWER))
    db.session.commit()
    after = reader.get(ARTICLE)
    assert "X-Page-Cache" not in after.headers and "Test corrected title" in html_of(after)
