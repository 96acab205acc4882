"""Purge the proxy's cached copies of an article's page once a change to what readers see commits.

services.editorial.publishing.note_changed notes the article's slug (caching/changes.py):
publication, and the glossary, reference and follow-up services for what else an article page
shows. After the transaction commits (never before, and never on a rollback) each canonical
address of the page (the default wording and each `?audience=`), its print view and PDF, and of
any citation's own page noted with it (/articles/<slug>/references/<key>, when a reference
changes), in each language and each encoding nginx keeps, is purged from every cache in
CACHE_PURGE_URLS, nginx purge endpoints (deploy/README.md). A purge that fails is logged and
otherwise ignored: the change is saved, and the cached copy expires within its max-age
(caching.headers.ARTICLE) anyway.

What is purged follows what changed, so that a glossary edit used by 500 articles asks for tens
of thousands of purges, not hundreds of thousands:

- The permalinks of an article's revisions (/articles/<slug>/revisions/<n>, with their print
  views and PDFs) only on a review transition (submitted, taken, approved, sent back: every one
  ends in publishing.refresh_publication, which notes `revisions`): that is when what they say
  changes ("A newer reviewed version exists", a closed address). Every revision ever sent for
  review is purged then, as each may now say something else.
- A glossary, reference, follow-up or settings change leaves them to expire. A permalink is an
  archival page: what it exists to show, the reviewed text, its review state and its place in
  the history, is the same before and after such a change; what differs is the library's
  current explanation of a term in a hover card, or a reference's corrected entry, which the
  article's own pages (purged at once) carry, and the permalink catches up within its max-age
  (60 s, then one request served stale while nginx refreshes it). Purging them would multiply
  each such change by the number of revisions the article ever sent for review.
- A note confined to some languages (a glossary edit to a term's Spanish words alone: English
  pages mark only English words, services.reading.view.load_glossary) purges only the pages
  under those languages' prefixes; any other note purges every language's, enabled or not.

The purge requests go out in parallel from a small pool of threads, and the staff request that
made the change waits for them at most WAIT seconds: a healthy nginx answers well within it (so
the next reader sees the change at once), while a sick or silent one costs the staff member no
more than that, and the rest finish, or time out, after the response. A cache that fails to
answer once is skipped for the rest of that batch, so a dead host costs one TIMEOUT, not one per
address.
"""

from __future__ import annotations

import logging
import os
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_for

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from caching import changes
from extensions import db
from models import SOURCE_LANGUAGE, Article, Language, ReadingLevel, ReviewStatus, Revision

log = logging.getLogger("vetted.purge")
TIMEOUT = 2  # seconds per purge request, after the response if it comes to that
WAIT = 0.3  # seconds a staff request waits for its purges at most
WORKERS = 8  # purge requests in flight at once, per process
# nginx keeps one copy per encoding it asked of the app ($vetted_encoding in its config).
ENCODINGS = ("", "br", "gzip")


# The pages that show an article's current revision: the page itself, its print view and PDF.
ARTICLE_PAGES = ("articles.detail", "articles.print_view", "articles.pdf")
# A revision's own pages (its permalink, print view and PDF) say where it stands: a newer approval
# makes an older one say "A newer reviewed version exists", sending one back closes its address.
REVISION_PAGES = ("articles.revision", "articles.revision_print", "articles.revision_pdf")


def addresses(slug: str) -> list[str]:
    """The canonical addresses of an article's pages, as caches key them (caching/headers.py)."""
    urls = current_app.url_map.bind("localhost")
    return [
        urls.build(endpoint, {"slug": slug, **({"audience": level.value} if level else {})})
        for endpoint in ARTICLE_PAGES
        for level in (None, *ReadingLevel)
    ]


def revision_addresses(slugs: set[str]) -> dict[str, list[str]]:
    """The canonical addresses of every revision permalink of these articles that readers may
    have been shown: every revision ever sent for review (a draft never had a public address;
    one sent back or superseded had one while it waited). Read on a connection of its own, as
    the commit that noted the change has ended the session's transaction."""
    if not slugs:
        return {}
    numbers = (
        sa.select(Article.slug, Revision.number)
        .join(Revision, Revision.article_id == Article.id)
        .where(Article.slug.in_(sorted(slugs)), Revision.status != ReviewStatus.DRAFT)
        .order_by(Article.slug, Revision.number)
    )
    with db.engine.connect() as connection:
        rows = connection.execute(numbers).all()
    urls = current_app.url_map.bind("localhost")
    found: dict[str, list[str]] = {}
    for slug, number in rows:
        found.setdefault(slug, []).extend(
            urls.build(
                endpoint,
                {"slug": slug, "number": number, **({"audience": level.value} if level else {})},
            )
            for endpoint in REVISION_PAGES
            for level in (None, *ReadingLevel)
        )
    return found


def card_addresses(slug: str, key: str) -> list[str]:
    """The canonical addresses of the page of its own that one of an article's citations has."""
    urls = current_app.url_map.bind("localhost")
    values = {"slug": slug, "key": key}
    return [urls.build("articles.reference", values)] + [
        urls.build("articles.reference", {**values, "audience": level.value})
        for level in ReadingLevel
    ]


def _languages() -> list[str]:
    """The source language (its pages at their own addresses), then every other: its pages are
    the same addresses under /CODE (web/language.py). All of them, enabled or not, so a language
    just switched off is purged too. Read on a connection of its own: this runs after the
    session's commit."""
    with db.engine.connect() as connection:
        others = connection.scalars(
            sa.select(Language.code).where(Language.code != SOURCE_LANGUAGE).order_by(Language.code)
        )
        return [SOURCE_LANGUAGE, *others]


class _Batch:
    """The purges one commit asked for: which succeeded, which failed, which caches are dead;
    logged once, by whichever thread sends the last."""

    def __init__(self, slugs: set[str], total: int):
        self.slugs = sorted(slugs)
        self.left = total
        self.done = 0
        self.failed: list[str] = []
        self.dead: set[str] = set()
        self.lock = threading.Lock()

    def send(self, base: str, path: str, encoding: str) -> None:
        failure = None
        try:
            if base in self.dead:
                failure = f"{base}{path}: skipped, the cache did not answer"
            else:
                failure = _send(base, path, encoding)
                if failure and not failure.startswith("HTTP"):
                    self.dead.add(base)
                failure = failure and f"{base}{path}: {failure}"
        finally:
            self._finish(failure)

    def _finish(self, failure: str | None) -> None:
        with self.lock:
            self.left -= 1
            if failure:
                self.failed.append(failure)
            else:
                self.done += 1
            if self.left:
                return
        if self.failed:
            log.warning("Cache purge failed", extra={"slugs": self.slugs, "failures": self.failed})
        log.info("Cache purged", extra={"slugs": self.slugs, "addresses": self.done})


def _send(base: str, path: str, encoding: str) -> str | None:
    """One PURGE; what went wrong, or None (404: the cache had no copy, fine)."""
    request = urllib.request.Request(
        base.rstrip("/") + path,
        method="PURGE",
        headers={"X-Cache-Encoding": encoding} if encoding else {},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT):
            return None
    except urllib.error.HTTPError as error:
        return None if error.code == 404 else f"HTTP {error.code}"
    except OSError as error:  # refused, reset, timed out, no such host
        return str(error) or type(error).__name__


_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    """This process's purge threads (made on first use, so each forked worker has its own)."""
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="vetted-purge")
            _pool_pid = os.getpid()
        return _pool


def paths(noted: changes.Changes) -> list[str]:
    """Every address to purge for what one transaction noted, in each language it concerns."""
    languages = _languages()
    revisions = revision_addresses(noted.revisions)
    found = []
    for slug in sorted(noted.slugs | {slug for slug, _key in noted.cards}):
        own = addresses(slug) if slug in noted.slugs else []
        own += revisions.get(slug, [])
        own += [p for s, key in sorted(noted.cards) if s == slug for p in card_addresses(s, key)]
        confined = noted.languages(slug)
        found += [
            ("" if code == SOURCE_LANGUAGE else f"/{code}") + path
            for code in languages
            if confined is None or code in confined
            for path in own
        ]
    return found


def purge(noted: changes.Changes, caches: list[str]) -> None:
    """Ask each cache to drop each address of what was noted, in every encoding, in parallel;
    return when all have answered or after CACHE_PURGE_WAIT seconds (WAIT by default),
    whichever comes first (the rest carry on in the background)."""
    addresses_ = paths(noted)
    jobs = [(base, p, e) for base in caches for p in addresses_ for e in ENCODINGS]
    slugs = noted.slugs | {slug for slug, _key in noted.cards}
    batch = _Batch(slugs, len(jobs))
    pool = _executor()
    wait = current_app.config.get("CACHE_PURGE_WAIT", WAIT)
    wait_for([pool.submit(batch.send, *job) for job in jobs], timeout=wait)


def _purge_after_commit(session: Session) -> None:
    noted = changes.committed(session)
    if noted is None or not (noted.slugs or noted.cards) or not has_app_context():
        return
    if caches := current_app.config.get("CACHE_PURGE_URLS"):
        purge(noted, caches)


def init_app() -> None:
    """Purge after each commit (registered once per process, whatever the number of apps)."""
    if not event.contains(Session, "after_commit", _purge_after_commit):
        event.listen(Session, "after_commit", _purge_after_commit)
