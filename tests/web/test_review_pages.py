"""The review queue, the review page and its decisions, and the dashboard, through HTTP."""

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
    Role,
    SectionKind,
    Topic,
)
from services.editorial import review
from services.editorial.revisions import SectionInput, save_revision
from tests.conftest import PASSWORD
from tests.factories import make_article, make_reference, make_sections, make_user

S = ReviewStatus
HARD_PLAIN = (
    "Pharmacokinetic considerations notwithstanding, concomitant administration necessitates "
    "comprehensive haematological surveillance throughout consolidation chemotherapy."
)


def login(client, user):
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return user


def staff(role: Role, name: str, credentials: str = "") -> object:
    return make_user(
        role=role,
        email=f"{name.split()[0].lower()}@example.org",
        password=PASSWORD,
        name=name,
        credentials=credentials,
    )


@pytest.fixture
def team(app):
    """An editor, two board members and an administrator; the library has @ref."""
    make_reference("ref")
    people = {
        "editor": staff(Role.EDITOR, "Erin Editor"),
        "rita": staff(Role.REVIEWER, "Rita Reviewer", "MD, Hematology"),
        "ravi": staff(Role.REVIEWER, "Ravi Reviewer", "PharmD"),
        "ada": staff(Role.ADMIN, "Ada Admin", "MD"),
    }
    db.session.commit()
    return people


def text(response) -> str:
    """The page's visible words, tags stripped and white space collapsed."""
    words = " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())
    return unescape(re.sub(r" ([.,;:)])", r"\1", words))


def buttons(response) -> list[str]:
    return re.findall(r"<button[^>]*>([^<]+)</button>", response.get_data(as_text=True))


def revision_of(question: str):
    article = db.session.scalar(sa.select(Article).where(Article.question == question))
    return article.latest_revision


# -- The queue --------------------------------------------------------------------------------


@pytest.fixture
def queue(team):
    """One revision in each place a queue can show it."""
    rita, ravi, editor = team["rita"], team["ravi"], team["editor"]
    make_article(question="Waiting by the editor?", status="submitted", author=editor)
    make_article(question="Waiting by Rita?", status="submitted", author=rita)
    make_article(question="Held by Rita?", status="under_review", author=editor, reviewer=rita)
    make_article(question="Held by Ravi?", status="under_review", author=editor, reviewer=ravi)
    make_article(
        question="Sent back by Rita?", status="changes_requested", author=editor, reviewer=rita
    )
    make_article(question="Approved long ago?", status="approved", author=editor, reviewer=rita)
    make_article(question="Only a draft?", status="draft", author=editor)
    db.session.commit()
    return team


def section_questions(html: str, key: str) -> list[str]:
    """The questions listed in one section (id=`key`) of a queue or dashboard page."""
    match = re.search(rf'<section class="worklist" id="{key}".*?</section>', html, re.S)
    assert match, f"no section {key}"
    return [
        unescape(q)
        for q in re.findall(r'<p class="work-title"><a [^>]*>([^<]+)</a>', match.group(0))
    ]


def test_queue_for_a_board_member(client, queue):
    login(client, queue["rita"])
    response = client.get("/admin/review")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert section_questions(html, "waiting") == ["Waiting by the editor?"]
    assert section_questions(html, "reviewing") == ["Held by Rita?"]
    assert section_questions(html, "sent_back") == ["Sent back by Rita?"]
    assert section_questions(html, "others") == ["Held by Ravi?"]
    assert section_questions(html, "mine_waiting") == ["Waiting by Rita?"]
    assert "Only a draft?" not in html and "Approved long ago?" not in html
    assert "Comment: Fix it." in html  # what Rita asked for, beside what she sent back
    assert response.headers["Cache-Control"] == "private, no-store"


def test_queue_for_another_board_member(client, queue):
    login(client, queue["ravi"])
    html = client.get("/admin/review").get_data(as_text=True)
    assert section_questions(html, "waiting") == ["Waiting by the editor?", "Waiting by Rita?"]
    assert section_questions(html, "reviewing") == ["Held by Ravi?"]
    assert section_questions(html, "sent_back") == []
    assert section_questions(html, "others") == ["Held by Rita?"]


def test_queue_keeps_text_a_board_member_wrote_out_of_their_list_to_take(client, team):
    """Rita wrote the first draft, an editor changed one word and sent it: Rita may not take it
    (four eyes by authorship), so it waits among hers; Ravi's list to take has it."""
    rita, ravi, editor = team["rita"], team["ravi"], team["editor"]
    article = make_article(question="Started by Rita?", status="draft", author=rita)
    edited = save_revision(
        article, author=editor, question=article.question, sections=make_sections(guidelines="B.")
    )
    review.submit(edited, actor=editor)
    db.session.commit()
    login(client, rita)
    html = client.get("/admin/review").get_data(as_text=True)
    assert "Started by Rita?" not in section_questions(html, "waiting")
    assert "Started by Rita?" in section_questions(html, "mine_waiting")
    other = client.application.test_client()
    login(other, ravi)
    html = other.get("/admin/review").get_data(as_text=True)
    assert "Started by Rita?" in section_questions(html, "waiting")


def test_queue_for_an_editor_is_read_only(client, queue):
    login(client, queue["editor"])
    response = client.get("/admin/review")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert sorted(section_questions(html, "waiting")) == [
        "Waiting by Rita?",
        "Waiting by the editor?",
    ]
    assert sorted(section_questions(html, "others")) == ["Held by Ravi?", "Held by Rita?"]
    assert 'id="reviewing"' not in html and 'id="sent_back"' not in html
    assert "Board members are reviewing these." in html
    assert "<form" not in html.split('<main id="main"')[1].split("</main>")[0]


def test_queue_lists_the_oldest_submission_first(client, team):
    editor = team["editor"]
    first = make_article(question="Sent first?", status="submitted", author=editor)
    second = make_article(question="Sent second?", status="submitted", author=editor)
    first.latest_revision.submitted_at = second.latest_revision.submitted_at - timedelta(hours=1)
    db.session.commit()
    login(client, team["rita"])
    html = client.get("/admin/review").get_data(as_text=True)
    assert section_questions(html, "waiting") == ["Sent first?", "Sent second?"]


def count_queries(client, path) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def one_of_each(team) -> None:
    """A row for every list of Rita's dashboard and queue."""
    editor, rita, ravi = team["editor"], team["rita"], team["ravi"]
    hard = [
        SectionInput(
            SectionKind.SUMMARY,
            "Short answer",
            {ReadingLevel.CLINICAL: "Answer [@ref].", ReadingLevel.PLAIN: HARD_PLAIN},
        )
    ]
    make_article(status="draft", author=rita, sections=hard)
    make_article(status="changes_requested", author=rita, reviewer=ravi)
    make_article(status="submitted", author=editor)
    make_article(status="submitted", author=rita)
    make_article(status="under_review", author=editor, reviewer=rita)
    make_article(status="under_review", author=editor, reviewer=ravi)
    make_article(status="changes_requested", author=editor, reviewer=rita)
    overdue = make_article(status="approved", author=editor, reviewer=ravi, sections=hard)
    overdue.next_review_on = date.today() - timedelta(days=1)
    db.session.commit()


@pytest.mark.parametrize("path", ["/admin/review", "/admin/"])
def test_work_lists_cost_the_same_queries_for_more_rows(client, team, path):
    login(client, team["rita"])
    one_of_each(team)
    few = count_queries(client, path)
    for _ in range(5):
        one_of_each(team)
    assert count_queries(client, path) == few


# -- The review page and its buttons ------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ADMIN])
def test_author_is_offered_no_decision_on_own_revision(client, team, role):
    author = team["rita"] if role == Role.REVIEWER else team["ada"]
    revision = make_article(status="submitted", author=author).latest_revision
    db.session.commit()
    login(client, author)
    response = client.get(f"/admin/review/{revision.id}")
    assert response.status_code == 200
    assert not {"Start review", "Approve", "Request changes"} & set(buttons(response))
    assert "You wrote revision 1, so another board member must review it." in text(response)


def test_author_is_offered_no_decision_once_another_took_it(client, team):
    revision = make_article(
        status="under_review", author=team["rita"], reviewer=team["ravi"]
    ).latest_revision
    db.session.commit()
    login(client, team["rita"])
    response = client.get(f"/admin/review/{revision.id}")
    assert not {"Start review", "Approve", "Request changes"} & set(buttons(response))


def test_editor_sees_the_review_page_without_decisions(client, team):
    revision = make_article(status="submitted", author=team["ravi"]).latest_revision
    db.session.commit()
    login(client, team["editor"])
    response = client.get(f"/admin/review/{revision.id}")
    assert response.status_code == 200
    assert "Only the Medical Advisory Board reviews articles." in text(response)
    assert not {"Start review", "Approve", "Request changes"} & set(buttons(response))


def test_board_member_is_offered_start_then_approve_and_request_changes(client, team):
    revision = make_article(status="submitted", author=team["editor"]).latest_revision
    db.session.commit()
    login(client, team["rita"])
    assert "Start review" in buttons(client.get(f"/admin/review/{revision.id}"))
    response = client.post(f"/admin/review/{revision.id}/start")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/review/{revision.id}")
    page = client.get(f"/admin/review/{revision.id}")
    assert {"Approve", "Request changes"} <= set(buttons(page))
    assert "Start review" not in buttons(page)
    assert "You have taken this revision into review." in text(page)


def test_admin_is_told_they_step_in_on_a_review_someone_else_took(client, team):
    revision = under_review_by(team)
    login(client, team["ada"])
    response = client.get(f"/admin/review/{revision.id}")
    assert {"Approve", "Request changes"} <= set(buttons(response))
    assert "Rita Reviewer took this review. As an administrator you may decide it" in text(response)


def test_review_page_shows_the_diff_against_the_live_revision(client, team):
    editor = team["editor"]
    article = make_article(
        status="approved",
        author=editor,
        reviewer=team["ravi"],
        sections=make_sections(guidelines="Give the old drug [@ref]."),
    )
    newer = save_revision(
        article,
        author=editor,
        question=article.question,
        sections=make_sections(guidelines="Give the new drug [@ref]."),
        change_note="Newer drug",
    )
    review.submit(newer, actor=editor)
    db.session.commit()
    login(client, team["rita"])
    html = client.get(f"/admin/review/{newer.id}").get_data(as_text=True)
    assert "Compared with revision 1, the live revision readers see now" in html
    assert re.search(r"<del><span[^>]*>\[removed: </span>old", html)
    assert re.search(r"<ins><span[^>]*>\[added: </span>new", html)
    assert "Change note:</strong> Newer drug" in html
    changes = re.search(r'<section class="review-part" id="changes".*?</section>', html, re.S)
    assert "Short answer" not in changes.group(0)  # unchanged sections are left out


def test_topic_changes_are_part_of_the_diff(client, team):
    editor = team["editor"]
    old, new = Topic(slug="old-topic", name="Old topic"), Topic(slug="new-topic", name="New topic")
    db.session.add_all([old, new])
    article = make_article(status="approved", author=editor, reviewer=team["ravi"])
    first = save_revision(
        article, author=editor, question=article.question, sections=make_sections(), topics=[old]
    )
    review.submit(first, actor=editor)
    review.start_review(first, reviewer=team["ravi"])
    review.approve(first, reviewer=team["ravi"])
    second = save_revision(
        article, author=editor, question=article.question, sections=make_sections(), topics=[new]
    )
    review.submit(second, actor=editor)
    db.session.commit()
    login(client, team["rita"])
    page = text(client.get(f"/admin/review/{second.id}"))
    assert "Topics Added: New topic. Removed: Old topic." in page


def test_first_revision_is_all_new(client, team):
    revision = make_article(status="submitted", author=team["editor"]).latest_revision
    db.session.commit()
    login(client, team["rita"])
    html = client.get(f"/admin/review/{revision.id}").get_data(as_text=True)
    assert "The first revision of this article sent for review: all of its content is new." in html
    assert "[added: </span>Guideline text" in html


def test_never_approved_article_is_compared_with_the_previous_round(client, team):
    editor = team["editor"]
    article = make_article(
        status="changes_requested",
        author=editor,
        reviewer=team["rita"],
        sections=make_sections(guidelines="Give the old drug [@ref]."),
    )
    save_revision(
        article,
        author=editor,
        question=article.question,
        sections=make_sections(guidelines="Draft words nobody sent [@ref]."),
    )
    third = save_revision(
        article,
        author=editor,
        question=article.question,
        sections=make_sections(guidelines="Give the new drug [@ref]."),
    )
    review.submit(third, actor=editor)
    db.session.commit()
    login(client, team["ravi"])
    html = client.get(f"/admin/review/{third.id}").get_data(as_text=True)
    assert (
        "This article has never been approved. Compared with revision 1 (changes requested)" in html
    )
    assert re.search(r"\[removed: </span>old<", html) and re.search(r"\[added: </span>new<", html)
    assert "Draft words" not in html


def test_review_page_lists_readability_citation_and_number_findings(client, team):
    sections = [
        SectionInput(
            SectionKind.SUMMARY,
            "Short answer",
            {ReadingLevel.CLINICAL: "Answer [@nowhere].", ReadingLevel.PLAIN: HARD_PLAIN},
        ),
        SectionInput(
            SectionKind.GUIDELINES,
            "From the Guidelines",
            {ReadingLevel.CLINICAL: "Give 60 mg/m2 daily for 4 weeks."},
        ),
    ]
    revision = make_article(
        status="under_review", author=team["editor"], reviewer=team["rita"], sections=sections
    ).latest_revision
    db.session.commit()
    login(client, team["rita"])
    page = text(client.get(f"/admin/review/{revision.id}"))
    assert "2 findings block approval" in page
    assert "above 8" in page
    assert "cites @nowhere, which no reference in the library has" in page
    assert "From the Guidelines (clinical wording): Give 60 mg/m2 daily for 4 weeks." in page
    # The approve form asks for the reason up front, listing what it overrides.
    assert "Reason for approving despite these findings" in page


def test_review_record_shows_who_when_comment_and_override(client, team):
    revision = make_article(
        status="under_review",
        author=team["editor"],
        reviewer=team["rita"],
        sections=make_sections(summary="Answer [@nowhere]."),
    ).latest_revision
    review.request_changes(revision, reviewer=team["rita"], comment="Cite the dose.")
    review.submit(revision, actor=team["editor"])
    review.start_review(revision, reviewer=team["rita"])
    review.approve(revision, reviewer=team["rita"], override_reason="Reference is on its way.")
    db.session.commit()
    login(client, team["ravi"])
    page = text(client.get(f"/admin/review/{revision.id}"))
    record = page.split("Review record", 1)[1]
    for line in [
        "Submitted for review by Erin Editor",
        "Took it into review by Rita Reviewer",
        "Requested changes by Rita Reviewer",
        "Cite the dose.",
        "Approved by Rita Reviewer",
        "Approved despite failed checks. Reason: Reference is on its way.",
        "(Under review → Approved)",
    ]:
        assert line in record


def test_missing_revision_is_404(client, team):
    login(client, team["rita"])
    assert client.get("/admin/review/9999").status_code == 404
    assert client.post("/admin/review/9999/start").status_code == 404


# -- Decisions: refusals re-render the page with the reason and the typed text -------------------


def under_review_by(team, **kwargs):
    revision = make_article(
        status="under_review", author=team["editor"], reviewer=team["rita"], **kwargs
    ).latest_revision
    db.session.commit()
    return revision


def test_request_changes_without_a_comment_is_refused_in_place(client, team):
    revision = under_review_by(team)
    login(client, team["rita"])
    response = client.post(
        f"/admin/review/{revision.id}/request-changes", data={"changes-comment": "  "}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Say what needs to change: a comment is required." in html
    assert (
        'aria-invalid="true"' in html
        and 'aria-describedby="changes-comment-hint changes-comment-error"' in html
    )
    db.session.expire_all()
    assert revision.status == S.UNDER_REVIEW


def test_a_refused_comment_comes_back_as_typed(client, team):
    revision = under_review_by(team)
    login(client, team["rita"])
    typed = "Please cite the dose. " * 300  # over the 5,000-character limit
    response = client.post(
        f"/admin/review/{revision.id}/request-changes", data={"changes-comment": typed}
    )
    assert response.status_code == 422
    assert "Keep it under 5,000 characters." in response.get_data(as_text=True)
    assert typed.strip() in response.get_data(as_text=True)


def test_request_changes_sends_it_back_with_the_comment(client, team):
    revision = under_review_by(team)
    login(client, team["rita"])
    response = client.post(
        f"/admin/review/{revision.id}/request-changes",
        data={"changes-comment": "Cite the dose in the guidelines."},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert revision.status == S.CHANGES_REQUESTED
    assert revision.review_comment == "Cite the dose in the guidelines."


def test_approve_with_a_date_makes_it_live_and_public(client, team):
    revision = under_review_by(team)
    login(client, team["rita"])
    due = date.today() + timedelta(days=300)
    response = client.post(
        f"/admin/review/{revision.id}/approve", data={"approve-next_review_on": due.isoformat()}
    )
    assert response.status_code == 303
    db.session.expire_all()
    article = revision.article
    assert revision.status == S.APPROVED and article.live_revision_id == revision.id
    assert article.next_review_on == due
    public = text(client.get(f"/articles/{article.slug}"))
    today = date.today()
    assert (
        f"Reviewed by Rita Reviewer, MD, Hematology on {today:%B} {today.day}, {today.year}."
        in public
    )
    assert f"Next review due {due:%B} {due.day}, {due.year}." in public


def test_approve_form_proposes_a_year_ahead(client, team):
    revision = under_review_by(team)
    login(client, team["rita"])
    html = client.get(f"/admin/review/{revision.id}").get_data(as_text=True)
    expected = (date.today() + timedelta(days=365)).isoformat()
    assert re.search(rf'name="approve-next_review_on"[^>]*value="{expected}"', html)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("next tuesday", "Enter the next review date as a date"),
        ("2001-01-01", "The next review date must be in the future."),
        (
            (date.today() + timedelta(days=4 * 365)).isoformat(),
            "Set the next review within three years.",
        ),
    ],
)
def test_approve_with_a_bad_date_is_refused_in_place(client, team, typed, message):
    revision = under_review_by(team)
    login(client, team["rita"])
    response = client.post(
        f"/admin/review/{revision.id}/approve", data={"approve-next_review_on": typed}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert f'value="{typed}"' in html
    assert re.search(r'id="approve-next_review_on"[^>]*aria-invalid="true"', html) or re.search(
        r'aria-invalid="true"[^>]*id="approve-next_review_on"', html
    )
    db.session.expire_all()
    assert revision.status == S.UNDER_REVIEW


def test_over_target_approval_needs_a_reason_then_keeps_it(client, team):
    sections = [
        SectionInput(
            SectionKind.SUMMARY,
            "Short answer",
            {ReadingLevel.CLINICAL: "Answer [@ref].", ReadingLevel.PLAIN: HARD_PLAIN},
        )
    ]
    revision = under_review_by(team, sections=sections)
    login(client, team["rita"])
    due = (date.today() + timedelta(days=100)).isoformat()

    refused = client.post(
        f"/admin/review/{revision.id}/approve", data={"approve-next_review_on": due}
    )
    assert refused.status_code == 422
    page = text(refused)
    assert "Approval needs an override reason while 1 finding stands" in page
    assert "“Short answer” (plain) reads at grade" in page
    assert "Give a reason to approve while these findings stand." in page
    assert f'value="{due}"' in refused.get_data(as_text=True)  # the typed date is kept
    db.session.expire_all()
    assert revision.status == S.UNDER_REVIEW

    approved = client.post(
        f"/admin/review/{revision.id}/approve",
        data={
            "approve-next_review_on": due,
            "approve-override_reason": "Plain rewrite is scheduled.",
        },
    )
    assert approved.status_code == 303
    db.session.expire_all()
    assert revision.status == S.APPROVED
    assert revision.events[-1].override_reason == "Plain rewrite is scheduled."
    record = text(client.get(f"/admin/review/{revision.id}")).split("Review record", 1)[1]
    assert "Approved despite failed checks. Reason: Plain rewrite is scheduled." in record


def test_deciding_a_revision_in_the_wrong_state_is_a_conflict(client, team):
    revision = make_article(status="submitted", author=team["editor"]).latest_revision
    db.session.commit()
    login(client, team["rita"])
    due = (date.today() + timedelta(days=100)).isoformat()
    response = client.post(
        f"/admin/review/{revision.id}/approve", data={"approve-next_review_on": due}
    )
    assert response.status_code == 409
    assert "Cannot approve a revision that is submitted." in text(response)
    assert "Start review" in buttons(response)  # the page shows what can be done instead


def test_deciding_a_review_another_member_holds_is_forbidden_in_place(client, team):
    revision = under_review_by(team)
    login(client, team["ravi"])
    response = client.post(
        f"/admin/review/{revision.id}/request-changes", data={"changes-comment": "Mine."}
    )
    assert response.status_code == 403
    assert "Another board member has taken this review." in text(response)


def test_editor_cannot_post_decisions(client, team):
    revision = under_review_by(team)
    login(client, team["editor"])
    for action in ["start", "approve", "request-changes"]:
        assert client.post(f"/admin/review/{revision.id}/{action}").status_code == 403
    db.session.expire_all()
    assert revision.status == S.UNDER_REVIEW


def test_author_cannot_post_a_decision_on_own_revision(client, team):
    revision = make_article(status="submitted", author=team["rita"]).latest_revision
    db.session.commit()
    login(client, team["rita"])
    response = client.post(f"/admin/review/{revision.id}/start")
    assert response.status_code == 403
    assert "You wrote revision 1, so another board member must review it." in text(response)
    db.session.expire_all()
    assert revision.status == S.SUBMITTED


@pytest.mark.parametrize("path", ["/admin/review", "/admin/review/1", "/admin/"])
def test_review_pages_need_sign_in(client, team, path):
    response = client.get(path)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_signed_out_posts_change_nothing(client, team):
    revision = under_review_by(team)
    response = client.post(f"/admin/review/{revision.id}/approve")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    db.session.expire_all()
    assert revision.status == S.UNDER_REVIEW


# -- Audit: one row per transition, with who, what and from where ----------------------------------


def test_every_transition_through_the_pages_is_audited(client, team):
    editor, rita, ravi = team["editor"], team["rita"], team["ravi"]
    sections = make_sections(summary="Answer [@nowhere].")
    article = make_article(status="submitted", author=editor, sections=sections)
    first = article.latest_revision
    db.session.commit()
    due = (date.today() + timedelta(days=90)).isoformat()

    login(client, rita)
    assert client.post(f"/admin/review/{first.id}/start").status_code == 303
    assert (
        client.post(
            f"/admin/review/{first.id}/request-changes", data={"changes-comment": "Fix the key."}
        ).status_code
        == 303
    )
    db.session.expire_all()
    review.submit(first, actor=editor)
    db.session.commit()
    client.post("/auth/logout")
    login(client, ravi)
    assert client.post(f"/admin/review/{first.id}/start").status_code == 303
    assert (
        client.post(
            f"/admin/review/{first.id}/approve",
            data={"approve-next_review_on": due, "approve-override_reason": "Key fixed next."},
        ).status_code
        == 303
    )

    rows = list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.object_type == "revision", AuditEvent.object_id == str(first.id))
            .order_by(AuditEvent.id)
        )
    )
    assert [(r.action, r.actor_label) for r in rows] == [
        ("revision.save", editor.email),
        ("review.submit", editor.email),
        ("review.start_review", rita.email),
        ("review.request_changes", rita.email),
        ("review.submit", editor.email),
        ("review.start_review", ravi.email),
        ("review.approve", ravi.email),
    ]
    by_action = {r.action: r for r in rows}
    assert by_action["review.request_changes"].changes["comment"] == "Fix the key."
    approval = rows[-1]
    assert approval.changes["override_reason"] == "Key fixed next."
    assert approval.changes["next_review_on"] == due
    assert approval.changes["overridden"] == [
        "“Short answer” (clinical) cites @nowhere, which no reference has."
    ]
    assert all(r.ip_address == "127.0.0.1" for r in rows if r.actor_label != editor.email)


# -- The dashboard --------------------------------------------------------------------------------


def test_dashboard_lists_each_persons_work_with_counts(client, team):
    editor, rita, ravi = team["editor"], team["rita"], team["ravi"]
    make_article(question="Erin's draft?", status="draft", author=editor)
    make_article(
        question="Sent back to Erin?", status="changes_requested", author=editor, reviewer=rita
    )
    make_article(question="Waiting?", status="submitted", author=ravi)
    make_article(question="Rita holds it?", status="under_review", author=editor, reviewer=rita)
    overdue = make_article(question="Overdue?", status="approved", author=editor, reviewer=ravi)
    overdue.next_review_on = date.today() - timedelta(days=3)
    db.session.commit()

    login(client, editor)
    html = client.get("/admin/").get_data(as_text=True)
    assert section_questions(html, "drafts") == ["Erin's draft?"]
    assert section_questions(html, "changes_requested") == ["Sent back to Erin?"]
    assert "Comment: Fix it." in html
    assert section_questions(html, "waiting") == ["Waiting?"]
    assert 'id="reviewing"' not in html  # editors do not review
    assert section_questions(html, "overdue") == ["Overdue?"]
    assert "(3 days ago)" in html
    tally = re.search(r'<ul class="tally".*?</ul>', html, re.S).group(0)
    assert re.search(r'href="#drafts"><span class="tally-count">1</span> My drafts', tally)

    client.post("/auth/logout")
    login(client, rita)
    html = client.get("/admin/").get_data(as_text=True)
    assert section_questions(html, "drafts") == []
    assert section_questions(html, "reviewing") == ["Rita holds it?"]
    assert section_questions(html, "waiting") == ["Waiting?"]


def test_dashboard_links_to_the_review_page_and_the_article_page(client, team):
    editor = team["editor"]
    draft = make_article(question="Draft?", status="draft", author=editor)
    sent_back = make_article(question="Sent back?", status="changes_requested", author=editor)
    db.session.commit()
    login(client, editor)
    html = client.get("/admin/").get_data(as_text=True)
    assert f'href="/admin/review/{sent_back.latest_revision_id}">Sent back?' in html
    assert re.search(rf'href="[^"]*{draft.id}[^"]*">Draft\?</a>', html)


def test_changes_requested_leaves_the_dashboard_once_resubmitted(client, team):
    editor = team["editor"]
    article = make_article(question="Sent back?", status="changes_requested", author=editor)
    revised = save_revision(article, author=editor, question="Sent back?", sections=make_sections())
    db.session.commit()
    login(client, editor)
    html = client.get("/admin/").get_data(as_text=True)
    assert section_questions(html, "changes_requested") == ["Sent back?"]
    assert "You are revising it in revision 2 (draft)." in html
    review.submit(revised, actor=editor)
    db.session.commit()
    html = client.get("/admin/").get_data(as_text=True)
    assert section_questions(html, "changes_requested") == []


def test_dashboard_flags_readability_above_target(client, team):
    sections = [
        SectionInput(
            SectionKind.SUMMARY,
            "Short answer",
            {ReadingLevel.CLINICAL: "Answer [@ref].", ReadingLevel.PLAIN: HARD_PLAIN},
        )
    ]
    make_article(
        question="Hard to read draft?", status="draft", author=team["editor"], sections=sections
    )
    make_article(
        question="Hard to read live?", status="approved", author=team["ravi"], sections=sections
    )
    make_article(question="Easy live?", status="approved", author=team["ravi"])
    db.session.commit()
    login(client, team["editor"])
    html = client.get("/admin/").get_data(as_text=True)
    drafts = re.search(r'<section class="worklist" id="drafts".*?</section>', html, re.S).group(0)
    assert "1 above reading target" in drafts and "Short answer (plain): grade" in drafts
    assert section_questions(html, "over_target") == ["Hard to read live?"]


def test_dashboard_shows_ten_then_links_to_all(client, team):
    editor = team["editor"]
    for n in range(12):
        make_article(question=f"Draft {n:02}?", status="draft", author=editor)
    db.session.commit()
    login(client, editor)
    html = client.get("/admin/").get_data(as_text=True)
    assert len(section_questions(html, "drafts")) == 10
    assert 'href="/admin/?show=drafts">Show all 12' in html
    full = client.get("/admin/?show=drafts").get_data(as_text=True)
    assert len(section_questions(full, "drafts")) == 12
    assert 'id="waiting"' not in full


def test_dashboard_ignores_an_unknown_list(client, team):
    login(client, team["editor"])
    response = client.get("/admin/?show=nonsense&page=-4")
    assert response.status_code == 200
    assert 'id="drafts"' in response.get_data(as_text=True)
