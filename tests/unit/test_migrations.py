"""Migrations keep data: SQLite rebuilds a table to alter it, which must never cascade."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
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


def _managed(obj, name, type_, reflected, compare_to) -> bool:
    """What the models describe; the same exclusions as migrations/env.py's include_object."""
    if type_ == "table" and name.startswith("search_index"):
        return False  # SQLite's FTS5 virtual table and its shadow tables: made by hand in SQL
    table = getattr(obj, "table", None)
    if reflected and compare_to is None and table is not None and table.name == "search_documents":
        return False  # PostgreSQL's generated tsvector columns and their GIN indexes, likewise
    return True


# SQLite cannot reflect an index on an expression (uq_references_doi is on lower(doi)), so Alembic
# warns and leaves that one index out of the comparison; PostgreSQL compares it.
@pytest.mark.filterwarnings("ignore:.*expression-based index:UserWarning")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrations_build_exactly_what_the_models_describe(app):
    upgrade()  # at head already (the session fixture ran every migration); a no-op that says so
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "include_object": _managed,
                "compare_type": True,
                # Server defaults are left out: migrations add them to backfill NOT NULL columns
                # on existing rows (e.g. topics.article_count), while the models default in
                # Python; every insert goes through the models, so they never disagree in use.
                "compare_server_default": False,
            },
        )
        assert context.get_current_revision() is not None
        assert compare_metadata(context, db.metadata) == []
