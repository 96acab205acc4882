"""The staff dashboard's "Translations out of date" list at scale: its plan (EXPLAIN) and its time
on SQLite and PostgreSQL, at 100,000 synthetic articles with a history. Prints numbers; asserts
nothing.

The demo content and synthetic articles are seeded (bench_staff_search's helper: kept databases,
seeded once); then a history is added once: a superseded copy of every fifth article's revision,
whose Spanish wordings lag (as old revisions' lagging translations accumulate), and the Spanish
wordings of one public revision in a hundred are made to lag (the list's rows). Each query is
run as the dashboard runs it (a count and a page of rows) `--runs` times: p50 and p95, ms.

    .venv/bin/python scripts/bench_translations_behind.py --sqlite /tmp/tb.db --postgres vetted_tb
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench_staff_search import _postgres_url, _site
from benchlib import postgres_reachable

HISTORY_MARK = 100_000  # superseded copies are numbered from here


def _add_history() -> None:
    """Once: superseded copies of every fifth revision with lagging Spanish, and lagging Spanish
    on one public revision in a hundred."""
    import sqlalchemy as sa

    from extensions import db
    from models import Revision, Section, SectionVariant

    if db.session.scalar(sa.select(sa.func.count()).where(Revision.number >= HISTORY_MARK)):
        return
    offsets = {
        model: (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1
        for model in (Revision, Section, SectionVariant)
    }
    picked = sa.select(Revision.id).where(Revision.id % 5 == 0)

    def copy(model, where, changed: dict) -> None:
        table = model.__table__
        names = [c.name for c in table.columns]
        values = [changed.get(n, table.c[n]) for n in names]
        db.session.execute(sa.insert(table).from_select(names, sa.select(*values).where(where)))

    rev, sec, var = Revision.__table__.c, Section.__table__.c, SectionVariant.__table__.c
    copy(
        Revision,
        rev.id.in_(picked),
        {
            "id": rev.id + offsets[Revision],
            "number": rev.number + HISTORY_MARK,
            "status": sa.literal("superseded"),
        },
    )
    copy(
        Section,
        sec.revision_id.in_(picked),
        {"id": sec.id + offsets[Section], "revision_id": sec.revision_id + offsets[Revision]},
    )
    picked_sections = sa.select(Section.id).where(Section.revision_id.in_(picked))
    copy(
        SectionVariant,
        var.section_id.in_(picked_sections),
        {
            "id": var.id + offsets[SectionVariant],
            "section_id": var.section_id + offsets[Section],
            "lags": var.language != "en",
        },
    )
    public_lagging = sa.select(Section.id).where(Section.revision_id % 100 == 1)
    db.session.execute(
        sa.update(SectionVariant)
        .where(SectionVariant.language != "en", SectionVariant.section_id.in_(public_lagging))
        .values(lags=True)
    )
    db.session.commit()


def _flag() -> None:
    """Set the dashboard's flag as the migration's backfill does (history added after it)."""
    import sqlalchemy as sa

    from extensions import db
    from models import Article, Section
    from services.editorial.publishing import lagging_sections

    lagging = lagging_sections().where(Section.revision_id == Article.public_revision_id)
    db.session.execute(
        sa.update(Article)
        .where(Article.public_translations_behind == sa.false(), lagging.exists())
        .values(public_translations_behind=True)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _before():
    """The list as it was: from every lagging wording ever saved."""
    import sqlalchemy as sa

    from models import Article, Section, SectionVariant

    lagging = sa.select(SectionVariant.section_id).where(SectionVariant.lags == sa.true())
    return (
        sa.select(Section)
        .join(Article, Article.public_revision_id == Section.revision_id)
        .where(Section.id.in_(lagging))
        .order_by(Article.question, Article.id, Section.position)
    )


def _explain(query, kind: str) -> str:
    import sqlalchemy as sa

    from extensions import db

    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    prefix = "EXPLAIN QUERY PLAN " if kind == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    rows = db.session.execute(sa.text(prefix + sql)).all()
    return "\n".join("    " + (str(r[-1]) if kind == "sqlite" else r[0]) for r in rows)


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * len(values))) - 1)]


def _run(app, kind: str, runs: int, queries: dict) -> None:
    import sqlalchemy as sa

    from extensions import db
    from models import SectionVariant
    from services.staff import worklists

    with app.app_context():
        lagging = db.session.scalar(
            sa.select(sa.func.count()).where(SectionVariant.lags == sa.true())
        )
        print(f"{kind}: {lagging:,} lagging wordings in all")
        for name, make in queries.items():
            query = make()
            count = sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
            print(f"  {name}: count plan\n{_explain(count, kind)}")
            print(f"  {name}: page plan\n{_explain(query.limit(50), kind)}")
            times = []
            for _ in range(runs + 2):
                started = time.perf_counter()
                total = db.session.scalar(count)
                rows = db.session.scalars(query.limit(worklists.FOCUS_PAGE_SIZE)).all()
                times.append((time.perf_counter() - started) * 1000)
                db.session.rollback()
            times = times[2:]
            print(
                f"  {name}: {total:,} rows, count + page of {len(rows)}:"
                f" p50 {statistics.median(times):.1f} ms, p95 {_p95(times):.1f} ms"
            )
        db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--sqlite", default="/tmp/vetted-bench-translations-behind.db")
    parser.add_argument("--postgres", default="vetted_bench_translations_behind")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()

    from services.staff import worklists

    queries = {
        "before (every lagging wording)": _before,
        "after (flagged articles)": worklists._translations_behind,
    }
    targets = {"sqlite": f"sqlite:///{args.sqlite}"}
    if postgres_reachable():
        targets["postgresql"] = _postgres_url(args.postgres)
    for kind, url in targets.items():
        if args.only and kind != args.only:
            continue
        app, total = _site(url, args.size, kind, public_index=False)
        with app.app_context():
            _add_history()
            _flag()
            if kind == "postgresql":
                from extensions import db

                db.session.execute(__import__("sqlalchemy").text("ANALYZE"))
                db.session.commit()
        print(f"{kind}: {total:,} articles")
        _run(app, kind, args.runs, queries)


if __name__ == "__main__":
    main()
