"""Sent back means not public: a never-approved article the board sent back is not shown, listed,
searched or quoted, and its address says it is being revised (issue 14)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from extensions import db
from models import Role, Topic
from services import search
from services.editorial import review
from services.editorial.revisions import save_revision
from tests.factories import make_article, make_reference, make_sections, make_user

QUESTION = "Does zorbomycin cure quintessential flux?"
WORDS = "Zorbomycin quintessential flux guidance [@ref]."


def text(response) -> str:
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split()))


@pytest.fixture
def people(app):
    make_reference("ref")
    return {
        "editor": make_user(role=Role.EDITOR, name="Erin Editor"),
        "rita": make_user(role=Role.REVIEWER, name="Rita Reviewer", credentials="MD"),
    }


def under_review(people):
    topic = Topic(slug="flux", name="Flux")
    db.session.add(topic)
    article = make_article(
        slug="zorbomycin",
        question=QUESTION,
        status="under_review",
        author=people["editor"],
        reviewer=people["rita"],
        sections=make_sections(summary=WORDS, guidelines=WORDS),
    )
    article.topics = [topic]
    db.session.flush()
    return article


def public_places(client) -> dict[str, bool]:
    """Where readers could meet the article."""
    link = "/articles/zorbomycin"
    return {
        "page": client.get(link).status_code == 200,
        "home": link in client.get("/").get_data(as_text=True),
        "topic": link in client.get("/topics/flux").get_data(as_text=True),
        "search": link in client.get("/search?q=zorbomycin").get_data(as_text=True),
        "sitemap": link in client.get("/sitemap-articles-1.xml").get_data(as_text=True),
        "quoted": bool(search.candidate_article_ids("zorbomycin quintessential flux")),
    }


def test_sent_back_article_is_not_shown_listed_searched_or_quoted(client, people):
    article = under_review(people)
    db.session.commit()
    before = public_places(client)
    assert before == {
        "page": True,
        "home": True,
        "topic": True,
        "search": True,
        "sitemap": True,
        "quoted": True,
    }
    review.request_changes(article.latest_revision, reviewer=people["rita"], comment="Cite it.")
    db.session.commit()

    assert article.public_revision_id is None
    assert not any(public_places(client).values())
    assert db.session.get(Topic, article.topics[0].id).article_count == 0
    for path in ("/history", "/pending", "/references/ref", "/sections/1"):
        assert client.get(f"/articles/zorbomycin{path}").status_code == 404


def test_sent_back_article_answers_404_saying_it_is_being_revised(client, people):
    article = under_review(people)
    review.request_changes(article.latest_revision, reviewer=people["rita"], comment="Cite it.")
    db.session.commit()

    response = client.get("/articles/zorbomycin")
    assert response.status_code == 404
    page = text(response)
    assert "This article is being revised" in page
    assert QUESTION not in page and "Cite it." not in page  # neither the text nor the remark
    assert 'action="/search"' in response.get_data(as_text=True)
    assert "noindex" in response.get_data(as_text=True)


@pytest.mark.parametrize("slug", ["no-such-article", "draft-only"])
def test_unknown_and_draft_only_addresses_keep_the_ordinary_404(client, people, slug):
    make_article(slug="draft-only", status="draft", author=people["editor"])
    db.session.commit()
    response = client.get(f"/articles/{slug}")
    assert response.status_code == 404
    assert "being revised" not in text(response)
    assert "We can’t find that page" in text(response)


def test_a_draft_after_sending_back_keeps_it_off_and_resubmitting_brings_it_back(client, people):
    article = under_review(people)
    review.request_changes(article.latest_revision, reviewer=people["rita"], comment="Cite it.")
    draft = save_revision(
        article,
        author=people["editor"],
        question=QUESTION,
        sections=make_sections(summary=WORDS, guidelines="Corrected " + WORDS),
    )
    db.session.commit()
    assert client.get("/articles/zorbomycin").status_code == 404

    review.submit(draft, actor=people["editor"])
    db.session.commit()
    response = client.get("/articles/zorbomycin")
    assert response.status_code == 200
    page = text(response)
    assert "Corrected Zorbomycin" in page
    assert "Exercise caution as content is pending human review" in page


def test_an_approved_article_keeps_its_live_text_when_a_newer_one_is_sent_back(client, people):
    article = make_article(
        slug="zorbomycin",
        question=QUESTION,
        author=people["editor"],
        reviewer=people["rita"],
        sections=make_sections(summary=WORDS, guidelines=WORDS),
    )
    newer = save_revision(
        article,
        author=people["editor"],
        question=QUESTION,
        sections=make_sections(summary=WORDS, guidelines="Unreviewed " + WORDS),
    )
    review.submit(newer, actor=people["editor"])
    review.start_review(newer, reviewer=people["rita"])
    review.request_changes(newer, reviewer=people["rita"], comment="No.")
    db.session.commit()
    assert article.public_revision_id == article.live_revision_id
    page = text(client.get("/articles/zorbomycin"))
    assert "Unreviewed" not in page and "Reviewed by" in page
