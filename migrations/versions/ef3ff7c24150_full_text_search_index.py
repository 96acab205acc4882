"""Full-text search index: search_documents, plus FTS5 (SQLite) or tsvector + GIN (PostgreSQL)

`search_documents` holds each public article's public revision as plain text (services/search).
SQLite: an external-content FTS5 table `search_index` over it, with Porter stemming, kept in step
by triggers. PostgreSQL: generated `document` and `title` tsvector columns with GIN indexes; a
level's wording that merely repeats another's (no variant of its own) is left out of `document`,
which halves the work for most articles and keeps repeated text from counting twice.

The index is then built for the articles already public, with the service's bulk builder
(services.search.documents). Should that code ever stop fitting this revision's schema, replace
the build step by nothing: `flask --app app reindex` after upgrading does the same.

Revision ID: ef3ff7c24150
Revises: b7d2e4f1a9c3
Create Date: 2026-11-26 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ef3ff7c24150'
down_revision = 'b7d2e4f1a9c3'
branch_labels = None
depends_on = None

TEXT_COLUMNS = ('question', 'headings', 'plain', 'standard', 'clinical', 'reference_titles')

SQLITE_UP = [
    """
    CREATE VIRTUAL TABLE search_index USING fts5(
        question, headings, plain, standard, clinical, reference_titles,
        content='search_documents', content_rowid='article_id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    # External content: FTS5 must be told the old text to remove a row, hence 'delete' rows.
    """
    CREATE TRIGGER search_documents_after_insert AFTER INSERT ON search_documents BEGIN
        INSERT INTO search_index (rowid, question, headings, plain, standard, clinical,
                                  reference_titles)
        VALUES (new.article_id, new.question, new.headings, new.plain, new.standard,
                new.clinical, new.reference_titles);
    END
    """,
    """
    CREATE TRIGGER search_documents_after_delete AFTER DELETE ON search_documents BEGIN
        INSERT INTO search_index (search_index, rowid, question, headings, plain, standard,
                                  clinical, reference_titles)
        VALUES ('delete', old.article_id, old.question, old.headings, old.plain, old.standard,
                old.clinical, old.reference_titles);
    END
    """,
    """
    CREATE TRIGGER search_documents_after_update AFTER UPDATE ON search_documents BEGIN
        INSERT INTO search_index (search_index, rowid, question, headings, plain, standard,
                                  clinical, reference_titles)
        VALUES ('delete', old.article_id, old.question, old.headings, old.plain, old.standard,
                old.clinical, old.reference_titles);
        INSERT INTO search_index (rowid, question, headings, plain, standard, clinical,
                                  reference_titles)
        VALUES (new.article_id, new.question, new.headings, new.plain, new.standard,
                new.clinical, new.reference_titles);
    END
    """,
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_documents_after_update",
    "DROP TRIGGER IF EXISTS search_documents_after_delete",
    "DROP TRIGGER IF EXISTS search_documents_after_insert",
    "DROP TABLE IF EXISTS search_index",
]

POSTGRES_UP = [
    """
    ALTER TABLE search_documents ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', question), 'A')
        || setweight(to_tsvector('english', headings), 'B')
        || setweight(to_tsvector('english', plain
            || CASE WHEN standard IN (plain, clinical) THEN '' ELSE ' ' || standard END
            || CASE WHEN clinical = plain THEN '' ELSE ' ' || clinical END), 'C')
        || setweight(to_tsvector('english', reference_titles), 'D')
    ) STORED
    """,
    """
    ALTER TABLE search_documents ADD COLUMN title tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', question), 'A')
        || setweight(to_tsvector('english', headings), 'B')
    ) STORED
    """,
    "CREATE INDEX ix_search_documents_document ON search_documents USING gin (document)",
    "CREATE INDEX ix_search_documents_title ON search_documents USING gin (title)",
]


def upgrade():
    op.create_table('search_documents',
    sa.Column('article_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    *[sa.Column(name, sa.Text(), nullable=False) for name in TEXT_COLUMNS],
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_search_documents_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_search_documents_revision_id_revisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', name=op.f('pk_search_documents'))
    )
    dialect = op.get_bind().dialect.name
    for statement in {'sqlite': SQLITE_UP, 'postgresql': POSTGRES_UP}.get(dialect, []):
        op.execute(statement)
    _build_for_existing_articles()


def _build_for_existing_articles():
    from services.search import documents

    conn = op.get_bind()
    table = sa.table('search_documents', sa.column('article_id'), sa.column('revision_id'),
                     *[sa.column(name) for name in TEXT_COLUMNS])
    for rows in documents.public_rows(conn):
        conn.execute(table.insert(), rows)
    # As services.search does after a bulk load: one FTS5 b-tree, no GIN pending list.
    if conn.dialect.name == 'sqlite':
        op.execute("INSERT INTO search_index(search_index) VALUES ('optimize')")
    elif conn.dialect.name == 'postgresql':
        op.execute("SELECT gin_clean_pending_list('ix_search_documents_document'::regclass)")
        op.execute("SELECT gin_clean_pending_list('ix_search_documents_title'::regclass)")


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_DOWN:
            op.execute(statement)
    # PostgreSQL: the generated columns and their indexes go with the table.
    op.drop_table('search_documents')
