# FROZEN ON PURPOSE: this file imports nothing from the application. A migration must do the same
# thing whenever it runs, against the schema of its own revision, while the application's code
# follows the newest schema and keeps moving (this step used to import services.search.documents,
# whose helpers have since moved to other modules). So the build step below carries its own query,
# written against the tables as they were at this revision, and its own text extraction: what
# services/search/documents.py, services/markdown.py (plain_outline, citation_keys) and
# services/personalization.py (choose_level) did at commit 4c88f68, which added this migration.
# Leave it as it is when the application changes; tests/unit/test_migrations.py checks both.
"""Full-text search index: search_documents, plus FTS5 (SQLite) or tsvector + GIN (PostgreSQL)

`search_documents` holds each public article's public revision as plain text (services/search).
SQLite: an external-content FTS5 table `search_index` over it, with Porter stemming, kept in step
by triggers. PostgreSQL: generated `document` and `title` tsvector columns with GIN indexes; a
level's wording that merely repeats another's (no variant of its own) is left out of `document`,
which halves the work for most articles and keeps repeated text from counting twice.

The index is then built for the articles already public, by this file's own copy of the text
extraction services/search/documents.py did when this revision was written (see the comment
at the top). `flask --app app reindex` rebuilds the index with today's code at any time.

Revision ID: ef3ff7c24150
Revises: b7d2e4f1a9c3
Create Date: 2026-11-26 12:00:00.000000

"""

import re
from functools import lru_cache

import sqlalchemy as sa
from alembic import op
from markdown_it import MarkdownIt

# revision identifiers, used by Alembic.
revision = "ef3ff7c24150"
down_revision = "b7d2e4f1a9c3"
branch_labels = None
depends_on = None

TEXT_COLUMNS = ("question", "headings", "plain", "standard", "clinical", "reference_titles")

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
    op.create_table(
        "search_documents",
        sa.Column("article_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        *[sa.Column(name, sa.Text(), nullable=False) for name in TEXT_COLUMNS],
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_search_documents_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["revisions.id"],
            name=op.f("fk_search_documents_revision_id_revisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_search_documents")),
    )
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}.get(dialect, []):
        op.execute(statement)
    _build_for_existing_articles()


def _build_for_existing_articles():
    conn = op.get_bind()
    table = sa.table(
        "search_documents",
        sa.column("article_id"),
        sa.column("revision_id"),
        *[sa.column(name) for name in TEXT_COLUMNS],
    )
    for rows in _public_rows(conn):
        conn.execute(table.insert(), rows)
    # As services.search does after a bulk load: one FTS5 b-tree, no GIN pending list.
    if conn.dialect.name == "sqlite":
        op.execute("INSERT INTO search_index(search_index) VALUES ('optimize')")
    elif conn.dialect.name == "postgresql":
        op.execute("SELECT gin_clean_pending_list('ix_search_documents_document'::regclass)")
        op.execute("SELECT gin_clean_pending_list('ix_search_documents_title'::regclass)")


# -- Frozen at 4c88f68 (see the top of this file) -----------------------------------------------

# The tables as this revision reads them.
articles = sa.table("articles", sa.column("id"), sa.column("public_revision_id"))
revisions = sa.table("revisions", sa.column("id"), sa.column("question"))
sections = sa.table(
    "sections",
    sa.column("id"),
    sa.column("revision_id"),
    sa.column("kind"),
    sa.column("heading"),
    sa.column("position"),
)
section_variants = sa.table(
    "section_variants", sa.column("section_id"), sa.column("level"), sa.column("body")
)
references = sa.table("references", sa.column("key"), sa.column("title"))

BATCH = 1_000  # articles read and written at a time
LEVELS = ("plain", "standard", "clinical")  # ReadingLevel's values, in its order
# A reader's own level, else the nearest more technical one, a less technical one last.
FALLBACK = {
    "plain": ("plain", "standard", "clinical"),
    "standard": ("standard", "clinical", "plain"),
    "clinical": ("clinical", "standard", "plain"),
}

CITATION = re.compile(r"\[(\s*@[^\s;\]\[]+\s*(?:;\s*@[^\s;\]\[]+\s*)*)\]")
PRIVATE_USE = re.compile("[\ue000\ue001]")
CITED = re.compile(r"[ \t]*" + CITATION.pattern)  # a citation with the space before it


def _citation_rule(state, silent):
    if state.src[state.pos] != "[" or state.src.startswith("[^", state.pos):
        return False
    match = CITATION.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        state.push("citation", "", 0)
    state.pos = match.end()
    return True


def _tighten_citations(state):
    for block in state.tokens:
        for previous, token in zip(block.children or [], (block.children or [])[1:], strict=False):
            if token.type == "citation" and previous.type == "text":
                previous.content = previous.content.rstrip()


# The app's parser, as far as parsing goes (its render rules and glossary step change no text).
_md = MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")
_md.inline.ruler.before("link", "citation", _citation_rule)
_md.core.ruler.after("inline", "tighten_citations", _tighten_citations)


def _citation_keys(text):
    return [
        key.strip().lstrip("@")
        for match in CITATION.finditer(PRIVATE_USE.sub("", text))
        for key in match.group(1).split(";")
    ]


def _text(inline):
    return "".join(
        " " if child.type in ("softbreak", "hardbreak") else child.content
        for child in inline.children or []
        if child.type in ("text", "code_inline", "softbreak", "hardbreak")
    ).strip()


@lru_cache(maxsize=1024)
def _outline(body):
    """Sub-headings and plain text (a line per block) of a body, citations removed."""
    headings, blocks, in_heading = [], [], False
    for token in _md.parse(CITED.sub("", PRIVATE_USE.sub("", body)), {}):
        if token.type in ("heading_open", "heading_close"):
            in_heading = token.type == "heading_open"
        elif token.type == "inline" and (content := _text(token)):
            blocks.append(content)
            if in_heading:
                headings.append(content)
    return tuple(headings), "\n".join(blocks)


def _row(article_id, revision_id, question, by_id, titles):
    # Readers see the short answer first, then the sections in order.
    ordered = sorted(by_id.values(), key=lambda s: (s[0] != "summary", s[2]))
    headings, keys = {}, {}
    for kind, heading, _, bodies in ordered:
        if kind != "summary":
            headings[heading] = None
        for body in (bodies[level] for level in LEVELS if level in bodies):
            headings.update(dict.fromkeys(_outline(body)[0]))
            keys.update(dict.fromkeys(_citation_keys(body)))
    row = {
        "article_id": article_id,
        "revision_id": revision_id,
        "question": question,
        "headings": "\n".join(headings),
        "reference_titles": "\n".join(titles[k] for k in keys if k in titles),
    }
    for level in LEVELS:
        row[level] = "\n".join(
            _outline(bodies[next(lv for lv in FALLBACK[level] if lv in bodies)])[1]
            for _, _, _, bodies in ordered
        )
    return row


def _public_rows(conn):
    """Index rows for every public article, a batch of articles at a time."""
    titles = dict(conn.execute(sa.select(references.c.key, references.c.title)).all())
    after = None
    while True:
        query = (
            sa.select(articles.c.id, articles.c.public_revision_id, revisions.c.question)
            .join(revisions, revisions.c.id == articles.c.public_revision_id)
            .order_by(articles.c.id)
            .limit(BATCH)
        )
        if after is not None:
            query = query.where(articles.c.id > after)
        batch = conn.execute(query).all()
        if not batch:
            return
        found = {revision_id: {} for _, revision_id, _ in batch}
        for revision_id, section_id, kind, heading, position, level, body in conn.execute(
            sa.select(
                sections.c.revision_id,
                sections.c.id,
                sections.c.kind,
                sections.c.heading,
                sections.c.position,
                section_variants.c.level,
                section_variants.c.body,
            )
            .join(section_variants, section_variants.c.section_id == sections.c.id)
            .where(sections.c.revision_id.in_(list(found)))
        ):
            section = found[revision_id].setdefault(section_id, (kind, heading, position, {}))
            section[3][level] = body
        yield [_row(a, r, question, found[r], titles) for a, r, question in batch]
        after = batch[-1][0]


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    # PostgreSQL: the generated columns and their indexes go with the table.
    op.drop_table("search_documents")
