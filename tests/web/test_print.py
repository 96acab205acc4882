"""Taking an article to the appointment: revision permalinks, the print view and the PDF."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from html import unescape
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from extensions import db
from models import Article, CachedPdf, ReadingLevel, Reference, Role
from services.editorial import review
from services.library import references
from services.library.references import ReferenceInput
from services.reading.view import build_view
from tests.factories import approved as library_approved
from tests.factories import make_article, make_reference, make_sections, make_user
from tests.web.test_public_review import new_revision

CML = "cml-lymphoid-blast-crisis"
PUBLIC = "public, max-age=60, stale-while-revalidate=600"


def text(response) -> str:
    words = " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())
    return unescape(re.sub(r" ([.,;:)])", r"\1", words))


def pdf_text(response) -> str:
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def people(app):
    make_reference("ref")
    return {
        "editor": make_user(role=Role.EDITOR, name="Erin Editor"),
        "rita": make_user(role=Role.REVIEWER, name="Rita Reviewer", credentials="MD"),
        "ravi": make_user(role=Role.REVIEWER, name="Ravi Reviewer", credentials="PharmD"),
    }


def approved_article(people, guidelines="Give the first drug [@ref]."):
    return make_article(
        status="approved",
        author=people["editor"],
        reviewer=people["rita"],
        sections=make_sections(guidelines=guidelines),
    )


def approve(revision, people):
    review.start_review(revision, reviewer=people["ravi"])
    review.approve(revision, reviewer=people["ravi"], override_reason="Test")


# -- The link, and the print view ------------------------------------------------------------


@pytest.mark.parametrize(("query", "level"), [("", "clinical"), ("?audience=plain", "plain")])
def test_article_page_links_to_the_print_view_at_the_wording_shown(client, demo, query, level):
    html = client.get(f"/articles/{CML}{query}").get_data(as_text=True)
    link = re.search(r'<a class="print-link" href="([^"]+)">Print or save as PDF</a>', html)
    assert link and unescape(link[1]) == f"/articles/{CML}/print?audience={level}"


def test_print_view_has_every_section_in_full_with_references_and_review(client, demo, app):
    response = client.get(f"/articles/{CML}/print?audience=plain")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == PUBLIC
    page = text(response)
    html = response.get_data(as_text=True)
    article = db.session.scalar(sa.select(Article).where(Article.slug == CML))
    view = build_view(article, ReadingLevel.PLAIN, card_url=None)
    # Whatever sections build_view returns, in its order, each in full: no preview, no toggle.
    headings = re.findall(r'<h2 id="section-\d+-title">([^<]+)</h2>', html)
    assert [unescape(h) for h in headings] == [s.section.heading for s in view.sections]
    long_ones = [s for s in view.sections if s.preview_html is not None]
    assert long_ones, "the demo article should have a section the article page shortens"
    # Compared as read on paper: glossary explanations are hover cards, not printed in the text.
    shown = re.sub(r'<span class="term-def"[^>]*>.*?</span>', " ", html)
    shown = " ".join(unescape(re.sub(r"<[^>]+>", " ", shown)).split())
    for section in view.sections:
        words = unescape(re.sub(r"<[^>]+>", " ", str(section.html))).split()
        assert " ".join(words[-6:]) in shown
    assert "Show full section" not in page and "print-note" not in html
    assert article.question in page
    assert "Demo content." in page
    assert "Reviewed by our Medical Advisory Board: Demo Reviewer" in page
    assert re.search(r"Next review due: \w+ \d+, \d{4}|Next review due \w+ \d+, \d{4}", page)
    assert "Professional Medical Disclaimer" in page
    # The references with what was read, in full.
    assert html.count('<span class="ref-read-label">What was read:</span>') == len(view.references)
    assert 'class="ref-ids"' in html
    number = article.public_revision.number
    assert f"http://localhost/articles/{CML}/revisions/{number}?audience=plain" in page
    assert '<meta name="robots" content="noindex">' in html


def test_print_view_follows_the_remembered_audience_without_a_query(client, demo):
    client.get("/articles/{CML}?role=patient".replace("{CML}", CML))
    response = client.get(f"/articles/{CML}/print")
    assert "Plain language, for patients and caregivers" in text(response)
    assert "Cookie" in response.headers.get("Vary", "")


def test_print_view_shows_generic_sections_in_order(client, people):
    article = approved_article(people)
    db.session.commit()
    html = client.get(f"/articles/{article.slug}/print").get_data(as_text=True)
    assert html.index("Short answer") < html.index("From the Guidelines")
    assert "Guideline text" not in html  # make_sections' default was replaced
    assert "Give the first drug" in html


# -- Permalinks -------------------------------------------------------------------------------


def test_permalink_keeps_the_old_text_after_a_newer_approval_and_says_so(client, people):
    article = approved_article(people)
    approve(new_revision(article, people, "Give the second drug [@ref]."), people)
    db.session.commit()

    old = client.get(f"/articles/{article.slug}/revisions/1")
    assert old.status_code == 200
    page, html = text(old), old.get_data(as_text=True)
    assert "Give the first drug" in page and "Give the second drug" not in page
    assert "A newer reviewed version of this article exists." in page
    assert f'<a href="/articles/{article.slug}">Read the current version</a>' in html
    assert '<meta name="robots" content="noindex">' in html
    assert f'rel="canonical" href="http://localhost/articles/{article.slug}"' in html
    assert 'id="personalize"' not in html  # no picker: the wording is in the address
    assert old.headers["Cache-Control"] == PUBLIC

    current = client.get(f"/articles/{article.slug}/revisions/2")
    assert "Give the second drug" in text(current)
    assert "A newer reviewed version" not in text(current)
    assert '<meta name="robots" content="noindex">' not in current.get_data(as_text=True)

    printed = text(client.get(f"/articles/{article.slug}/revisions/1/print"))
    assert "A newer reviewed version of this article exists." in printed
    assert "Give the first drug" in printed


def test_permalink_reaches_the_revision_under_the_caution_banner_and_a_pending_one(client, people):
    never_approved = make_article(status="submitted", author=people["editor"])
    article = approved_article(people)
    new_revision(article, people, "Give the pending drug [@ref].", status="under_review")
    db.session.commit()

    caution = client.get(f"/articles/{never_approved.slug}/revisions/1")
    assert caution.status_code == 200
    assert "Exercise caution as content is pending human review" in text(caution)
    proposed = client.get(f"/articles/{article.slug}/revisions/2")
    assert proposed.status_code == 200
    assert "A proposed revision, not yet approved." in text(proposed)
    assert "Give the pending drug" in text(proposed)


@pytest.mark.parametrize("status", ["draft", "changes_requested"])
def test_cannot_open_a_draft_or_sent_back_revision_by_permalink(client, people, status):
    article = approved_article(people)
    revision = new_revision(article, people, "Secret drug [@ref].", status="draft")
    if status == "changes_requested":
        review.submit(revision, actor=people["editor"])
        review.start_review(revision, reviewer=people["ravi"])
        review.request_changes(revision, reviewer=people["ravi"], comment="No.")
    db.session.commit()

    for suffix in ("", "/print", ".pdf"):
        assert client.get(f"/articles/{article.slug}/revisions/2{suffix}").status_code == 404
    assert client.get(f"/articles/{article.slug}/revisions/9").status_code == 404
    assert client.get("/articles/no-such-article/revisions/1").status_code == 404


def test_cannot_open_a_superseded_unapproved_or_never_public_revision(client, people):
    article = approved_article(people)
    new_revision(article, people, "First proposal [@ref].")
    new_revision(article, people, "Second proposal [@ref].")  # supersedes the first
    draft_only = make_article(status="draft", author=people["editor"])
    db.session.commit()

    assert client.get(f"/articles/{article.slug}/revisions/2").status_code == 404
    assert client.get(f"/articles/{article.slug}/revisions/3").status_code == 200
    assert client.get(f"/articles/{draft_only.slug}/revisions/1").status_code == 404


# -- The PDF ----------------------------------------------------------------------------------


def test_pdf_has_the_question_wording_reviewer_and_address(client, demo):
    response = client.get(f"/articles/{CML}.pdf?audience=plain")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'inline; filename="{CML}-plain.pdf"'
    assert response.headers["Cache-Control"] == PUBLIC
    words = pdf_text(response)
    article = db.session.scalar(sa.select(Article).where(Article.slug == CML))
    view = build_view(article, ReadingLevel.PLAIN, card_url=None)
    plain = view.summary.variant.body
    first_sentence = re.sub(r"\s*\[@[^\]]+\]", "", plain.split(". ")[0])
    assert article.question in words
    assert first_sentence in words
    assert "Demo Reviewer" in words
    # Every section build_view gives a plain reader, whatever its kind, is in the PDF.
    for section in view.sections:
        assert section.section.heading in words
    # A patient takes their questions along; a clinician's PDF has none.
    assert "Questions to ask your care team" in words
    first_question = view.sections[-1].variant.body.splitlines()[0].removeprefix("- ")
    assert view.sections[-1].section.kind.value == "questions"
    assert first_question in words
    clinical = pdf_text(client.get(f"/articles/{CML}.pdf?audience=clinical"))
    assert "Questions to ask" not in clinical
    number = article.public_revision.number
    assert f"/articles/{CML}/revisions/{number}?audience=plain" in words.replace(" ", "")


def test_pdf_is_made_once_then_served_from_the_cache(client, people):
    article = approved_article(people)
    db.session.commit()
    url = f"/articles/{article.slug}.pdf?audience=clinical"

    first = client.get(url)
    assert first.headers["X-PDF-Cache"] == "miss"
    second = client.get(url)
    assert second.headers["X-PDF-Cache"] == "hit"
    assert second.data == first.data
    # The permalink's PDF of the same revision is the same document.
    again = client.get(f"/articles/{article.slug}/revisions/1.pdf?audience=clinical")
    assert again.headers["X-PDF-Cache"] == "hit"
    assert client.get(url, headers={"If-None-Match": second.headers["ETag"]}).status_code == 304
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CachedPdf)) == 1


def test_pdf_is_made_again_when_what_it_shows_changes(client, people):
    article = approved_article(people)
    db.session.commit()
    url = f"/articles/{article.slug}.pdf?audience=clinical"
    assert client.get(url).headers["X-PDF-Cache"] == "miss"

    cited = db.session.scalar(sa.select(Reference).where(Reference.key == "ref"))
    edit = replace(ReferenceInput.of(cited), title="A retitled source")
    library_approved(references.update_reference(cited, edit, actor=make_user()))
    db.session.commit()
    retitled = client.get(url)
    assert retitled.headers["X-PDF-Cache"] == "miss"
    assert "A retitled source" in pdf_text(retitled)
    # The old PDF is garbage: one row per revision, level and language.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CachedPdf)) == 1

    approve(new_revision(article, people, "Give the newer drug [@ref]."), people)
    db.session.commit()
    newer = client.get(url)
    assert newer.headers["X-PDF-Cache"] == "miss"
    assert "Give the newer drug" in pdf_text(newer)


def test_making_pdfs_is_rate_limited_but_serving_kept_ones_is_not(app, client, people):
    app.config["PDF_RATE_LIMIT"] = "1 per minute"
    article = approved_article(people)
    db.session.commit()
    url = f"/articles/{article.slug}.pdf"
    assert client.get(f"{url}?audience=clinical").status_code == 200
    assert client.get(f"{url}?audience=standard").status_code == 429
    assert client.get(f"{url}?audience=clinical").status_code == 200  # kept: no CPU spent


# -- Every demo article, at every wording ------------------------------------------------------

DEMO_SLUGS = sorted(
    p.stem for p in (Path(__file__).parents[2] / "demo_content/articles").glob("*.toml")
)


def squeezed(html: str) -> str:
    """What a page or PDF says, as one run of characters: glossary hover cards (not printed)
    and all whitespace left out, so line breaks in a PDF cannot hide a match."""
    html = re.sub(r'<span class="term-def"[^>]*>.*?</span>', "", html)
    return "".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def opening(markdown: str) -> str:
    """The first words of a wording as printed: citations and emphasis left out."""
    plain = re.sub(r"\s*\[@[^\]]+\]", "", markdown).replace("**", "")
    return "".join(plain.split()[:5])


@pytest.mark.parametrize("level", ["plain", "standard", "clinical"])
def test_every_demo_article_prints_whole_at_every_wording(client, demo, level):
    for slug in DEMO_SLUGS:
        article = db.session.scalar(sa.select(Article).where(Article.slug == slug))
        view = build_view(article, ReadingLevel(level), card_url=None)
        page = squeezed(client.get(f"/articles/{slug}/print?audience={level}").get_data(True))
        assert squeezed(article.question) in page, slug
        assert opening(view.summary.variant.body) in page, (slug, level)
        for section in view.sections:
            assert squeezed(section.section.heading) in page, (slug, level)
            # In full: the section's last words are there.
            assert squeezed(str(section.html))[-40:] in page, (slug, level)
        questions = "Questionstoaskyourcareteam" in page
        assert questions == (level != "clinical"), (slug, level)
        number = article.public_revision.number
        assert f"/articles/{slug}/revisions/{number}?audience={level}" in page


@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_every_demo_article_has_a_pdf_a_patient_can_take_along(client, demo, slug):
    """The plain PDF, read back as text: the question, the short answer's first words, the
    reviewer (approved articles), the questions to ask and the revision's own address."""
    article = db.session.scalar(sa.select(Article).where(Article.slug == slug))
    view = build_view(article, ReadingLevel.PLAIN, card_url=None)
    words = "".join(pdf_text(client.get(f"/articles/{slug}.pdf?audience=plain")).split())
    assert squeezed(article.question) in words
    assert opening(view.summary.variant.body) in words
    if article.live_revision_id:
        assert squeezed(article.public_revision.reviewer.display_name) in words
    assert "Questionstoaskyourcareteam" in words
    number = article.public_revision.number
    assert f"/articles/{slug}/revisions/{number}?audience=plain" in words
