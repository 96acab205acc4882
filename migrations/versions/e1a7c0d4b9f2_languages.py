"""Languages as data: English (the source) and Spanish, enabled

Issue 16 makes language a second axis beside reading level. Which languages exist, their own
names and how their readability is measured are rows an admin can add to, not code.

Revision ID: e1a7c0d4b9f2
Revises: d5e8f3a1c7b2
Create Date: 2026-12-07 20:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e1a7c0d4b9f2"
down_revision = "d5e8f3a1c7b2"
branch_labels = None
depends_on = None


def upgrade():
    languages = op.create_table(
        "languages",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("english_name", sa.String(length=60), nullable=False),
        sa.Column("readability_formula", sa.String(length=30), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_languages")),
    )
    op.bulk_insert(
        languages,
        [
            {
                "code": "en",
                "name": "English",
                "english_name": "English",
                "readability_formula": "flesch_kincaid",
                "enabled": True,
                "position": 0,
            },
            {
                "code": "es",
                "name": "Español",
                "english_name": "Spanish",
                "readability_formula": "fernandez_huerta",
                "enabled": True,
                "position": 1,
            },
        ],
    )


def downgrade():
    op.drop_table("languages")
