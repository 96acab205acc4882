# FROZEN ON PURPOSE: this file imports alembic, sqlalchemy and the standard library, nothing else.
# Its reading of the Markdown is ef3ff7c24150's (itself frozen from services/markdown.py's
# plain_blocks), copied as it is: a migration must read the same in a year, while the application's
# Markdown parser moves on. It gives the same listing copies as services.editorial.publishing on the
# demo content and on synthetic articles (tests/unit/test_migrations.py); any later approval
# writes them again with the code of its day. Leave it as it is when the application changes.
"""Listing copies of the short answer at every reading level

articles.summary_standard and articles.summary_plain beside articles.summary (clinical). Listings (home, topic pages, related articles, the instant answer's related list) showed every
reader the clinical short answer. Each level's own wording is now copied onto the article by the
publishing rule, so a listing still reads one row per article, no join, and shows the reader's
level, falling back as the article page does. `summary` becomes exactly the clinical wording ("" if
there is none; it used to take any level then). The existing public articles are filled from their
public revision here.

Revision ID: 69485bccd85a
Revises: 6f2d9a41c8e3
Create Date: 2026-12-07 17:32:08.000000

"""

import html
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "69485bccd85a"
down_revision = "6f2d9a41c8e3"
branch_labels = None
depends_on = None

COLUMNS = {"clinical": "summary", "standard": "summary_standard", "plain": "summary_plain"}
BATCH = 1_000  # articles read and written at a time


def upgrade():
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("summary_standard", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("summary_plain", sa.Text(), nullable=False, server_default=""))
    _fill_public_articles(op.get_bind())


def downgrade():
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("summary_plain")
        batch_op.drop_column("summary_standard")


# The tables as this revision reads them.
articles = sa.table(
    "articles",
    sa.column("id"),
    sa.column("public_revision_id"),
    *[sa.column(name) for name in COLUMNS.values()],
)
sections = sa.table(
    "sections", sa.column("id"), sa.column("revision_id"), sa.column("kind"), sa.column("position")
)
section_variants = sa.table(
    "section_variants", sa.column("section_id"), sa.column("level"), sa.column("body")
)


def _fill_public_articles(conn):
    """Each public article's listing copies from its public revision's short answer, a batch of
    articles at a time: two reads and one executemany per thousand."""
    update = (
        articles.update()
        .where(articles.c.id == sa.bindparam("article_id"))
        .values({column: sa.bindparam(f"new_{column}") for column in COLUMNS.values()})
    )
    after = 0
    while True:
        batch = conn.execute(
            sa.select(articles.c.id, articles.c.public_revision_id)
            .where(articles.c.public_revision_id.is_not(None), articles.c.id > after)
            .order_by(articles.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        # The short answer: the revision's first section of kind summary.
        first = {}
        for revision_id, section_id, position in conn.execute(
            sa.select(sections.c.revision_id, sections.c.id, sections.c.position).where(
                sections.c.revision_id.in_([r for _, r in batch]), sections.c.kind == "summary"
            )
        ):
            if revision_id not in first or position < first[revision_id][1]:
                first[revision_id] = (section_id, position)
        bodies = {section_id: {} for section_id, _ in first.values()}
        if bodies:
            for section_id, level, body in conn.execute(
                sa.select(
                    section_variants.c.section_id, section_variants.c.level, section_variants.c.body
                ).where(section_variants.c.section_id.in_(list(bodies)))
            ):
                bodies[section_id][level] = body
        rows = []
        for article_id, revision_id in batch:
            by_level = bodies.get(first.get(revision_id, (None,))[0], {})
            row = {"article_id": article_id}
            for level, column in COLUMNS.items():
                row[f"new_{column}"] = _listing_copy(by_level.get(level, ""))
            rows.append(row)
        conn.execute(update, rows)
        after = batch[-1][0]


def _listing_copy(body):
    """A short answer's Markdown as one line of plain text, citations removed."""
    return " ".join(
        text
        for _, lines in _blocks(CITED.sub("", PRIVATE_USE.sub("", body)))
        if (text := _inline(lines))
    )


# -- Frozen from ef3ff7c24150 (see the top of this file) ---------------------------------------

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
