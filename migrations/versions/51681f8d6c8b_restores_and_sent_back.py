"""Which revision a restore copies, for the four-eyes rule; and sent-back revisions stop being
public

Revision ID: 51681f8d6c8b
Revises: 0a64084a074c
Create Date: 2026-12-07 07:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '51681f8d6c8b'
down_revision = '0a64084a074c'
branch_labels = None
depends_on = None


def unpublish_sent_back(bind) -> int:
    """Articles never approved whose public revision the board sent back show their newest
    revision submitted or under review instead, or nothing: the publishing rule since this
    change, in its own SQL. Their search rows go (the article is not public, or `flask reindex`
    rebuilds the row), topic counts are recounted, and no cached page survives. Returns how many
    articles changed."""
    affected = [
        row[0]
        for row in bind.execute(
            sa.text(
                "SELECT a.id FROM articles a JOIN revisions r ON r.id = a.public_revision_id"
                " WHERE a.live_revision_id IS NULL AND r.status = 'changes_requested'"
            )
        )
    ]
    if not affected:
        return 0
    ids = sa.bindparam("ids", expanding=True)
    bind.execute(
        sa.text(
            """
            UPDATE articles SET public_revision_id = (
                SELECT r.id FROM revisions r
                WHERE r.article_id = articles.id AND r.status IN ('submitted', 'under_review')
                ORDER BY r.number DESC LIMIT 1)
            WHERE id IN :ids
            """
        ).bindparams(ids),
        {"ids": affected},
    )
    bind.execute(
        sa.text(
            "UPDATE articles SET public_over_target = :no"
            " WHERE id IN :ids AND public_revision_id IS NULL"
        ).bindparams(ids),
        {"ids": affected, "no": False},
    )
    bind.execute(
        sa.text("DELETE FROM search_documents WHERE article_id IN :ids").bindparams(ids),
        {"ids": affected},
    )
    bind.execute(
        sa.text(
            """
            UPDATE topics SET article_count = (
                SELECT COUNT(*) FROM article_topics t JOIN articles a ON a.id = t.article_id
                WHERE t.topic_id = topics.id AND a.public_revision_id IS NOT NULL)
            """
        )
    )
    bind.execute(sa.text("DELETE FROM cached_pages"))
    bind.execute(sa.text("UPDATE content_versions SET version = version + 1 WHERE name = 'site'"))
    return len(affected)


def upgrade():
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('restored_from_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_revisions_restored_from_id_revisions'),
            'revisions',
            ['restored_from_id'],
            ['id'],
        )
    # Sent back means not public: correct what the old rule published (not undone on downgrade,
    # which keeps the stricter state).
    unpublish_sent_back(op.get_bind())


def downgrade():
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_revisions_restored_from_id_revisions'), type_='foreignkey'
        )
        batch_op.drop_column('restored_from_id')
