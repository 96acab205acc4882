"""Library changes (references, glossary) wait for a second person's approval

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
