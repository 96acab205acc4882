"""Database snapshots for the test suite: a state built once, put back before each test.

Building the demo content through the publishing services takes over a second; copying its few
hundred rows back takes milliseconds. A snapshot is every row of every table the models describe,
read once through SQLAlchemy Core; `restore` empties the tables (DELETE, so SQLite's search
triggers empty the FTS5 index too) and writes the rows back in the
tables' dependency order, so a test starts from exactly the state the snapshot saw, with real
commits and every connection free to see it (the live server, a second app instance).

Foreign keys that point forward in that order (an article's pointers to its revisions, which
point back to it) are written as NULL first and set once every row is in, so no constraint has
to be deferred or switched off. PostgreSQL's sequences are set past the restored ids.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine


@dataclass(frozen=True)
class Snapshot:
    rows: dict[str, list[dict]]  # table name → its rows, as column → value


def _tables(metadata: sa.MetaData) -> list[sa.Table]:
    return list(metadata.sorted_tables)


def _columns(table: sa.Table) -> list[sa.Column]:
    return [c for c in table.columns if c.computed is None]


def _forward_keys(tables: list[sa.Table]) -> dict[str, set[str]]:
    """Per table, the foreign-key columns whose target is written at the same time or later."""
    order = {table.name: i for i, table in enumerate(tables)}
    forward: dict[str, set[str]] = {}
    for table in tables:
        for fk in table.foreign_keys:
            if order[fk.column.table.name] >= order[table.name]:
                forward.setdefault(table.name, set()).add(fk.parent.name)
    return forward


def take(
    engine: Engine, metadata: sa.MetaData, *, tables: list[sa.Table] | None = None
) -> Snapshot:
    """Every row of every table in `metadata` (or of `tables`), as committed now, in key order."""
    with engine.connect() as conn:
        return Snapshot(
            {
                table.name: [
                    dict(row._mapping)
                    for row in conn.execute(
                        sa.select(*_columns(table)).order_by(*table.primary_key.columns)
                    )
                ]
                for table in (_tables(metadata) if tables is None else tables)
            }
        )


def _guards_off(conn: Connection) -> list[str]:
    """Let this transaction delete what the database guards (the append-only audit log's
    triggers); returns the SQL that puts SQLite's guards back (PostgreSQL's come back by
    themselves at commit)."""
    if conn.dialect.name == "postgresql":
        # Triggers (and the foreign keys' own) sleep for this transaction only; the snapshot's
        # rows are consistent by construction.
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        return []
    # SQLite cannot switch a trigger off: drop the ones that refuse (RAISE) and create them
    # again, inside the same transaction.
    guards = conn.execute(
        sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%RAISE(%'"
        )
    ).all()
    for name, _sql in guards:
        conn.execute(sa.text(f'DROP TRIGGER "{name}"'))
    return [sql for _name, sql in guards]


def empty(conn: Connection, metadata: sa.MetaData) -> None:
    """Delete every row of every table in `metadata`: forward keys cleared first, then children
    before parents. (DELETE, not TRUNCATE: on tables this small PostgreSQL's TRUNCATE costs
    tens of milliseconds, for new files and exclusive locks.) The database's own guards (the
    audit log refuses DELETE) are off meanwhile, and back on when it returns."""
    tables = _tables(metadata)
    restore_guards = _guards_off(conn)
    for name, columns in _forward_keys(tables).items():
        table = metadata.tables[name]
        conn.execute(
            table.update()
            .where(sa.or_(*(table.c[c].is_not(None) for c in columns)))
            .values(dict.fromkeys(columns))
        )
    for table in reversed(tables):
        conn.execute(table.delete())
    for sql in restore_guards:
        conn.execute(sa.text(sql))


def restore(engine: Engine, metadata: sa.MetaData, snapshot: Snapshot) -> None:
    """Make the database hold exactly the snapshot's rows, in one transaction."""
    tables = _tables(metadata)
    forward = _forward_keys(tables)
    with engine.begin() as conn:
        empty(conn, metadata)
        for table in tables:
            rows = snapshot.rows.get(table.name)
            if not rows:
                continue
            late = forward.get(table.name, set())
            conn.execute(table.insert(), [{**row, **dict.fromkeys(late)} for row in rows])
        for table in tables:
            late = forward.get(table.name, set())
            rows = [r for r in snapshot.rows.get(table.name, ()) if any(r[c] for c in late)]
            if not rows:
                continue
            key = list(table.primary_key.columns)
            statement = (
                table.update()
                .where(*(c == sa.bindparam(f"_key_{c.name}") for c in key))
                .values({c: sa.bindparam(f"_late_{c}") for c in late})
            )
            conn.execute(
                statement,
                [
                    {
                        **{f"_key_{c.name}": row[c.name] for c in key},
                        **{f"_late_{c}": row[c] for c in late},
                    }
                    for row in rows
                ],
            )
        if conn.dialect.name == "postgresql":
            _advance_sequences(conn, tables, snapshot)
            _rebuild_staff_search(conn)
    if engine.dialect.name == "sqlite":
        # Dropping and creating the audit log's triggers changed the schema under this
        # connection, and SQLite's full-text index (FTS5) keeps statements of its own that then
        # report its content table missing: start the next test on fresh connections.
        engine.dispose()


def _rebuild_staff_search(conn: Connection) -> None:
    """The staff search index (migration d5e8f3a1c7b2) is written by triggers on `articles`,
    which slept while the rows went back: refill it from them. (SQLite's triggers ran.)"""
    if conn.execute(sa.text("SELECT to_regproc('search_index_staff_rebuild')")).scalar():
        conn.execute(sa.text("SELECT search_index_staff_rebuild()"))


def _advance_sequences(conn: Connection, tables: list[sa.Table], snapshot: Snapshot) -> None:
    """Each serial key's sequence where the snapshot leaves it: past its highest id, or back at
    1 for an empty table, as on a database that was never used."""
    calls = []
    for table in tables:
        key = list(table.primary_key.columns)
        if len(key) != 1 or not isinstance(key[0].type, sa.Integer) or key[0].foreign_keys:
            continue
        if key[0].autoincrement is False:
            continue
        ids = [row[key[0].name] for row in snapshot.rows.get(table.name, ())]
        calls.append(
            f"setval(pg_get_serial_sequence('\"{table.name}\"', '{key[0].name}'), "
            f"{max(ids) if ids else 1}, {'true' if ids else 'false'})"
        )
    if calls:
        conn.execute(sa.text("SELECT " + ", ".join(calls)))
