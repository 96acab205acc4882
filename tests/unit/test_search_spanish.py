"""Spanish search: its own index, stemmed, accents ignored, kept in step with publication."""

import pytest
import sqlalchemy as sa

from extensions import db
from models import Article, ReadingLevel, Role, SearchDocument, SectionKind, SpanishSearchDocument
from services import search
from services.editorial import review
from services.editorial.revisions import SectionInput, save_revision
from services.search import excerpts, spanish
from services.search.engine import MARK_END, MARK_START
from services.search.query import parse
from tests.factories import make_article, make_user

L = ReadingLevel

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
    # The excerpt quotes the real, accented Spanish text.
    assert "<mark>" in hit.snippet
    assert "á" in hit.snippet or "ó" in hit.snippet or "é" in hit.snippet


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
    assert "lang=" not in page.hits[0].snippet


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


# -- Kept in step with publication ---------------------------------------------------------------


def _sections(spanish_body: str, english_body: str = "Body text here."):
    return [
        SectionInput(SectionKind.SUMMARY, "Short answer", {L.CLINICAL: "Summary."}),
        SectionInput(
            SectionKind.GUIDELINES,
            "Body",
            {L.CLINICAL: english_body},
            translations={"es": {L.CLINICAL: spanish_body}},
            heading_translations={"es": "Cuerpo"},
        ),
    ]


def _found(word: str, language: str = "es") -> int:
    return search.search(word, level=L.CLINICAL, language=language).total


def test_the_spanish_index_follows_approval_and_a_spanish_only_change(app):
    author = make_user(role=Role.EDITOR)
    reviewer = make_user(role=Role.REVIEWER, credentials="MD")
    article = make_article(
        question="Test question?", author=author, sections=_sections("Palabravieja aquí.")
    )
    db.session.commit()
    assert _found("palabravieja") == 1 and _found("cuerpo") == 1
    assert _found("palabravieja", "en") == 0  # the English index holds English only
    # Only the Spanish changes: the English index keeps its row, the Spanish one follows.
    newer = save_revision(
        article,
        author=author,
        question="Test question?",
        sections=_sections("Palabranueva allí."),
        question_translations={"es": "¿Pregunta de prueba?"},
    )
    review.submit(newer, actor=author)
    review.start_review(newer, reviewer=reviewer)
    db.session.commit()
    assert _found("palabranueva") == 0  # pending: not yet public
    review.approve(newer, reviewer=reviewer, override_reason="Test article")
    db.session.commit()
    assert _found("palabranueva") == 1 and _found("palabravieja") == 0
    assert _found("pregunta prueba") == 1
    row = db.session.get(SpanishSearchDocument, article.id)
    assert row.revision_id == newer.id == db.session.get(SearchDocument, article.id).revision_id
    assert _found("body", "en") == 1


def test_a_section_without_spanish_is_indexed_in_english_for_spanish_readers(app):
    article = make_article(
        question="Test question?",
        sections=[
            SectionInput(SectionKind.SUMMARY, "Short answer", {L.CLINICAL: "Onlyenglish words."})
        ],
    )
    db.session.commit()
    assert _found("onlyenglish") == 1
    page = search.search("onlyenglish", level=L.CLINICAL, language="es")
    assert page.hits[0].article == article
    # The excerpt quotes English: marked as such for screen readers (WCAG 3.1.2).
    assert page.hits[0].snippet == '<span lang="en"><mark>Onlyenglish</mark> words.</span>'


def test_rebuild_writes_both_languages(demo):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(SpanishSearchDocument))
    assert search.rebuild() == before
    db.session.commit()
    assert _slugs("tratamiento crisis blastica")[0][0] == BLAST


# -- English parts of Spanish excerpts ----------------------------------------------------------


def test_english_lines_are_those_the_english_row_has():
    text = "Línea en español.\nEnglish line.\nOtra línea."
    ranges = excerpts.english_lines(text, "Short answer.\nEnglish line.")
    assert [text[a:b] for a, b in ranges] == ["English line."]


def test_a_mark_never_straddles_the_english_span():
    text = "uno dos\nthree four"
    ranges = excerpts.english_lines(text, "three four")
    # A highlighted phrase running from the Spanish line into the English one, after an
    # ellipsis the engine added.
    excerpt = f"…{MARK_START}dos\nthree{MARK_END} four"
    assert str(excerpts.marked(excerpt, text, ranges)) == (
        '…<mark>dos</mark> <span lang="en"><mark>three</mark> four</span>'
    )


def test_an_excerpt_with_no_english_is_as_before():
    text = "uno dos tres\nthree four"
    ranges = excerpts.english_lines(text, "three four")
    excerpt = f"uno {MARK_START}dos{MARK_END}  tres…"
    assert excerpts.marked(excerpt, text, ranges) == excerpts.plain(excerpt)
    assert str(excerpts.plain(excerpt)) == "uno <mark>dos</mark> tres…"
