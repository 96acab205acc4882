"""Junk addresses against the page cache (issue 14). Prints numbers; asserts nothing.

Serves the site as scripts/bench_load.py does (gunicorn, 2 workers x 4 threads, demo content,
SQLite), times the article with wrk, then sends junk: addresses with unknown parameters, unknown
audience values and a different HX-Target on every request, as a crawler or an attacker would.
It prints the page cache's rows and the database's size before and after, then times the article
again. Junk is rendered but never stored, and the canonical pages stay within PAGE_CACHE_MAX_ROWS.

    .venv/bin/python scripts/bench_junk.py [--requests 10000] [--seconds 5] [--rounds 3]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import tempfile
import urllib.request
from pathlib import Path

from bench_load import _served, _wrk
from benchlib import ARTICLE, database

JUNK = """
local n = 0
request = function()
  n = n + 1
  local path
  if n % 10 == 0 then
    path = "{article}?audience=junk" .. n
  elseif n % 10 == 1 then
    path = "/topics/acute-lymphoblastic-leukemia?before=" .. n
  else
    path = "/topics?junk=" .. n
  end
  return wrk.format(nil, path, {{["HX-Target"] = "t" .. n}})
end
"""


def _cache(path: Path) -> tuple[int, float]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT count(*) FROM cached_pages").fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return rows, path.stat().st_size / 1e6


def _article(base: str, seconds: int, rounds: int) -> float:
    return max(_wrk(base + ARTICLE, seconds=seconds, connections=16)[0] for _ in range(rounds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    with database("sqlite") as url, _served(url) as base:
        db_file = Path(url.removeprefix("sqlite:///"))
        urllib.request.urlopen(base + ARTICLE).read()
        before_rows, before_mb = _cache(db_file)
        before = _article(base, args.seconds, args.rounds)
        script = Path(tempfile.mkstemp(suffix=".lua")[1])
        script.write_text(JUNK.format(article=ARTICLE))
        sent = errors = 0
        try:
            while sent < args.requests:  # wrk runs for a time, not a count: top up until sent
                _rps, _p99, failed, requests = _wrk(
                    base + "/", seconds=2, connections=16, script=str(script)
                )
                sent += requests
                errors += failed
        finally:
            script.unlink()
        after_rows, after_mb = _cache(db_file)
        after = _article(base, args.seconds, args.rounds)
    print(f"\nJunk: {sent} requests ({errors} errors) to unknown parameters and values")
    print(f"{'':<24}{'before':>10}{'after':>10}")
    print(f"{'cached pages (rows)':<24}{before_rows:>10}{after_rows:>10}")
    print(f"{'database (MB)':<24}{before_mb:>10.1f}{after_mb:>10.1f}")
    print(f"{'article req/s (best)':<24}{before:>10.0f}{after:>10.0f}")


if __name__ == "__main__":
    main()
