"""Placeholder, empty as it landed. Staff sessions held server-side, and the audit log append-only in the database: migration cea78d0ba8ff, so that
a database that had already run this one gets it too

Revision ID: cc8b3ff15cdd
Revises: 03ed95e0f1d4
Create Date: 2026-12-07 07:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'cc8b3ff15cdd'
down_revision = '03ed95e0f1d4'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
