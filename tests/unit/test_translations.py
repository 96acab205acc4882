"""Wordings per language: what a save records, when a translation lags, what a page shows."""

from __future__ import annotations

import pytest

from extensions import db
from models import AuditEvent, ReadingLevel, Revision, Role, SectionKind
from models.revision import ImmutableRevisionError
from services.editorial import review, translations
from services.editorial.revisions import SectionInput, restore_revision, save_revision
from services.errors import DomainError
from services.reading.view import build_view, load_revision
from tests.factories import make_article, make_user

L = ReadingLevel

ENGLISH_SUMMARY = "Drink plenty of water before treatment [@ref]."
SPANISH_SUMMARY = "Beba mucha agua antes del tratamiento [@ref]."


def sections(summary_en=ENGLISH_SUMMARY, summary_es=SPANISH_SUMMARY, guidelines_es=None):
    """A short answer in English and Spanish (plain), and guidelines in English only unless
    `guidelines_es` is given."""
    guidelines = SectionInput(
        SectionKind.GUIDELINES,
        "From the Guidelines",
        {L.CLINICAL: "Give rasburicase to high-risk patients [@ref].", L.PLAIN: "Guides say."},
        {"es": {L.PLAIN: guidelines_es}} if guidelines_es else {},
        {"es": "Lo que dicen las guías"} if guidelines_es else {},
    )
    return [
        SectionInput(
            SectionKind.SUMMARY,
            "Short answer",
            {L.PLAIN: summary_en, L.CLINICAL: "Hydrate aggressively [@ref]."},
            {"es": {L.PLAIN: summary_es}},
        ),
        guidelines,
    ]


def spanish(revision: Revision, position: int = 0, level: L = L.PLAIN):
    section = next(s for s in revision.sections if s.position == position)
    return next(w for w in section.wordings("es") if w.level == level)


def save(article, author, secs, **kwargs):
    return save_revision(
        article,
        author=author,
        question=article.latest_revision.question,
        sections=secs,
        based_on_id=article.latest_revision_id,
        **kwargs,
    )


def approve(revision):
    author = revision.author
    review.submit(revision, actor=author)
    reviewer = make_user(role=Role.REVIEWER, credentials="MD")
    review.start_review(revision, reviewer=reviewer)
    review.approve(revision, reviewer=reviewer, override_reason="Test article")
    db.session.flush()


@pytest.fixture
def article(app):
    author = make_user(role=Role.EDITOR)
    article = make_article(status="approved", author=author, sections=sections())
    db.session.flush()
    return article


def test_a_new_translation_translates_the_english_of_its_own_revision(article):
    first = article.latest_revision
    wording = spanish(first)
    assert wording.language == "es"
    assert wording.source_revision_id == first.id
    assert wording.source_digest == translations.english_digest(ENGLISH_SUMMARY)
    assert not translations.lags(first.sections[0], wording)
    # English pages, checks and indexes still see English only.
    assert {v.language for s in first.sections for v in s.variants} == {"en"}


def test_an_unchanged_translation_keeps_its_source_when_the_english_changes(article):
    first = article.latest_revision
    second = save(article, first.author, sections(summary_en="Drink water, and more water."))
    wording = spanish(second)
    assert wording.body == SPANISH_SUMMARY
    assert wording.source_revision_id == first.id
    assert translations.lags(second.sections[0], wording)
    # The guidelines section has no Spanish: nothing to lag.
    assert second.sections[1].translations == []


def test_a_changed_translation_translates_the_revision_being_saved(article):
    first = article.latest_revision
    second = save(
        article,
        first.author,
        sections(summary_en="Drink water, and more water.", summary_es="Beba agua, mucha agua."),
    )
    wording = spanish(second)
    assert wording.source_revision_id == second.id
    assert not translations.lags(second.sections[0], wording)


def test_an_english_only_editor_keeps_the_translations(article):
    """The English editor sends no translations (None): they are carried, source and all."""
    first = article.latest_revision
    english_only = [
        SectionInput(s.kind, s.heading, {v.level: v.body for v in s.variants})
        for s in first.sections
    ]
    english_only[0].variants[L.PLAIN] = "Drink water, and more water."
    second = save(article, first.author, english_only)
    assert spanish(second).body == SPANISH_SUMMARY
    assert spanish(second).source_revision_id == first.id


def test_an_unchanged_translation_that_moved_keeps_its_source(article):
    first = article.latest_revision
    second = save(article, first.author, sections(guidelines_es="Las guías lo dicen."))
    moved = list(reversed(sections(guidelines_es="Las guías lo dicen.")))
    moved[1].kind = SectionKind.OTHER  # one short answer only: the summary stays a summary
    third = save(article, first.author, moved)
    guidelines_es = spanish(third, position=0)
    assert guidelines_es.body == "Las guías lo dicen."
    assert guidelines_es.source_revision_id == second.id


def test_restoring_an_old_revision_restores_its_translations_and_their_sources(article):
    first = article.latest_revision
    save(article, first.author, sections(summary_es="Otra cosa."))
    restored = restore_revision(first, actor=first.author, based_on_id=article.latest_revision_id)
    assert spanish(restored).body == SPANISH_SUMMARY
    assert spanish(restored).source_revision_id == first.id


def test_saved_translations_are_immutable(article):
    wording = spanish(article.latest_revision)
    wording.source_digest = "0" * 32
    with pytest.raises(ImmutableRevisionError):
        db.session.flush()
    db.session.rollback()


def test_translations_are_saved_in_known_languages_only(article):
    bad = sections()
    bad[0].translations = {"xx": {L.PLAIN: "?"}}
    with pytest.raises(DomainError, match="No such language"):
        save(article, article.latest_revision.author, bad)


def test_mark_still_current_repoints_the_source_as_a_new_audited_revision(article):
    first = article.latest_revision
    editor = first.author
    second = save(article, editor, sections(summary_en="Drink water, and more water."))
    assert translations.lags(second.sections[0], spanish(second))
    third = translations.mark_still_current(
        article, actor=editor, position=0, language="es", level=L.PLAIN, based_on_id=second.id
    )
    assert third.number == 3 and third.based_on_id == second.id
    wording = spanish(third)
    assert wording.body == SPANISH_SUMMARY
    assert wording.source_revision_id == third.id
    assert not translations.lags(third.sections[0], wording)
    assert [v.body for v in third.sections[0].variants] == [
        v.body for v in second.sections[0].variants
    ]
    event = db.session.query(AuditEvent).filter_by(action="translation.still_current").one()
    assert event.changes["was_based_on_revision"] == 1
    with pytest.raises(DomainError, match="already follows"):
        translations.mark_still_current(
            article, actor=editor, position=0, language="es", level=L.PLAIN, based_on_id=third.id
        )


def test_mark_still_current_needs_a_translation(article):
    with pytest.raises(DomainError, match="no such translation"):
        translations.mark_still_current(
            article,
            actor=article.latest_revision.author,
            position=1,
            language="es",
            level=L.PLAIN,
            based_on_id=article.latest_revision_id,
        )


def test_translated_question_and_headings_are_kept_and_carried(article):
    first = article.latest_revision
    second = save(
        article,
        first.author,
        sections(guidelines_es="Las guías lo dicen."),
        question_translations={"es": "¿Cuál es la pregunta?"},
    )
    assert second.question_translations == {"es": "¿Cuál es la pregunta?"}
    assert second.sections[1].heading_in("es") == "Lo que dicen las guías"
    third = save(
        article,
        first.author,
        [
            SectionInput(s.kind, s.heading, {v.level: v.body for v in s.variants})
            for s in second.sections
        ],
    )
    assert third.question_translations == {"es": "¿Cuál es la pregunta?"}
    assert third.sections[1].heading_in("es") == "Lo que dicen las guías"


# -- What a Spanish page shows ----------------------------------------------------------------


def view_of(article, level=L.PLAIN, language="es", **kwargs):
    return build_view(article, level, card_url=None, language=language, **kwargs)


def test_spanish_page_shows_spanish_wording_and_falls_back_to_english(article):
    view = view_of(article)
    assert "Beba mucha agua" in view.summary.html
    assert not view.summary.untranslated and view.summary.lag is None
    guidelines = view.sections[0]
    assert guidelines.untranslated and guidelines.variant.language == "en"
    assert guidelines.lang_attribute == ' lang="en"'
    assert guidelines.heading == "From the Guidelines"


def test_spanish_level_fallback_stays_within_spanish(article):
    """The usual order (theirs, then more technical, then less) within Spanish first: a clinical
    reader of the Spanish page gets the Spanish plain short answer, not English clinical."""
    view = view_of(article, level=L.CLINICAL)
    assert view.summary.variant.language == "es" and view.summary.is_fallback
    assert view.sections[0].untranslated and view.sections[0].variant.level == L.CLINICAL


def test_english_page_is_unchanged_by_translations(article):
    view = view_of(article, language="en")
    assert "Drink plenty of water" in view.summary.html
    assert view.summary.lang_attribute == "" and not view.summary.untranslated
    assert view.reading_ease is None


def test_lag_says_when_the_english_changed_and_which_version_is_translated(article):
    first = article.latest_revision
    second = save(article, first.author, sections(summary_en="Drink water, and more water."))
    approve(second)
    view = view_of(article)
    assert view.revision.id == second.id
    lag = view.summary.lag
    assert lag is not None and lag.level == L.PLAIN
    assert lag.english_updated == second.reviewed_at.date()
    assert lag.translation_of == first.reviewed_at.date()
    # The English clinical wording did not change, but the Spanish plain one that stands in for
    # it follows English plain, which did.
    assert view_of(article, level=L.CLINICAL).summary.lag == lag


def test_lag_dates_the_english_change_not_a_later_unrelated_approval(article):
    first = article.latest_revision
    second = save(article, first.author, sections(summary_en="Drink water, and more water."))
    approve(second)
    second.reviewed_at = second.reviewed_at.replace(year=2025, month=6, day=23)
    third = save(
        article,
        first.author,
        sections(summary_en="Drink water, and more water.", guidelines_es="Las guías lo dicen."),
    )
    approve(third)
    lag = view_of(article).summary.lag
    assert view_of(article).revision.id == third.id
    assert lag.english_updated.isoformat() == "2025-06-23"
    assert lag.translation_of == first.reviewed_at.date()


def test_the_render_cache_keeps_each_language_apart(article):
    english = view_of(article, language="en", cached=True)
    spanish_view = view_of(article, cached=True)
    again = view_of(article, language="en", cached=True)
    assert "Drink plenty" in english.summary.html and "Beba" in spanish_view.summary.html
    assert again.summary.html == english.summary.html
    assert view_of(article, cached=True).summary.html == spanish_view.summary.html


def test_question_shown_in_the_page_language_where_it_has_one(article):
    first = article.latest_revision
    second = save(article, first.author, sections(), question_translations={"es": "¿Qué?"})
    approve(second)
    assert view_of(article).question == "¿Qué?"
    assert view_of(article, language="en").question == first.question
    assert load_revision(second.id).question_translations == {"es": "¿Qué?"}


def test_english_search_index_holds_no_translation(article):
    from models import SearchDocument

    document = db.session.get(SearchDocument, article.id)
    assert "Drink plenty of water" in document.plain
    assert not any(
        "Beba" in text for text in (document.plain, document.standard, document.clinical)
    )


def test_a_save_that_changes_only_a_translation_is_not_unchanged(article):
    from services.editorial.revisions import unchanged

    latest = article.latest_revision
    same = dict(question=latest.question, topics=[], next_review_on=latest.next_review_on)
    assert unchanged(latest, sections=sections(), **same)
    english_only = [
        SectionInput(s.kind, s.heading, {v.level: v.body for v in s.variants})
        for s in latest.sections
    ]
    assert unchanged(latest, sections=english_only, **same)  # translations carried: a copy
    assert not unchanged(latest, sections=sections(summary_es="Beba agua."), **same)


def test_pdf_cache_key_is_per_language(article):
    from services.reading.printing import pdf_key

    revision = article.latest_revision
    assert pdf_key(revision, L.PLAIN, "<html>") == pdf_key(revision, L.PLAIN, "<html>", "en")
    assert pdf_key(revision, L.PLAIN, "<html>", "es") != pdf_key(revision, L.PLAIN, "<html>")
