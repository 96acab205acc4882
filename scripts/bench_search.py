"""Search at scale: p50/p95 at 10,000 and 100,000 synthetic articles, on SQLite and PostgreSQL.

Run with `make bench` (or directly). Each engine gets a throwaway database: the demo content, then
synthetic articles (services/seeding/synthetic.py) up to each size, indexed as seed-synthetic does;
then every query runs once to warm caches and ROUNDS times more, timed. Prints numbers (wall
clock, and this process's CPU time: on a busy machine the first includes waiting); asserts
nothing. Target: search p95 <= 50 ms at 100,000 articles.

PostgreSQL: databases named vetted_bench_search_* are created and dropped on the server at
BENCH_POSTGRES_URL (default: the local one); skipped when it cannot be reached.
Options: BENCH_SIZES=10000,100000  BENCH_ENGINES=sqlite,postgresql  BENCH_ROUNDS=20
Reuse a database instead (kept, and seeded only up to each size):
BENCH_SQLITE=/tmp/bench.db  BENCH_POSTGRES_DB=vetted_bench_mine (created beforehand).
Spanish cases (issue 16) search the Spanish index through search(language="es") and /es/search.
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
from services import search  # noqa: E402
from services.seeding.demo import load_demo  # noqa: E402
from services.seeding.synthetic import seed_synthetic  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "10000,100000").split(",")]
ENGINES = os.environ.get("BENCH_ENGINES", "sqlite,postgresql").split(",")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
POSTGRES = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)

# What readers type: the seed question, drugs, conditions, a half-typed word, operators.
REALISTIC = [
    "What is the treatment for ALL during blast crisis?",
    "treating blast crises",
    "ponatinib",
    "ponat",
    "interferon",
    "tumor lysis syndrome",
    "hyper-CVAD",
    "MRD testing",
    "ponatinib OR dasatinib",
    "blast crisis -imatinib",
]
# Words every synthetic article uses: each matches all of them (the bounded ranking path).
BROAD = ["fever", "kidney dose", "patient treatment plan"]
# The same in Spanish, typed as readers type it: accents left out, plurals, half-typed words.
REALISTIC_ES = [
    "¿Cuál es el tratamiento de la LLA en crisis blástica?",
    "tratamiento crisis blastica",
    "ponatinib",
    "ponat",
    "sindrome de lisis tumoral",
    "hyper-CVAD",
    "trasplantes",
    "enfermedad residual medible",
    "ponatinib OR dasatinib",
    "crisis blastica -imatinib",
]
BROAD_ES = ["fiebre", "riñon dosis", "paciente tratamiento plan"]
QUESTIONS_ES = [
    "¿Es mejor ponatinib que dasatinib para la LLA Ph+?",
    "¿Cómo se previene el síndrome de lisis tumoral durante la quimioterapia?",
]
QUESTIONS = [
    "Is ponatinib better than dasatinib for Ph+ ALL?",
    "How do I prevent tumor lysis syndrome during chemotherapy?",
]


def percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


class Times(list):
    """Wall-clock times, with this process's CPU time for each in `cpu`."""

    cpu: list[float]


def timed(call, queries: list[str]) -> Times:
    for query in queries:
        call(query)  # warm
    times = Times()
    times.cpu = []
    for _ in range(ROUNDS):
        for query in queries:
            started, cpu = time.perf_counter(), time.process_time()
            call(query)
            times.append((time.perf_counter() - started) * 1000)
            times.cpu.append((time.process_time() - cpu) * 1000)
    return times


def report(label: str, times: Times) -> None:
    # CPU: this process only, so on SQLite (in-process) the whole cost without the waiting a
    # busy machine adds; on PostgreSQL the server's share is not in it.
    p50, p95 = percentiles(times)
    cpu50, cpu95 = percentiles(times.cpu)
    print(
        f"  {label:<44} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms"
        f"   (CPU p50 {cpu50:6.2f}, p95 {cpu95:6.2f})"
    )


def measure(app, engine: str, size: int) -> None:
    client = app.test_client()
    # Timings are wall-clock: on a busy machine they include waiting for a CPU.
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"{engine}, {size:,} synthetic articles + 6 demo articles (load average {load}):")
    report(
        "search(), realistic queries",
        timed(lambda q: search.search(q, level=ReadingLevel.PLAIN), REALISTIC),
    )
    report(
        "search(), broad queries (match every synthetic)",
        timed(lambda q: search.search(q, level=ReadingLevel.PLAIN), BROAD),
    )
    report(
        "GET /search page, realistic queries",
        timed(lambda q: client.get("/search", query_string={"q": q}), REALISTIC),
    )
    report(
        "GET /search htmx fragment, realistic queries",
        timed(
            lambda q: client.get("/search", query_string={"q": q}, headers={"HX-Request": "true"}),
            REALISTIC,
        ),
    )
    report(
        "candidate_article_ids(), follow-up questions",
        timed(lambda q: search.candidate_article_ids(q), QUESTIONS),
    )
    measure_spanish(client)
    slowest = []
    for query in REALISTIC + BROAD:
        p50, _ = percentiles(timed(lambda q: search.search(q, level=ReadingLevel.PLAIN), [query]))
        slowest.append((p50, query))
    print("  per query, p50: " + ", ".join(f"{q!r} {t:.1f}" for t, q in sorted(slowest)[-4:]))


def measure_spanish(client) -> None:
    def spanish(q):
        return search.search(q, level=ReadingLevel.PLAIN, language="es")

    report("search(language='es'), realistic queries", timed(spanish, REALISTIC_ES))
    report("search(language='es'), broad queries", timed(spanish, BROAD_ES))
    report(
        "GET /es/search page, realistic queries",
        timed(lambda q: client.get("/es/search", query_string={"q": q}), REALISTIC_ES),
    )
    report(
        "candidate_article_ids(language='es')",
        timed(lambda q: search.candidate_article_ids(q, language="es"), QUESTIONS_ES),
    )
    slowest = [(percentiles(timed(spanish, [q]))[0], q) for q in REALISTIC_ES + BROAD_ES]
    print(
        "  Spanish per query, p50: " + ", ".join(f"{q!r} {t:.1f}" for t, q in sorted(slowest)[-4:])
    )


def run(engine: str, url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        synthetic = sa.select(sa.func.count()).where(Article.is_synthetic.is_(True))
        seeded = db.session.scalar(synthetic)
        if not db.session.scalar(sa.select(sa.func.count()).where(Article.is_demo.is_(True))):
            load_demo()
            db.session.commit()
        for size in SIZES:
            if size > seeded:
                started = time.perf_counter()
                seed_synthetic(size - seeded)
                db.session.commit()
                print(
                    f"{engine}: seeded and indexed {size - seeded:,} synthetic articles in "
                    f"{time.perf_counter() - started:.1f} s"
                )
                seeded = size
            if engine == "postgresql":
                db.session.execute(sa.text("ANALYZE"))
                db.session.commit()
            measure(app, engine, size)
            db.session.remove()
        db.engine.dispose()


def postgres_admin() -> sa.Engine | None:
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            return admin
    except sa.exc.OperationalError as error:
        print(f"postgresql: skipped, cannot connect ({error.orig})")
        return None


def main() -> None:
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    print(f"search bench: sizes {SIZES}, {ROUNDS} rounds of each query after a warm-up\n")
    if "sqlite" in ENGINES and (path := os.environ.get("BENCH_SQLITE")):
        run("sqlite", f"sqlite:///{path}")
        print()
    elif "sqlite" in ENGINES:
        with tempfile.TemporaryDirectory() as tmp:
            run("sqlite", f"sqlite:///{tmp}/bench_search.db")
        print()
    if "postgresql" in ENGINES and (name := os.environ.get("BENCH_POSTGRES_DB")):
        run("postgresql", sa.make_url(POSTGRES).set(database=name).render_as_string(False))
    elif "postgresql" in ENGINES and (admin := postgres_admin()) is not None:
        name = f"vetted_bench_search_{os.getpid()}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            run("postgresql", admin.url.set(database=name).render_as_string(hide_password=False))
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
