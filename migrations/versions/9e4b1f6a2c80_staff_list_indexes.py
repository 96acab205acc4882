"""Index the article-to-revision pointers and revisions by date, for the staff article list

Without an index on articles.latest_revision_id, SQLite's planner (given a bound LIMIT) drove the
status-filtered staff list from revisions and scanned every article for each one: minutes at
100,000 articles. With these, the list reads its page in order from revisions by (status,)
created_at and probes each article by its pointer.

Revision ID: 9e4b1f6a2c80
Revises: 5d1a8c3e7f20
Create Date: 2026-11-26 14:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9e4b1f6a2c80'
down_revision = '5d1a8c3e7f20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_articles_latest_revision_id', 'articles', ['latest_revision_id'])
    op.create_index('ix_articles_live_revision_id', 'articles', ['live_revision_id'])
    op.create_index('ix_revisions_created_at', 'revisions', ['created_at', 'id'])
    op.create_index(
        'ix_revisions_status_created_at', 'revisions', ['status', 'created_at', 'id']
    )


def downgrade():
    op.drop_index('ix_revisions_status_created_at', table_name='revisions')
    op.drop_index('ix_revisions_created_at', table_name='revisions')
    op.drop_index('ix_articles_live_revision_id', table_name='articles')
    op.drop_index('ix_articles_latest_revision_id', table_name='articles')
