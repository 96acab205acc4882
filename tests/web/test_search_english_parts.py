"""On /es/search, English standing in for Spanish is marked `lang="en"` (WCAG 3.1.2), as the
article page marks its English fallbacks: the question of an article with no Spanish one, and
the parts of an excerpt quoting a section with no Spanish wording. Nothing else is."""

from __future__ import annotations

import re

from extensions import db
from models import ReadingLevel, Role, SectionKind
from services.editorial import review
from services.editorial.revisions import SectionInput, create_article, save_revision
from tests.factories import make_user

L = ReadingLevel


def _publish(slug: str, question: str, sections: list[SectionInput], spanish: str | None = None):
    author = make_user(role=Role.EDITOR)
    reviewer = make_user(role=Role.REVIEWER, credentials="MD")
    article = create_article(slug=slug, question=question, topics=[])
    db.session.flush()
    revision = save_revision(
        article,
        author=author,
        question=question,
        sections=sections,
        question_translations={"es": spanish} if spanish else None,
    )
    review.submit(revision, actor=author)
    review.start_review(revision, reviewer=reviewer)
    review.approve(revision, reviewer=reviewer, override_reason="Test article")
    db.session.commit()


def _summary(english: str, spanish: str) -> SectionInput:
    return SectionInput(
        SectionKind.SUMMARY, "Short answer", {L.CLINICAL: english}, {"es": {L.CLINICAL: spanish}}
    )


def _card(client, path: str, slug: str) -> str:
    page = client.get(path).get_data(as_text=True)
    for card in re.findall(r'<li class="card search-hit">(.*?)</li>', page, re.S):
        if f"/articles/{slug}" in card:
            return card
    raise AssertionError(f"no card for {slug}")


def test_english_parts_of_a_spanish_result_are_marked_english(app, client):
    _publish(
        "mixed",
        "Mixed question?",
        [
            _summary("Rarebuzz in the short answer.", "Zumbidoraro en la respuesta breve."),
            SectionInput(
                SectionKind.GUIDELINES, "Guidelines", {L.CLINICAL: "Guidance only in English."}
            ),
        ],
    )
    card = _card(client, "/es/search?q=zumbidoraro", "mixed")
    title = re.search(r'<a class="card-title"[^>]*>', card).group(0)
    assert 'lang="en"' in title  # no Spanish question: the English one stands in
    snippet = re.search(r'<p class="snippet">(.*?)</p>', card, re.S).group(1)
    assert snippet.endswith(
        '<mark>Zumbidoraro</mark> en la respuesta breve. <span lang="en">Guidance only in'
        " English.</span>"
    )
    assert card.count('lang="en"') == 2


def test_a_hit_quoting_only_english_is_wrapped_whole(app, client):
    _publish(
        "english-only",
        "English question?",
        [SectionInput(SectionKind.SUMMARY, "Short answer", {L.CLINICAL: "Onlyenglish words."})],
    )
    card = _card(client, "/es/search?q=onlyenglish", "english-only")
    assert '<span lang="en"><mark>Onlyenglish</mark> words.</span>' in card


def test_a_fully_spanish_hit_has_no_english_marks(app, client):
    _publish(
        "spanish",
        "Spanish question?",
        [_summary("Rarebuzz here.", "Zumbidoraro aquí, todo en español.")],
        spanish="¿Pregunta en español?",
    )
    card = _card(client, "/es/search?q=zumbidoraro", "spanish")
    assert "¿Pregunta en español?" in card and "<mark>Zumbidoraro</mark>" in card
    assert 'lang="en"' not in card


def test_english_results_carry_no_language_marks(app, client):
    _publish(
        "mixed",
        "Mixed question?",
        [_summary("Rarebuzz in the short answer.", "Zumbidoraro en la respuesta breve.")],
    )
    card = _card(client, "/search?q=rarebuzz", "mixed")
    assert "<mark>Rarebuzz</mark> in the short answer." in card
    assert "lang=" not in card
