"""The page cache keeps canonical pages only, within a size cap

Revision ID: 0a64084a074c
Revises: cd65c6bc7e32
Create Date: 2026-12-07 07:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0a64084a074c'
down_revision = 'cd65c6bc7e32'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
