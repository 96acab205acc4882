""" "Questions to ask your care team" through HTTP: on the article page for patients and
students, after the evidence and before the references; never for clinicians; written in the
editor and reaching readers only through review."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from extensions import db
from models import ReviewStatus, Revision, Role, SectionKind
from tests.web.test_editor import body, login, page_text, section_headings, staff

SEED = "/articles/ph-positive-all-tki"
HEADING = "Questions to ask your care team"
PLAIN_QUESTION = "How do my heart health, my age and my other medicines change the choice?"
STANDARD_QUESTION = (
    "How do my cardiovascular health, age, other conditions and current medicines affect that"
    " choice?"
)


def article_html(client, path: str) -> str:
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def questions_box(html: str) -> str:
    match = re.search(
        r'<section id="[^"]+" class="article-section kind-questions".*?</section>', html, re.S
    )
    assert match, "no questions section"
    return match.group(0)


# -- Readers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "wording"),
    [
        ("?audience=plain", PLAIN_QUESTION),
        ("?role=patient", PLAIN_QUESTION),
        ("?audience=standard", STANDARD_QUESTION),
        ("?role=student", STANDARD_QUESTION),
        ("?role=allied", STANDARD_QUESTION),  # nurses and pharmacists read the standard wording
    ],
)
def test_patients_and_students_see_the_questions_after_the_evidence(demo, client, query, wording):
    html = article_html(client, SEED + query)
    box = questions_box(html)
    assert HEADING in box and wording in box
    assert box.count("<li>") == 6
    assert html.index("From the Research") < html.index(box) < html.index('id="references"')
    assert "Show full section" not in box and "is-collapsed" not in box


@pytest.mark.parametrize("query", ["", "?audience=clinical", "?role=physician"])
def test_clinicians_and_readers_who_have_not_chosen_do_not_see_them(demo, client, query):
    html = article_html(client, SEED + query)
    assert "kind-questions" not in html
    assert HEADING not in html and PLAIN_QUESTION not in html and STANDARD_QUESTION not in html


def test_every_demo_article_shows_its_questions_to_patients(demo, client):
    from services.seeding.demo import DEMO_DIR

    for path in sorted((DEMO_DIR / "articles").glob("*.toml")):
        html = article_html(client, f"/articles/{path.stem}?audience=plain")
        assert HEADING in questions_box(html), path.stem


# -- Staff ---------------------------------------------------------------------------------------


def rows(revision: Revision, **questions: str) -> list[dict]:
    """The revision's sections as editor rows, plus a questions section worded as given."""
    found = []
    for s in revision.sections:
        bodies = {v.level.value: v.body for v in s.variants}
        found.append(
            {
                "kind": s.kind.value,
                "heading": s.heading,
                **{lv: bodies.get(lv, "") for lv in ("clinical", "standard", "plain")},
            }
        )
    if questions:
        found.append({"kind": "questions", "heading": HEADING, **questions})
    return found


def test_the_editor_adds_the_section_with_its_own_button(editor, client, article):
    base = article.latest_revision
    page = client.get(f"/admin/articles/{article.id}/edit").get_data(as_text=True)
    assert 'value="add:questions"' in page
    response = client.post(
        f"/admin/articles/{article.id}/edit",
        data=body(base, sections=rows(base), action="add:questions"),
    )
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert section_headings(html) == ["Short answer", "From the Guidelines", HEADING]
    assert re.search(
        r'<option selected value="questions">|<option value="questions" selected', html
    )
    assert 'value="add:questions"' not in html  # one per article: the button goes
    assert "Shown to patients, caregivers and students" in html


def test_a_second_questions_section_is_refused_with_the_text_kept(editor, client, article):
    base = article.latest_revision
    sections = rows(base, plain="- First question?")
    sections.append({"kind": "questions", "heading": "More", "plain": "- Typed question kept?"})
    response = client.post(f"/admin/articles/{article.id}/edit", data=body(base, sections=sections))
    assert response.status_code == 422
    assert f"An article has one “{HEADING}” section" in page_text(response)
    assert "Typed question kept?" in unescape(response.get_data(as_text=True))


def test_questions_need_plain_or_standard_wording(editor, client, article):
    base = article.latest_revision
    sections = rows(base, clinical="- Only clinical wording?")
    response = client.post(f"/admin/articles/{article.id}/edit", data=body(base, sections=sections))
    assert response.status_code == 422
    assert "write the plain or standard wording" in page_text(response)


def test_the_live_preview_shows_them_at_plain_only_and_checks_them(editor, client, article, hx):
    base = article.latest_revision
    sections = rows(base, plain="- Is there a trial for me?\n- Bring your notes.")
    url = f"/admin/articles/{article.id}/preview"
    plain = page_text(hx.post(url, data=body(base, sections=sections, preview_level="plain")))
    clinical = page_text(hx.post(url, data=body(base, sections=sections, preview_level="clinical")))
    assert "Is there a trial for me?" in plain
    assert "Is there a trial for me?" not in clinical
    assert "Not a list of questions" in plain and "“Bring your notes.”" in plain


def test_questions_reach_readers_only_through_review(editor, client, article):
    plain_page = f"/articles/{article.slug}?audience=plain"
    base = article.latest_revision
    saved = client.post(
        f"/admin/articles/{article.id}/edit",
        data=body(
            base,
            sections=rows(
                base, plain="- Is there a trial for me?", standard="- Is a trial open to me?"
            ),
        ),
    )
    assert saved.status_code == 303
    db.session.expire_all()
    draft = article.latest_revision
    assert draft.status == ReviewStatus.DRAFT
    assert [s.kind for s in draft.sections][-1] == SectionKind.QUESTIONS
    assert "Is there a trial for me?" not in article_html(client, plain_page)  # a draft: not yet

    assert client.post(f"/admin/revisions/{draft.id}/submit").status_code == 303
    reviewer = staff(Role.REVIEWER, "Rita Reviewer")
    db.session.commit()
    login(client, reviewer)
    review_page = page_text(client.get(f"/admin/review/{draft.id}"))
    assert "Is there a trial for me?" in review_page  # the board sees what it approves
    assert client.post(f"/admin/review/{draft.id}/start").status_code == 303
    due = (date.today() + timedelta(days=300)).isoformat()
    approved = client.post(
        f"/admin/review/{draft.id}/approve", data={"approve-next_review_on": due}
    )
    assert approved.status_code == 303
    assert "Is there a trial for me?" in questions_box(article_html(client, plain_page))
    assert "Is a trial open to me?" in questions_box(
        article_html(client, f"/articles/{article.slug}?audience=standard")
    )

    # A later draft that rewords them changes nothing readers see until it is approved.
    login(client, editor)
    db.session.expire_all()
    live = article.latest_revision
    changed = client.post(
        f"/admin/articles/{article.id}/edit",
        data=body(
            live,
            sections=[
                *rows(live)[:-1],
                {"kind": "questions", "heading": HEADING, "plain": "- A reworded question?"},
            ],
        ),
    )
    assert changed.status_code == 303
    db.session.expire_all()
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Revision)
            .where(Revision.article_id == article.id)
        )
        == 3
    )
    html = article_html(client, plain_page)
    assert "Is there a trial for me?" in html and "A reworded question?" not in html
