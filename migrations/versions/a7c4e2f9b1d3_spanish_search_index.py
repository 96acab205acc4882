"""Spanish search index, and the language a follow-up question was asked in

Issue 16. `search_documents_es` holds each public article as a Spanish page shows it (Spanish
wording, English where a section has none), beside the English `search_documents`, which is
left exactly as it was (its triggers, the staff search index and their tables are untouched:
nothing here rebuilds an existing table).

SQLite: an external-content FTS5 table `search_index_es` over it. FTS5 cannot take the Snowball
Spanish stemmer as a tokenizer from Python, so the application stores each text column's stems,
one per word, in `stems` (JSON), and the triggers index those: FTS5 matches the stems, while
`snippet()` reads the real, accented text at the same word positions.

PostgreSQL: a `spanish_unaccent` text search configuration (a copy of `spanish` whose words go
through `unaccent`, then the Spanish Snowball stemmer and its stop words), and generated
`document` and `title` columns with GIN indexes, as for English. Where the `unaccent` extension
is not available on the server, the configuration is a plain copy of `spanish`: search still
stems, but "blastica" no longer finds "blástica" (the log says so).

Rows are written by the application (`flask --app app reindex` builds them for articles already
public; publishing keeps them in step from then on).

`followup_questions.language`: the page's language when the question was asked ('en' for every
existing question).

Revision ID: a7c4e2f9b1d3
Revises: a9c4e7b2d1f5
Create Date: 2026-12-07 21:00:00.000000

"""

import logging

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c4e2f9b1d3"
down_revision = "a9c4e7b2d1f5"
branch_labels = None
depends_on = None

TEXT_COLUMNS = ("question", "headings", "plain", "standard", "clinical", "reference_titles")


def _stems(row: str) -> str:
    return ", ".join(f"json_extract({row}.stems, '$.{name}')" for name in TEXT_COLUMNS)


COLUMNS = ", ".join(TEXT_COLUMNS)
SQLITE_UP = [
    f"""
    CREATE VIRTUAL TABLE search_index_es USING fts5(
        {COLUMNS},
        content='search_documents_es', content_rowid='article_id',
        tokenize='unicode61 remove_diacritics 2'
    )
    """,
    f"""
    CREATE TRIGGER search_documents_es_after_insert AFTER INSERT ON search_documents_es BEGIN
        INSERT INTO search_index_es (rowid, {COLUMNS})
        VALUES (new.article_id, {_stems("new")});
    END
    """,
    f"""
    CREATE TRIGGER search_documents_es_after_delete AFTER DELETE ON search_documents_es BEGIN
        INSERT INTO search_index_es (search_index_es, rowid, {COLUMNS})
        VALUES ('delete', old.article_id, {_stems("old")});
    END
    """,
    f"""
    CREATE TRIGGER search_documents_es_after_update AFTER UPDATE ON search_documents_es BEGIN
        INSERT INTO search_index_es (search_index_es, rowid, {COLUMNS})
        VALUES ('delete', old.article_id, {_stems("old")});
        INSERT INTO search_index_es (rowid, {COLUMNS})
        VALUES (new.article_id, {_stems("new")});
    END
    """,
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_documents_es_after_update",
    "DROP TRIGGER IF EXISTS search_documents_es_after_delete",
    "DROP TRIGGER IF EXISTS search_documents_es_after_insert",
    "DROP TABLE IF EXISTS search_index_es",
]

CONFIG = "spanish_unaccent"
POSTGRES_UP = [
    f"""
    ALTER TABLE search_documents_es ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('{CONFIG}', question), 'A')
        || setweight(to_tsvector('{CONFIG}', headings), 'B')
        || setweight(to_tsvector('{CONFIG}', plain
            || CASE WHEN standard IN (plain, clinical) THEN '' ELSE ' ' || standard END
            || CASE WHEN clinical = plain THEN '' ELSE ' ' || clinical END), 'C')
        || setweight(to_tsvector('{CONFIG}', reference_titles), 'D')
    ) STORED
    """,
    f"""
    ALTER TABLE search_documents_es ADD COLUMN title tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('{CONFIG}', question), 'A')
        || setweight(to_tsvector('{CONFIG}', headings), 'B')
    ) STORED
    """,
    "CREATE INDEX ix_search_documents_es_document ON search_documents_es USING gin (document)",
    "CREATE INDEX ix_search_documents_es_title ON search_documents_es USING gin (title)",
]


def _postgres_configuration() -> None:
    """`spanish` with accents folded by `unaccent` where this server has it and this role may
    create it (in a savepoint, so a refusal leaves the migration going); else plain `spanish`."""
    conn = op.get_bind()
    op.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = spanish)")
    try:
        with conn.begin_nested():
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS unaccent"))
            conn.execute(
                sa.text(
                    f"ALTER TEXT SEARCH CONFIGURATION {CONFIG}"
                    " ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem"
                )
            )
    except sa.exc.DBAPIError as error:
        logging.getLogger("alembic").warning(
            "Spanish search will stem but not fold accents: unaccent could not be created (%s)."
            " To mend: CREATE EXTENSION unaccent; ALTER TEXT SEARCH CONFIGURATION %s ALTER"
            " MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem; then"
            " `flask --app app reindex`.",
            error.orig,
            CONFIG,
        )


def upgrade():
    op.create_table(
        "search_documents_es",
        sa.Column("article_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        *[sa.Column(name, sa.Text(), nullable=False) for name in TEXT_COLUMNS],
        sa.Column("stems", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_search_documents_es_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["revisions.id"],
            name=op.f("fk_search_documents_es_revision_id_revisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_search_documents_es")),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _postgres_configuration()
    for statement in {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}.get(dialect, []):
        op.execute(statement)
    # A plain ADD COLUMN (no batch rebuild), so the table's rows and anything on it stay.
    op.add_column(
        "followup_questions",
        sa.Column("language", sa.String(length=8), nullable=False, server_default="en"),
    )


def downgrade():
    with op.batch_alter_table("followup_questions") as batch_op:
        batch_op.drop_column("language")
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    op.drop_table("search_documents_es")
    if dialect == "postgresql":
        op.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")
