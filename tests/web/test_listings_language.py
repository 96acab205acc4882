"""Listings in the page's language (issue 16): the home page, topic pages, related cards and
search results on /es/ show each article's question and short answer in Spanish at the
reader's level, the English under a notice where an article has none, and topic names in
Spanish; the copies come in one query per listing, whatever the number of articles."""

from __future__ import annotations

import html as markup
import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from extensions import db
from models import Article, ArticleListingTranslation

BLAST = "all-blast-crisis-treatment"
ENGLISH_ONLY = "ph-positive-all-tki"  # the demo has no Spanish wording for it
TOPIC = "acute-lymphoblastic-leukemia"
UNTRANSLATED = "Esta respuesta breve todavía no está traducida al español"


def cards(page: str) -> dict[str, str]:
    """Each card's article slug and its HTML."""
    found = {}
    for card in re.findall(r'<li class="card[^"]*">(.*?)</li>', page, re.S):
        slug = re.search(r'href="/es/articles/([a-z0-9-]+)', card).group(1)
        found[slug] = card
    return found


def text(fragment: str) -> str:
    return markup.unescape(re.sub(r"<[^>]+>|\s+", " ", fragment))


def copy(slug: str) -> ArticleListingTranslation:
    article = db.session.scalar(sa.select(Article).where(Article.slug == slug))
    return article.listing_translations["es"]


def opening(words: str) -> str:
    return " ".join(words.split()[:8])


@contextmanager
def statements():
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_publishing_copies_the_spanish_question_and_short_answer(demo):
    spanish = copy(BLAST)
    assert spanish.question.startswith("¿Cuál es el tratamiento")
    assert spanish.summary_plain and spanish.summary_standard
    assert "[@" not in spanish.summary_plain  # plain text, citations removed
    assert spanish.summary == ""  # no clinical Spanish wording in the demo
    article = db.session.scalar(sa.select(Article).where(Article.slug == ENGLISH_ONLY))
    assert "es" not in article.listing_translations


@pytest.mark.parametrize("path", ["/es/", f"/es/topics/{TOPIC}"])
def test_spanish_listings_show_spanish_questions_and_short_answers(demo, client, path):
    client.get(f"/es/articles/{BLAST}?role=patient")
    page = client.get(path).get_data(as_text=True)
    shown = cards(page)
    assert BLAST in shown, path
    card = text(shown[BLAST])
    assert copy(BLAST).question in card
    assert opening(copy(BLAST).summary_plain) in card
    assert UNTRANSLATED not in card
    assert ' lang="en"' not in shown[BLAST]


def test_an_article_without_spanish_shows_english_under_a_notice(demo, client):
    client.get(f"/es/articles/{BLAST}?role=patient")
    shown = cards(client.get(f"/es/topics/{TOPIC}").get_data(as_text=True))
    assert ENGLISH_ONLY in shown
    card = shown[ENGLISH_ONLY]
    article = db.session.scalar(sa.select(Article).where(Article.slug == ENGLISH_ONLY))
    assert f'lang="en">{markup.escape(article.question)}</a>' in card
    assert UNTRANSLATED in text(card)
    assert re.search(r'<p class="card-summary" lang="en">', card)


def test_a_level_spanish_lacks_falls_back_within_spanish_and_says_so(demo, client):
    """A clinician's page: the demo's Spanish has no clinical wording, so the standard one
    stands in, as on the article page, with the level note in Spanish."""
    card = text(cards(client.get("/es/").get_data(as_text=True))[BLAST])
    assert opening(copy(BLAST).summary_standard) in card
    assert "Aún no disponible en redacción clínica: se muestra en redacción estándar." in card


def test_english_listings_are_unchanged(demo, client):
    page = client.get(f"/topics/{TOPIC}").get_data(as_text=True)
    assert "¿Cuál es el tratamiento" not in page
    assert "Leucemia linfoblástica aguda" not in page


def test_topic_names_and_descriptions_in_spanish(demo, client):
    topics = client.get("/es/topics").get_data(as_text=True)
    assert "Leucemia linfoblástica aguda (LLA)" in topics
    assert "La LMC y sus fases, incluida la crisis blástica." in topics
    page = client.get(f"/es/topics/{TOPIC}").get_data(as_text=True)
    assert "<h1>Leucemia linfoblástica aguda (LLA)</h1>" in page
    article = client.get(f"/es/articles/{BLAST}").get_data(as_text=True)
    assert ">Leucemia mieloide crónica (LMC)</a>" in article
    english = client.get("/topics").get_data(as_text=True)
    assert "Acute lymphoblastic leukemia (ALL)" in english
    assert "Leucemia" not in english


def test_related_cards_and_search_results_in_spanish(demo, client):
    page = client.get(f"/es/articles/{ENGLISH_ONLY}").get_data(as_text=True)
    related = cards(page[page.index('id="related"') :])
    spanish = {
        row.article_id: row.question
        for row in db.session.scalars(sa.select(ArticleListingTranslation))
    }
    slugs = dict(db.session.execute(sa.select(Article.slug, Article.id)).all())
    translated = [slug for slug in related if slugs[slug] in spanish]
    assert translated, related.keys()
    for slug in translated:
        assert spanish[slugs[slug]] in text(related[slug])
    results = client.get("/es/search?q=crisis+blastica").get_data(as_text=True)
    assert copy(BLAST).question in markup.unescape(results)


@pytest.mark.parametrize("path", ["/es/", f"/es/topics/{TOPIC}", "/es/search?q=leukemia"])
def test_spanish_listings_load_their_copies_in_one_query(demo, client, path):
    with statements() as seen:
        assert client.get(path).status_code == 200
    reads = [s for s in seen if "FROM article_listing_translations" in s]
    # The home page has two listings: the second finds most of its articles loaded already.
    assert 1 <= len(reads) <= 2, reads


def test_english_listings_never_read_the_copies(demo, client):
    with statements() as seen:
        client.get(f"/topics/{TOPIC}")
    assert not [s for s in seen if "article_listing_translations" in s]


def test_a_revision_without_spanish_drops_the_copy(demo):
    """The copies follow the public revision: one with no Spanish leaves no Spanish row."""
    from services.editorial.publishing import copy_listing_translations

    article = db.session.scalar(sa.select(Article).where(Article.slug == BLAST))
    before = article.listing_translations["es"].summary_plain
    copy_listing_translations(article, article.public_revision)
    assert article.listing_translations["es"].summary_plain == before
    english = db.session.scalar(sa.select(Article).where(Article.slug == ENGLISH_ONLY))
    copy_listing_translations(article, english.public_revision)
    assert "es" not in article.listing_translations
    db.session.flush()
    assert not db.session.scalar(
        sa.select(ArticleListingTranslation).where(
            ArticleListingTranslation.article_id == article.id
        )
    )


def test_spanish_topic_names_cost_one_query_a_page(demo, client):
    with statements() as seen:
        page = client.get("/es/topics").get_data(as_text=True)
    assert "Cuidados de apoyo" in page
    assert len([s for s in seen if "FROM topic_translations" in s]) == 1
    with statements() as seen:
        client.get("/topics")
    assert not [s for s in seen if "topic_translations" in s]


def test_the_search_fragment_lists_spanish_questions(demo, client):
    """htmx swaps only the results: the fragment words its cards as the whole page does."""
    fragment = client.get("/es/search?q=crisis+blastica", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert copy(BLAST).question in markup.unescape(fragment.get_data(as_text=True))


def test_spanish_topics_are_in_spanish_alphabetical_order(demo, client):
    page = client.get("/es/topics").get_data(as_text=True)
    names = re.findall(r'class="card-title" href="/es/topics/[a-z0-9-]+">([^<]+)<', page)
    assert names[0] == "Cuidados de apoyo" and len(names) == 6
    assert names == sorted(names, key=str.casefold)
