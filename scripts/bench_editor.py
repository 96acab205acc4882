"""The editor's costs: live preview and whole-article save, through Flask's test client.

Prints median and p95 server time over N requests (default 100) and the SQL queries each
request makes, for: the live preview of the longest demo section alone, the live preview of the
whole article holding it (what the editor sends as you type), and saving that whole article as a
new revision. Each preview request adds a word to the longest section's clinical text, as typing
does, so per-text caches only help with the variants that did not change. Asserts nothing.

Uses a throwaway SQLite database with the demo content, or DATABASE_URL if it has no articles.

    .venv/bin/python scripts/bench_editor.py [N]
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
from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402
from extensions import db  # noqa: E402
from models import Article, ReadingLevel, Role  # noqa: E402
from services.editorial import checks, editing  # noqa: E402
from services.seeding.demo import load_demo  # noqa: E402
from services.staff.accounts import create_user  # noqa: E402

PASSWORD = "correct horse battery staple"


def longest_section() -> tuple[Article, int, int]:
    """(article, section position, characters) of the demo section with the most text."""
    best = None
    for article in db.session.scalars(sa.select(Article)):
        for section in article.latest_revision.sections:
            size = sum(len(v.body) for v in section.variants)
            if best is None or size > best[2]:
                best = (article, section.position, size)
    assert best is not None, "no demo content"
    return best


def form(article: Article, *, only: int | None = None, action: str = "save") -> dict:
    """The editor's POST body for the article's latest revision (or one section of it)."""
    revision = article.latest_revision
    data = {
        "based_on_id": str(revision.id),
        "conflict_base_id": "",
        "question": revision.question,
        "change_note": "Benchmark save",
        "next_review_on": "",
        "preview_level": "clinical",
        "action": action,
        "topics": [str(t) for t in revision.topic_ids or []],
    }
    sections = [s for s in revision.sections if only is None or s.position == only]
    for index, section in enumerate(sections):
        bodies = {v.level: v.body for v in section.variants}
        data[f"sections-{index}-kind"] = section.kind.value
        data[f"sections-{index}-heading"] = section.heading
        for level in ReadingLevel:
            data[f"sections-{index}-{level.value}"] = bodies.get(level, "")
    return data


class Queries:
    def __init__(self) -> None:
        self.count = 0
        event.listen(db.engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args) -> None:
        self.count += 1


def measure(label: str, runs: int, send, queries: Queries, prepare=lambda: None) -> None:
    """Time `send(prepare())` `runs` times after one warm-up (`prepare` is not timed nor
    counted); print median, p95 and the queries of each request."""
    send(prepare())
    times, counts = [], []
    for _ in range(runs):
        data = prepare()
        queries.count = 0
        start = time.perf_counter()
        send(data)
        times.append((time.perf_counter() - start) * 1000)
        counts.append(queries.count)
    p95 = statistics.quantiles(times, n=20)[18]
    spread = f"{min(counts)}" if min(counts) == max(counts) else f"{min(counts)}–{max(counts)}"
    print(f"{label:<40}{statistics.median(times):>9.1f}{p95:>9.1f}{spread:>9}")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
        if db.session.scalar(sa.select(sa.func.count(Article.id))):
            sys.exit("The database already has articles: point DATABASE_URL at a scratch one.")
        load_demo()
        create_user(email="timer@example.org", role=Role.EDITOR, name="Timer", password=PASSWORD)
        db.session.commit()
        article, position, size = longest_section()
        article_id = article.id
        section = article.latest_revision.sections[position]
        print(f"database: {db.engine.dialect.name}; {runs} requests each, after one warm-up")
        print(f"article: {article.slug} ({len(article.latest_revision.sections)} sections)")
        print(f"longest section: “{section.heading}”, {size:,} characters over its levels")
        section_only = form(article, only=position)
        whole = form(article)
        field = f"sections-{position}-clinical"
        db.session.remove()

    client = app.test_client()
    client.post("/auth/login", data={"email": "timer@example.org", "password": PASSWORD})
    hx = {"HX-Request": "true"}
    preview_url = f"/admin/articles/{article_id}/preview"
    edit_url = f"/admin/articles/{article_id}/edit"

    def preview(data):
        response = client.post(preview_url, data=data, headers=hx)
        assert response.status_code == 200, response.status_code

    def typing(data: dict, field: str):
        """Each call: the form with one more word typed at the end of `field`."""
        typed = iter(range(1, 1_000_000))

        def next_form() -> dict:
            return {**data, field: f"{data[field]} Typed{next(typed)}."}

        return next_form

    def uncached(prepare):
        """As `prepare`, with the per-text caches emptied first: the first preview of a page."""

        def next_form() -> dict:
            editing.measured.cache_clear()
            checks.uncited_sentences.cache_clear()
            return prepare()

        return next_form

    def latest_form():
        with app.app_context():
            data = form(db.session.get(Article, article_id))
            db.session.remove()
        return data

    def save(data):
        response = client.post(edit_url, data=data)
        assert response.status_code == 303, response.status_code

    with app.app_context():
        queries = Queries()
        print(f"{'request (server time, ms)':<40}{'median':>9}{'p95':>9}{'queries':>9}")
        alone = typing(section_only, "sections-0-clinical")
        measure("live preview, longest section alone", runs, preview, queries, alone)
        measure("live preview, whole article", runs, preview, queries, typing(whole, field))
        measure(
            "  the same, nothing cached", runs, preview, queries, uncached(typing(whole, field))
        )
        measure("save whole article (new revision)", runs, save, queries, latest_form)


if __name__ == "__main__":
    main()
