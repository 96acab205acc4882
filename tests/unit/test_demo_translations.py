"""The demo loader reads Spanish wording and the `[revised]` lag demo (demo_content/FORMAT.md),
checked on a small fixture of its own: the real demo files are written separately."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from extensions import db
from models import Article, ReadingLevel, ReviewStatus
from services.editorial.translations import lags
from services.reading.view import build_view
from services.seeding.demo import load_demo

L = ReadingLevel

ARTICLE = '''
slug = "fixture-hydration"
question = "Why drink water before chemotherapy?"
topics = ["fixture-topic"]
status = "approved"
created = 2025-03-01
updated = 2025-03-10
reviewed = 2025-03-12
next_review = 2026-03-12

[es]
question = "¿Por qué beber agua antes de la quimioterapia?"

[summary]
clinical = """Hydration lowers the risk of tumor lysis [@fixture-ref]."""
plain = """Water helps your kidneys clear waste [@fixture-ref]."""
standard = """Drinking water helps the kidneys [@fixture-ref]."""
[summary.es]
plain = """El agua ayuda a sus riñones a limpiar la sangre [@fixture-ref]."""
standard = """Beber agua ayuda a los riñones [@fixture-ref]."""

[[sections]]
kind = "guidelines"
heading = "From the Guidelines"
clinical = """Guidelines advise hydration [@fixture-ref]."""
plain = """Doctors say to drink water [@fixture-ref]."""
[sections.es]
heading = "Lo que dicen las guías"
plain = """Los médicos le dicen que beba agua [@fixture-ref]."""

[[sections]]
kind = "research"
heading = "From the Research"
clinical = """A study measured it [@fixture-ref]."""
plain = """A study looked at it [@fixture-ref]."""

[revised]
updated = 2025-06-20
reviewed = 2025-06-23
next_review = 2026-06-23
change_note = "Plainer wording of the short answer for patients"
[revised.summary]
plain = """Water helps your kidneys get rid of waste [@fixture-ref]."""
[revised.sections.1]
plain = """One study looked at this [@fixture-ref]."""
'''


@pytest.fixture
def fixture_dir(tmp_path: Path) -> Path:
    (tmp_path / "articles").mkdir()
    (tmp_path / "topics.toml").write_text('[fixture-topic]\nname = "Fixture topic"\n')
    (tmp_path / "references.toml").write_text(
        '[fixture-ref]\nkind = "guideline"\nread = "abstract"\ntitle = "A fixture source"\n'
    )
    (tmp_path / "glossary.toml").write_text("terms = []\n")
    (tmp_path / "articles" / "fixture-hydration.toml").write_text(ARTICLE)
    return tmp_path


def test_loader_reads_spanish_wording_and_the_revised_revision(app, fixture_dir):
    assert load_demo(fixture_dir) == 1
    db.session.commit()
    article = db.session.scalar(sa.select(Article).where(Article.slug == "fixture-hydration"))
    first, second = sorted(article.revisions, key=lambda r: r.number)
    assert first.status == second.status == ReviewStatus.APPROVED
    assert article.live_revision_id == second.id
    assert second.reviewed_at.date() == date(2025, 6, 23)
    assert second.change_note == "Plainer wording of the short answer for patients"
    assert (
        first.question_translations
        == second.question_translations
        == {"es": "¿Por qué beber agua antes de la quimioterapia?"}
    )
    summary, guidelines, research = sorted(second.sections, key=lambda s: s.position)
    assert {(w.level, w.body) for w in summary.wordings("es")} == {
        (L.PLAIN, "El agua ayuda a sus riñones a limpiar la sangre [@fixture-ref]."),
        (L.STANDARD, "Beber agua ayuda a los riñones [@fixture-ref]."),
    }
    assert summary.variant(L.PLAIN).body.startswith("Water helps your kidneys get rid")
    assert research.variant(L.PLAIN).body == "One study looked at this [@fixture-ref]."
    assert guidelines.heading_in("es") == "Lo que dicen las guías"
    assert research.translations == []
    # Every Spanish wording still translates the first revision's English...
    for section in (summary, guidelines):
        for wording in section.translations:
            assert wording.source_revision_id == first.id
    # ...so only where the English changed (the plain short answer) does it lag.
    lagging = {(s.position, w.level) for s in second.sections for w in s.translations if lags(s, w)}
    assert lagging == {(0, L.PLAIN)}


def test_the_spanish_page_of_the_revised_article_says_its_translation_lags(app, fixture_dir):
    load_demo(fixture_dir)
    db.session.commit()
    article = db.session.scalar(sa.select(Article).where(Article.slug == "fixture-hydration"))
    view = build_view(article, L.PLAIN, card_url=None, language="es")
    assert view.question == "¿Por qué beber agua antes de la quimioterapia?"
    assert view.summary.lag.english_updated == date(2025, 6, 23)
    assert view.summary.lag.translation_of == date(2025, 3, 12)
    guidelines, research = view.sections
    assert guidelines.lag is None and guidelines.heading == "Lo que dicen las guías"
    assert research.untranslated and research.heading == "From the Research"
    standard = build_view(article, L.STANDARD, card_url=None, language="es")
    assert standard.summary.lag is None  # the English standard wording did not change
