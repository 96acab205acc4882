"""Taking a row's write lock for the rest of the transaction, on SQLite as on PostgreSQL.

A no-op UPDATE does it on both: SQLite ignores FOR UPDATE, and its deferred transactions would
otherwise let two people deciding the same thing both read the old state before either writes.
The second waits for the first to commit, then reads its result.
"""

from __future__ import annotations

import sqlalchemy as sa

from extensions import db


def hold_row(column: sa.orm.InstrumentedAttribute, row_id: int) -> None:
    """Lock the row of `column`'s table whose id is `row_id` (`column` is any column, set to
    itself: `Revision.status`)."""
    table = column.class_
    db.session.execute(
        sa.update(table)
        .where(table.id == row_id)
        .values({column: column})
        .execution_options(synchronize_session=False)
    )
