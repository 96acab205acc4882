"""The page cache keeps canonical pages only, within a size cap

Revision ID: a37d92f877a6
Revises: 07003046caa1
Create Date: 2026-12-07 07:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a37d92f877a6'
down_revision = '07003046caa1'
branch_labels = None
depends_on = None


def upgrade():
    # The cap evicts the least recently stored pages: one range of this index per store.
    with op.batch_alter_table('cached_pages', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_cached_pages_created_at'), ['created_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('cached_pages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cached_pages_created_at'))
