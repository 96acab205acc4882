"""What bench_load.py and bench_scale.py share: paths, the demo article, throwaway databases.

Importing it puts the repository root on sys.path, so the app's modules import from a script run
as `.venv/bin/python scripts/<name>.py`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"
ARTICLE_SLUG = "all-blast-crisis-treatment"
ARTICLE = f"/articles/{ARTICLE_SLUG}"
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def database(kind: str):
    """A throwaway database URL: a SQLite file, or a PostgreSQL database dropped afterwards."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="vetted-bench-")
        try:
            yield f"sqlite:///{folder}/bench.db"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    import psycopg

    name = f"vetted_bench_load_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield (
            PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
            + "/"
            + name
        )
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=2):
            return True
    except Exception:  # noqa: BLE001 - any failure means "skip PostgreSQL"
        return False
