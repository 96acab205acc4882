# FROZEN ON PURPOSE: this file imports alembic, sqlalchemy and the standard library, nothing else.
# Its reading of the Markdown is 69485bccd85a's (itself frozen from ef3ff7c24150), copied as it
# is: a migration must read the same in a year, while the application's Markdown parser moves on.
"""Listings, topics and glossary terms per language

Issue 16: a page in Spanish lists each article's question and short answer in Spanish. Listings
read copies, never revisions: `article_listing_translations` holds an article's copies in one
language other than English (question, and the short answer per reading level), beside the
English ones on `articles`, kept by the publishing rule. The public articles' copies are filled
here from their public revision (question translations and the summary section's wordings in
that language). `topic_translations` holds a topic's name and description per language.
`glossary_terms.translations` holds a term's words in other languages beside the English (JSON by
language code: term, abbr, aliases, definition), so one edit of a term, in any language, is one
change to review.

Revision ID: a7c2e9d4b1f6
Revises: f3b9d6e2a4c1
Create Date: 2026-12-07 21:00:00.000000

"""

import html
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c2e9d4b1f6"
down_revision = "f3b9d6e2a4c1"
branch_labels = None
depends_on = None

COLUMNS = {"clinical": "summary", "standard": "summary_standard", "plain": "summary_plain"}
BATCH = 1_000  # articles read at a time


def upgrade():
    op.create_table(
        "article_listing_translations",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("summary_standard", sa.Text(), nullable=False),
        sa.Column("summary_plain", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_listing_translations_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["language"],
            ["languages.code"],
            name=op.f("fk_article_listing_translations_language_languages"),
        ),
        sa.PrimaryKeyConstraint(
            "article_id", "language", name=op.f("pk_article_listing_translations")
        ),
    )
    op.create_table(
        "topic_translations",
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topics.id"],
            name=op.f("fk_topic_translations_topic_id_topics"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["language"], ["languages.code"], name=op.f("fk_topic_translations_language_languages")
        ),
        sa.PrimaryKeyConstraint("topic_id", "language", name=op.f("pk_topic_translations")),
    )
    op.add_column(
        "glossary_terms",
        sa.Column("translations", sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
    )
    _fill_public_articles(op.get_bind())


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+), as f3b9d6e2a4c1 does.
    op.drop_column("glossary_terms", "translations")
    op.drop_table("topic_translations")
    op.drop_table("article_listing_translations")


# The tables as this revision reads them.
articles = sa.table("articles", sa.column("id"), sa.column("public_revision_id"))
revisions = sa.table("revisions", sa.column("id"), sa.column("question_translations", sa.JSON))
sections = sa.table(
    "sections", sa.column("id"), sa.column("revision_id"), sa.column("kind"), sa.column("position")
)
section_variants = sa.table(
    "section_variants",
    sa.column("section_id"),
    sa.column("level"),
    sa.column("language"),
    sa.column("body"),
)
listing_translations = sa.table(
    "article_listing_translations",
    sa.column("article_id"),
    sa.column("language"),
    sa.column("question"),
    *[sa.column(name) for name in COLUMNS.values()],
)


def _fill_public_articles(conn):
    """Each public article's copies in every language its public revision has a question or a
    short answer in, a batch of articles at a time: three reads and one insert per thousand."""
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
        revision_ids = [r for _, r in batch]
        questions = {
            revision_id: translations or {}
            for revision_id, translations in conn.execute(
                sa.select(revisions.c.id, revisions.c.question_translations).where(
                    revisions.c.id.in_(revision_ids)
                )
            )
        }
        # The short answer: the revision's first section of kind summary.
        first = {}
        for revision_id, section_id, position in conn.execute(
            sa.select(sections.c.revision_id, sections.c.id, sections.c.position).where(
                sections.c.revision_id.in_(revision_ids), sections.c.kind == "summary"
            )
        ):
            if revision_id not in first or position < first[revision_id][1]:
                first[revision_id] = (section_id, position)
        bodies = {section_id: {} for section_id, _ in first.values()}
        if bodies:
            for section_id, level, language, body in conn.execute(
                sa.select(
                    section_variants.c.section_id,
                    section_variants.c.level,
                    section_variants.c.language,
                    section_variants.c.body,
                ).where(
                    section_variants.c.section_id.in_(list(bodies)),
                    section_variants.c.language != "en",
                )
            ):
                bodies[section_id].setdefault(language, {})[level] = body
        rows = []
        for article_id, revision_id in batch:
            by_language = bodies.get(first.get(revision_id, (None,))[0], {})
            asked = {k: v for k, v in (questions.get(revision_id) or {}).items() if k != "en"}
            for language in sorted(set(by_language) | set(asked)):
                by_level = by_language.get(language, {})
                row = {
                    "article_id": article_id,
                    "language": language,
                    "question": asked.get(language, ""),
                }
                for level, column in COLUMNS.items():
                    row[column] = _listing_copy(by_level.get(level, ""))
                rows.append(row)
        if rows:
            conn.execute(listing_translations.insert(), rows)
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
