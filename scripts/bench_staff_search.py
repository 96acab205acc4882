"""Staff article search at scale (issue 15): p50 and p95 of `/admin/articles?q=…` and of the
unfiltered list, on SQLite and PostgreSQL, at 100,000 articles. Prints numbers; asserts nothing.

The database is brought to the newest migration (`flask db upgrade`: on a database seeded by an
older checkout this runs the staff search migration and its backfill), the demo content plus
synthetic articles are seeded if it holds fewer than `--size` articles, PostgreSQL is ANALYZEd,
and each page is requested `--runs` times through the test client, signed in as an admin. It
prints wall-clock p50/p95 and the app process's CPU time p50/p95: on a shared machine the
wall clock measures the neighbours too; SQLite's work is in the CPU column, PostgreSQL's not.

    .venv/bin/python scripts/bench_staff_search.py                       (throwaway databases)
    .venv/bin/python scripts/bench_staff_search.py --sqlite /tmp/b.db --postgres vetted_bench_x
        (kept databases: seed once, measure again after a change, e.g. before/after a migration)
"""

from __future__ import annotations

import argparse
import statistics
import time
from contextlib import ExitStack, nullcontext

from bench_scale import _log_as_a_server_would
from benchlib import PG_ADMIN, database, postgres_reachable

QUERIES = [
    ("list, unfiltered", "/admin/articles"),
    ("common word", "/admin/articles?q=patient"),
    ("two common words", "/admin/articles?q=blood+dose"),
    ("every article", "/admin/articles?q=synthetic"),
    ("rare word", "/admin/articles?q=blast"),
    ("word in no question", "/admin/articles?q=ponatinib"),
    ("slug fragment", "/admin/articles?q=synthetic-04217"),
    ("number in question", "/admin/articles?q=article+77777"),
    ("no match", "/admin/articles?q=zzqxv"),
    ("two letters", "/admin/articles?q=cm"),
    ("common word, page 3", "/admin/articles?q=patient&page=3"),
]


def _postgres_url(name: str) -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name


def _site(url: str, size: int, kind: str, public_index: bool = True):
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app import create_app
    from extensions import db
    from models import Article
    from services.seeding.demo import load_demo
    from services.seeding.synthetic import seed_synthetic

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False}
    )
    with app.app_context():
        started = time.perf_counter()
        upgrade()
        print(f"{kind}: migrated in {time.perf_counter() - started:.1f} s")
        have = db.session.scalar(sa.select(sa.func.count(Article.id)))
        if have == 0:
            load_demo()
            db.session.commit()
            have = db.session.scalar(sa.select(sa.func.count(Article.id)))
        if have < size:
            started = time.perf_counter()
            if not public_index:
                # The staff list never reads the public search index; building it is most of
                # the seeding time on PostgreSQL.
                from services import search

                search.index_articles = lambda *_a, **_k: None
            seed_synthetic(size - have)
            db.session.commit()
            took = time.perf_counter() - started
            print(f"{kind}: seeded {size - have:,} articles in {took:.0f} s")
        if kind == "postgresql":
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        total = db.session.scalar(sa.select(sa.func.count(Article.id)))
        db.session.remove()
    _log_as_a_server_would()
    return app, total


def _signed_in(app):
    """A client signed in through the form as the bench's administrator."""
    import sqlalchemy as sa

    from extensions import db
    from models import Role, User
    from services.staff.passwords import hash_password

    email, password = "bench-staff-search@vetted.invalid", "bench staff search password"
    with app.app_context():
        if db.session.scalar(sa.select(User.id).where(User.email == email)) is None:
            db.session.add(
                User(
                    email=email,
                    name="Bench Admin",
                    role=Role.ADMIN,
                    password_hash=hash_password(password),
                )
            )
            db.session.commit()
        db.session.remove()
    client = app.test_client()
    client.environ_base["HTTP_SEC_FETCH_SITE"] = "same-origin"
    response = client.post("/auth/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.status_code
    return client


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * len(values))) - 1)]


def _measure(client, path: str, runs: int) -> tuple[float, float, float, float, int]:
    """Wall-clock p50 and p95, then this process's CPU time p50 and p95 (ms), and the status.

    The CPU time is what the request cost the app server (and SQLite, which runs inside it),
    whatever else the machine is doing; PostgreSQL's own work is in the wall-clock only."""
    for _ in range(3):
        status = client.get(path).status_code
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return statistics.median(wall), _p95(wall), statistics.median(cpu), _p95(cpu), status


def bench(
    kind: str, url_or_none: str | None, size: int, runs: int, public_index: bool = True
) -> None:
    with ExitStack() as stack:
        url = url_or_none or stack.enter_context(database(kind))
        app, total = _site(url, size, kind, public_index)
        client = _signed_in(app)
        print(f"\n{kind}, {total:,} articles, {runs} requests each (ms)")
        print(f"{'':<24}{'wall clock':>16}{'app CPU':>16}")
        print(f"{'query':<24}{'p50':>8}{'p95':>8}{'p50':>8}{'p95':>8}  status  path")
        for label, path in QUERIES:
            p50, p95, c50, c95, status = _measure(client, path, runs)
            print(f"{label:<24}{p50:>8.1f}{p95:>8.1f}{c50:>8.1f}{c95:>8.1f}  {status:>6}  {path}")
        with app.app_context():
            from extensions import db

            db.session.remove()
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--sqlite", help="a SQLite file to keep (seeded once)")
    parser.add_argument("--postgres", help="a PostgreSQL database name to keep (seeded once)")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--no-public-index",
        action="store_true",
        help="seed without building the public search index (the staff list never reads it)",
    )
    args = parser.parse_args()
    if args.only != "postgresql":
        sqlite = f"sqlite:///{args.sqlite}" if args.sqlite else None
        bench("sqlite", sqlite, args.size, args.runs, not args.no_public_index)
    if args.only != "sqlite":
        if not postgres_reachable():
            print(f"\nPostgreSQL not reachable at {PG_ADMIN}: skipped")
            return
        with nullcontext():
            url = _postgres_url(args.postgres) if args.postgres else None
            bench("postgresql", url, args.size, args.runs, not args.no_public_index)


if __name__ == "__main__":
    main()
