"""What readers see of review: the pending notice and page, the public history, the JSON-LD."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from html import unescape

import pytest

from extensions import db
from models import Role
from services.editorial import review
from services.editorial.revisions import save_revision
from tests.factories import make_article, make_reference, make_sections, make_user


def text(response) -> str:
    words = " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())
    return unescape(re.sub(r" ([.,;:)])", r"\1", words))


def json_ld(response) -> dict:
    match = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', response.get_data(as_text=True)
    )
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


@pytest.fixture
def people(app):
    make_reference("ref")
    return {
        "editor": make_user(role=Role.EDITOR, name="Erin Editor"),
        "rita": make_user(role=Role.REVIEWER, name="Rita Reviewer", credentials="MD, Hematology"),
        "ravi": make_user(role=Role.REVIEWER, name="Ravi Reviewer", credentials="PharmD"),
    }


def approved(people, guidelines="Give the first drug [@ref].", **kwargs):
    return make_article(
        status="approved",
        author=people["editor"],
        reviewer=people["rita"],
        sections=make_sections(guidelines=guidelines),
        **kwargs,
    )


def new_revision(article, people, guidelines, note="", status="submitted"):
    editor = people["editor"]
    revision = save_revision(
        article,
        author=editor,
        question=article.question,
        sections=make_sections(guidelines=guidelines),
        change_note=note,
    )
    if status != "draft":
        review.submit(revision, actor=editor)
    if status == "under_review":
        review.start_review(revision, reviewer=people["ravi"])
    return revision


# -- A newer revision waiting for review ------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "wording"), [("submitted", "waiting for review"), ("under_review", "under review")]
)
def test_article_says_a_newer_revision_is_pending_and_links_to_it(client, people, status, wording):
    article = approved(people)
    new_revision(article, people, "Give the second drug [@ref].", status=status)
    db.session.commit()

    page = client.get(f"/articles/{article.slug}")
    assert page.status_code == 200
    assert (
        f"A revised version of this article is {wording} by our Medical Advisory Board. "
        "Read the proposed revision." in text(page)
    )
    assert f'href="/articles/{article.slug}/pending"' in page.get_data(as_text=True)
    assert "Give the first drug" in text(page)  # readers still see the approved wording
    assert "Give the second drug" not in text(page)


@pytest.mark.parametrize(
    ("status", "current"), [("submitted", "Submitted"), ("under_review", "Under Review")]
)
def test_pending_page_shows_the_pending_revision_under_the_caution_banner(
    client, people, status, current
):
    article = approved(people)
    new_revision(article, people, "Give the second drug [@ref].", status=status)
    db.session.commit()

    response = client.get(f"/articles/{article.slug}/pending")
    assert response.status_code == 200
    page = text(response)
    html = response.get_data(as_text=True)
    assert "Give the second drug" in page and "Give the first drug" not in page
    assert "Educational purpose only • Exercise caution as content is pending human review" in page
    assert "A proposed revision, not yet approved." in page
    assert re.search(rf'<li class="step step-current" aria-current="step">{current}<', html)
    assert "Reviewed by" not in page
    assert '<meta name="robots" content="noindex">' in html
    assert f'rel="canonical" href="http://localhost/articles/{article.slug}"' in html
    assert "application/ld+json" not in html  # the approved page is the one search engines get
    # Its swaps stay on the pending revision: picker, sections and references.
    assert f'hx-get="/articles/{article.slug}/pending"' in html


def test_pending_page_never_shows_a_draft(client, people):
    article = approved(people)
    new_revision(article, people, "Give the submitted drug [@ref].")
    new_revision(article, people, "Give the draft drug [@ref].", status="draft")
    db.session.commit()

    page = text(client.get(f"/articles/{article.slug}/pending"))
    assert "Give the submitted drug" in page
    assert "Give the draft drug" not in page
    assert "Give the draft drug" not in text(client.get(f"/articles/{article.slug}"))


@pytest.mark.parametrize("newer", [None, "draft", "changes_requested"])
def test_without_a_pending_revision_there_is_no_notice_and_the_page_redirects(
    client, people, newer
):
    article = approved(people)
    if newer == "draft":
        new_revision(article, people, "Draft only [@ref].", status="draft")
    elif newer == "changes_requested":
        revision = new_revision(article, people, "Sent back [@ref].", status="under_review")
        review.request_changes(revision, reviewer=people["ravi"], comment="Internal remark.")
    db.session.commit()

    assert "A revised version of this article" not in text(client.get(f"/articles/{article.slug}"))
    response = client.get(f"/articles/{article.slug}/pending")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/articles/{article.slug}"


def test_never_approved_article_shows_its_submitted_revision_as_before(client, people):
    article = make_article(status="submitted", author=people["editor"])
    db.session.commit()
    page = text(client.get(f"/articles/{article.slug}"))
    assert "Guideline text" in page
    assert "Exercise caution as content is pending human review" in page
    assert "A revised version of this article" not in page
    assert "Review history" not in page  # nothing approved yet
    pending = client.get(f"/articles/{article.slug}/pending")
    assert pending.status_code == 302


def test_draft_only_article_has_no_public_pages(client, people):
    article = make_article(status="draft", author=people["editor"])
    db.session.commit()
    for path in ["", "/pending", "/history"]:
        assert client.get(f"/articles/{article.slug}{path}").status_code == 404


def test_pending_section_and_reference_fragments_come_from_the_pending_revision(client, hx, people):
    article = approved(people)
    pending = new_revision(article, people, "Give the second drug [@ref]. " * 60)
    db.session.commit()
    section = next(s for s in pending.sections if s.kind.value == "guidelines")

    fragment = hx.get(f"/articles/{article.slug}/sections/{section.id}?expanded=1&revision=pending")
    assert fragment.status_code == 200
    assert "Give the second drug" in fragment.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    live_section = article.live_revision.sections[1]
    assert (
        hx.get(
            f"/articles/{article.slug}/sections/{live_section.id}?expanded=1&revision=pending"
        ).status_code
        == 404
    )
    card = hx.get(f"/articles/{article.slug}/references/ref?revision=pending")
    assert card.status_code == 200
    # Without htmx, a section link opens the pending page at that section.
    plain = client.get(f"/articles/{article.slug}/sections/{section.id}?revision=pending")
    assert plain.status_code == 302
    assert plain.headers["Location"].startswith(f"/articles/{article.slug}/pending")


def test_picker_on_the_pending_page_keeps_the_pending_revision(client, hx, people):
    article = approved(people)
    new_revision(article, people, "Give the second drug [@ref].")
    db.session.commit()
    swap = hx.get(f"/articles/{article.slug}/pending?role=patient")
    assert swap.status_code == 200
    assert "Give the second drug" in swap.get_data(as_text=True)
    assert swap.headers["HX-Push-Url"] == f"/articles/{article.slug}/pending?audience=plain"


# -- Approval makes the revision live, named and dated ---------------------------------------------


def test_approval_shows_reviewer_date_and_next_review_in_page_and_json_ld(client, people):
    article = approved(people)
    revision = new_revision(article, people, "Give the second drug [@ref].", status="under_review")
    due = date.today() + timedelta(days=200)
    review.approve(revision, reviewer=people["ravi"], next_review_on=due)
    db.session.commit()

    response = client.get(f"/articles/{article.slug}")
    page = text(response)
    today = date.today()
    assert "Give the second drug" in page and "Give the first drug" not in page
    assert (
        f"Reviewed by Ravi Reviewer, PharmD on {today:%B} {today.day}, {today.year}. "
        f"Next review due {due:%B} {due.day}, {due.year}." in page
    )
    assert "Exercise caution as content is pending human review" not in page
    data = json_ld(response)
    assert data["reviewedBy"] == {"@type": "Person", "name": "Ravi Reviewer, PharmD"}
    assert data["lastReviewed"] == today.isoformat()
    assert data["nextReviewDue"] == due.isoformat()
    # schema.org has no such term: the page defines it, pointing at the policy that explains it.
    schema, terms = data["@context"]
    assert schema == "https://schema.org"
    assert terms["nextReviewDue"] == {
        "@id": "http://localhost/editorial-policy#next-review-due",
        "@type": "http://www.w3.org/2001/XMLSchema#date",
    }
    assert 'id="next-review-due"' in client.get("/editorial-policy").get_data(as_text=True)
    assert "A revised version of this article" not in page


# -- The public review history -------------------------------------------------------------------


@pytest.fixture
def reviewed_twice(people):
    """Approved, then revised, sent back with a comment, resubmitted, approved over a finding;
    a draft after that."""
    article = approved(people, question="Which drug?")
    first = article.live_revision
    second = new_revision(
        article,
        people,
        "Give the second drug [@missing].",
        note="Second drug",
        status="under_review",
    )
    review.request_changes(second, reviewer=people["ravi"], comment="Secret internal remark.")
    review.submit(second, actor=people["editor"])
    review.start_review(second, reviewer=people["ravi"])
    review.approve(second, reviewer=people["ravi"], override_reason="Secret override reason.")
    new_revision(article, people, "Give the draft drug [@ref].", note="Draft note", status="draft")
    db.session.commit()
    return article, first, second


def test_history_lists_each_approval_newest_first_with_its_diff(client, reviewed_twice):
    article, first, second = reviewed_twice
    response = client.get(f"/articles/{article.slug}/history")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = text(response)
    assert page.index("Reviewed by Ravi Reviewer, PharmD") < page.index(
        "Reviewed by Rita Reviewer, MD, Hematology"
    )
    assert "What the editors changed: Second drug" in page
    assert "Current version" in page
    assert re.search(r"<del><span[^>]*>\[removed: </span>first<", html)
    assert re.search(r"<ins><span[^>]*>\[added: </span>second<", html)
    assert re.search(r"<ins><span[^>]*>\[added: </span>@missing<", html)
    assert "The first reviewed version of this article." in page
    assert html.count('class="approval"') == 2


def test_first_approval_is_compared_with_what_readers_saw_before_it(client, people):
    editor = people["editor"]
    article = make_article(
        status="submitted", author=editor, sections=make_sections(guidelines="Shown first [@ref].")
    )
    save_revision(
        article,
        author=editor,
        question=article.question,
        sections=make_sections(guidelines="Unsent draft words [@ref]."),
    )
    third = new_revision(article, people, "Shown after review [@ref].", status="under_review")
    review.approve(third, reviewer=people["ravi"])
    db.session.commit()
    response = client.get(f"/articles/{article.slug}/history")
    html = response.get_data(as_text=True)
    assert "Compared with the version shown before review, under a caution notice:" in text(
        response
    )
    assert re.search(r"\[removed: </span>first<", html)
    assert re.search(r"\[added: </span>after review<", html)
    assert "Unsent draft words" not in html


def test_history_shows_no_drafts_comments_or_override_reasons(client, reviewed_twice):
    article, _first, _second = reviewed_twice
    page = text(client.get(f"/articles/{article.slug}/history"))
    for secret in [
        "draft drug",
        "Draft note",
        "Secret internal remark",
        "Secret override reason",
        "Erin Editor",
    ]:
        assert secret not in page


def test_article_links_to_its_history(client, reviewed_twice):
    article, _first, _second = reviewed_twice
    html = client.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert f'<a href="/articles/{article.slug}/history">Review history</a>' in html


def test_history_of_an_article_never_approved_says_so(client, people):
    article = make_article(status="submitted", author=people["editor"])
    db.session.commit()
    response = client.get(f"/articles/{article.slug}/history")
    assert response.status_code == 200
    assert "No version of this article has been approved yet." in text(response)


def test_history_mentions_a_pending_revision(client, people):
    article = approved(people)
    new_revision(article, people, "Give the second drug [@ref].")
    db.session.commit()
    page = text(client.get(f"/articles/{article.slug}/history"))
    assert "A newer version is waiting for review. Read the proposed revision." in page


def test_unknown_article_history_is_404(client, people):
    assert client.get("/articles/no-such-article/history").status_code == 404
    assert client.get("/articles/no-such-article/pending").status_code == 404
