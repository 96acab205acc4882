# FROZEN ON PURPOSE: this file imports alembic, sqlalchemy and the standard library, nothing else.
# A migration must do the same thing whenever it runs, against the schema of its own revision,
# while the application's code (and the libraries it uses, such as its Markdown parser) follows
# the newest schema and keeps moving. This step used to import services.search.documents; it now
# carries its own query, written against the tables as they were at this revision, and its own
# reading of the Markdown: the text services/search/documents.py, services/markdown.py
# (plain_outline, citation_keys) and services/personalization.py (choose_level) extracted at
# commit 4c88f68, which added this migration. It gives the same rows as the application on the
# demo content and on synthetic articles (tests/unit/test_migrations.py); on exotic Markdown it may
# differ in a word, and `flask --app app reindex` rebuilds the index with today's code at any time.
# Leave it as it is when the application changes.
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

import html
import re
from functools import lru_cache

import sqlalchemy as sa
from alembic import op

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

# Block structure, as far as the text of a block goes (standard library only: the application's
# Markdown parser is a dependency that will move on, and this step must read the same in a year).
QUOTE = re.compile(r"^\s{0,3}>\s?")
ATX = re.compile(r"^\s{0,3}#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$")
SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
RULE = re.compile(r"^\s{0,3}(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$")
ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:\s+(.*))?$")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
# Inline marks whose text is kept without them.
LINK = re.compile(r"(!?)\[([^\]]*)\]\([^)]*\)")
AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]*)>")
CODE = re.compile(r"(`+)(.+?)\1")
EMPHASIS = re.compile(r"\*+|(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])")
ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
HARD_BREAK = re.compile(r"(?: {2,}|\\)$")


def _citation_keys(text):
    return [
        key.strip().lstrip("@")
        for match in CITATION.finditer(PRIVATE_USE.sub("", text))
        for key in match.group(1).split(";")
    ]


def _inline(lines):
    """A block's text: its lines joined by spaces, inline marks removed, entities decoded."""
    text = " ".join(HARD_BREAK.sub("", line.strip()) for line in lines).strip()
    kept = []  # code spans and escaped characters: taken as they are, never read as marks

    def keep(text):
        kept.append(text)
        return f"\ue002{len(kept) - 1}\ue002"

    text = CODE.sub(lambda match: keep(match.group(2).strip()), text)
    text = ESCAPE.sub(lambda match: keep(match.group(1)), text)
    text = LINK.sub(r"\1\2", AUTOLINK.sub(r"\1", text))
    text = EMPHASIS.sub("", text)
    text = re.sub("\ue002(\\d+)\ue002", lambda match: kept[int(match.group(1))], text)
    return html.unescape(text).strip()


def _blocks(body):
    """(is a heading, lines) for each block with text, in order: paragraphs, list items, table
    cells, headings. Code blocks hold no running text and are left out."""
    blocks, paragraph, fence, table = [], [], None, False

    def end_paragraph():
        if paragraph:
            blocks.append((False, list(paragraph)))
            paragraph.clear()

    for raw in body.split("\n"):
        if fence:
            if raw.strip().startswith(fence):
                fence = None
            continue
        line = raw
        while QUOTE.match(line):
            line = QUOTE.sub("", line, count=1)
        if match := FENCE.match(line):
            end_paragraph()
            fence = match.group(1)[:3]
            continue
        if not line.strip():
            end_paragraph()
            table = False
            continue
        if table or (paragraph and TABLE_RULE.match(line) and "|" in paragraph[-1]):
            if not table:  # the paragraph's last line was the header row
                header = paragraph.pop()
                end_paragraph()
                blocks.extend((False, [cell]) for cell in _cells(header))
                table = True
            else:
                blocks.extend((False, [cell]) for cell in _cells(line))
            continue
        if paragraph and SETEXT.match(line):
            blocks.append((True, list(paragraph)))
            paragraph.clear()
            continue
        if RULE.match(line):
            end_paragraph()
            continue
        if match := ATX.match(line):
            end_paragraph()
            blocks.append((True, [match.group(1) or ""]))
            continue
        if match := ITEM.match(line):
            end_paragraph()
            line = match.group(1) or ""
        paragraph.append(line)
    end_paragraph()
    return blocks


def _cells(row):
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


@lru_cache(maxsize=1024)
def _outline(body):
    """Sub-headings and plain text (a line per block) of a body, citations removed."""
    headings, texts = [], []
    for is_heading, lines in _blocks(CITED.sub("", PRIVATE_USE.sub("", body))):
        if content := _inline(lines):
            texts.append(content)
            if is_heading:
                headings.append(content)
    return tuple(headings), "\n".join(texts)


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
