"""Store whether each article's public wording reads above its target, for the staff dashboard

The dashboard's "Public wording above its reading target" compared every section variant of the
site with its level's target on each view: 880 ms at 100,000 articles. The flag is kept by
services.publishing (refresh_publication, and refresh_over_target when an admin changes a
target); a partial index in the list's order holds only the flagged articles.

Revision ID: c4a7d2e9b1f3
Revises: 9e4b1f6a2c80
Create Date: 2026-11-26 17:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4a7d2e9b1f3'
down_revision = '9e4b1f6a2c80'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('public_over_target', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # The same condition as services.publishing.wording_above_target, as of this migration,
    # in WHERE, so PostgreSQL joins the wordings once instead of probing them per article.
    op.execute(
        """
        UPDATE articles SET public_over_target = true
        WHERE public_revision_id IS NOT NULL AND EXISTS (
            SELECT 1 FROM sections
            JOIN section_variants ON section_variants.section_id = sections.id
            JOIN reading_levels ON reading_levels.level = section_variants.level
            WHERE sections.revision_id = articles.public_revision_id
              AND section_variants.fk_grade > reading_levels.target_grade
        )
        """
    )
    op.create_index(
        'ix_articles_public_over_target',
        'articles',
        ['question', 'id'],
        postgresql_where=sa.text('public_over_target'),
        sqlite_where=sa.text('public_over_target = 1'),
    )


def downgrade():
    op.drop_index(
        'ix_articles_public_over_target',
        table_name='articles',
        postgresql_where=sa.text('public_over_target'),
        sqlite_where=sa.text('public_over_target = 1'),
    )
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_column('public_over_target')
