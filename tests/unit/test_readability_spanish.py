"""Spanish wording is measured by its own formula and held to its own targets."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from extensions import db
from models import Article, ReadabilityTarget, ReadingLevel, Role, SectionKind
from services.editorial import review
from services.editorial.checks import check_revision
from services.editorial.publishing import reads_above_target
from services.editorial.revisions import SectionInput
from services.errors import DomainError
from services.reading.readability import FERNANDEZ_HUERTA, ease_label, measure
from services.staff import worklists
from tests.factories import make_article, make_user

L = ReadingLevel

EASY_ES = "Beba mucha agua antes del tratamiento. Su médico le dirá cuánta."
HARD_ES = (
    "La administración concomitante de fármacos citotóxicos necesita una vigilancia "
    "hematológica exhaustiva durante la quimioterapia de consolidación."
)
ENGLISH = "Drink plenty of water before treatment. Your doctor will say how much."


def test_spanish_is_measured_by_fernandez_huerta_without_touching_english():
    before = measure(ENGLISH)
    spanish = measure(EASY_ES, FERNANDEZ_HUERTA)
    assert spanish.fk_grade is None and spanish.smog_grade is None
    assert spanish.ease is not None and spanish.ease > 80 and spanish.word_count == 11
    assert measure(HARD_ES, FERNANDEZ_HUERTA).ease < 30
    # The module-level textstat instance English uses is still English (set_lang untouched).
    assert measure(ENGLISH) == before


@pytest.mark.parametrize(
    ("ease", "label"),
    [(10, "muy difícil"), (55, "bastante difícil"), (65, "normal"), (74, "bastante fácil"),
     (85, "fácil"), (95, "muy fácil"), (104, "muy fácil")],
)  # fmt: skip
def test_ease_labels_are_the_fernandez_huerta_bands(ease, label):
    assert ease_label(ease) == label


def sections(plain_es: str) -> list[SectionInput]:
    return [
        SectionInput(
            SectionKind.SUMMARY,
            "Short answer",
            {L.CLINICAL: "Hydrate [@ref].", L.PLAIN: ENGLISH},
            {"es": {L.PLAIN: plain_es}},
        )
    ]


def test_saving_stores_the_spanish_ease_and_no_grades(app):
    article = make_article(status="draft", sections=sections(EASY_ES))
    wording = article.latest_revision.sections[0].translations[0]
    assert wording.reading_ease == measure(EASY_ES, FERNANDEZ_HUERTA).ease
    assert wording.fk_grade is None and wording.smog_grade is None


def test_targets_are_seeded_per_language_and_level(app):
    targets = {
        (t.language, t.level): (t.target, t.direction)
        for t in db.session.scalars(sa.select(ReadabilityTarget))
    }
    assert targets == {("es", L.PLAIN): (70.0, "at_least"), ("es", L.STANDARD): (60.0, "at_least")}


def test_spanish_below_its_target_blocks_approval_like_english(app):
    author = make_user(role=Role.EDITOR)
    article = make_article(status="under_review", author=author, sections=sections(HARD_ES))
    revision = article.latest_revision
    findings = check_revision(revision, known_keys={"ref"})
    assert findings.blocking
    [flag] = findings.over_target
    assert (flag.language, flag.level, flag.target) == ("es", "plain", 70.0)
    assert "Spanish: Fernández Huerta" in findings.blocking_reasons()[0]
    with pytest.raises(DomainError):
        review.approve(revision, reviewer=revision.events[-1].actor)
    # An override reason lets it through, recorded as for English.
    review.approve(revision, reviewer=revision.events[-1].actor, override_reason="Terms needed")
    db.session.flush()
    assert reads_above_target(revision.id)
    assert db.session.get(Article, article.id).public_over_target
    flags = worklists.readability_flags([revision.id])[revision.id]
    assert [(f.language, f.level) for f in flags] == [("es", "plain")]
    assert "target at least 70" in flags[0].described


def test_spanish_within_its_target_does_not_block(app):
    article = make_article(status="under_review", sections=sections(EASY_ES))
    findings = check_revision(article.latest_revision, known_keys={"ref"})
    assert not findings.over_target and not reads_above_target(article.latest_revision_id)


def test_spanish_citations_must_resolve_too(app):
    article = make_article(status="draft", sections=sections(EASY_ES + " [@nowhere]"))
    findings = check_revision(article.latest_revision, known_keys={"ref"})
    assert [(b.heading, b.key) for b in findings.broken] == [("Short answer (es)", "nowhere")]
