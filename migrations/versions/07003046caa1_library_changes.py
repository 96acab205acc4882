"""Library changes (references, glossary) wait for a second person's approval

Revision ID: 07003046caa1
Revises: cea78d0ba8ff
Create Date: 2026-12-07 07:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '07003046caa1'
down_revision = 'cea78d0ba8ff'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'library_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('reference', 'glossary', name='librarykind', native_enum=False, length=20), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=True),
        sa.Column('target_label', sa.String(length=200), nullable=False),
        sa.Column('proposed', sa.JSON(), nullable=False),
        sa.Column('base', sa.JSON(), nullable=False),
        sa.Column('base_version', sa.Integer(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.Enum('pending', 'approved', 'rejected', 'withdrawn', name='changestatus', native_enum=False, length=20), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_library_changes_author_id_users')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_library_changes_decided_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_library_changes')),
    )
    op.create_index(
        'uq_library_changes_pending',
        'library_changes',
        ['kind', 'target_id'],
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        'ix_library_changes_status_created',
        'library_changes',
        ['status', 'created_at', 'id'],
        unique=False,
    )
    op.create_table(
        'library_change_articles',
        sa.Column('change_id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('revision_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['change_id'], ['library_changes.id'], name=op.f('fk_library_change_articles_change_id_library_changes'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_library_change_articles_article_id_articles'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_library_change_articles_revision_id_revisions'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('change_id', 'article_id', name=op.f('pk_library_change_articles')),
    )
    op.create_index(
        'ix_library_change_articles_article_id',
        'library_change_articles',
        ['article_id'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_library_change_articles_article_id', table_name='library_change_articles')
    op.drop_table('library_change_articles')
    op.drop_index('ix_library_changes_status_created', table_name='library_changes')
    op.drop_index('uq_library_changes_pending', table_name='library_changes')
    op.drop_table('library_changes')
