"""Instant-answer latency at scale. Prints numbers; asserts nothing.

p50/p95 of `services.followups.instant.answer_from_evidence` (candidate search, loading,
scoring, rendering) for questions asked on the blast-crisis article, with the demo content plus
10,000 and then 100,000 synthetic articles (`services.seeding.synthetic.seed_synthetic`), on
SQLite and on PostgreSQL.
"cold" empties the in-process cache of split passages before every question (a process that has
never seen those articles), "warm" keeps it. The time spent in the search seam
(`instant._candidates`) is shown apart: it is the part full-text search replaces.

Each database is a throwaway of its own: a SQLite file in a temporary folder, and a PostgreSQL
database named vetted_bench_answers_<pid>, created and dropped here (skipped when the server is
not reachable). Run: `.venv/bin/python scripts/bench_answers.py [--runs 40] [--sizes 10000 100000]`
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from extensions import db  # noqa: E402
from models import Article, ReadingLevel  # noqa: E402
from services.followups import instant, passages  # noqa: E402
from services.reading.view import find_article  # noqa: E402
from services.seeding.demo import load_demo  # noqa: E402
from services.seeding.synthetic import seed_synthetic  # noqa: E402

SEED = "all-blast-crisis-treatment"
QUESTIONS = [
    "Is ponatinib better than dasatinib for Ph+ ALL?",
    "How is tumor lysis syndrome prevented during induction?",
    "Should I get a stem cell transplant in remission?",
    "What does MRD testing show after treatment?",
    "Is ponatinib safe for the heart?",
    # Words the synthetic articles use, so the seam finds thousands of candidates.
    "How often should the blood count be monitored during therapy?",
    "Should the dose be reduced when the kidney test result changes?",
    "Is a fever during the infusion a sign of infection?",
]
PG_ADMIN = os.environ.get(
    "BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def measure(runs: int, *, cold: bool) -> tuple[list[float], list[float], int]:
    """Times of `runs` instant answers (ms), the seam's share of each, and passages shown."""
    article = find_article(SEED)
    seam_times: list[float] = []
    real_candidates = instant._candidates

    def timed_candidates(query, limit):
        started = time.perf_counter()
        try:
            return real_candidates(query, limit)
        finally:
            seam_times.append((time.perf_counter() - started) * 1000)

    instant._candidates = timed_candidates
    try:
        totals, shown = [], 0
        for n in range(runs):
            if cold:
                passages.split_passages.cache_clear()
            question = QUESTIONS[n % len(QUESTIONS)]
            db.session.expire_all()
            started = time.perf_counter()
            evidence = instant.answer_from_evidence(
                question, article=article, level=ReadingLevel.CLINICAL
            )
            totals.append((time.perf_counter() - started) * 1000)
            shown += len(evidence.passages)
            db.session.rollback()
    finally:
        instant._candidates = real_candidates
    return totals, seam_times, shown


def report(backend: str, size: int, runs: int) -> None:
    for cold in (True, False):
        measure(len(QUESTIONS), cold=cold)  # warm the connection pool and the plans
        totals, seam, shown = measure(runs, cold=cold)
        print(
            f"{backend:<11}{size:>9,}  {'cold' if cold else 'warm':<5}"
            f"  p50 {statistics.median(totals):8.1f} ms  p95 {percentile(totals, 0.95):8.1f} ms"
            f"  | search seam p50 {statistics.median(seam):8.1f} ms"
            f"  p95 {percentile(seam, 0.95):8.1f} ms  | {shown / runs:.1f} passages/answer",
            flush=True,
        )


def bench(backend: str, url: str, sizes: list[int], runs: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        have = 0
        for size in sizes:
            started = time.perf_counter()
            seed_synthetic(size - have)
            db.session.commit()
            if db.engine.dialect.name == "postgresql":
                # Fresh planner statistics, as autovacuum would gather after a bulk load (outside
                # a transaction: statistics gathered in one that rolls back are lost).
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(sa.text("ANALYZE"))
            have = size
            total = db.session.scalar(sa.select(sa.func.count(Article.id)))
            print(
                f"{backend}: {total:,} articles ({size:,} synthetic) seeded in"
                f" {time.perf_counter() - started:.1f} s",
                flush=True,
            )
            report(backend, size, runs)
        db.session.remove()
        db.engine.dispose()


def postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    sizes = sorted(args.sizes)

    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            bench("SQLite", f"sqlite:///{tmp}/vetted_bench_answers.db", sizes, args.runs)

    if args.skip_postgres:
        return
    if not postgres_reachable():
        print("PostgreSQL: not reachable on 127.0.0.1:5432, skipped")
        return
    name = f"vetted_bench_answers_{os.getpid()}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        bench("PostgreSQL", PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", sizes, args.runs)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
