"""Placeholder, empty as it landed. Library changes (references, glossary) wait for a second person's approval: migration 07003046caa1, so that
a database that had already run this one gets it too

Revision ID: cd65c6bc7e32
Revises: cc8b3ff15cdd
Create Date: 2026-12-07 07:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'cd65c6bc7e32'
down_revision = 'cc8b3ff15cdd'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
