"""Article PDFs: the cold render, then the cached answer. Prints numbers; asserts nothing.

For every demo article and reading level: the time of the first request (WeasyPrint lays out the
print view), then p50 and p95 over REQUESTS requests answered from the PDF cache, through the
Flask test client (no network). Run with `make bench-pdf`; a throwaway SQLite database with the
demo content, or DATABASE_URL.
"""

from __future__ import annotations

import os
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
from services.seeding.demo import load_demo  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_PDF_REQUESTS", "200"))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    tmp = tempfile.mkdtemp()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        slugs = list(
            db.session.scalars(
                sa.select(Article.slug)
                .where(Article.public_revision_id.is_not(None))
                .order_by(Article.slug)
            )
        )
        client = app.test_client()
        print(f"{'article':<34}{'level':<10}{'cold ms':>9}{'KB':>6}{'p50 ms':>8}{'p95 ms':>8}")
        every = []
        for slug in slugs:
            for level in ReadingLevel:
                path = f"/articles/{slug}.pdf?audience={level.value}"
                started = time.perf_counter()
                first = client.get(path)
                cold = (time.perf_counter() - started) * 1000
                assert first.status_code == 200 and first.headers["X-PDF-Cache"] == "miss"
                times = []
                for _ in range(REQUESTS):
                    started = time.perf_counter()
                    response = client.get(path)
                    times.append((time.perf_counter() - started) * 1000)
                    assert response.headers["X-PDF-Cache"] == "hit"
                every += times
                print(
                    f"{slug:<34}{level.value:<10}{cold:>9.0f}{len(first.data) // 1024:>6}"
                    f"{statistics.median(times):>8.1f}{percentile(times, 0.95):>8.1f}"
                )
        print(
            f"cached, all articles and levels ({len(every)} requests): "
            f"p50 {statistics.median(every):.1f} ms, p95 {percentile(every, 0.95):.1f} ms"
        )


if __name__ == "__main__":
    main()
