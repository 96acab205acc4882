"""Load and scale figures for issue 8. Prints numbers; asserts nothing. `make bench` runs it.

Load: serves the site as `make run` does (gunicorn, 2 workers x 4 threads, demo content) and drives
it with wrk (Debian's package): req/s and p99 per page, each with its ratio to a static file served
by the same server in the same run; then 64 connections for 60 s against a mix of pages.

Scale: for 100, 10,000 and 100,000 articles on SQLite and, when reachable, PostgreSQL (ANALYZEd
after seeding, as production's autovacuum would have): p95 of every reader page through the test
client, and the SQL statements each one runs, so "cost flat with size" can be read off a table.
Each page is measured twice: as a whole-page-cache hit (what most readers get), and with that cache
off (PAGE_CACHE_DISABLED; the render-once cache stays on), which is what measures rendering and the
listing indexes. The articles come from services.synthetic.seed_synthetic called in-process, the
same code as `flask seed-synthetic`, without a subprocess per size. A page that does not answer 200
is flagged in the tables: its timing measured an error page.

    .venv/bin/python scripts/bench_load.py [--load-only | --scale-only] [--sizes 100,10000]
"""

from __future__ import annotations

import argparse
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
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"
ARTICLE = "/articles/all-blast-crisis-treatment"
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


def _measure(client, path: str, headers: dict, runs: int) -> tuple[float, float, int, int]:
    """p50 and p95 ms of warm requests, the statements one of them runs, and its status."""
    from sqlalchemy import event

    from extensions import db

    # The first view fills the render cache (and the page cache). Twice: a page that sets the
    # audience cookie (the swap) is kept a second time under that cookie, as a browser sends it.
    client.get(path, headers=headers)
    client.get(path, headers=headers)
    statements: list[int] = []
    counter = lambda *_a: statements.append(1)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        status = client.get(path, headers=headers).status_code
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(path, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return (
        statistics.median(times),
        times[max(int(len(times) * 0.95) - 1, 0)],
        len(statements),
        status,
    )


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


def _table(kind: str, mode: str, sizes: list[int], results: dict, runs: int) -> int:
    """Print one table (p95 ms, statements, and status when not 200); return the non-200 count."""
    print(f"\nScale on {kind}, {mode}: p95 ms (statements) per page, {runs} warm requests each")
    head = "".join(f"{f'{s:,}':>22}" for s in sizes)
    print(f"{'page':<24}{head}{'p95 ratio':>11}")
    failures = 0
    for i, (label, _p, _h) in enumerate(PAGES):
        cells = ""
        for size in sizes:
            _p50, p95, statements, status = results[size][i]
            flag = "" if status == 200 else f" !{status}"
            failures += status != 200
            cells += f"{f'{p95:.1f} ({statements:>2}){flag}':>22}"
        first, last = results[sizes[0]][i][1], results[sizes[-1]][i][1]
        print(f"{label:<24}{cells}{last / first if first else float('nan'):>10.2f}x")
    return failures


def scale(sizes: list[int], runs: int) -> None:
    """p95 of every reader page at each size, cached and not, and the statements each one runs."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app import create_app
    from extensions import db
    from services.demo import load_demo
    from services.synthetic import seed_synthetic

    kinds = ["sqlite"]
    if _postgres_reachable():
        kinds.append("postgresql")
    else:
        print(
            f"\nPostgreSQL not reachable at {PG_ADMIN} (BENCH_PG_ADMIN): skipping it, SQLite only"
        )
    failures = 0
    for kind in kinds:
        results: dict[bool, dict[int, list]] = {off: {} for _m, off in MODES}
        for size in sizes:
            with _database(kind) as url:
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
                    for _mode, off in MODES:
                        app.config["PAGE_CACHE_DISABLED"] = off
                        # A client per page: the audience swap's cookie must not follow the rest.
                        results[off][size] = [
                            _measure(app.test_client(), p, h, runs) for _l, p, h in PAGES
                        ]
                    db.session.remove()
                    db.engine.dispose()
        for mode, off in MODES:
            failures += _table(kind, mode, sizes, results[off], runs)
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
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    if not args.scale_only:
        if shutil.which("wrk") is None:
            print("wrk is not installed (apt-get install wrk): skipping the load part")
        else:
            load(args.seconds, args.mix_seconds, args.rounds)
    if not args.load_only:
        scale([int(s) for s in args.sizes.split(",")], args.runs)


if __name__ == "__main__":
    main()
