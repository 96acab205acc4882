"""The demo content stays honest: real references only, with only their verified fields."""

import re
import tomllib
from pathlib import Path

import pytest
import sqlalchemy as sa

from extensions import db
from models import Article, ReadingLevel, ReviewStatus
from services.reading.markdown import CITATION
from services.reading.view import build_view
from services.seeding.demo import DEMO_DIR

SHARED = Path(__file__).resolve().parents[3] / "shared" / "demo-references.md"
COLUMNS = [
    "key",
    "kind",
    "authors",
    "title",
    "journal",
    "year",
    "volume_pages",
    "pmid",
    "doi",
    "url",
]


def shared_references() -> dict[str, dict[str, str]]:
    rows = {}
    for line in SHARED.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != len(COLUMNS) or cells[0] in ("key", "---") or set(cells[0]) <= {"-"}:
            continue
        row = dict(zip(COLUMNS, cells, strict=True))
        if not row["key"]:
            continue
        row["volume_pages"] = row["volume_pages"]
        rows[row["key"]] = row
    return rows


@pytest.mark.skipif(not SHARED.exists(), reason="shared/demo-references.md is not beside the repo")
def test_demo_references_use_only_verified_fields():
    allowed = shared_references()
    ours = tomllib.loads((DEMO_DIR / "references.toml").read_text())
    assert set(ours) <= set(allowed)
    for key, fields in ours.items():
        for field in ("authors", "title", "journal", "volume_pages", "pmid", "doi", "url"):
            theirs = allowed[key][field]
            if theirs.endswith("†"):
                theirs = ""  # an unreliable field is treated as blank
            assert fields.get(field, "") == theirs, f"{key}.{field}"
        assert str(fields.get("year", "")) == allowed[key]["year"], f"{key}.year"


def test_demo_articles_cite_only_library_keys():
    keys = set(tomllib.loads((DEMO_DIR / "references.toml").read_text()))
    for path in (DEMO_DIR / "articles").glob("*.toml"):
        for match in CITATION.finditer(path.read_text()):
            for key in match.group(1).split(";"):
                assert key.strip().lstrip("@") in keys, f"{path.name}: {key}"


def test_demo_covers_every_public_review_state(demo):
    states = set(db.session.scalars(sa.select(Article).where(Article.is_demo)).all())
    statuses = {a.latest_revision.status for a in states} | {
        a.live_revision.status for a in states if a.live_revision
    }
    assert {ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW, ReviewStatus.APPROVED} <= statuses
    assert len(states) >= 6


def test_demo_articles_render_without_broken_citations(demo):
    for article in db.session.scalars(sa.select(Article)):
        for level in ReadingLevel:
            view = build_view(article, level, card_url=str)
            assert view.broken_keys == [], article.slug
            assert re.search(r"\[@", str(view.sections[0].html)) is None


def test_demo_plain_wording_is_at_most_grade_8(demo):
    from models import SectionVariant

    plain = db.session.scalars(
        sa.select(SectionVariant).where(
            SectionVariant.level == ReadingLevel.PLAIN, SectionVariant.language == "en"
        )
    ).all()
    assert plain, "every demo article has plain wording"
    over = [
        (v.section.revision.article.slug, v.section.heading, v.fk_grade)
        for v in plain
        if v.fk_grade > 8
    ]
    assert over == []


def test_every_demo_section_has_the_wording_its_readers_see():
    """Plain and clinical; the questions to ask, plain and standard (clinicians never see it)."""
    for path in (DEMO_DIR / "articles").glob("*.toml"):
        data = tomllib.loads(path.read_text())
        for part in [data["summary"], *data["sections"]]:
            where = f"{path.name}: {part.get('heading')}"
            if part.get("kind") == "questions":
                assert "plain" in part and "standard" in part and "clinical" not in part, where
            else:
                assert "plain" in part and "clinical" in part, where


def test_every_number_in_the_demo_wording_carries_its_citation():
    """The editor's check ("a clinical number without a citation") passes on our own demo text."""
    from services.editorial.checks import uncited_number_sentences

    uncited = [
        (path.stem, part.get("heading", "summary"), level, sentence)
        for path in sorted((DEMO_DIR / "articles").glob("*.toml"))
        for data in [tomllib.loads(path.read_text())]
        for part in [data["summary"], *data["sections"]]
        for level in ("clinical", "standard", "plain")
        for sentence in uncited_number_sentences(part.get(level, ""))
    ]
    assert uncited == []


def test_demo_review_records_are_dated_from_the_files_not_the_load(demo):
    for article in db.session.scalars(sa.select(Article).where(Article.is_demo)):
        data = tomllib.loads((DEMO_DIR / "articles" / f"{article.slug}.toml").read_text())
        revision = article.revisions[0]
        events = [(e.action, e.created_at) for e in revision.events]
        assert events, article.slug
        times = [at for _action, at in events]
        assert times == sorted(times), article.slug  # in the order they happened
        assert events[0] == ("submit", revision.submitted_at), article.slug
        assert times[0].date() == data["updated"], article.slug
        if data["status"] == "approved":
            assert events[-1] == ("approve", revision.reviewed_at), article.slug
            assert times[-1].date() == data.get("reviewed", data["updated"]), article.slug
