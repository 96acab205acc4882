"""Follow-up questions and their answers

New tables only: no existing rows, so no server defaults are needed.

Revision ID: 2c72122399c5
Revises: ef3ff7c24150
Create Date: 2026-11-26 09:45:22.763631

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2c72122399c5'
down_revision = 'ef3ff7c24150'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('followup_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('public_text', sa.Text(), nullable=False),
    sa.Column('level', sa.Enum('plain', 'standard', 'clinical', name='readinglevel', native_enum=False, length=20), nullable=False),
    sa.Column('status', sa.Enum('new', 'answered', 'rejected', 'promoted', name='followupstatus', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('token_nonce', sa.String(length=32), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('promoted_article_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_followup_questions_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['promoted_article_id'], ['articles.id'], name=op.f('fk_followup_questions_promoted_article_id_articles'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_questions')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_followup_questions_fingerprint')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_followup_questions_token_hash'))
    )
    with op.batch_alter_table('followup_questions', schema=None) as batch_op:
        batch_op.create_index('ix_followup_questions_article_id_status', ['article_id', 'status'], unique=False)
        batch_op.create_index('ix_followup_questions_status_created_at', ['status', 'created_at'], unique=False)

    op.create_table('followup_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'approved', name='answerstatus', native_enum=False, length=20), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_followup_answers_author_id_users')),
    sa.ForeignKeyConstraint(['question_id'], ['followup_questions.id'], name=op.f('fk_followup_answers_question_id_followup_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_followup_answers_reviewer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_answers')),
    sa.UniqueConstraint('question_id', name=op.f('uq_followup_answers_question_id'))
    )


def downgrade():
    op.drop_table('followup_answers')
    with op.batch_alter_table('followup_questions', schema=None) as batch_op:
        batch_op.drop_index('ix_followup_questions_status_created_at')
        batch_op.drop_index('ix_followup_questions_article_id_status')

    op.drop_table('followup_questions')
