"""How the caches write their rows: apart from the request's transaction, on a connection of
their own committed at once (reader requests never commit), with the database's own
INSERT ... ON CONFLICT, so workers storing the same row at once never clash. A write that fails
is logged and costs only a later re-render."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql import Executable

from extensions import db

log = logging.getLogger(__name__)


def insert(model, values: dict):
    """An INSERT of `values` into `model`'s table that can say what to do on a conflict."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(model).values(**values)


def write_apart(statements: Executable | Sequence[Executable], failure: str, *args) -> None:
    """Run the statement (or statements, in order) on a connection of their own and commit;
    log `failure % args` if it fails."""
    if not isinstance(statements, Sequence):
        statements = [statements]
    try:
        with db.engine.begin() as connection:
            for statement in statements:
                connection.execute(statement)
    except SQLAlchemyError:
        log.warning(failure, *args, exc_info=True)
