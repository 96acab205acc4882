"""Placeholder, empty as it landed. The page cache's bound: migration a37d92f877a6, so that
a database that had already run this one gets it too

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
