"""Load and scale figures for issue 8. Prints numbers; asserts nothing. `make bench` runs it.

Load: serves the site as `make run` does (gunicorn, 2 workers x 4 threads, demo content) and drives
it with wrk (Debian's package): req/s and p99 per page, each with its ratio to a static file served
by the same server in the same run; then 64 connections for 60 s against a mix of pages.

Scale: reader and staff pages at 100, 10,000 and 100,000 articles, p95 and statements; measured by
scripts/bench_scale.py (its docstring says how), which this script runs after the load part, or
alone with --scale-only.

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
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import bench_scale
from benchlib import ARTICLE, BIN, ROOT, database


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _flask(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "app", *args], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


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


# The gunicorn arbiter's pid per base address `_served` yields, for `_server_cpu`.
_ARBITERS: dict[str, int] = {}


def _server_cpu(base: str) -> float:
    """CPU seconds the server's workers have used so far: the live ones' own, plus those of
    workers already ended (max_requests), which their parent, the arbiter, has collected."""
    ticks = os.sysconf("SC_CLK_TCK")
    arbiter = _ARBITERS[base]

    def fields(pid: int) -> list[str]:
        # After the command's closing parenthesis: state is field 3, utime 14 ... cstime 17.
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()

    children = Path(f"/proc/{arbiter}/task/{arbiter}/children").read_text().split()
    total = sum(int(v) for v in fields(arbiter)[13:15])  # cutime, cstime (0-based after ")")
    for child in children:
        try:
            total += sum(int(v) for v in fields(int(child))[11:13])  # utime, stime
        except FileNotFoundError:  # ended between the two reads
            continue
    return total / ticks


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
    _ARBITERS[base] = server.pid
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
    with database("sqlite") as url, _served(url) as base:
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
            ("Spanish article, plain", "/es" + ARTICLE + "?audience=plain", ()),
            ("Spanish audience swap", "/es" + ARTICLE + "?role=patient", ("HX-Request: true",)),
            ("Spanish search", "/es/search?q=crisis+blastica", ()),
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
        print(
            f"{'page':<28}{'req/s':>9}{'p99 ms':>9}{'vs static':>11}{'median':>9}"
            f"{'cpu ms':>9}{'by cpu':>8}{'errors':>8}"
        )

        def timed(path: str, headers=()) -> tuple:
            """One wrk run, and the server's CPU milliseconds during it."""
            before = _server_cpu(base)
            run = _wrk(base + path, seconds=seconds, connections=16, headers=headers)
            return run, (_server_cpu(base) - before) * 1000

        def per_request(runs: list, cpu: list[float]) -> float:
            # Over every round: a round spent restarting a worker serves few requests, and its
            # own ratio would be noise.
            return sum(cpu) / max(sum(r[3] for r in runs), 1)

        static_runs, static_cpu, results = [], [], []
        for label, path, headers in pages[1:]:
            runs, ratios, cpu = [], [], []
            for _ in range(rounds):
                static, static_ms = timed(static_path)
                run, run_ms = timed(path, headers)
                static_runs.append(static)
                static_cpu.append(static_ms)
                runs.append(run)
                cpu.append(run_ms)
                if static[0]:  # a round spent restarting a worker (max_requests) has none
                    ratios.append(run[0] / static[0])
            results.append((label, runs, statistics.median(ratios or [0]), per_request(runs, cpu)))
        best_static = max(r[0] for r in static_runs)
        static_ms = per_request(static_runs, static_cpu)
        for label, runs, median_ratio, cpu_ms in results:
            best = max(r[0] for r in runs)
            p99 = statistics.median(r[1] for r in runs)
            errors = sum(r[2] for r in runs)
            print(
                f"{label:<28}{best:>9.0f}{p99:>9.1f}{best / best_static:>10.0%}"
                f"{median_ratio:>9.0%}{cpu_ms:>9.2f}{static_ms / cpu_ms:>8.0%}{errors:>8}"
            )
        p99 = statistics.median(r[1] for r in static_runs)
        errors = sum(r[2] for r in static_runs)
        print(
            f"{static_label:<28}{best_static:>9.0f}{p99:>9.1f}{'100%':>11}{'':>9}"
            f"{static_ms:>9.2f}{'100%':>8}{errors:>8}"
        )
        print(
            "(req/s: best round; p99: median of the rounds' p99; vs static: best against the"
            " static file's best; median: of the per-round ratios; cpu ms: the app servers' CPU"
            " per request, over all rounds; by cpu: the static file's cpu ms over the"
            " page's, the throughput ratio when both workers are busy, whichever worker wrk's"
            " connections stick to)"
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load-only", action="store_true")
    parser.add_argument("--scale-only", action="store_true")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mix-seconds", type=int, default=60)
    bench_scale.add_arguments(parser)
    args = parser.parse_args()
    if not args.scale_only:
        if shutil.which("wrk") is None:
            print("wrk is not installed (apt-get install wrk): skipping the load part")
        else:
            load(args.seconds, args.mix_seconds, args.rounds)
    if not args.load_only:
        bench_scale.run(args)


if __name__ == "__main__":
    main()
