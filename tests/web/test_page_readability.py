"""A patient's article page reads at their level as a whole (issue 15): not only the stored
plain wording, but everything they see in <main> — the article, its references, the review
status, the picker, the follow-up box and the related cards — at Flesch-Kincaid grade 8 or
below, the plain level's target. scripts/bench_readability.py prints the same numbers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from extensions import db
from models import LevelSetting, ReadingLevel
from scripts.bench_readability import DEMO_SLUGS, page_grade, page_text, visible_blocks


def plain_target() -> float:
    return db.session.scalar(
        sa.select(LevelSetting.target_grade).where(LevelSetting.level == ReadingLevel.PLAIN)
    )


@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_the_plain_page_reads_at_the_plain_target_as_a_whole(demo, client, slug):
    response = client.get(f"/articles/{slug}?audience=plain")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    grade, words = page_grade(html)
    assert words > 500, "the measurement missed the page's text"
    target = plain_target()
    assert target == 8.0  # the level settings' default; an admin may lower it
    assert grade <= target, f"{slug} reads at grade {grade:.2f}, above {target}"


def test_the_measurement_reads_what_a_reader_sees(demo, client):
    """It takes the article, references, listings and follow-up box, in plain wording, and
    leaves out what is hidden on screen (so it could not pass by missing the hard parts)."""
    html = client.get("/articles/tumor-lysis-syndrome-prevention?audience=plain").text
    blocks = visible_blocks(html)
    text = page_text(html)
    assert "Short answer" in blocks and "References" in blocks and "Related articles" in blocks
    assert "Have a follow-up question?" in blocks
    assert any(b.startswith("Howard SC, Jones DP, Pui C-H.") for b in blocks)  # a reference
    # Glossary definitions wait for a tap, citation numbers are not words, nor is the trap
    # for spam robots a reader never sees.
    assert "Leave this field empty" not in text and "Reference 1" not in text
    assert 'class="term-def"' in html and "Tumor lysis syndrome (TLS):" not in text
    # The clinical page measured the same way reads far harder: the measure tells them apart.
    clinical, _ = page_grade(client.get("/articles/tumor-lysis-syndrome-prevention").text)
    assert clinical > page_grade(html)[0] + 3
