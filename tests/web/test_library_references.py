"""The reference library's pages: search, add, edit, delete, and the articles citing a source."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from extensions import db
from models import AuditEvent, LibraryChange, Reference, Role
from tests.factories import make_article, make_reference

VALID = {
    "kind": "research",
    "title": "Test reference title",
    "read": "abstract",
    "authors": "Tester A, Other B",
    "year": "2024",
}


@pytest.fixture
def editor(client, auth):
    auth.login(Role.EDITOR)


def html_of(response) -> str:
    return response.get_data(as_text=True)


def test_list_searches_and_pages_and_htmx_gets_only_the_results(demo, client, hx, editor):
    html = html_of(client.get("/admin/references?q=jabbour&kind=research"))
    assert "@jabbour2015" in html and "@eln2024" not in html and 'aria-current="page"' in html
    response = hx.get("/admin/references?q=eln2024")
    fragment = html_of(response)
    assert "<html" not in fragment and 'id="reference-results"' in fragment
    assert "1 reference found" in fragment and 'hx-swap-oob="true"' in fragment
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "No reference matches" in html_of(client.get("/admin/references?q=zzzz-nothing"))


def test_list_queries_do_not_grow_with_the_page(app, client, editor):
    def count_for(n: int) -> int:
        for i in range(n):
            make_reference(f"r{n}-{i}")
        db.session.commit()
        statements = []
        listener = lambda *args: statements.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/admin/references").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    assert count_for(2) == count_for(23)


def test_a_bad_form_keeps_every_field_and_says_what_to_fix_beside_each(app, client, editor):
    typed = VALID | {"doi": "10.12/x", "pmid": "12a", "nct": "NCT12", "url": "ftp://x", "title": ""}
    response = client.post("/admin/references/new", data=typed)
    html = html_of(response)
    assert response.status_code == 422
    assert 'id="doi-error"' in html and "A DOI starts with 10." in html
    assert 'aria-describedby="doi-hint doi-error"' in html and 'aria-invalid="true"' in html
    assert "A PMID is digits only" in html and "NCT followed by eight digits" in html
    assert (
        "Enter the title." in html
        and 'value="10.12/x"' in html
        and 'value="Tester A, Other B"' in html
    )
    assert 'href="#doi"' in html  # the summary links to the field
    assert db.session.scalar(sa.select(sa.func.count(Reference.id))) == 0


def test_add_normalises_the_doi_and_opens_the_new_reference(app, client, editor):
    response = client.post(
        "/admin/references/new", data=VALID | {"doi": "https://doi.org/10.5555/Test.1"}
    )
    reference = db.session.scalar(sa.select(Reference))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/references/{reference.id}"
    assert reference.doi == "10.5555/Test.1" and reference.key == "tester2024"
    page = html_of(client.get(response.headers["Location"]))
    assert "Cite it as [@tester2024]" in page and "No revision of any article cites" in page


@pytest.mark.parametrize(
    ("field", "typed"), [("doi", "https://doi.org/10.5555/DUP"), ("pmid", "PMID: 99999")]
)
def test_a_duplicate_is_refused_with_a_link_to_the_one_in_the_library(
    app, client, editor, field, typed
):
    existing = make_reference("already", doi="10.5555/dup", pmid="99999")
    db.session.commit()
    response = client.post("/admin/references/new", data=VALID | {field: typed})
    html = html_of(response)
    assert response.status_code == 409
    assert f'id="{field}-error"' in html and "already in the library as “already”" in html
    assert f'href="/admin/references/{existing.id}">Open “already”</a>' in html
    assert f'value="{typed}"' in html


def test_the_page_lists_the_articles_citing_it_and_locks_its_key(app, client, editor):
    reference = make_reference("ref")
    article = make_article(question="Test question?")
    db.session.commit()
    html = html_of(client.get(f"/admin/references/{reference.id}"))
    assert f'<a href="/admin/articles/{article.id}">Test question?</a>' in html
    assert "Live and latest revision" in html
    assert "so the key cannot change" in html and "readonly" in html
    assert "This reference cannot be deleted: a revision cites it" in html


def test_an_edit_bumps_the_version_and_is_audited(app, client, editor):
    reference = make_reference("ref", title="Old title")
    db.session.commit()
    data = VALID | {"key": "ref", "title": "New title", "version": "1"}
    response = client.post(f"/admin/references/{reference.id}", data=data)
    assert response.status_code == 302
    db.session.refresh(reference)
    assert reference.title == "New title" and reference.version == 2
    row = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "reference.update"))
    assert row.changes["title"] == ["Old title", "New title"] and row.ip_address == "127.0.0.1"
    assert "saved (version 2)" in html_of(client.get(response.headers["Location"]))


def test_saving_over_someone_elses_edit_keeps_your_text_and_shows_theirs(app, client, editor):
    reference = make_reference("ref", title="Their title")
    reference.version = 2
    db.session.commit()
    data = VALID | {"key": "ref", "title": "My title", "version": "1"}
    response = client.post(f"/admin/references/{reference.id}", data=data)
    html = html_of(response)
    assert response.status_code == 409 and "Someone else saved this reference" in html
    assert "My title</textarea>" in html and "Their title</cite>" in html
    assert 'name="version" type="hidden" value="2"' in html
    db.session.refresh(reference)
    assert reference.title == "Their title"


def test_cannot_change_the_key_of_a_cited_reference(app, client, editor):
    reference = make_reference("ref")
    make_article()
    db.session.commit()
    data = VALID | {"key": "renamed", "version": "1"}
    response = client.post(f"/admin/references/{reference.id}", data=data)
    html = html_of(response)
    assert response.status_code == 409 and "The key cannot change" in html
    assert 'id="key-error"' in html and 'value="ref"' in html


def test_cannot_delete_a_cited_reference(app, client, editor):
    reference = make_reference("ref")
    make_article(question="Test question?")
    db.session.commit()
    response = client.post(f"/admin/references/{reference.id}/delete")
    assert response.status_code == 409
    assert "1 article cites this reference" in html_of(response)
    assert db.session.get(Reference, reference.id) is not None


def test_delete_an_unused_reference(app, client, editor):
    reference = make_reference("unused")
    db.session.commit()
    response = client.post(f"/admin/references/{reference.id}/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/references"
    assert db.session.get(Reference, reference.id) is None
    assert "“unused” deleted" in html_of(client.get("/admin/references"))
    assert client.get(f"/admin/references/{reference.id}").status_code == 404


def test_an_edit_shows_on_the_next_article_view_once_approved(demo, client, auth, editor):
    reference = db.session.scalar(sa.select(Reference).where(Reference.key == "eln2024"))
    data = {
        "kind": reference.kind.value,
        "key": reference.key,
        "title": "Test title changed",
        "read": reference.read.value,
        "version": str(reference.version),
    }
    saved = client.post(f"/admin/references/{reference.id}", data=data, follow_redirects=True)
    assert "Your change is waiting for review" in html_of(saved)
    # Public text cites it: readers see it only once someone else approves (library changes).
    assert "Test title changed" not in html_of(client.get("/articles/ph-positive-all-tki"))
    change = db.session.scalar(sa.select(LibraryChange))
    auth.logout()
    auth.login(Role.REVIEWER)
    approved = client.post(f"/admin/library-changes/{change.id}/approve")
    assert approved.status_code == 303
    assert "Test title changed" in html_of(client.get("/articles/ph-positive-all-tki"))
