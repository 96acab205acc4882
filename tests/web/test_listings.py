"""Listings speak the reader's language (issue 15): the home page, topic pages, related cards,
search results and the instant answer's related list show each short answer at the reader's
level, falling back as the article page does and saying so."""

from __future__ import annotations

import html as markup
import json
import re

import pytest
import sqlalchemy as sa

from extensions import db
from models import Article

SEED = "/articles/all-blast-crisis-treatment"
TLS = "tumor-lysis-syndrome-prevention"
NO_STANDARD = "cml-lymphoid-blast-crisis"  # its short answer has clinical and plain wording only
TOPIC = "/topics/acute-lymphoblastic-leukemia"


def summaries(slug: str) -> dict[str, str]:
    article = db.session.scalar(sa.select(Article).where(Article.slug == slug))
    return {level.value: text for level, text in article.summaries.items()}


def cards(page: str) -> dict[str, str]:
    """Each card's article slug and everything the card says, as text."""
    found = {}
    for card in re.findall(r'<li class="card">(.*?)</li>', page, re.S):
        slug = re.search(r'href="/articles/([a-z0-9-]+)', card).group(1)
        found[slug] = markup.unescape(re.sub(r"<[^>]+>|\s+", " ", card))
    return found


def opening(text: str) -> str:
    return " ".join(text.split()[:8])


@pytest.fixture
def patient(demo, client):
    """A reader who chose "Patient or caregiver" in the picker."""
    client.get(SEED + "?role=patient")
    return client


@pytest.mark.parametrize("path", ["/", TOPIC, SEED + "?audience=plain"])
def test_every_listing_shows_a_patient_the_plain_short_answer(patient, path):
    page = patient.get(path, follow_redirects=True).get_data(as_text=True)
    shown = cards(page)
    assert shown, f"{path} lists no article"
    for slug, card in shown.items():
        wording = summaries(slug)
        assert opening(wording["plain"]) in card, f"{slug} on {path}: {card[:200]}"
        assert opening(wording["clinical"]) not in card, f"{slug} on {path}"
    # Their links keep the reader in their wording, without a redirect on the way.
    assert re.search(r'class="card-title" href="/articles/[a-z0-9-]+\?audience=plain"', page)


def test_the_tumor_lysis_related_card_reads_plainly(patient):
    """The issue's example: on the plain page, the related card for the tumor lysis article
    read at grade ~17 (the clinical short answer)."""
    page = patient.get(SEED + "?audience=plain").get_data(as_text=True)
    related = cards(page[page.index('id="related"') :])
    assert opening(summaries(TLS)["plain"]) in related[TLS]


def test_a_listing_without_the_readers_wording_falls_back_and_says_so(demo, client):
    page = client.get("/?audience=standard").get_data(as_text=True)
    shown = cards(page)
    card = shown[NO_STANDARD]
    assert "Not yet available in standard wording: showing the clinical wording." in card
    assert opening(summaries(NO_STANDARD)["clinical"]) in card
    others = [text for slug, text in shown.items() if slug != NO_STANDARD]
    assert others and not any("Not yet available" in text for text in others)
    # A patient falls back the same way as on the article page: plain is there, no note.
    plain = cards(client.get("/?audience=plain").get_data(as_text=True))[NO_STANDARD]
    assert "Not yet available" not in plain


def test_a_default_reader_still_sees_clinical_short_answers(demo, client):
    page = client.get("/").get_data(as_text=True)
    for slug, card in cards(page).items():
        assert opening(summaries(slug)["clinical"]) in card
    assert not re.search(r'class="card-title" href="[^"]*\?audience=', page)


def test_a_shared_audience_link_words_the_listing_without_a_remembered_choice(demo, client):
    for path in ["/?audience=plain", TOPIC + "?audience=plain"]:
        for slug, card in cards(client.get(path).get_data(as_text=True)).items():
            assert opening(summaries(slug)["plain"]) in card, path
    assert "Set-Cookie" not in client.get("/?audience=plain").headers


def test_the_picker_swap_rewords_the_related_cards_too(demo, hx):
    body = hx.get(SEED + "?role=patient").get_data(as_text=True)
    assert body.lstrip().startswith('<div id="article-body"')
    related = body[body.index('<section class="related" id="related"') :]
    assert 'hx-swap-oob="outerHTML"' in related.split(">", 1)[0]
    assert opening(summaries(TLS)["plain"]) in cards(related)[TLS]


def document(slug: str, level: str) -> str:
    """What the search index holds for an article at a level, as one line."""
    text = db.session.scalar(
        sa.select(sa.column(level))
        .select_from(sa.table("search_documents", sa.column("article_id"), sa.column(level)))
        .join(Article, Article.id == sa.column("article_id"))
        .where(Article.slug == slug)
    )
    return " ".join(text.split())


def test_search_results_quote_the_readers_wording(patient):
    page = patient.get("/search?q=tumor+lysis").get_data(as_text=True)
    hit = page[page.index('class="card search-hit"') :]
    assert f'href="/articles/{TLS}?audience=plain"' in hit
    snippet = re.search(r'<p class="snippet">(.*?)</p>', hit, re.S).group(1)
    quoted = markup.unescape(re.sub(r"<[^>]+>", "", snippet)).strip("… ")
    assert "From the" not in quoted
    assert quoted in document(TLS, "plain") and quoted not in document(TLS, "clinical")


def test_the_instant_answers_related_articles_are_in_the_readers_wording(demo, hx):
    response = hx.post(
        SEED + "/questions?audience=plain",
        # Articles quoted in the answer are not repeated as related; this question has others.
        data={"text": "Which TKI is used with chemotherapy?"},
    )
    page = response.get_data(as_text=True)
    related = page[page.index('class="evidence-related-title"') :]
    shown = cards(related)
    assert shown
    for slug, card in shown.items():
        assert opening(summaries(slug)["plain"]) in card, slug


def test_meta_description_and_structured_data_follow_the_pages_wording(demo, client):
    """Both describe the page as it reads: the bare address (what search engines index) is
    the clinical one; `?audience=plain` a patient's."""
    for query, level in [("", "clinical"), ("?audience=plain", "plain")]:
        page = client.get(SEED + query).get_data(as_text=True)
        description = markup.unescape(
            re.search(r'<meta name="description" content="([^"]*)"', page).group(1)
        )
        data = json.loads(
            re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
        )
        wording = summaries(SEED.rsplit("/", 1)[1])[level]
        assert description.startswith(opening(wording)), (level, description)
        assert data["description"] == wording
