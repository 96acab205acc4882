"""Questions to ask your care team are not indexed for search

The section kind "questions" (a VARCHAR, no CHECK constraint: nothing to alter in the schema) is
shown to patient and student readers but left out of `search_documents`: its generic questions
would match every article that has them and be quoted in excerpts as if the article said them.
ef3ff7c24150 built the index knowing no such kind; this step rebuilds the rows of public articles
that have one, with the same frozen text extraction (that revision's own `_row`, which its file
promises never to change) and the questions left out. On a database that never had the kind it
does nothing.

Revision ID: 6f2d9a41c8e3
Revises: b3e8f0c2d5a1
Create Date: 2026-12-07 17:45:00.000000

"""

import sqlalchemy as sa
from alembic import context, op
from alembic.script import ScriptDirectory

# revision identifiers, used by Alembic.
revision = "6f2d9a41c8e3"
down_revision = "b3e8f0c2d5a1"
branch_labels = None
depends_on = None

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
search_documents = sa.table(
    "search_documents",
    sa.column("article_id"),
    sa.column("revision_id"),
    sa.column("question"),
    sa.column("headings"),
    sa.column("plain"),
    sa.column("standard"),
    sa.column("clinical"),
    sa.column("reference_titles"),
)
NOT_INDEXED = "questions"


def upgrade():
    conn = op.get_bind()
    has_questions = (
        sa.select(sections.c.id)
        .where(
            sections.c.revision_id == articles.c.public_revision_id,
            sections.c.kind == NOT_INDEXED,
        )
        .exists()
    )
    found = conn.execute(
        sa.select(articles.c.id, articles.c.public_revision_id, revisions.c.question)
        .join(revisions, revisions.c.id == articles.c.public_revision_id)
        .where(has_questions)
        .order_by(articles.c.id)
    ).all()
    if not found:
        return
    indexing = ScriptDirectory.from_config(context.config).get_revision("ef3ff7c24150").module
    titles = dict(conn.execute(sa.select(references.c.key, references.c.title)).all())
    by_revision = {revision_id: {} for _, revision_id, _ in found}
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
        .where(sections.c.revision_id.in_(list(by_revision)), sections.c.kind != NOT_INDEXED)
    ):
        section = by_revision[revision_id].setdefault(section_id, (kind, heading, position, {}))
        section[3][level] = body
    for article_id, revision_id, question in found:
        row = indexing._row(article_id, revision_id, question, by_revision[revision_id], titles)
        conn.execute(
            search_documents.update()
            .where(search_documents.c.article_id == article_id)
            .values({k: v for k, v in row.items() if k != "article_id"})
        )


def downgrade():
    # Nothing to undo: the rows hold what readers are searched by; `flask --app app reindex`
    # rebuilds them with whichever code is running.
    pass
