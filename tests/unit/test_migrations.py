"""Migrations keep data: SQLite rebuilds a table to alter it, which must never cascade. And they
stand alone: none imports the application, and the search index's data migration still builds
what the application would."""

import ast
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from extensions import db
from models import ReadingLevel
from services import search
from services.seeding.synthetic import seed_synthetic

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = ROOT / "migrations" / "versions"


def _snapshot() -> tuple:
    """Counts that a migration down and up must keep. Wordings count in English: translations
    cannot outlive a downgrade past the migration that gave wordings a language (f3b9d6e2a4c1)."""
    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("section_variants")}
    english = " WHERE language = 'en'" if "language" in columns else ""
    return db.session.execute(
        sa.text(
            "SELECT (SELECT COUNT(*) FROM revisions),"
            f" (SELECT COUNT(*) FROM section_variants{english}),"
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
    if (
        reflected
        and compare_to is None
        and table is not None
        and table.name.startswith("search_documents")
    ):
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


# -- Frozen migrations --------------------------------------------------------------------------


def _application_names() -> set[str]:
    """This repository's top-level modules and packages (folders with Python files in them)."""
    return {path.stem for path in ROOT.glob("*.py")} | {
        path.name
        for path in ROOT.iterdir()
        if path.is_dir() and not path.name.startswith(".") and any(path.glob("*.py"))
    }


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, top-level name) of every import in a module, those inside functions too; a
    relative import's name is "."."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.partition(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, "." if node.level else node.module.partition(".")[0]))
    return found


def test_the_import_check_sees_imports_inside_functions():
    tree = ast.parse("def build():\n    from services.search import documents\n    import app\n")
    assert [name for _, name in _imports(tree)] == ["services", "app"]


# What a migration may import: what runs migrations, and the standard library. Application code
# follows today's schema, and other libraries (a Markdown parser) move on with their releases.
MIGRATIONS_MAY_IMPORT = {"alembic", "sqlalchemy", "__future__"} | set(sys.stdlib_module_names)


def test_no_migration_imports_application_code_or_other_libraries():
    """A migration runs against its own revision's schema forever; today's code follows today's.
    A data migration carries the queries it needs as they were (ef3ff7c24150 shows how)."""
    application = _application_names()
    assert {"app", "config", "extensions", "models", "services", "web"} <= application
    assert not application & MIGRATIONS_MAY_IMPORT
    files = sorted(VERSIONS.glob("*.py"))
    assert len(files) > 10
    offences = [
        f"{path.name}:{line} imports {name}"
        for path in files
        for line, name in _imports(ast.parse(path.read_text(encoding="utf-8"), path.name))
        if name not in MIGRATIONS_MAY_IMPORT
    ]
    assert offences == []


SEARCH_COLUMNS = (
    "article_id, revision_id, question, headings, plain, standard, clinical, reference_titles"
)


def _search_documents() -> list[tuple]:
    return [
        tuple(row)
        for row in db.session.execute(
            sa.text(f"SELECT {SEARCH_COLUMNS} FROM search_documents ORDER BY article_id")
        )
    ]


def test_search_index_migration_builds_again_what_the_application_stored(demo):
    """ef3ff7c24150 indexes the articles already public with its own frozen copy of the text
    extraction: down past it and up again, every row of the demo content and of synthetic
    articles is exactly what today's services wrote."""
    seed_synthetic(25)
    db.session.commit()
    before = _search_documents()
    public = db.session.execute(
        sa.text(
            "SELECT id, public_revision_id FROM articles"
            " WHERE public_revision_id IS NOT NULL ORDER BY id"
        )
    ).all()
    assert public and [row[:2] for row in before] == [tuple(row) for row in public]
    db.session.remove()
    db.engine.dispose()
    try:
        downgrade(revision="b7d2e4f1a9c3")
        db.engine.dispose()
        with db.engine.connect() as conn:
            assert "search_documents" not in sa.inspect(conn).get_table_names()
    finally:
        upgrade()
        db.engine.dispose()
    assert _search_documents() == before
    hits = search.search("blast crisis", level=ReadingLevel.CLINICAL).hits
    assert [hit.article.slug for hit in hits][:1] == ["all-blast-crisis-treatment"]


def _listing_copies() -> list[tuple]:
    return [
        tuple(row)
        for row in db.session.execute(
            sa.text(
                "SELECT id, summary, summary_standard, summary_plain FROM articles"
                " WHERE public_revision_id IS NOT NULL ORDER BY id"
            )
        )
    ]


def test_listing_copy_migration_fills_every_level_as_the_application_does(demo):
    """69485bccd85a fills the short answer's listing copies of the articles already public,
    with its own frozen reading of the Markdown: down past it and up again, every article of
    the demo content and synthetic articles holds exactly what the publishing rule wrote,
    and `summary` becomes the clinical wording alone."""
    seed_synthetic(25)
    db.session.commit()
    before = _listing_copies()
    assert len(before) > 25 and all(row[1] and row[3] for row in before)
    assert any(not row[2] for row in before) and any(row[2] for row in before)
    db.session.remove()
    db.engine.dispose()
    try:
        downgrade(revision="a37d92f877a6")
        db.engine.dispose()
        with db.engine.begin() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("articles")}
            assert "summary_plain" not in columns
            conn.execute(sa.text("UPDATE articles SET summary = 'stale'"))
    finally:
        upgrade()
        db.engine.dispose()
    assert _listing_copies() == before
