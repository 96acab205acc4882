"""How many PURGE requests a glossary edit that touches N articles sends (caching/purge.py), before
and after purges followed what changed. Prints numbers; asserts nothing.

N synthetic articles are seeded in a throwaway SQLite database, each given R revisions sent for
review (copies of its approved one, as a history would leave them). Then `purge.paths` is asked
what one transaction's note means, for one cache, in its 3 encodings:

- before: what every note meant until now, and what a review transition still means: the
  articles' pages and every revision permalink, in every language;
- glossary edit: the articles' pages, in every language;
- Spanish words only: the articles' pages under /es.

    .venv/bin/python scripts/count_purges.py --articles 500 --revisions 3
"""

from __future__ import annotations

import argparse

from benchlib import database


def _copy_revisions(extra: int) -> None:
    """Give each article `extra` more revisions sent for review (superseded copies)."""
    import sqlalchemy as sa

    from extensions import db
    from models import ReviewStatus, Revision

    columns = [c for c in Revision.__table__.columns if c.name not in ("id", "number", "status")]
    rows = db.session.execute(sa.select(Revision.__table__)).mappings().all()
    copies = [
        {
            **{c.name: row[c.name] for c in columns},
            "number": row["number"] + k,
            "status": ReviewStatus.SUPERSEDED.value,
        }  # fmt: skip
        for row in rows
        for k in range(1, extra + 1)
    ]
    if copies:
        db.session.execute(sa.insert(Revision.__table__), copies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--revisions", type=int, default=3)
    args = parser.parse_args()

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app import create_app
    from caching import purge
    from caching.changes import Changes
    from extensions import db
    from models import Article, Language, ReviewStatus, Revision
    from services.seeding.synthetic import seed_synthetic

    with database("sqlite") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "count"})
        with app.app_context(), app.test_request_context():
            upgrade()
            seed_synthetic(args.articles)
            _copy_revisions(args.revisions - 1)
            db.session.commit()
            slugs = set(db.session.scalars(sa.select(Article.slug)))
            sent = db.session.scalar(
                sa.select(sa.func.count(Revision.id)).where(Revision.status != ReviewStatus.DRAFT)
            )
            languages = sorted(db.session.scalars(sa.select(Language.code)))
            print(
                f"{len(slugs)} articles, {sent} revisions sent for review, languages {languages},"
                f" one cache, {len(purge.ENCODINGS)} encodings"
            )
            cases = {
                "before (every note; now a review transition)": Changes(
                    None, slugs=set(slugs), revisions=set(slugs)
                ),
                "glossary edit, English words": Changes(None, slugs=set(slugs)),
                "glossary edit, Spanish words only": Changes(
                    None, slugs=set(slugs), only={s: {"es"} for s in slugs}
                ),
            }
            for name, noted in cases.items():
                count = len(purge.paths(noted)) * len(purge.ENCODINGS)
                print(f"{name:48} {count:>9,} PURGE requests")


if __name__ == "__main__":
    main()
