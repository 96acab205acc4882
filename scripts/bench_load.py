"""Load and scale figures for issue 8. Prints numbers; asserts nothing. `make bench` runs it.

Load: serves the site as `make run` does (gunicorn, 2 workers x 4 threads, demo content) and drives
it with wrk (Debian's package): req/s and p99 per page, each with its ratio to a static file served
by the same server in the same run; then 64 connections for 60 s against a mix of pages.

Scale: for 100, 10,000 and 100,000 articles on SQLite and, when reachable, PostgreSQL (ANALYZEd
after seeding, as production's autovacuum would have): p95 of every reader page through the test
client, and the SQL statements each one runs, so "cost flat with size" can be read off a table.
The sizes are all seeded first and then measured interleaved, request by request, so the
machine's drift falls on every size alike. Each page is measured twice: as a whole-page-cache hit
(what most readers get), and with that cache off (PAGE_CACHE_DISABLED; the render-once cache stays
on), which is what measures rendering and the listing indexes. The articles come from
services.synthetic.seed_synthetic called in-process, the same code as `flask seed-synthetic`,
without a subprocess per size. A page that does not answer 200 is flagged in the tables: its
timing measured an error page.

    .venv/bin/python scripts/bench_load.py [--load-only | --scale-only] [--sizes 100,10000]
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"
ARTICLE_SLUG = "all-blast-crisis-treatment"
ARTICLE = f"/articles/{ARTICLE_SLUG}"
BENCH_ADMIN = "bench-admin@vetted.invalid"
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _flask(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "app", *args], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


@contextmanager
def _database(kind: str):
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


def _postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=2):
            return True
    except Exception:  # noqa: BLE001 - any failure means "skip PostgreSQL"
        return False


# -- Load ------------------------------------------------------------------------------------


def _wrk(url: str, *, seconds: int, connections: int, headers=(), script: str | None = None):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = sum(
        int(n)
        for n in re.findall(
            r"(?:Non-2xx or 3xx responses|Socket errors:.*?timeout)\s*:?\s*(\d+)", out
        )
    )
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if socket_errors:
        errors = sum(int(n) for n in socket_errors.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return rps, p99_ms, errors, requests


@contextmanager
def _served(url: str):
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "FLASK_APP": "app"}
    env.pop("REDIS_URL", None)
    _flask(env, "db", "upgrade")
    _flask(env, "seed-demo")
    port = _free_port()
    config = ROOT / "deploy" / "gunicorn.conf.py"
    command = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2",
               "--threads", "4", "--access-logfile", "/dev/null", "--error-logfile", "-",
               "--log-level", "warning"]  # fmt: skip
    if config.exists():
        command += ["--config", str(config)]
    server = subprocess.Popen([*command, "app:create_app()"], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def load(seconds: int, mix_seconds: int, rounds: int) -> None:
    """req/s and p99 per page against a static file, then the 64-connection mix."""
    with _database("sqlite") as url, _served(url) as base:
        home = urllib.request.urlopen(base + "/").read().decode()
        css = re.search(r'<link rel="stylesheet" href="([^"]+)"', home).group(1)
        section = re.search(r'hx-get="(/articles/all-blast-crisis-treatment/sections/[^"]+)"',
                            urllib.request.urlopen(base + ARTICLE).read().decode())  # fmt: skip
        pages = [
            ("static file (CSS)", css, ()),
            ("article, default audience", ARTICLE, ()),
            ("article, plain", ARTICLE + "?audience=plain", ()),
            ("audience swap (htmx)", ARTICLE + "?role=patient", ("HX-Request: true",)),
            ("home", "/", ()),
            ("topic page", "/topics/acute-lymphoblastic-leukemia", ()),
            ("search", "/search?q=blast+crisis", ()),
        ]
        for _label, path, headers in pages:  # warm every worker's caches
            _wrk(base + path, seconds=1, connections=4, headers=headers)
        # One wrk run's throughput is a coin toss here: its 16 keep-alive connections stay with
        # whichever of the two workers accepted them, and when one worker takes them all, one
        # core idles and req/s halves (400 or 900 for the same page, seen with top). So each
        # page is timed in rounds, each right after a round of the static file, and compared
        # by its best round (both workers busy) against the static file's best round. The
        # median of the per-round ratios is shown too.
        static_label, static_path, _h = pages[0]
        print(
            f"\nLoad: gunicorn 2 workers x 4 threads, wrk 16 connections, {rounds} rounds of"
            f" {seconds} s per page, each after {seconds} s of the static file"
        )
        print(f"{'page':<28}{'req/s':>9}{'p99 ms':>9}{'vs static':>11}{'median':>9}{'errors':>8}")
        static_runs, results = [], []
        for label, path, headers in pages[1:]:
            runs, ratios = [], []
            for _ in range(rounds):
                static = _wrk(base + static_path, seconds=seconds, connections=16)
                run = _wrk(base + path, seconds=seconds, connections=16, headers=headers)
                static_runs.append(static)
                runs.append(run)
                if static[0]:  # a round spent restarting a worker (max_requests) has none
                    ratios.append(run[0] / static[0])
            results.append((label, runs, statistics.median(ratios or [0])))
        best_static = max(r[0] for r in static_runs)
        for label, runs, median_ratio in results:
            best = max(r[0] for r in runs)
            p99 = statistics.median(r[1] for r in runs)
            errors = sum(r[2] for r in runs)
            print(
                f"{label:<28}{best:>9.0f}{p99:>9.1f}{best / best_static:>10.0%}"
                f"{median_ratio:>9.0%}{errors:>8}"
            )
        p99 = statistics.median(r[1] for r in static_runs)
        errors = sum(r[2] for r in static_runs)
        print(f"{static_label:<28}{best_static:>9.0f}{p99:>9.1f}{'100%':>11}{'':>9}{errors:>8}")
        print(
            "(req/s: best round; p99: median of the rounds' p99; vs static: best against the"
            " static file's best; median: of the per-round ratios)"
        )

        paths = [p for _l, p, h in pages if not h] + [ARTICLE + "?audience=standard", "/topics",
                                                       "/glossary"]  # fmt: skip
        if section:
            paths.append(section.group(1).replace("&amp;", "&"))
        script = Path(tempfile.mkstemp(suffix=".lua")[1])
        script.write_text(
            "local paths = {" + ", ".join(f'"{p}"' for p in paths) + "}\n"
            "request = function()\n"
            "  return wrk.format(nil, paths[math.random(#paths)])\nend\n"
        )
        try:
            rps, p99, errors, requests = _wrk(
                base + "/", seconds=mix_seconds, connections=64, script=str(script)
            )
        finally:
            script.unlink()
        print(
            f"\nMix of {len(paths)} pages, 64 connections, {mix_seconds} s: {requests} requests,"
            f" {rps:.0f} req/s, p99 {p99:.1f} ms, errors {errors}"
        )


# -- Scale -----------------------------------------------------------------------------------


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
                url = databases.enter_context(_database(kind))
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
    if _postgres_reachable():
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load-only", action="store_true")
    parser.add_argument("--scale-only", action="store_true")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mix-seconds", type=int, default=60)
    parser.add_argument("--sizes", default="100,10000,100000")
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--staff-runs", type=int, default=50)
    args = parser.parse_args()
    if not args.scale_only:
        if shutil.which("wrk") is None:
            print("wrk is not installed (apt-get install wrk): skipping the load part")
        else:
            load(args.seconds, args.mix_seconds, args.rounds)
    if not args.load_only:
        scale([int(s) for s in args.sizes.split(",")], args.runs, args.staff_runs)


if __name__ == "__main__":
    main()
