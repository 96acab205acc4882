"""The staff article screens through HTTP: list, staff page, editor, preview, history, locks.

What an editor depends on: every page answers, a save writes one revision with its note, and a
save that fails for any reason (invalid input, a conflict, a lock, a lost session or form token)
comes back with every field as typed.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from extensions import db
from models import (
    Article,
    AuditEvent,
    ReadingLevel,
    ReviewStatus,
    Revision,
    Role,
    Section,
    SectionVariant,
    Topic,
)
from services.editorial import review, revisions
from services.reading.readability import measure
from tests.conftest import PASSWORD
from tests.factories import make_article, make_reference, make_sections, make_user

MARKER = "Typed by hand: ünïcode ✓ & <angle> text that must never be lost."


def login(client, user) -> None:
    """Sign `user` in on `client`, signing out whoever was signed in there."""
    client.post("/auth/logout")
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, "sign-in failed"


def staff(role: Role = Role.EDITOR, name: str = "Erin Editor"):
    email = f"{name.split()[0].lower()}.{role.value}@example.org"
    return make_user(role=role, email=email, password=PASSWORD, name=name)


def page_text(response) -> str:
    return page_text_of(response.get_data(as_text=True))


def page_text_of(html: str) -> str:
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


def body(
    revision: Revision | None,
    *,
    question: str | None = None,
    sections: list[dict] | None = None,
    change_note: str = "",
    action: str = "save",
    topics: list[int] | None = None,
    **extra,
) -> dict:
    """A POST body as the editor form sends it, filled from `revision` unless told otherwise."""
    if sections is None:
        sections = []
        for s in revision.sections:
            bodies = {v.level.value: v.body for v in s.variants}
            sections.append(
                {
                    "kind": s.kind.value,
                    "heading": s.heading,
                    **{lv.value: bodies.get(lv.value, "") for lv in ReadingLevel},
                }
            )
    data = {
        "based_on_id": str(revision.id) if revision else "",
        "conflict_base_id": "",
        "question": question if question is not None else revision.question,
        "change_note": change_note,
        "next_review_on": "",
        "action": action,
        "topics": [str(t) for t in topics or []],
    }
    for index, section in enumerate(sections):
        for key, value in section.items():
            data[f"sections-{index}-{key}"] = value
    return {**data, **extra}


def with_guidelines(revision: Revision, text: str) -> list[dict]:
    sections = body(revision)
    rows = []
    index = 0
    while f"sections-{index}-kind" in sections:
        rows.append(
            {
                key: sections[f"sections-{index}-{key}"]
                for key in ("kind", "heading", "clinical", "standard", "plain")
            }
        )
        index += 1
    for row in rows:
        if row["kind"] == "guidelines":
            row["clinical"] = text
    return rows


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Article, Revision, Section, SectionVariant, AuditEvent)
    }


def audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


# -- Every page answers; nobody signed out sees them ----------------------------------------


def staff_pages(article: Article) -> list[str]:
    latest = article.latest_revision_id
    return [
        "/admin/articles",
        "/admin/articles?status=approved&topic=none&q=test&page=2",
        f"/admin/articles/{article.id}",
        "/admin/articles/new",
        f"/admin/articles/{article.id}/edit",
        f"/admin/articles/{article.id}/history",
        f"/admin/articles/{article.id}/compare",
        f"/admin/revisions/{latest}/preview",
        *(f"/admin/revisions/{latest}/preview?audience={lv.value}" for lv in ReadingLevel),
        "/admin/citations?q=study",
    ]


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.ADMIN])
def test_every_page_answers_for_staff(app, client, role):
    make_reference("ref")
    user = staff(role, "Sam Staff")
    article = make_article(status="approved")
    db.session.commit()
    login(client, user)
    for path in staff_pages(article):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "private, no-store", path


def test_signed_out_visitors_are_sent_to_sign_in(app, client):
    article = make_article(status="approved")
    db.session.commit()
    for path in staff_pages(article):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/auth/login" in response.headers["Location"], path


def test_a_deactivated_editor_is_signed_out_everywhere(app, client):
    from services.staff.accounts import deactivate

    user = staff()
    admin = staff(Role.ADMIN, "Ada Admin")
    article = make_article(status="approved")
    db.session.commit()
    login(client, user)
    assert client.get("/admin/articles").status_code == 200
    deactivate(user, actor=admin)
    db.session.commit()
    for path in staff_pages(article):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    before = counts()
    saved = client.post(f"/admin/articles/{article.id}/edit", data=body(article.latest_revision))
    assert saved.status_code == 401  # the text comes back; nothing is saved
    assert counts() == before


def test_signed_out_posts_change_nothing(app, client):
    article = make_article(status="approved")
    db.session.commit()
    before = counts()
    latest = article.latest_revision_id
    for path in [
        f"/admin/articles/{article.id}/lock",
        f"/admin/articles/{article.id}/unlock",
        f"/admin/revisions/{latest}/restore",
        f"/admin/revisions/{latest}/submit",
    ]:
        response = client.post(path, data={"based_on_id": str(latest)})
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert counts() == before


def test_missing_objects_are_404(editor, client):
    for path in [
        "/admin/articles/999",
        "/admin/articles/999/edit",
        "/admin/articles/999/history",
        "/admin/revisions/999/preview",
    ]:
        assert client.get(path).status_code == 404, path


# -- The list ------------------------------------------------------------------------------


def test_list_shows_live_and_latest_revisions(editor, client, article):
    revisions.save_revision(
        article, author=editor, question="Test question, reworded?", sections=make_sections()
    )
    db.session.commit()
    text = page_text(client.get("/admin/articles"))
    assert "Test question, reworded?" in text
    assert "Latest Revision 2 Draft" in text
    assert "Live Revision 1 Approved" in text


def test_list_filters_keep_each_other_in_page_links(editor, client):
    topic = Topic(slug="hematology", name="Hematology")
    db.session.add(topic)
    for n in range(30):
        made = make_article(status="draft", question=f"Draft question {n:02}?")
        made.topics = [topic]
    make_article(status="approved", question="An approved one?")
    db.session.commit()
    response = client.get("/admin/articles?status=draft&topic=hematology&q=question")
    html = response.get_data(as_text=True)
    assert "Showing 1–25 of 30 articles" in page_text(response)
    next_link = re.search(r'href="([^"]+)" rel="next"', html).group(1)
    assert all(part in unescape(next_link) for part in ("page=2", "status=draft", "q=question"))
    assert "topic=hematology" in next_link
    second = page_text(client.get(unescape(next_link)))
    assert "Showing 26–30 of 30 articles" in second
    assert "An approved one?" not in second
    assert "No articles match" in page_text(client.get("/admin/articles?q=nothing-like-this"))


def _queries(client, path: str) -> int:
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_list_query_count_does_not_grow_with_rows(editor, client):
    revisions.lock(make_article(status="approved"), actor=editor)
    db.session.commit()
    few = _queries(client, "/admin/articles")
    for _ in range(20):
        article = make_article(status="approved")
        revisions.lock(article, actor=editor)
    db.session.commit()
    assert _queries(client, "/admin/articles") == few


# -- New article and saving ----------------------------------------------------------------


def test_new_article_creates_the_article_and_its_first_revision(editor, client):
    topic = Topic(slug="t", name="Test topic")
    db.session.add(topic)
    db.session.commit()
    sections = [
        {"kind": "summary", "heading": "Short answer", "clinical": "A short answer [@ref]."},
        {"kind": "guidelines", "heading": "From the Guidelines", "plain": "Plain words only."},
    ]
    response = client.post(
        "/admin/articles/new",
        data=body(
            None,
            question="Brand new test question?",
            sections=sections,
            topics=[topic.id],
            change_note="First draft",
        ),
    )
    assert response.status_code == 303
    article = db.session.scalar(sa.select(Article).where(Article.slug == "brand-new-test-question"))
    assert response.headers["Location"].endswith(f"/admin/articles/{article.id}/edit")
    revision = article.latest_revision
    assert (revision.number, revision.status, revision.change_note) == (
        1,
        ReviewStatus.DRAFT,
        "First draft",
    )
    assert revision.topic_ids == [topic.id]
    assert [s.heading for s in revision.sections] == ["Short answer", "From the Guidelines"]
    assert revision.sections[1].variants[0].level == ReadingLevel.PLAIN  # empty levels left out
    assert audit_actions()[-2:] == ["article.create", "revision.save"]
    assert not article.is_public  # a draft is never public


def test_save_creates_one_revision_with_its_note(editor, client, article):
    base = article.latest_revision
    response = client.post(
        f"/admin/articles/{article.id}/edit",
        data=body(
            base, sections=with_guidelines(base, MARKER), change_note="Tightened the wording"
        ),
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/articles/{article.id}/edit")
    db.session.expire_all()
    latest = article.latest_revision
    assert (latest.number, latest.based_on_id, latest.change_note) == (
        2,
        base.id,
        "Tightened the wording",
    )
    assert latest.sections[1].variant(ReadingLevel.CLINICAL).body == MARKER
    assert article.live_revision_id == base.id  # the live text changes only by approval
    assert audit_actions()[-1] == "revision.save"
    follow = client.get(response.headers["Location"])
    assert "Saved revision 2 as a draft." in page_text(follow)
    assert MARKER in unescape(follow.get_data(as_text=True))


def test_a_proposed_next_review_date_is_saved_on_the_new_revision(editor, client, article):
    base = article.latest_revision
    base_due, live_due = base.next_review_on, article.next_review_on
    proposed = date.today() + timedelta(days=90)
    response = client.post(
        f"/admin/articles/{article.id}/edit",
        data=body(base, change_note="Proposed a review date", next_review_on=proposed.isoformat()),
    )
    assert response.status_code == 303
    db.session.expire_all()
    latest = article.latest_revision
    assert (latest.number, latest.next_review_on) == (2, proposed)
    assert base.next_review_on == base_due  # revisions are snapshots: the older one is as it was
    assert article.next_review_on == live_due  # readers' date changes only by approval
    follow = client.get(response.headers["Location"])
    assert f'value="{proposed.isoformat()}"' in follow.get_data(as_text=True)


def test_save_and_close_goes_to_the_staff_page(editor, client, article):
    base = article.latest_revision
    response = client.post(
        f"/admin/articles/{article.id}/edit", data=body(base, action="save-close")
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/articles/{article.id}")


def test_validation_errors_keep_every_field_as_typed(editor, client, article):
    base = article.latest_revision
    before = counts()
    sections = with_guidelines(base, MARKER)
    sections[0]["heading"] = ""  # a section without a heading
    sections.append({"kind": "other", "heading": "Empty one", "clinical": "  "})
    response = client.post(
        f"/admin/articles/{article.id}/edit",
        data=body(
            base,
            question="Q" * 400,
            sections=sections,
            change_note="My careful note",
            next_review_on="2001-01-01",
        ),
    )
    assert response.status_code == 422
    assert counts() == before
    html = unescape(response.get_data(as_text=True))
    assert MARKER in html
    assert "Q" * 400 in html
    assert "My careful note" in html
    text = page_text(response)
    assert "Give this section a heading." in text
    assert "At most 300 characters." in text
    assert "Choose a date in the future." in text
    assert "Write this section at one reading level at least, or remove it." in text
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="question-error"' in html
    assert 'id="sections-0-heading-error"' in html


def test_a_second_short_answer_is_refused_with_the_text_kept(editor, client, article):
    base = article.latest_revision
    sections = with_guidelines(base, MARKER)
    sections.append({"kind": "summary", "heading": "Another answer", "clinical": "Two."})
    response = client.post(f"/admin/articles/{article.id}/edit", data=body(base, sections=sections))
    assert response.status_code == 422
    assert "one short answer" in page_text(response)
    assert MARKER in unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("action", "order"),
    [
        ("move-down:0", ["From the Guidelines", "Short answer"]),
        ("move-up:1", ["From the Guidelines", "Short answer"]),
        ("remove:0", ["From the Guidelines"]),
        ("add", ["Short answer", "From the Guidelines", ""]),
    ],
)
def test_section_buttons_work_without_javascript(editor, client, article, action, order):
    base = article.latest_revision
    before = counts()
    response = client.post(
        f"/admin/articles/{article.id}/edit",
        data=body(base, sections=with_guidelines(base, MARKER), action=action, change_note="N"),
    )
    assert response.status_code == 200
    assert counts() == before  # rearranging saves nothing
    html = unescape(response.get_data(as_text=True))
    assert section_headings(html) == order
    assert MARKER in html
    assert 'value="N"' in html  # the change note survives too


def section_headings(html: str) -> list[str]:
    """The heading fields of the editor's sections, in page order."""
    tags = re.findall(r'<input[^>]*name="sections-\d+-heading"[^>]*>', html)
    return [(re.search(r'value="([^"]*)"', tag) or [None, ""])[1] for tag in tags]


# -- Conflicts -----------------------------------------------------------------------------


def test_two_editors_cannot_overwrite_each_other(app, client, article, editor):
    base = article.latest_revision
    other = staff(Role.EDITOR, "Olga Other")
    db.session.commit()
    # Both opened the editor on revision 1; Olga saves first (signed in on the same client:
    # the test app shares one app context, so two clients would share Flask-Login's user).
    login(client, other)
    theirs = "Guideline text, as Olga rewrote it [@ref]."
    assert (
        client.post(
            f"/admin/articles/{article.id}/edit",
            data=body(base, sections=with_guidelines(base, theirs), change_note="Olga's edit"),
        ).status_code
        == 303
    )
    login(client, editor)
    before = counts()
    mine = with_guidelines(base, MARKER)
    response = client.post(
        f"/admin/articles/{article.id}/edit",
        data=body(base, sections=mine, change_note="Erin's edit"),
    )
    assert response.status_code == 409
    assert counts() == before  # nothing written
    html = unescape(response.get_data(as_text=True))
    text = page_text(response)
    assert "Olga Other saved revision 2 while you were editing" in text
    assert "Their change" in text and "Your change" in text
    assert "as Olga rewrote it" in text  # their changes are shown...
    assert MARKER in html  # ...and everything I typed is still in the form
    assert "Erin's edit" in html
    db.session.expire_all()
    latest_id = article.latest_revision_id
    assert f'name="based_on_id" type="hidden" value="{latest_id}"' in html
    assert f'name="conflict_base_id" type="hidden" value="{base.id}"' in html

    # Merging keeps the comparison on screen (the preview button re-renders the page).
    merged = with_guidelines(base, MARKER + " Merged with Olga's point [@ref].")
    again = body(
        base,
        sections=merged,
        based_on_id=str(latest_id),
        conflict_base_id=str(base.id),
        change_note="Merged",
    )
    still = client.post(f"/admin/articles/{article.id}/edit", data={**again, "action": "preview"})
    assert still.status_code == 200 and "Their change" in page_text(still)

    # Saving after seeing the conflict builds on Olga's revision: both are in the history.
    saved = client.post(f"/admin/articles/{article.id}/edit", data=again)
    assert saved.status_code == 303
    db.session.expire_all()
    numbers = [(r.number, r.author.name, r.change_note) for r in article.revisions]
    assert numbers == [
        (1, numbers[0][1], ""),
        (2, "Olga Other", "Olga's edit"),
        (3, "Erin Editor", "Merged"),
    ]
    assert article.latest_revision.based_on_id == latest_id


def test_a_save_that_loses_a_race_is_a_conflict_not_an_error(editor, client, article, monkeypatch):
    base = article.latest_revision
    rival = staff(Role.EDITOR, "Rico Rival")
    db.session.commit()
    real_save = revisions.save_revision

    def racing(target, **_kwargs):
        # The rival's save commits between this request's conflict check and its write; the
        # database refuses the second revision with the same number.
        real_save(
            target,
            author=rival,
            question=base.question,
            sections=make_sections(guidelines="Guideline text, the rival's version [@ref]."),
            based_on_id=base.id,
        )
        db.session.commit()
        raise sa.exc.IntegrityError("INSERT INTO revisions", {}, Exception("UNIQUE failed"))

    monkeypatch.setattr(revisions, "save_revision", racing)
    response = client.post(
        f"/admin/articles/{article.id}/edit",
        data=body(base, sections=with_guidelines(base, MARKER)),
    )
    assert response.status_code == 409
    text = page_text(response)
    assert "Rico Rival saved revision 2 at the same moment." in text
    assert "the rival's version" in text
    assert MARKER in unescape(response.get_data(as_text=True))


def test_a_tampered_base_from_another_article_is_still_a_conflict(editor, client, article):
    elsewhere = make_article(
        status="draft",
        question="Another article's question?",
        sections=make_sections(summary="Another article's private draft text."),
    )
    db.session.commit()
    base = article.latest_revision
    response = client.post(
        f"/admin/articles/{article.id}/edit",
        data=body(base, based_on_id=str(elsewhere.latest_revision_id)),
    )
    assert response.status_code == 409
    assert "private draft text" not in page_text(response)
    assert "Another article" not in page_text(response)


# -- Locks ---------------------------------------------------------------------------------


def test_a_lock_refuses_other_savers_and_keeps_their_text(app, client, article, editor):
    holder = staff(Role.EDITOR, "Hana Holder")
    db.session.commit()
    login(client, holder)
    response = client.post(f"/admin/articles/{article.id}/lock")
    assert response.status_code == 303
    assert audit_actions()[-1] == "article.lock"
    login(client, editor)

    editor_page = page_text(client.get(f"/admin/articles/{article.id}/edit"))
    assert "Locked by Hana Holder" in editor_page
    before = counts()
    base = article.latest_revision
    refused = client.post(
        f"/admin/articles/{article.id}/edit",
        data=body(base, sections=with_guidelines(base, MARKER)),
    )
    assert refused.status_code == 403
    assert counts() == before
    assert "Hana Holder has locked this article for editing." in page_text(refused)
    assert MARKER in unescape(refused.get_data(as_text=True))

    # Nor can they take the lock away; the holder can release it.
    assert client.post(f"/admin/articles/{article.id}/unlock").status_code == 403
    login(client, holder)
    assert client.post(f"/admin/articles/{article.id}/unlock").status_code == 303
    assert audit_actions()[-1] == "article.unlock"
    login(client, editor)
    again = client.post(
        f"/admin/articles/{article.id}/edit",
        data=body(base, sections=with_guidelines(base, MARKER)),
    )
    assert again.status_code == 303


def test_an_admin_can_release_anyones_lock(app, client, article, editor):
    client.post(f"/admin/articles/{article.id}/lock")
    admin = staff(Role.ADMIN, "Ada Admin")
    db.session.commit()
    login(client, admin)
    assert "Release their lock" in page_text(client.get(f"/admin/articles/{article.id}/edit"))
    assert client.post(f"/admin/articles/{article.id}/unlock").status_code == 303
    db.session.expire_all()
    assert article.locked_by_id is None


def test_locking_from_the_editor_keeps_the_text(editor, client, article):
    base = article.latest_revision
    response = client.post(
        f"/admin/articles/{article.id}/edit",
        data=body(base, sections=with_guidelines(base, MARKER), action="lock"),
    )
    assert response.status_code == 200
    assert MARKER in unescape(response.get_data(as_text=True))
    assert "You hold the lock" in page_text(response)
    db.session.expire_all()
    assert article.locked_by_id == editor.id


# -- Lost sessions and tokens --------------------------------------------------------------


def test_a_save_after_signing_out_comes_back_with_the_text(editor, client, article):
    base = article.latest_revision
    client.post("/auth/logout")
    before = counts()
    data = body(base, sections=with_guidelines(base, MARKER), change_note="Late note")
    response = client.post(f"/admin/articles/{article.id}/edit", data=data)
    assert response.status_code == 401
    assert counts() == before
    html = unescape(response.get_data(as_text=True))
    assert MARKER in html and "Late note" in html
    assert re.search(r'<a href="/auth/login[^"]*" target="_blank" rel="noopener">', html)
    assert f'value="{base.id}"' in html  # the base stays: a later conflict is still caught
    assert "You are editing from" not in page_text(response)  # nothing read from the database
    # Signing in again (in another tab) and pressing Save again saves it.
    login(client, editor)
    assert client.post(f"/admin/articles/{article.id}/edit", data=data).status_code == 303
    db.session.expire_all()
    assert article.latest_revision.sections[1].variant(ReadingLevel.CLINICAL).body == MARKER


def test_a_new_article_typed_while_signed_out_is_kept(editor, client):
    client.post("/auth/logout")
    sections = [{"kind": "summary", "heading": "Short answer", "clinical": MARKER}]
    response = client.post(
        "/admin/articles/new", data=body(None, question="Unsaved question?", sections=sections)
    )
    assert response.status_code == 401
    html = unescape(response.get_data(as_text=True))
    assert MARKER in html and "Unsaved question?" in html
    assert 'action="/admin/articles/new"' in html


def test_a_signed_out_preview_explains_instead_of_redirecting(editor, client, article, hx):
    client.post("/auth/logout")
    response = hx.post(f"/admin/articles/{article.id}/preview", data=body(article.latest_revision))
    assert response.status_code == 401
    assert "HX-Redirect" not in response.headers
    assert "<html" not in response.get_data(as_text=True)
    assert "You are signed out, so the preview has stopped" in page_text(response)
    lookup = hx.get("/admin/citations?q=study")
    assert lookup.status_code == 401 and "HX-Redirect" not in lookup.headers
    assert "You are signed out" in page_text(lookup)


def test_signed_out_get_of_the_editor_still_goes_to_sign_in(editor, client, article):
    client.post("/auth/logout")
    response = client.get(f"/admin/articles/{article.id}/edit")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.fixture
def csrf_client(app, app_factory):
    """A client of an app with CSRF on, signed in as an editor through the real form."""
    secured = app_factory(WTF_CSRF_ENABLED=True)
    with secured.app_context():
        make_reference("ref")
        email = staff().email
        made = make_article(status="approved", question="Test question?")
        db.session.commit()
        ids = (made.id, made.latest_revision_id)
    client = secured.test_client()
    client.environ_base["HTTP_SEC_FETCH_SITE"] = "same-origin"  # as a browser on our pages says
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return secured, client, ids


def test_an_expired_form_token_keeps_the_text_and_the_next_save_works(csrf_client):
    secured, client, (article_id, base_id) = csrf_client
    with secured.app_context():
        base = db.session.get(Revision, base_id)
        data = body(base, sections=with_guidelines(base, MARKER), csrf_token="expired-token")
        before = counts()
    response = client.post(f"/admin/articles/{article_id}/edit", data=data)
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert MARKER in html
    assert "This page had expired" in page_text(response)
    fresh = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html)
    saved = client.post(
        f"/admin/articles/{article_id}/edit", data={**data, "csrf_token": fresh.group(1)}
    )
    assert saved.status_code == 303
    with secured.app_context():
        assert counts()["Revision"] == before["Revision"] + 1


def test_another_site_cannot_have_a_form_shown_back(csrf_client):
    secured, client, (article_id, base_id) = csrf_client
    with secured.app_context():
        data = body(db.session.get(Revision, base_id), sections=None, csrf_token="forged")
    for headers in (
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "", "Origin": "https://evil.example"},
    ):
        response = client.post(f"/admin/articles/{article_id}/edit", data=data, headers=headers)
        assert response.status_code == 403
        assert "Test question?" not in response.get_data(as_text=True)
        assert "nothing was saved" in page_text(response)


# -- The live preview ----------------------------------------------------------------------


def test_live_preview_is_a_fragment_rendered_as_readers_see_it(editor, client, article, hx):
    base = article.latest_revision
    before = counts()
    response = hx.post(
        f"/admin/articles/{article.id}/preview",
        data=body(
            base,
            sections=with_guidelines(base, "Give 40 mg daily [@ref]. Stop after 2 weeks."),
            preview_level="clinical",
        ),
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and html.lstrip().startswith('<div id="preview-panel"')
    assert 'id="article-body"' in html  # the reader page's own block
    assert 'href="#ref-1"' in html
    assert "Stop after 2 weeks." in page_text(response)  # an uncited number is listed
    assert "Numbers without a citation" in page_text(response)
    assert counts() == before
    assert "HX-Request" in response.headers["Vary"]


def test_live_preview_markers_hug_their_word_and_full_stop(editor, client, article, hx):
    """Typed as FORMAT.md says (`text [@key].`), or with a slip (a space before the stop),
    the preview shows word¹. with nothing between, as the article page will."""
    base = article.latest_revision
    response = hx.post(
        f"/admin/articles/{article.id}/preview",
        data=body(
            base,
            sections=with_guidelines(
                base, "Imatinib is labelled for CML [@ref] . Also (Ph+) [@ref]."
            ),
            preview_level="clinical",
        ),
    )
    html = response.get_data(as_text=True)
    for word, after in [("CML", ". Also"), (r"\(Ph\+\)", ".")]:
        assert re.search(f'{word}<sup class="cites">\u2060.*?\u2060</sup>{after}', html, re.S)


def test_the_live_preview_waits_for_typing_to_pause_and_drops_stale_requests(
    editor, client, article
):
    html = client.get(f"/admin/articles/{article.id}/edit").get_data(as_text=True)
    trigger = re.search(r'<div id="preview-trigger"[^>]*>', html).group(0)
    assert f'hx-post="/admin/articles/{article.id}/preview"' in trigger
    assert 'hx-include="#editor-form"' in trigger
    (on_input,) = re.findall(r"input from:#editor-form delay:(\d+)ms", trigger)
    assert int(on_input) >= 200  # a request per pause in typing, not per keystroke
    # A newer preview waits for the one in flight and replaces any still waiting (cancelling
    # the one in flight would log an htmx error in the console).
    assert 'hx-sync="this:queue last"' in trigger
    assert 'hx-target="#preview-panel"' in trigger and 'hx-swap="outerHTML"' in trigger


def test_live_preview_measures_each_variant_against_its_level_target(editor, client, hx):
    texts = {
        "clinical": "The clinical wording of this test section uses considerably longer "
        "terminology. Its sentences are deliberately elaborate. Readers are experienced "
        "practitioners.",
        "standard": "The standard wording of this test section is moderately long. It has "
        "several sentences. Each one is of middling length.",
        "plain": "This is the plain text. It uses short words. It is easy to read.",
    }
    sections = [{"kind": "summary", "heading": "Short answer", **texts}]
    response = hx.post(
        "/admin/articles/new/preview",
        data=body(None, question="New?", sections=sections, preview_level="plain"),
    )
    assert response.status_code == 200
    table = re.search(
        r'<table class="readings-table">.*?</table>', response.get_data(as_text=True), re.S
    )
    head, rows = table.group(0).split("</thead>")
    targets = [
        page_text_of(t) for t in re.findall(r'<span class="reading-target">(.*?)</span>', head)
    ]
    assert targets == ["no target", "target ≤ 12", "target ≤ 8"]  # clinical, standard, plain
    (row,) = re.findall(r'<tr><th scope="row">Short answer</th>(.*?)</tr>', rows, re.S)
    cells = [page_text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    for level, cell in zip(("clinical", "standard", "plain"), cells, strict=True):
        measured = measure(texts[level])
        assert cell.startswith(f"{measured.fk_grade:.1f}"), (level, cell)
        assert f"SMOG {measured.smog_grade:.1f}, {measured.word_count} words" in cell, (level, cell)


def test_live_preview_of_a_new_article_and_at_plain_level(editor, client, hx):
    sections = [{"kind": "summary", "heading": "Short answer", "plain": "Plain [@nope]."}]
    response = hx.post(
        "/admin/articles/new/preview",
        data=body(None, question="New?", sections=sections, preview_level="plain"),
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "[@nope?]" in text and "Unknown citation keys" in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Article)) == 0


def test_preview_without_javascript_is_the_whole_editor(editor, client, article):
    base = article.latest_revision
    response = client.post(
        f"/admin/articles/{article.id}/edit",
        data=body(base, sections=with_guidelines(base, MARKER), action="preview"),
    )
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert "<html" in html
    assert html.count(MARKER) >= 2  # in the textarea and in the preview beside it


# -- Citation helper -----------------------------------------------------------------------


def test_citation_lookup_offers_insert_buttons_in_the_editor(editor, client, hx):
    make_reference("fake2020", authors="Testperson A", title="A test study of drug X")
    db.session.commit()
    fragment = hx.get("/admin/citations?q=testperson")
    html = fragment.get_data(as_text=True)
    assert "<html" not in html and 'data-key="fake2020"' in html
    page = client.get("/admin/citations?q=testperson")
    assert "<html" in page.get_data(as_text=True)
    assert "data-key" not in page.get_data(as_text=True)  # without JS: the key to copy
    assert "[@fake2020]" in page_text(page)
    assert "No reference matches" in page_text(client.get("/admin/citations?q=zzzz"))


# -- Previews of saved revisions ------------------------------------------------------------


def test_preview_of_a_draft_is_the_public_page_marked_as_a_preview(editor, client, article):
    draft = revisions.save_revision(
        article,
        author=editor,
        question="Test question, draft wording?",
        sections=make_sections(summary="Draft summary [@ref]."),
    )
    db.session.commit()
    response = client.get(f"/admin/revisions/{draft.id}/preview?audience=plain")
    html = response.get_data(as_text=True)
    text = page_text(response)
    assert "Preview — not published" in text
    assert "Readers do not see this revision." in text
    assert "Test question, draft wording?" in text and "Draft summary" in text
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "application/ld+json" not in html
    assert "/audience" not in html  # no picker posting to the public route
    assert 'aria-current="page">Patients and caregivers (plain language)' in html
    # The public page still shows the approved revision.
    public = page_text(client.get(f"/articles/{article.slug}"))
    assert "Draft summary" not in public


def test_preview_says_where_readers_can_read_the_revision(editor, client, article):
    response = client.get(f"/admin/revisions/{article.live_revision_id}/preview")
    assert "Readers see this revision now, on the article’s page" in page_text(response)
    waiting = revisions.save_revision(
        article, author=editor, question="Test question?", sections=make_sections()
    )
    review.submit(waiting, actor=editor)
    db.session.commit()
    response = client.get(f"/admin/revisions/{waiting.id}/preview")
    assert "Readers can open it from the article as the proposed revision" in page_text(response)
    assert f'href="/articles/{article.slug}/pending"' in response.get_data(as_text=True)


# -- History, compare, restore -------------------------------------------------------------


def test_history_lists_revisions_with_their_review_events(app, editor, client):
    reviewer = staff(Role.REVIEWER, "Rita Reviewer")
    article = make_article(
        status="draft",
        question="Test question?",
        author=editor,
        sections=make_sections(guidelines="Cites a key the library lacks [@missing]."),
    )
    revision = article.latest_revision
    review.submit(revision, actor=editor)
    review.start_review(revision, reviewer=reviewer)
    review.approve(revision, reviewer=reviewer, override_reason="Test override, checked by hand")
    revisions.save_revision(
        article, author=editor, question="Q2?", sections=make_sections(), change_note="Second go"
    )
    db.session.commit()
    html = client.get(f"/admin/articles/{article.id}/history").get_data(as_text=True)
    text = page_text_of(html)
    assert "Revision 2 Draft latest" in text and "Revision 1 Approved live" in text
    assert "Second go" in text
    # Who wrote each revision and when, to the minute: several can be saved in one day.
    for saved in (revision, article.latest_revision):
        when = saved.created_at
        assert (
            f"Written by Erin Editor on {when:%B} {when.day}, {when.year} at {when:%H:%M} UTC"
        ) in text
        assert f'<time datetime="{when.isoformat(timespec="seconds")}Z">' in html
    started = revision.events[1]
    assert started.to_status.value == "under_review"
    assert (
        f"Under review — Rita Reviewer, {started.created_at:%B} {started.created_at.day}, "
        f"{started.created_at.year} at {started.created_at:%H:%M} UTC"
    ) in text
    assert "Reason: Test override, checked by hand" in text
    # Only older revisions can be restored: the latest is what the editor opens.
    assert re.findall(r"Restore as new draft : (revision \d)", text) == ["revision 1"]


def test_history_query_count_does_not_grow_with_revisions(app, editor, client):
    reviewer = staff(Role.REVIEWER, "Rita Reviewer")
    article = make_article(status="approved", reviewer=reviewer)
    db.session.commit()
    few = _queries(client, f"/admin/articles/{article.id}/history")
    for n in range(6):
        revision = revisions.save_revision(
            article, author=make_user(), question=f"Q{n}?", sections=make_sections()
        )
        review.submit(revision, actor=revision.author)
        review.start_review(revision, reviewer=make_user(role=Role.REVIEWER))
    db.session.commit()
    assert _queries(client, f"/admin/articles/{article.id}/history") == few


def test_compare_any_two_revisions_word_by_word(editor, client, article):
    first = article.latest_revision
    second = revisions.save_revision(
        article,
        author=editor,
        question="Test question?",
        sections=make_sections(guidelines="Guideline text, much improved [@ref]."),
    )
    db.session.commit()
    response = client.get(f"/admin/articles/{article.id}/compare?a={first.id}&b={second.id}")
    html = response.get_data(as_text=True)
    assert "Compare revision 1 with revision 2" in page_text(response)
    assert re.search(r"<ins>.*much improved", html)
    assert client.get(f"/admin/articles/{article.id}/compare?a=99999").status_code == 404


def test_restore_makes_a_new_draft_and_is_audited(editor, client, article):
    old = article.latest_revision
    revisions.save_revision(
        article, author=editor, question="Changed?", sections=make_sections(summary="New [@ref].")
    )
    db.session.commit()
    latest_id = article.latest_revision_id
    response = client.post(
        f"/admin/revisions/{old.id}/restore", data={"based_on_id": str(latest_id)}
    )
    assert response.status_code == 303
    db.session.expire_all()
    restored = article.latest_revision
    assert (restored.number, restored.question) == (3, "Test question?")
    assert restored.change_note == "Restored from revision 1"
    assert audit_actions()[-2:] == ["revision.save", "revision.restore"]


def test_restore_from_a_stale_history_page_is_refused(editor, client, article):
    old = article.latest_revision
    revisions.save_revision(article, author=editor, question="Q?", sections=make_sections())
    db.session.commit()
    before = counts()
    response = client.post(f"/admin/revisions/{old.id}/restore", data={"based_on_id": str(old.id)})
    assert response.status_code == 409
    assert counts() == before
    assert "Nothing was restored" in page_text(response)


# -- Staff page and submission -------------------------------------------------------------


def test_staff_page_offers_submit_for_a_draft_and_submitting_works(editor, client, article):
    draft = revisions.save_revision(
        article, author=editor, question="Test question?", sections=make_sections()
    )
    db.session.commit()
    page = client.get(f"/admin/articles/{article.id}")
    text = page_text(page)
    assert "Latest revision Revision 2 Draft" in text
    assert "Live revision Revision 1 Approved" in text
    assert "Submit for review" in text
    response = client.post(f"/admin/revisions/{draft.id}/submit")
    assert response.status_code == 303
    db.session.expire_all()
    assert draft.status == ReviewStatus.SUBMITTED
    assert audit_actions()[-1] == "review.submit"
    after = page_text(client.get(f"/admin/articles/{article.id}"))
    assert "Submit for review" not in after
    assert "Review record of revision 2" in after


def test_submitting_twice_is_refused_on_the_staff_page(editor, client, article):
    response = client.post(f"/admin/revisions/{article.latest_revision_id}/submit")
    assert response.status_code == 409
    assert "Cannot submit a revision that is approved." in page_text(response)


def test_staff_page_shows_the_lock_holder(editor, client, article):
    client.post(f"/admin/articles/{article.id}/lock")
    assert "Locked by you" in page_text(client.get(f"/admin/articles/{article.id}"))
