"""Scale figures for issue 8. Prints numbers; asserts nothing. `make bench` runs it.

`make bench` runs scripts/bench_load.py, which runs this script's scale() after its load part.

For 100, 10,000 and 100,000 articles on SQLite and, when reachable, PostgreSQL (ANALYZEd after
seeding, as production's autovacuum would have): p95 of every reader page through the test client,
and the SQL statements each one runs, so "cost flat with size" can be read off a table. The sizes
are all seeded first and then measured interleaved, request by request, so the machine's drift falls
on every size alike. Each page is measured twice: as a whole-page-cache hit (what most readers get),
and with that cache off (PAGE_CACHE_DISABLED; the render-once cache stays on), which is what
measures rendering and the listing indexes. The articles come from
services.seeding.synthetic.seed_synthetic called in-process, the same code as
`flask seed-synthetic`, without a subprocess per size. A page that does not answer 200 is
flagged in the tables: its timing measured an error page. Staff pages (never cached) are measured
as an admin sees them.

    .venv/bin/python scripts/bench_scale.py [--sizes 100,10000] [--runs 300] [--staff-runs 50]
    .venv/bin/python scripts/bench_load.py --scale-only [...]   (the same)
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
import uuid
from contextlib import ExitStack, contextmanager

from benchlib import ARTICLE, ARTICLE_SLUG, PG_ADMIN, database, postgres_reachable

BENCH_ADMIN = "bench-admin@vetted.invalid"


def _statements_and_status(app, client, path: str, headers: dict) -> tuple[int, int]:
    """Warm one page on one site; return the statements a warm request runs, and its status."""
    from sqlalchemy import event

    from extensions import db

    # The first view fills the render cache (and the page cache). Twice: a page that sets the
    # audience cookie (the swap) is kept a second time under that cookie, as a browser sends it.
    client.get(path, headers=headers)
    client.get(path, headers=headers)
    with app.app_context():
        engine = db.engine
    statements: list[int] = []
    counter = lambda *_a: statements.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", counter)
    try:
        status = client.get(path, headers=headers).status_code
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return len(statements), status


def _measure(targets: dict, headers: dict, runs: int) -> dict[int, tuple]:
    """p50 and p95 ms of warm requests, statements and status, for one page at every size.

    `targets` holds (app, client, path) by size. The sizes are measured interleaved: request i
    goes to every site in turn (the starting site rotating), so a slow moment of the machine
    (another process, a GC pass, CPU frequency) falls on all sizes alike instead of on whichever
    size happened to be measured then. Measured one size after another, 1-2 ms pages drifted by
    0.3-0.6 ms between sizes, in either direction, which was noise, not cost.
    """
    sizes = list(targets)
    checked = {
        size: _statements_and_status(app, client, path, headers)
        for size, (app, client, path) in targets.items()
    }
    times: dict[int, list[float]] = {size: [] for size in sizes}
    for run in range(runs):
        turn = run % len(sizes)
        for size in sizes[turn:] + sizes[:turn]:
            _app, client, path = targets[size]
            start = time.perf_counter()
            client.get(path, headers=headers)
            times[size].append((time.perf_counter() - start) * 1000)
    results = {}
    for size in sizes:
        ordered = sorted(times[size])
        p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
        results[size] = (statistics.median(ordered), p95, *checked[size])
    return results


def _readers(apps: dict, path: str) -> dict:
    """An anonymous client per site (a fresh one per page: the swap's cookie must not follow)."""
    return {size: (app, app.test_client(), path) for size, app in apps.items()}


def _staff(apps: dict, path: str) -> dict:
    """A client per site signed in as the bench's admin; `{article}` is the demo's seed article."""
    import sqlalchemy as sa
    from flask_login import FlaskLoginClient

    from extensions import db
    from models import Article, Role, User
    from services.staff import sessions
    from services.staff.passwords import hash_password

    targets = {}
    for size, app in apps.items():
        with app.app_context():
            admin = db.session.scalar(sa.select(User).where(User.email == BENCH_ADMIN))
            if admin is None:
                # Only accounts with a password can be signed in.
                admin = User(
                    email=BENCH_ADMIN,
                    name="Bench Admin",
                    role=Role.ADMIN,
                    password_hash=hash_password(uuid.uuid4().hex),
                )
                db.session.add(admin)
                db.session.flush()
            # Staff sessions are held server-side: the client's cookie must name a current one.
            sessions.start(admin, remember=False)
            db.session.commit()
            article = db.session.scalar(sa.select(Article.id).where(Article.slug == ARTICLE_SLUG))
            app.test_client_class = FlaskLoginClient
            client = app.test_client(user=admin)
            targets[size] = (app, client, path.format(article=article))
            db.session.remove()
    return targets


PAGES = [
    ("home", "/", {}),
    ("topics", "/topics", {}),
    ("topic page (largest)", "/topics/synthetic-topic-01", {}),
    ("article, clinical", ARTICLE, {}),
    ("article, standard", ARTICLE + "?audience=standard", {}),
    ("article, plain", ARTICLE + "?audience=plain", {}),
    ("audience swap", ARTICLE + "?role=patient", {"HX-Request": "true"}),
    ("search", "/search?q=ponatinib", {}),
    ("glossary", "/glossary", {}),
    ("Spanish home", "/es/", {}),
    ("Spanish article, plain", "/es" + ARTICLE + "?audience=plain", {}),
    ("Spanish audience swap", "/es" + ARTICLE + "?role=patient", {"HX-Request": "true"}),
    ("Spanish search", "/es/search?q=crisis+blastica", {}),
]
MODES = [("page cache hit", False), ("page cache off, render cache on", True)]
# Staff pages are never cached (private, no-store): each is measured as an admin sees it.
STAFF_PAGES = [
    ("dashboard", "/admin/", {}),
    ("articles", "/admin/articles", {}),
    ("articles, approved", "/admin/articles?status=approved", {}),
    ("articles, ?q= words", "/admin/articles?q=blast+crisis", {}),
    ("review queue", "/admin/review", {}),
    ("follow-up queue", "/admin/followups", {}),
    ("audit log", "/admin/audit", {}),
    ("references", "/admin/references", {}),
    ("editor", "/admin/articles/{article}/edit", {}),
    ("history", "/admin/articles/{article}/history", {}),
]


def _table(
    kind: str, mode: str, sizes: list[int], results: dict, runs: int, pages: list = PAGES
) -> int:
    """Print one table (p95 ms, statements, and status when not 200); return the non-200 count."""
    print(f"\nScale on {kind}, {mode}: p95 ms (statements) per page, {runs} warm requests each")
    head = "".join(f"{f'{s:,}':>22}" for s in sizes)
    print(f"{'page':<24}{head}{'p95 ratio':>11}")
    failures = 0
    for i, (label, _p, _h) in enumerate(pages):
        cells = ""
        for size in sizes:
            _p50, p95, statements, status = results[size][i]
            flag = "" if status == 200 else f" !{status}"
            failures += status != 200
            cells += f"{f'{p95:.1f} ({statements:>2}){flag}':>22}"
        first, last = results[sizes[0]][i][1], results[sizes[-1]][i][1]
        print(f"{label:<24}{cells}{last / first if first else float('nan'):>10.2f}x")
    return failures


def _log_as_a_server_would() -> None:
    """One JSON access line per request, as in production, written to /dev/null.

    Alembic's logging config (run by each upgrade) adds a second, plain handler on the root
    logger, and both would write every request to this terminal: that costs more than a cached
    page and varies with the terminal. A server writes one line per request to a file or a pipe.
    """
    import logging

    from web.logs import JsonFormatter

    vetted = logging.getLogger("vetted")
    for handler in list(vetted.handlers):
        vetted.removeHandler(handler)
    sink = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115 - lives as long as the run
    sink.setFormatter(JsonFormatter())
    vetted.addHandler(sink)
    vetted.propagate = False
    vetted.setLevel(logging.INFO)


@contextmanager
def _sites(kind: str, sizes: list[int]):
    """One app per size, each on its own seeded database, all alive at once (see _measure)."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app import create_app
    from extensions import db
    from services.seeding.demo import load_demo
    from services.seeding.synthetic import seed_synthetic

    with ExitStack() as databases:
        apps = {}
        try:
            for size in sizes:
                url = databases.enter_context(database(kind))
                app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
                with app.app_context():
                    upgrade()
                    load_demo()
                    db.session.commit()
                    seed_synthetic(max(size - 6, 1))
                    db.session.commit()
                    if kind == "postgresql":
                        db.session.execute(sa.text("ANALYZE"))  # plans for the seeded sizes
                        db.session.commit()
                    db.session.remove()
                apps[size] = app
            _log_as_a_server_would()
            # Seeding left garbage a serving worker never has; collect it, and keep what stays
            # (the apps, the modules) out of later GC passes, so no size pays for another's seed.
            gc.collect()
            gc.freeze()
            yield apps
        finally:
            gc.unfreeze()
            for app in apps.values():
                with app.app_context():
                    db.session.remove()
                    db.engine.dispose()


def scale(sizes: list[int], runs: int, staff_runs: int) -> None:
    """p95 of every reader page at each size, cached and not, and the statements each one runs."""
    kinds = ["sqlite"]
    if postgres_reachable():
        kinds.append("postgresql")
    else:
        print(
            f"\nPostgreSQL not reachable at {PG_ADMIN} (BENCH_PG_ADMIN): skipping it, SQLite only"
        )
    failures = 0
    for kind in kinds:
        results: dict[bool, dict[int, list]] = {off: {s: [] for s in sizes} for _m, off in MODES}
        with _sites(kind, sizes) as apps:
            for _mode, off in MODES:
                for app in apps.values():
                    app.config["PAGE_CACHE_DISABLED"] = off
                for _label, path, headers in PAGES:
                    for size, measured in _measure(_readers(apps, path), headers, runs).items():
                        results[off][size].append(measured)
            staff = {size: [] for size in sizes}
            for _label, path, headers in STAFF_PAGES:
                for size, measured in _measure(_staff(apps, path), headers, staff_runs).items():
                    staff[size].append(measured)
        for mode, off in MODES:
            failures += _table(kind, mode, sizes, results[off], runs)
        failures += _table(kind, "staff pages", sizes, staff, staff_runs, STAFF_PAGES)
        print(f"\n{kind}: p95 without the page cache / with it, at {sizes[-1]:,} articles")
        for i, (label, _p, _h) in enumerate(PAGES):
            hit, built = results[False][sizes[-1]][i][1], results[True][sizes[-1]][i][1]
            print(f"{label:<24}{built / hit if hit else float('nan'):>10.1f}x")
    if failures:
        print(f"\n{failures} measurement(s) answered other than 200 (marked !status): not valid")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The scale part's options, shared with bench_load.py (whose --scale-only runs this)."""
    parser.add_argument("--sizes", default="100,10000,100000")
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--staff-runs", type=int, default=50)


def run(args: argparse.Namespace) -> None:
    scale([int(s) for s in args.sizes.split(",")], args.runs, args.staff_runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
