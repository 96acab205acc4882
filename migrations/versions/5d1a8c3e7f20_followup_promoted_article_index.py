"""Index follow-up questions by the article they were promoted to

An article's staff page and editor link back to the question it was promoted from; the lookup by
promoted_article_id is one index probe instead of a scan of every question.

Revision ID: 5d1a8c3e7f20
Revises: 2c72122399c5
Create Date: 2026-11-26 13:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5d1a8c3e7f20'
down_revision = '2c72122399c5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('followup_questions', schema=None) as batch_op:
        batch_op.create_index(
            'ix_followup_questions_promoted_article_id', ['promoted_article_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('followup_questions', schema=None) as batch_op:
        batch_op.drop_index('ix_followup_questions_promoted_article_id')
