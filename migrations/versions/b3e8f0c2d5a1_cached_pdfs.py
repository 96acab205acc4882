"""Server-made article PDFs, kept per revision, level, language and print view

Revision ID: b3e8f0c2d5a1
Revises: a37d92f877a6
Create Date: 2026-12-07 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'b3e8f0c2d5a1'
down_revision = 'a37d92f877a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cached_pdfs',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('plain', 'standard', 'clinical', name='readinglevel', native_enum=False, length=20), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_cached_pdfs_revision_id_revisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_cached_pdfs'))
    )
    with op.batch_alter_table('cached_pdfs', schema=None) as batch_op:
        batch_op.create_index('ix_cached_pdfs_revision', ['revision_id', 'level', 'language'], unique=False)
        batch_op.create_index(batch_op.f('ix_cached_pdfs_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('cached_pdfs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cached_pdfs_created_at'))
        batch_op.drop_index('ix_cached_pdfs_revision')
    op.drop_table('cached_pdfs')
