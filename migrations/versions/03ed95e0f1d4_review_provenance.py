"""Who made each staff account and keyed its password, for the four-eyes rule

Revision ID: 03ed95e0f1d4
Revises: c4a7d2e9b1f3
Create Date: 2026-12-07 07:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '03ed95e0f1d4'
down_revision = 'c4a7d2e9b1f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('password_set_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_users_created_by_id_users'), 'users', ['created_by_id'], ['id']
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_users_password_set_by_id_users'), 'users', ['password_set_by_id'], ['id']
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_password_set_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_users_created_by_id_users'), type_='foreignkey')
        batch_op.drop_column('password_set_by_id')
        batch_op.drop_column('created_by_id')
