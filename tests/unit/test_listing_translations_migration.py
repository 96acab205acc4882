"""a7c2e9d4b1f6 fills the listing copies in other languages for the articles already public,
with its own frozen reading of the Markdown: down before it and up again, the demo's Spanish
copies are exactly what the publishing rule wrote."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from extensions import db


def _copies() -> list[tuple]:
    return [
        tuple(row)
        for row in db.session.execute(
            sa.text(
                "SELECT article_id, language, question, summary, summary_standard, summary_plain"
                " FROM article_listing_translations ORDER BY article_id, language"
            )
        )
    ]


def test_migration_fills_the_spanish_listing_copies_as_the_application_does(demo):
    before = _copies()
    assert len(before) >= 4 and all(row[1] == "es" and row[2] and row[5] for row in before)
    db.session.remove()
    db.engine.dispose()
    try:
        downgrade(revision="f3b9d6e2a4c1")
        db.engine.dispose()
        with db.engine.begin() as conn:
            assert "article_listing_translations" not in sa.inspect(conn).get_table_names()
    finally:
        upgrade()
        db.engine.dispose()
    assert _copies() == before
