"""Article PDFs, made once: stored in the database so every worker and app server shares them.

A PDF is a function of the print view's HTML (and of the stylesheet, whose fingerprinted name is in
that HTML), so its key digests the revision, the level, the language and that HTML. Whatever the PDF
shows that changes (a reference or glossary edit, a new approval, the next review date, a reviewer's
name, the translated words of a new catalog) changes the HTML and so the key; nothing is invalidated
by hand. Storing a PDF deletes the other rows of its revision, level and language (garbage now), and
the table is capped (PDF_CACHE_MAX_ROWS), least recently stored first."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from caching.writes import insert, write_apart
from extensions import db
from models import CachedPdf, ReadingLevel
from models.base import utcnow

_BODY = sa.select(CachedPdf.body).where(CachedPdf.key == sa.bindparam("key"))


def key_for(revision_id: int, level: ReadingLevel, language: str, html: str) -> str:
    """The stored PDF's key: what it is of, and a digest of the HTML it is made from."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{revision_id}\0{level.value}\0{language}\0".encode())
    digest.update(html.encode())
    return digest.hexdigest()


def fetch(key: str) -> bytes | None:
    """The stored PDF for `key`, if any worker has made it."""
    return db.session.execute(_BODY, {"key": key}).scalar()


def store(
    key: str, revision_id: int, level: ReadingLevel, language: str, body: bytes, *, cap: int
) -> None:
    """Keep a PDF for every worker; drop its predecessors and the rows beyond `cap`."""
    values = {
        "key": key,
        "revision_id": revision_id,
        "level": level,
        "language": language,
        "body": body,
        "created_at": utcnow(),
    }
    superseded = sa.delete(CachedPdf).where(
        CachedPdf.revision_id == revision_id,
        CachedPdf.level == level,
        CachedPdf.language == language,
        CachedPdf.key != key,
    )
    beyond = (
        sa.select(CachedPdf.key)
        .order_by(CachedPdf.created_at.desc(), CachedPdf.key.desc())
        .offset(max(cap, 0))
    )
    write_apart(
        [
            superseded,
            insert(CachedPdf, values).on_conflict_do_nothing(),
            sa.delete(CachedPdf).where(CachedPdf.key.in_(beyond)),
        ],
        "Could not store the PDF of revision %s",
        revision_id,
    )
