"""Store whether each article's public revision has a translation out of date, for the dashboard

The staff dashboard's "Translations out of date" started from every lagging wording ever saved
(`section_variants.lags`), superseded revisions' too, which accumulate with history: 274 ms on
SQLite at 100,000 articles and 168,000 lagging wordings (scripts/bench_translations_behind.py).
Starting from the public revisions instead reads every public section: 2.8 s. The flag is kept
by services.editorial.publishing.refresh_publication; an index on it in the list's order makes
the list cost what it shows.

Revision ID: d8b3f1a6c2e7
Revises: a7c4e2f9b1d3
Create Date: 2026-12-07 23:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d8b3f1a6c2e7"
down_revision = "a7c4e2f9b1d3"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (a constant default): SQLite need not copy the table, as batch mode would.
    op.add_column(
        "articles",
        sa.Column(
            "public_translations_behind", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )
    # The condition of services.editorial.publishing.translations_behind, as of this migration:
    # per section, through (lags, section_id), never every lagging wording per article.
    op.execute(
        """
        UPDATE articles SET public_translations_behind = true
        WHERE public_revision_id IS NOT NULL AND EXISTS (
            SELECT 1 FROM sections
            WHERE sections.revision_id = articles.public_revision_id AND EXISTS (
                SELECT 1 FROM section_variants
                WHERE section_variants.section_id = sections.id AND section_variants.lags = true
            )
        )
        """
    )
    op.create_index(
        "ix_articles_public_translations_behind",
        "articles",
        ["public_translations_behind", "question", "id"],
    )


def downgrade():
    op.drop_index("ix_articles_public_translations_behind", table_name="articles")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("public_translations_behind")
