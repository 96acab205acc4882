"""Taking an article to the appointment: revision permalinks, the print view's rules, the PDF.

A permalink (`/articles/SLUG/revisions/N`) names one immutable revision, so a clinician opens
the very text the reader printed. Which revisions it reaches follows what readers could see:
every approved revision (the live one, and older ones a newer approval replaced), the revision
readers see now under the caution banner, and a newer one waiting for the board (shown at
`/pending`); never a draft, a revision sent back, or one superseded before it was approved.

The PDF is the print view's HTML laid out by WeasyPrint with the print stylesheet; it fetches
nothing from the network: only the site's own static files, read from disk.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa

from caching import pdfs
from extensions import db
from models import SOURCE_LANGUAGE, Article, ReadingLevel, ReviewStatus, Revision
from services.editorial.publishing import pending_revision

# WeasyPrint warns about every screen-only rule it skips (media queries, clamp()): noise, once
# per PDF. Its errors still reach the log.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


class Standing(StrEnum):
    """Where a reachable revision stands among the article's revisions."""

    CURRENT = "current"  # what readers see on the article page
    REPLACED = "replaced"  # approved once; a newer approval is what readers see now
    PROPOSED = "proposed"  # newer than the live revision, waiting for the board


@dataclass(frozen=True)
class Edition:
    """A revision a permalink reaches, and where it stands."""

    revision: Revision
    standing: Standing

    @property
    def is_current(self) -> bool:
        return self.standing == Standing.CURRENT


def current_edition(article: Article) -> Edition | None:
    """The revision readers see on the article page (None while nothing is public)."""
    if article.public_revision_id is None:
        return None
    revision = db.session.get(Revision, article.public_revision_id)
    return Edition(revision, Standing.CURRENT) if revision is not None else None


def edition(article: Article, number: int) -> Edition | None:
    """Revision `number` of a public article if its permalink may show it (module doc), else
    None: drafts, revisions sent back or superseded unapproved, and unknown numbers alike."""
    revision = db.session.scalar(
        sa.select(Revision).where(Revision.article_id == article.id, Revision.number == number)
    )
    if revision is None or article.public_revision_id is None:
        return None
    if revision.id == article.public_revision_id:
        return Edition(revision, Standing.CURRENT)
    if revision.status == ReviewStatus.APPROVED:
        return Edition(revision, Standing.REPLACED)
    waiting = pending_revision(article)
    if waiting is not None and waiting.id == revision.id:
        return Edition(revision, Standing.PROPOSED)
    return None


def pdf_filename(slug: str, level: ReadingLevel) -> str:
    """What the browser saves the PDF as."""
    return f"{slug}-{level.value}.pdf"


def pdf_key(
    revision: Revision, level: ReadingLevel, html: str, language: str = SOURCE_LANGUAGE
) -> str:
    """The PDF cache's key for this print view in `language` (caching/pdfs.py)."""
    return pdfs.key_for(revision.id, level, language, html)


def stored_pdf(key: str) -> bytes | None:
    """The PDF made earlier from the same print view, if any."""
    return pdfs.fetch(key)


def make_pdf(
    key: str,
    html: str,
    *,
    revision: Revision,
    level: ReadingLevel,
    base_url: str,
    static_file: Callable[[str], Path | None],
    cap: int,
    language: str = SOURCE_LANGUAGE,
) -> bytes:
    """Lay out the print view's HTML as a PDF and keep it under `key`.

    `base_url` is the site's own address (the HTML's links are relative to it) and
    `static_file` maps a path under /static/ to the file on disk; nothing else is fetched.
    """
    from weasyprint import HTML  # imported on first use: it loads pango, ~0.3 s

    body = HTML(
        string=html, base_url=base_url, url_fetcher=_static_fetcher(base_url, static_file)
    ).write_pdf()
    pdfs.store(key, revision.id, level, language, body, cap=cap)
    return body


def _static_fetcher(base_url: str, static_file: Callable[[str], Path | None]):
    """A WeasyPrint URL fetcher that serves the site's static files from disk, nothing else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    site = urlsplit(base_url)

    class StaticFiles(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            path = None
            if (parts.scheme, parts.netloc) == (site.scheme, site.netloc):
                if parts.path.startswith("/static/"):
                    path = static_file(parts.path.removeprefix("/static/"))
            if path is None:
                raise ValueError(f"The PDF fetches only the site's static files, not {url}")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})

    return StaticFiles(allow_redirects=False)
