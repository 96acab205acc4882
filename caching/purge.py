"""Purge the proxy's cached copies of an article's page once a change to what readers see commits.

services.editorial.publishing.note_changed notes the article's slug (caching/changes.py):
publication, and the glossary, reference and follow-up services for what else an article page
shows. After the transaction commits (never before, and never on a rollback) each canonical
address of the page (the default wording and each `?audience=`), and of any citation's own page
noted with it (/articles/<slug>/references/<key>, when a reference changes), in each encoding
nginx keeps, is purged from every cache in CACHE_PURGE_URLS, nginx purge endpoints
(deploy/README.md). A purge that fails is logged and otherwise ignored: the change is saved, and
the cached copy expires within its max-age (caching.headers.ARTICLE) anyway.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from caching import changes
from models import ReadingLevel

log = logging.getLogger("vetted.purge")
TIMEOUT = 2  # seconds per purge request: a staff action must not hang on a sick proxy
# nginx keeps one copy per encoding it asked of the app ($vetted_encoding in its config).
ENCODINGS = ("", "br", "gzip")


def addresses(slug: str) -> list[str]:
    """The canonical addresses of an article's page, as caches key them (caching/headers.py)."""
    urls = current_app.url_map.bind("localhost")
    return [urls.build("articles.detail", {"slug": slug})] + [
        urls.build("articles.detail", {"slug": slug, "audience": level.value})
        for level in ReadingLevel
    ]


def card_addresses(slug: str, key: str) -> list[str]:
    """The canonical addresses of the page of its own that one of an article's citations has."""
    urls = current_app.url_map.bind("localhost")
    values = {"slug": slug, "key": key}
    return [urls.build("articles.reference", values)] + [
        urls.build("articles.reference", {**values, "audience": level.value})
        for level in ReadingLevel
    ]


def purge(slugs: set[str], caches: list[str], cards: set[tuple[str, str]] = frozenset()) -> None:
    """Ask each cache to drop each address of each article, and of each citation's own page
    given (404: it had no copy, fine)."""
    done, failed = 0, []
    paths = [p for slug in sorted(slugs) for p in addresses(slug)]
    paths += [p for slug, key in sorted(cards) for p in card_addresses(slug, key)]
    for base in caches:
        for path, encoding in ((p, e) for p in paths for e in ENCODINGS):
            request = urllib.request.Request(
                base.rstrip("/") + path,
                method="PURGE",
                headers={"X-Cache-Encoding": encoding} if encoding else {},
            )
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT):
                    pass
            except urllib.error.HTTPError as error:
                if error.code != 404:
                    failed.append(f"{base}{path}: HTTP {error.code}")
                    continue
            except OSError as error:
                failed.append(f"{base}{path}: {error}")
                continue
            done += 1
    if failed:
        log.warning("Cache purge failed", extra={"slugs": sorted(slugs), "failures": failed})
    log.info("Cache purged", extra={"slugs": sorted(slugs), "addresses": done})


def _purge_after_commit(session: Session) -> None:
    noted = changes.committed(session)
    if noted is None or not (noted.slugs or noted.cards) or not has_app_context():
        return
    if caches := current_app.config.get("CACHE_PURGE_URLS"):
        purge(noted.slugs, caches, noted.cards)


def init_app() -> None:
    """Purge after each commit (registered once per process, whatever the number of apps)."""
    if not event.contains(Session, "after_commit", _purge_after_commit):
        event.listen(Session, "after_commit", _purge_after_commit)
