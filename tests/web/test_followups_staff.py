"""The staff side of follow-ups through HTTP: the queue, answers with four eyes, bulk rejection and
promotion. (Who may open each follow-up URL: test_access_matrix.py.)"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy import event

from extensions import db
from models import (
    AnswerStatus,
    AuditEvent,
    FollowupQuestion,
    FollowupStatus,
    ReadingLevel,
    Role,
    User,
)
from services.followups import answers, queue
from services.reading.view import find_article
from tests.conftest import PASSWORD
from tests.factories import ask_question, make_user

SEED = "all-blast-crisis-treatment"
QUESTION = "Is ponatinib better than dasatinib for Ph+ ALL?"


def ask(text=QUESTION, client="x"):
    question = ask_question(
        find_article(SEED), text=text, level=ReadingLevel.CLINICAL, client=client
    ).question
    db.session.commit()
    return question


def login(client, role, email=None):
    email = email or f"{role.value}@example.org"
    if db.session.scalar(sa.select(User).where(User.email == email)) is None:
        make_user(role=role, email=email, password=PASSWORD, credentials="MD")
        db.session.commit()
    client.post("/auth/logout")
    assert (
        client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
    )


def shown_hash(page: str) -> str:
    """The text the approve form on `page` names."""
    return re.search(r'name="answer_hash" value="([0-9a-f]{64})"', page).group(1)


def answer_hash(question) -> str:
    db.session.expire_all()
    return answers.content_hash(db.session.get(FollowupQuestion, question.id))


def test_navigation_has_follow_ups(demo, client):
    login(client, Role.EDITOR)
    html = client.get("/admin/followups").get_data(as_text=True)
    assert '<a href="/admin/followups" aria-current="page">Follow-ups</a>' in html


def test_queue_filters_search_and_pages_without_n_plus_one(demo, client):
    for n in range(30):
        ask(f"Test question number {n:02d} about dosing?", client=str(n))
    login(client, Role.EDITOR)
    queries = []

    def count(*args):
        queries.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        html = client.get("/admin/followups").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert "30 questions, page 1 of 2." in html
    assert html.count('class="queue-item"') == 25
    assert 'New <span class="count">(30)</span>' in html
    assert 'rel="next" href="/admin/followups?view=new&amp;page=2"' in html
    page2 = client.get("/admin/followups?view=new&page=2").get_data(as_text=True)
    assert page2.count('class="queue-item"') == 5
    found = client.get("/admin/followups?view=all&q=number+07").get_data(as_text=True)
    assert "1 question matching “number 07”" in found and "number 07" in found
    assert len(queries) < 15  # counts + one page + its articles and answers, not one per row


def test_bulk_reject_of_spam(demo, client):
    spam = [ask(f"Buy cheap test pills now, offer {n}", client=str(n)) for n in range(3)]
    keep = ask("A real test question about dosing?", client="real")
    login(client, Role.EDITOR)
    response = client.post(
        "/admin/followups/reject",
        data={"question_ids": [q.id for q in spam], "view": "new", "q": "", "page": "1"},
    )
    assert response.status_code == 303 and response.headers["Location"].startswith(
        "/admin/followups?view=new"
    )
    db.session.expire_all()
    assert {q.status for q in spam} == {FollowupStatus.REJECTED}
    assert keep.status == FollowupStatus.NEW
    assert "Rejected 3 questions." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    audited = db.session.scalar(
        sa.select(sa.func.count()).where(AuditEvent.action == "followup.reject")
    )
    assert audited == 3


def test_bulk_reject_with_nothing_selected_says_so(demo, client):
    login(client, Role.EDITOR)
    response = client.post("/admin/followups/reject", data={}, follow_redirects=True)
    assert "Select the questions to reject first." in response.get_data(as_text=True)


def test_question_page_shows_the_question_what_the_reader_saw_and_the_form(demo, client):
    question = ask()
    login(client, Role.EDITOR)
    html = client.get(f"/admin/followups/{question.id}").get_data(as_text=True)
    assert "As the reader asked it" in html and QUESTION in html
    assert "What our articles say on it now" in html and 'class="passage"' in html
    assert "Question as it will be published" in html and "Save and submit for review" in html
    assert "Promote to a new article" in html


def test_answer_then_four_eyes_approval_through_the_pages(demo, client):
    question = ask()
    login(client, Role.REVIEWER, "writer@example.org")
    bad = client.post(
        f"/admin/followups/{question.id}/answer",
        data={"public_text": "Test wording?", "body": "Typed answer [@nokey].", "action": "save"},
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "No reference has the key @nokey" in html and "Typed answer [@nokey].</textarea>" in html
    saved = client.post(
        f"/admin/followups/{question.id}/answer",
        data={
            "public_text": "Is ponatinib better than dasatinib in Ph+ ALL?",
            "body": "A matched comparison favoured ponatinib [@sasaki2016].",
            "action": "submit",
        },
    )
    assert saved.status_code == 303
    own = client.get(f"/admin/followups/{question.id}").get_data(as_text=True)
    assert "You wrote part of this text, so another board member must review it." in own
    assert "Approve and publish" not in own
    refused = client.post(
        f"/admin/followups/{question.id}/approve", data={"answer_hash": answer_hash(question)}
    )
    assert refused.status_code == 403
    assert "You wrote part of this text" in refused.get_data(as_text=True)

    login(client, Role.REVIEWER, "second@example.org")
    page = client.get(f"/admin/followups/{question.id}").get_data(as_text=True)
    assert "Approve and publish" in page
    approved = client.post(
        f"/admin/followups/{question.id}/approve", data={"answer_hash": shown_hash(page)}
    )
    assert approved.status_code == 303
    db.session.expire_all()
    assert question.status == FollowupStatus.ANSWERED
    assert question.answer.status == AnswerStatus.APPROVED
    article = client.get(f"/articles/{SEED}").get_data(as_text=True)
    assert "Is ponatinib better than dasatinib in Ph+ ALL?" in article
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.object_type == "followup")
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["followup.answer_save", "followup.answer_submit", "followup.answer_approve"]


def test_promote_creates_a_linked_draft(demo, client):
    question = ask(text="My daughter (12) asks: is ponatinib better than dasatinib for Ph+ ALL?")
    login(client, Role.EDITOR)
    page = client.get(f"/admin/followups/{question.id}").get_data(as_text=True)
    # The wording starts empty; the reader's words are beside it for reference only.
    assert '<textarea id="promote-wording" name="wording" rows="2" required' in page
    assert re.search(r'name="wording"[^>]*></textarea>', page)
    assert '<blockquote id="promote-asked">My daughter (12) asks:' in page
    for blank in ({}, {"wording": "   "}):
        refused = client.post(f"/admin/followups/{question.id}/promote", data=blank)
        assert refused.status_code == 422
        assert "Write the question as the new article will ask it" in refused.get_data(as_text=True)
    long = "Is ponatinib better than dasatinib " * 10
    refused = client.post(f"/admin/followups/{question.id}/promote", data={"wording": long})
    assert refused.status_code == 422 and f">{long}</textarea>" in refused.get_data(as_text=True)
    response = client.post(f"/admin/followups/{question.id}/promote", data={"wording": QUESTION})
    assert response.status_code == 303
    db.session.expire_all()
    question = db.session.get(FollowupQuestion, question.id)
    assert question.status == FollowupStatus.PROMOTED
    draft = question.promoted_article
    assert response.headers["Location"] == f"/admin/articles/{draft.id}/edit"
    assert draft.question == QUESTION and not draft.is_public
    assert (
        draft.latest_revision.sections
        and "[@" in draft.latest_revision.sections[0].variants[0].body
    )
    html = client.get(f"/admin/followups/{question.id}").get_data(as_text=True)
    assert "Promoted to" in html
    assert f'<a href="/admin/articles/{draft.id}">{QUESTION}</a>' in html
    back = f'<a href="/admin/followups/{question.id}">From follow-up question #{question.id}</a>'
    assert back in client.get(f"/admin/articles/{draft.id}").get_data(as_text=True)
    assert back in client.get(response.headers["Location"]).get_data(as_text=True)
    seed = find_article(SEED)
    assert "From follow-up question" not in client.get(f"/admin/articles/{seed.id}").get_data(
        as_text=True
    )
    again = client.post(f"/admin/followups/{question.id}/promote", data={"wording": QUESTION})
    assert again.status_code == 409


def test_reject_and_reopen_one_question(demo, client):
    question = ask()
    login(client, Role.EDITOR)
    assert client.post(f"/admin/followups/{question.id}/reject").status_code == 303
    db.session.expire_all()
    assert question.status == FollowupStatus.REJECTED
    assert client.post(f"/admin/followups/{question.id}/reject").status_code == 422
    assert client.post(f"/admin/followups/{question.id}/reopen").status_code == 303
    db.session.expire_all()
    assert question.status == FollowupStatus.NEW


def test_staff_pages_are_never_cached(demo, client):
    question = ask()
    login(client, Role.EDITOR)
    for url in ["/admin/followups", f"/admin/followups/{question.id}"]:
        assert client.get(url).headers["Cache-Control"] == "private, no-store"


def test_queue_counts_for_the_dashboard(demo):
    ask()
    counts = queue.queue_counts()
    assert counts.new == 1 and counts.of(FollowupStatus.NEW) == 1 and counts.awaiting_approval == 0


def test_the_dashboard_counts_new_questions_and_answers_awaiting_approval(demo, client, auth):
    for n in range(3):
        ask_question(
            find_article(SEED),
            text=f"Test question {n} about dosing?",
            level=ReadingLevel.CLINICAL,
            client="x",
        )
    db.session.commit()
    auth.login(Role.EDITOR)
    html = client.get("/admin/").get_data(as_text=True)
    assert re.search(r'<span class="tally-count">3</span> New follow-up questions', html)
    assert re.search(r'<span class="tally-count">0</span> Follow-up answers awaiting', html)


def submit_answer_as(client, question, email, public_text, body):
    login(client, Role.REVIEWER, email)
    response = client.post(
        f"/admin/followups/{question.id}/answer",
        data={"public_text": public_text, "body": body, "action": "submit"},
    )
    assert response.status_code == 303


def test_an_answer_changed_after_the_reviewer_opened_it_is_not_approved(demo, client):
    question = ask()
    submit_answer_as(
        client, question, "writer@example.org", "Ponatinib or dasatinib?", "Read as reviewed."
    )
    login(client, Role.REVIEWER, "second@example.org")
    opened = client.get(f"/admin/followups/{question.id}").get_data(as_text=True)
    assert "Read as reviewed." in opened
    read = shown_hash(opened)

    # The author changes the text in place and submits again while the reviewer reads.
    submit_answer_as(
        client, question, "writer@example.org", "Ponatinib or dasatinib?", "Changed after."
    )
    login(client, Role.REVIEWER, "second@example.org")
    stale = client.post(f"/admin/followups/{question.id}/approve", data={"answer_hash": read})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "changed after you opened it" in html
    assert "Changed after." in html and "Read as reviewed." not in html
    fresh = shown_hash(html)
    assert fresh != read and fresh == answer_hash(question)
    db.session.expire_all()
    assert question.answer.status == AnswerStatus.SUBMITTED and question.answer.reviewer is None

    missing = client.post(f"/admin/followups/{question.id}/approve")
    assert missing.status_code == 409  # an approval must name the text it approves

    approved = client.post(f"/admin/followups/{question.id}/approve", data={"answer_hash": fresh})
    assert approved.status_code == 303
    db.session.expire_all()
    assert question.answer.status == AnswerStatus.APPROVED
    assert question.answer.body == "Changed after."


def test_cannot_approve_an_answer_after_a_colleagues_edit_to_it(demo, client):
    question = ask()
    submit_answer_as(client, question, "writer@example.org", "Ponatinib or dasatinib?", "Mine.")
    submit_answer_as(client, question, "second@example.org", "Ponatinib or dasatinib?", "Mine!")
    login(client, Role.REVIEWER, "writer@example.org")
    page = client.get(f"/admin/followups/{question.id}").get_data(as_text=True)
    assert "You wrote part of this text" in page and "Approve and publish" not in page
    refused = client.post(
        f"/admin/followups/{question.id}/approve", data={"answer_hash": answer_hash(question)}
    )
    assert refused.status_code == 403
    login(client, Role.REVIEWER, "third@example.org")
    page = client.get(f"/admin/followups/{question.id}").get_data(as_text=True)
    approved = client.post(
        f"/admin/followups/{question.id}/approve", data={"answer_hash": shown_hash(page)}
    )
    assert approved.status_code == 303
