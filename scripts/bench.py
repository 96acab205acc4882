"""Page weight, SQL queries and server time of the article page. Prints numbers; asserts nothing.

Run with `make bench`. Uses a throwaway SQLite database with the demo content (or DATABASE_URL).
"""

from __future__ import annotations

import gzip
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402
from extensions import db  # noqa: E402
from services.seeding.demo import load_demo  # noqa: E402

ARTICLE = "/articles/all-blast-crisis-treatment"


def sizes(body: bytes) -> tuple[int, int]:
    return len(body), len(gzip.compress(body, 6))


def main() -> None:
    tmp = tempfile.mkdtemp()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        client = app.test_client()

        queries = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: queries.append(a[2]))
        client.get(ARTICLE)  # warm caches
        queries.clear()
        client.get(ARTICLE)
        article_queries = len(queries)

        for page in (ARTICLE, "/es" + ARTICLE):  # English, and its Spanish page (issue 16)
            print(f"article page: {page}")
            print(f"{'resource':<22}{'bytes':>9}{'gzip':>9}{'sent (br)':>11}")
            total = 0
            resources = [
                ("HTML", page),
                ("CSS", "/static/css/vetted.css"),
                ("htmx.min.js", "/static/vendor/htmx.min.js"),
                ("vetted.js", "/static/js/vetted.js"),
            ]
            for name, path in resources:
                raw = client.get(path).get_data()
                sent = client.get(path, headers={"Accept-Encoding": "br, gzip"})
                size = len(sent.get_data())
                sent.close()
                total += size
                print(f"{name:<22}{len(raw):>9}{sizes(raw)[1]:>9}{size:>11}")
            print(f"{'first load, as sent':<22}{'':>18}{total:>11}  ({total / 1024:.1f} KiB)")

        swap = client.get(ARTICLE + "?role=patient", headers={"HX-Request": "true"})
        whole = client.get(ARTICLE + "?audience=plain")
        swap_raw, swap_gz = sizes(swap.get_data())
        whole_raw, whole_gz = sizes(whole.get_data())
        print(
            f"audience swap response: {swap_raw} bytes ({swap_gz} gzip)"
            f" vs whole plain page {whole_raw} bytes ({whole_gz} gzip)"
        )
        print(f"SQL queries for the article page: {article_queries}")

        for label, path, headers in [
            ("article page, clinical", ARTICLE + "?audience=clinical", {}),
            ("article page, plain", ARTICLE + "?audience=plain", {}),
            ("audience swap (htmx)", ARTICLE + "?role=patient", {"HX-Request": "true"}),
            ("section fragment (htmx)", None, {"HX-Request": "true"}),
            ("home page", "/", {}),
            ("search", "/search?q=blast+crisis", {}),
            ("Spanish article page, plain", "/es" + ARTICLE + "?audience=plain", {}),
            ("Spanish search", "/es/search?q=crisis+blastica", {}),
        ]:
            if path is None:
                from services.reading.view import find_article

                article = find_article("all-blast-crisis-treatment")
                revision = article.live_revision or article.latest_revision
                section_id = revision.body_sections[0].id
                path = f"{ARTICLE}/sections/{section_id}?expanded=1"
            times = []
            for _ in range(200):
                start = time.perf_counter()
                response = client.get(path, headers=headers)
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
            times.sort()
            print(
                f"{label:<26} median {statistics.median(times):6.2f} ms"
                f"  p95 {times[int(len(times) * 0.95)]:6.2f} ms  ({len(response.get_data())} bytes)"
            )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory (RSS) of this process: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
