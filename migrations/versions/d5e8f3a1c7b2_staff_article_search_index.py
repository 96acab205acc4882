"""Staff article search index: every article's address, question and latest question, indexed
for substrings (trigrams) and word prefixes, kept in step by triggers on `articles`

The staff list (`/admin/articles?q=`) searches every article, drafts included, by what staff
type: a piece of the question (of the latest revision or the listing copy) or of the address.
Words of three characters or more match anywhere (trigrams); shorter ones match the start of a
word (a prefix index). The text of one article is `slug question [latest question]`.

SQLite: two FTS5 tables, `search_index_staff` (trigram tokenizer) and `search_index_staff_words`
(unicode61, prefix indexes of 1 and 2 characters), rowid = the article's latest revision id.
PostgreSQL: a table `search_index_staff` (article_id, text, words = to_tsvector('simple', text)
stored) with a pg_trgm GIN index on `text` and a GIN index on `words`;
`search_index_staff_rebuild()` refills it.

Both are written by triggers on `articles` (insert; update of slug, question or the latest
revision pointer; delete), so every path that changes an article, the bulk synthetic seeding
included, keeps the index in step. Like the public FTS5 index (migration ef3ff7c24150) these are
made in SQL, outside the models: `search_index*` is excluded from the model comparison.
A later migration that rebuilds `articles` on SQLite (batch mode copies the table) drops its
triggers: it must create these again (see SQLITE_TRIGGERS).

Revision ID: d5e8f3a1c7b2
Revises: 69485bccd85a
Create Date: 2026-12-07 17:30:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "d5e8f3a1c7b2"
down_revision = "69485bccd85a"
branch_labels = None
depends_on = None


def _text(row: str) -> str:
    """The indexed text of the article `row` (new, old or a table alias), in SQL."""
    return (
        f"{row}.slug || ' ' || {row}.question || coalesce(' ' || (SELECT r.question FROM "
        f"revisions r WHERE r.id = {row}.latest_revision_id AND r.question <> {row}.question), '')"
    )


SQLITE_TABLES = [
    "CREATE VIRTUAL TABLE search_index_staff USING fts5(text, tokenize = 'trigram')",
    """
    CREATE VIRTUAL TABLE search_index_staff_words USING fts5(
        text, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2'
    )
    """,
]
# The rowid is the article's latest revision id, not the article's: FTS5 returns matches in
# rowid order without sorting them and stops at a LIMIT, so the list's "newest saved first"
# page costs the same for a word in every article as for a word in ten.
_ADD = """
        INSERT INTO {table} (rowid, text)
        SELECT new.latest_revision_id, {text} WHERE new.latest_revision_id IS NOT NULL;"""
_DROP = """
        DELETE FROM {table} WHERE rowid = old.latest_revision_id;"""
_TABLES = ("search_index_staff", "search_index_staff_words")
SQLITE_TRIGGERS = [
    "CREATE TRIGGER search_index_staff_after_insert AFTER INSERT ON articles BEGIN"
    + "".join(_ADD.format(table=t, text=_text("new")) for t in _TABLES)
    + "\n    END",
    "CREATE TRIGGER search_index_staff_after_update"
    " AFTER UPDATE OF slug, question, latest_revision_id ON articles BEGIN"
    + "".join(_DROP.format(table=t) for t in _TABLES)
    + "".join(_ADD.format(table=t, text=_text("new")) for t in _TABLES)
    + "\n    END",
    "CREATE TRIGGER search_index_staff_after_delete AFTER DELETE ON articles BEGIN"
    + "".join(_DROP.format(table=t) for t in _TABLES)
    + "\n    END",
]
SQLITE_BACKFILL = [
    f"INSERT INTO {t} (rowid, text) SELECT a.latest_revision_id, {_text('a')} FROM articles a"
    " WHERE a.latest_revision_id IS NOT NULL"
    for t in _TABLES
] + [f"INSERT INTO {t} ({t}) VALUES ('optimize')" for t in _TABLES]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_index_staff_after_delete",
    "DROP TRIGGER IF EXISTS search_index_staff_after_update",
    "DROP TRIGGER IF EXISTS search_index_staff_after_insert",
    "DROP TABLE IF EXISTS search_index_staff_words",
    "DROP TABLE IF EXISTS search_index_staff",
]

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE TABLE search_index_staff (
        article_id integer PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
        text text NOT NULL,
        words tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED
    )
    """,
    f"""
    CREATE FUNCTION search_index_staff_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO search_index_staff (article_id, text) VALUES (NEW.id, {_text("NEW")})
        ON CONFLICT (article_id) DO UPDATE SET text = EXCLUDED.text;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER search_index_staff_refresh
    AFTER INSERT OR UPDATE OF slug, question, latest_revision_id ON articles
    FOR EACH ROW EXECUTE FUNCTION search_index_staff_refresh()
    """,
    # Refills the table from `articles`: after a load that ran with triggers off (a restore
    # with session_replication_role = replica), and for the backfill below.
    f"""
    CREATE FUNCTION search_index_staff_rebuild() RETURNS void LANGUAGE sql AS $$
        DELETE FROM search_index_staff;
        INSERT INTO search_index_staff (article_id, text) SELECT a.id, {_text("a")} FROM articles a;
    $$
    """,
    "SELECT search_index_staff_rebuild()",
    # Built after the backfill: one pass each, no pending list.
    """
    CREATE INDEX ix_search_index_staff_trigrams ON search_index_staff
    USING gin (text gin_trgm_ops)
    """,
    """
    CREATE INDEX ix_search_index_staff_words ON search_index_staff USING gin (words)
    """,
    "ANALYZE search_index_staff",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS search_index_staff_refresh ON articles",
    "DROP FUNCTION IF EXISTS search_index_staff_refresh()",
    "DROP FUNCTION IF EXISTS search_index_staff_rebuild()",
    "DROP TABLE IF EXISTS search_index_staff",
    # pg_trgm stays: other objects may use it, and dropping an extension needs its owner.
]


def upgrade():
    dialect = op.get_bind().dialect.name
    steps = {
        "sqlite": SQLITE_TABLES + SQLITE_BACKFILL + SQLITE_TRIGGERS,
        "postgresql": POSTGRES_UP,
    }
    for statement in steps.get(dialect, []):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(dialect, []):
        op.execute(statement)
