"""Audit log indexes in reading order: each filter's index ends in (created_at, id)

The log is read newest first, whole or filtered by action, actor, object or dates; with the sort
order at the end of each index, every page is a short index range at any size.

Revision ID: 3b7e9c2a41d0
Revises: 86e26971ed50
Create Date: 2026-11-26 10:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3b7e9c2a41d0'
down_revision = '86e26971ed50'
branch_labels = None
depends_on = None

NEW = {
    'ix_audit_events_object': ['object_type', 'object_id', 'created_at', 'id'],
    'ix_audit_events_created_at': ['created_at', 'id'],
    'ix_audit_events_actor_id': ['actor_id', 'created_at', 'id'],
    'ix_audit_events_action': ['action', 'created_at', 'id'],
}
OLD = {
    'ix_audit_events_object': ['object_type', 'object_id'],
    'ix_audit_events_created_at': ['created_at'],
    'ix_audit_events_actor_id': ['actor_id'],
    'ix_audit_events_action': ['action'],
}


def _replace(indexes):
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        for name, columns in indexes.items():
            batch_op.drop_index(name)
            batch_op.create_index(name, columns, unique=False)


def upgrade():
    _replace(NEW)


def downgrade():
    _replace(OLD)
