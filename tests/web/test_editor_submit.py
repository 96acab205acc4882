""" "Save and submit for review" from the editor (issue 15): one POST that saves the text and
submits it in one transaction, by the same rules as the staff page's "Submit for review", both
audited; a refusal leaves nothing half-done and comes back with the text as typed.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa

from extensions import db
from models import Article, ReviewStatus, Revision, Role
from services.editorial import review, revisions
from services.errors import NotPermitted
from tests.conftest import PASSWORD
from tests.factories import make_article, make_reference, make_sections
from tests.web.test_editor import (
    MARKER,
    audit_actions,
    body,
    counts,
    login,
    page_text,
    staff,
    with_guidelines,
)


def submit_button(html: str) -> str:
    found = re.search(r'<button[^>]*value="save-submit"[^>]*>([^<]*)</button>', html)
    assert found, "the editor offers no submit button"
    return found.group(1)


def test_the_editor_offers_save_and_submit(editor, client, article):
    html = client.get(f"/admin/articles/{article.id}/edit").get_data(as_text=True)
    assert submit_button(html) == "Save and submit for review"
    assert 'aria-describedby="submit-hint"' in html
    new = client.get("/admin/articles/new").get_data(as_text=True)
    assert submit_button(new) == "Create and submit for review"


def test_save_and_submit_saves_a_revision_and_submits_it(editor, client, article):
    base = article.latest_revision
    before = counts()
    response = client.post(
        f"/admin/articles/{article.id}/edit",
        data=body(
            base,
            sections=with_guidelines(base, MARKER),
            change_note="Clearer",
            action="save-submit",
        ),
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/articles/{article.id}")
    db.session.expire_all()
    latest = db.session.get(Article, article.id).latest_revision
    assert latest.number == 2 and latest.status == ReviewStatus.SUBMITTED
    assert latest.change_note == "Clearer"
    assert latest.sections[1].variant(latest.sections[1].variants[0].level).body == MARKER
    assert counts()["Revision"] == before["Revision"] + 1
    assert audit_actions()[-2:] == ["revision.save", "review.submit"]
    page = page_text(client.get(response.headers["Location"]))
    assert "Saved revision 2 and submitted it for review." in page
    assert "Review record of revision 2" in page


def test_an_unchanged_saved_draft_is_submitted_without_a_copy(editor, client, article):
    draft = revisions.save_revision(
        article, author=editor, question="Test question?", sections=make_sections()
    )
    db.session.commit()
    html = client.get(f"/admin/articles/{article.id}/edit").get_data(as_text=True)
    assert submit_button(html) == "Submit for review"
    before = counts()
    response = client.post(
        f"/admin/articles/{article.id}/edit", data=body(draft, action="save-submit")
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert counts()["Revision"] == before["Revision"]
    assert db.session.get(Revision, draft.id).status == ReviewStatus.SUBMITTED
    assert audit_actions()[-1] == "review.submit"
    assert "Submitted revision 2 for review." in page_text(client.get(response.headers["Location"]))


def test_an_unchanged_approved_text_is_refused_and_kept(editor, client, article):
    before = counts()
    data = body(article.latest_revision, change_note="Typed note", action="save-submit")
    response = client.post(f"/admin/articles/{article.id}/edit", data=data)
    assert response.status_code == 409
    assert counts() == before
    text = page_text(response)
    assert "Nothing has changed since revision 1, which is approved." in text
    assert "Nothing was saved or submitted" in text
    assert "Typed note" in unescape(response.get_data(as_text=True))


def test_a_refused_submit_undoes_the_save_and_keeps_the_text(editor, client, article, monkeypatch):
    def refuse(revision, *, actor):
        raise NotPermitted("Submitting is paused for maintenance.")

    monkeypatch.setattr(review, "submit", refuse)
    base = article.latest_revision
    before = counts()
    response = client.post(
        f"/admin/articles/{article.id}/edit",
        data=body(base, sections=with_guidelines(base, MARKER), action="save-submit"),
    )
    assert response.status_code == 403
    assert counts() == before  # the save went back with the refused submit: no revision, no audit
    html = unescape(response.get_data(as_text=True))
    assert MARKER in html
    assert f'value="{base.id}"' in html  # "Save draft" from here saves without a conflict
    assert "Submitting is paused for maintenance." in page_text(response)
    assert "Nothing was saved or submitted" in page_text(response)
    monkeypatch.undo()
    saved = client.post(
        f"/admin/articles/{article.id}/edit",
        data=body(base, sections=with_guidelines(base, MARKER), action="save"),
    )
    assert saved.status_code == 303


def test_a_conflict_submits_nothing(editor, client, article):
    base = article.latest_revision
    revisions.save_revision(
        article, author=editor, question="Someone else's?", sections=make_sections()
    )
    db.session.commit()
    before = counts()
    response = client.post(
        f"/admin/articles/{article.id}/edit",
        data=body(base, sections=with_guidelines(base, MARKER), action="save-submit"),
    )
    assert response.status_code == 409
    assert counts() == before
    assert MARKER in unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Article, article.id).latest_revision.status == ReviewStatus.DRAFT


def test_someone_elses_lock_refuses_save_and_submit(app, client, article, editor):
    holder = staff(Role.EDITOR, "Hana Holder")
    db.session.commit()
    login(client, holder)
    client.post(f"/admin/articles/{article.id}/lock")
    login(client, editor)
    base = article.latest_revision
    before = counts()
    response = client.post(
        f"/admin/articles/{article.id}/edit",
        data=body(base, sections=with_guidelines(base, MARKER), action="save-submit"),
    )
    assert response.status_code == 403
    assert counts() == before
    assert "Hana Holder has locked this article for editing." in page_text(response)
    assert MARKER in unescape(response.get_data(as_text=True))


def test_signed_out_save_and_submit_changes_nothing(app, client, article, editor):
    client.post("/auth/logout")
    base = article.latest_revision
    before = counts()
    response = client.post(
        f"/admin/articles/{article.id}/edit",
        data=body(base, sections=with_guidelines(base, MARKER), action="save-submit"),
    )
    assert response.status_code == 401
    assert counts() == before
    assert MARKER in unescape(response.get_data(as_text=True))


def test_a_board_member_who_submits_from_the_editor_cannot_review_it(app, client, article):
    rita = staff(Role.REVIEWER, "Rita Reviewer")
    db.session.commit()
    login(client, rita)
    base = article.latest_revision
    response = client.post(
        f"/admin/articles/{article.id}/edit",
        data=body(base, sections=with_guidelines(base, MARKER), action="save-submit"),
    )
    assert response.status_code == 303
    db.session.expire_all()
    submitted = db.session.get(Article, article.id).latest_revision
    assert submitted.status == ReviewStatus.SUBMITTED
    taken = client.post(f"/admin/review/{submitted.id}/start")
    assert taken.status_code == 403
    assert "another board member must review it" in page_text(taken)
    db.session.expire_all()
    assert db.session.get(Revision, submitted.id).status == ReviewStatus.SUBMITTED


def test_a_new_article_can_be_created_and_submitted(editor, client):
    sections = [{"kind": "summary", "heading": "Short answer", "clinical": "A short answer."}]
    response = client.post(
        "/admin/articles/new",
        data=body(None, question="A brand new question?", sections=sections, action="save-submit"),
    )
    assert response.status_code == 303
    made = db.session.scalar(sa.select(Article).where(Article.question == "A brand new question?"))
    assert made.latest_revision.status == ReviewStatus.SUBMITTED
    assert audit_actions()[-3:] == ["article.create", "revision.save", "review.submit"]


@pytest.fixture
def csrf_client(app, app_factory):
    secured = app_factory(WTF_CSRF_ENABLED=True)
    with secured.app_context():
        make_reference("ref")
        email = staff().email
        made = make_article(status="approved", question="Test question?")
        db.session.commit()
        ids = (made.id, made.latest_revision_id)
    client = secured.test_client()
    client.environ_base["HTTP_SEC_FETCH_SITE"] = "same-origin"
    assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code
    return secured, client, ids


def test_save_and_submit_needs_the_form_token(csrf_client):
    secured, client, (article_id, base_id) = csrf_client
    with secured.app_context():
        base = db.session.get(Revision, base_id)
        data = body(base, sections=with_guidelines(base, MARKER), action="save-submit")
        before = counts()
    refused = client.post(f"/admin/articles/{article_id}/edit", data={**data, "csrf_token": "x"})
    assert refused.status_code == 400
    html = unescape(refused.get_data(as_text=True))
    assert MARKER in html
    with secured.app_context():
        assert counts() == before
    token = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html)
    done = client.post(f"/admin/articles/{article_id}/edit", data={**data, "csrf_token": token[1]})
    assert done.status_code == 303
    with secured.app_context():
        latest = db.session.get(Article, article_id).latest_revision
        assert latest.status == ReviewStatus.SUBMITTED
