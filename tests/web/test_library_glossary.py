"""Glossary pages: staff read, administrators edit, and readers see an edit on their next view."""

from __future__ import annotations

import sqlalchemy as sa

from extensions import db
from models import AuditEvent, GlossaryTerm, LibraryChange, Role

ARTICLE = "/articles/mrd-testing-all?audience=plain"


def mrd():
    return db.session.scalar(sa.select(GlossaryTerm).where(GlossaryTerm.abbr == "MRD"))


def form_of(term: GlossaryTerm, **changes) -> dict:
    return {
        "term": term.term,
        "abbr": term.abbr,
        "aliases": "\n".join(term.aliases),
        "definition": term.definition,
    } | changes


def test_staff_read_the_glossary_and_only_admins_are_offered_edits(demo, client, auth):
    auth.login(Role.EDITOR)
    html = client.get("/admin/glossary?q=residual").get_data(as_text=True)
    assert "measurable residual disease (MRD)" in html and "Also matches:" in html
    assert "/admin/glossary/new" not in html and f"/admin/glossary/{mrd().id}" not in html
    assert client.post(f"/admin/glossary/{mrd().id}", data=form_of(mrd())).status_code == 403


def test_staff_find_a_term_by_its_spanish_words(demo, client, auth):
    auth.login(Role.EDITOR)
    html = client.get("/admin/glossary?q=crisis+blastica").get_data(as_text=True)
    assert "blast crisis" in html and "chronic phase" not in html


def test_an_edit_shows_on_the_next_article_view_once_approved(demo, client, auth):
    before = client.get(ARTICLE).get_data(as_text=True)
    assert mrd().definition in before
    auth.login(Role.ADMIN)
    response = client.post(
        f"/admin/glossary/{mrd().id}", data=form_of(mrd(), definition="Test definition, edited.")
    )
    assert response.status_code == 302
    # Public text uses it: readers see it only once someone else approves (library changes).
    assert "Test definition, edited." not in client.get(ARTICLE).get_data(as_text=True)
    change = db.session.scalar(sa.select(LibraryChange))
    auth.logout()
    auth.login(Role.REVIEWER)
    assert client.post(f"/admin/library-changes/{change.id}/approve").status_code == 303
    after = client.get(ARTICLE).get_data(as_text=True)
    assert "Test definition, edited." in after and "Test definition, edited." not in before
    row = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "glossary.update"))
    assert row.changes["definition"][1] == "Test definition, edited."


def test_a_deleted_term_stops_explaining_itself_on_the_next_view(demo, client, auth):
    definition = mrd().definition
    auth.login(Role.ADMIN)
    assert client.post(f"/admin/glossary/{mrd().id}/delete").status_code == 302
    assert definition not in client.get(ARTICLE).get_data(as_text=True)
    assert (
        db.session.scalar(
            sa.select(AuditEvent.changes).where(AuditEvent.action == "glossary.delete")
        )["definition"]
        == definition
    )


def test_a_new_term_public_text_uses_is_explained_once_someone_else_approves_it(demo, client, auth):
    auth.login(Role.ADMIN)
    assert "Test term definition." not in client.get(ARTICLE).get_data(as_text=True)
    response = client.post(
        "/admin/glossary/new",
        data={"term": "microscope", "definition": "Test term definition.", "aliases": ""},
    )
    change = db.session.scalar(sa.select(LibraryChange))
    assert response.status_code == 302
    assert response.location.endswith(f"/admin/library-changes/{change.id}")
    assert change.is_new
    assert not db.session.scalar(sa.select(GlossaryTerm).where(GlossaryTerm.term == "microscope"))
    page = client.get(response.location).get_data(as_text=True)
    assert "New glossary term “microscope”" in page
    assert "Test term definition." not in client.get(ARTICLE).get_data(as_text=True)
    auth.logout()
    auth.login(Role.REVIEWER)
    assert client.post(f"/admin/library-changes/{change.id}/approve").status_code == 303
    assert "Test term definition." in client.get(ARTICLE).get_data(as_text=True)
    history = client.get("/articles/mrd-testing-all/history").get_data(as_text=True)
    assert "Explanation of “microscope” added; approved by" in history


def test_a_new_term_no_public_text_uses_is_added_at_once(demo, client, auth):
    auth.login(Role.ADMIN)
    response = client.post(
        "/admin/glossary/new",
        data={"term": "zzunusedword", "definition": "Test term definition.", "aliases": ""},
    )
    assert response.status_code == 302 and response.location.endswith("/admin/glossary")
    assert db.session.scalar(sa.select(GlossaryTerm).where(GlossaryTerm.term == "zzunusedword"))
    assert db.session.scalar(sa.select(sa.func.count(LibraryChange.id))) == 0


def test_a_clash_is_refused_beside_the_field_with_the_input_kept(demo, client, auth):
    auth.login(Role.ADMIN)
    typed = {"term": "Test term", "abbr": "MRD", "aliases": "one\ntwo", "definition": "Typed."}
    response = client.post("/admin/glossary/new", data=typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'id="abbr-error"' in html and "already explains “measurable residual disease”" in html
    assert (
        'value="Test term"' in html
        and "one\ntwo</textarea>" in html
        and "Typed.</textarea>" in html
    )


def test_an_empty_form_says_what_is_missing(demo, client, auth):
    auth.login(Role.ADMIN)
    response = client.post("/admin/glossary/new", data={"term": " ", "definition": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter the term." in html and "Enter a plain definition." in html


def test_search_swaps_only_the_results_for_htmx(demo, hx, auth):
    auth.login(Role.EDITOR)
    fragment = hx.get("/admin/glossary?q=residual").get_data(as_text=True)
    assert "<html" not in fragment and 'id="term-results"' in fragment
    assert "1 term found" in fragment and 'hx-swap-oob="true"' in fragment
