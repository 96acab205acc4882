"""Sitemap and feed indexes: listed articles by id, approvals by date

Sitemap parts seek public, real articles by id (a partial index: non-public articles are not in
it); the feed reads approvals newest first, in index order. Both cost the same at 100,000
articles as at 100.

Revision ID: b7d2e4f1a9c3
Revises: 3b7e9c2a41d0
Create Date: 2026-11-26 10:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = 'b7d2e4f1a9c3'
down_revision = '3b7e9c2a41d0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index(
            'ix_articles_listed',
            ['is_synthetic', 'id'],
            unique=False,
            postgresql_where=sa.text('public_revision_id IS NOT NULL'),
            sqlite_where=sa.text('public_revision_id IS NOT NULL'),
        )
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.create_index('ix_revisions_approved', ['status', 'reviewed_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.drop_index('ix_revisions_approved')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index('ix_articles_listed')
