"""Migrations keep data: SQLite rebuilds a table to alter it, which must never cascade."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from extensions import db


def _snapshot() -> tuple:
    return db.session.execute(
        sa.text(
            "SELECT (SELECT COUNT(*) FROM revisions), (SELECT COUNT(*) FROM section_variants),"
            " COUNT(public_revision_id), COUNT(live_revision_id), COUNT(latest_revision_id)"
            " FROM articles"
        )
    ).one()


def test_down_and_up_again_loses_no_article_or_revision(demo):
    before = _snapshot()
    assert before[2] > 0
    db.session.remove()
    db.engine.dispose()
    try:
        # Back past the migrations that rebuild `articles` on SQLite, then forward again.
        downgrade(revision="af76f7a95637")
        db.engine.dispose()
        assert _snapshot() == before
        db.session.remove()
    finally:
        upgrade()
        db.engine.dispose()
    assert _snapshot() == before
