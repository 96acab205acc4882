"""Render once: a revision's sections, rendered at a reading level, kept in the database.

The key is everything the rendering depends on (caching/versions.py): the revision (immutable), the
level, the page's language, the glossary version (only when terms are marked) and a fingerprint of
the renderer (its code, its libraries and the compiled translation catalogs whose words it writes: a
deploy that renders differently never gets an older rendering) and of the versions of the references
the revision cites (a reference created for a key that was broken counts too). The value is what
`services.reading.markdown.render` produced for each section, plus the citation order and the broken
keys. Every worker and app server shares it; nothing is invalidated by hand, and rows whose key can
no longer be asked for are deleted as garbage when their inputs change."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa

from caching.versions import GLOSSARY
from caching.writes import insert, write_apart
from config import catalogs_digest
from extensions import db
from models import (
    SOURCE_LANGUAGE,
    ContentVersion,
    ReadingLevel,
    Reference,
    RenderedRevision,
    revision_references,
)

NO_GLOSSARY = -1  # the glossary version in the key of a rendering that marks no terms


@dataclass(frozen=True)
class RenderKey:
    revision_id: int
    level: ReadingLevel
    glossary_version: int
    references_fingerprint: str
    language: str = SOURCE_LANGUAGE  # the page's: its wordings, or English stand-ins


def glossary_version() -> int:
    """The current glossary version (raised by every glossary change)."""
    return (
        db.session.scalar(sa.select(ContentVersion.version).where(ContentVersion.name == GLOSSARY))
        or 0
    )


def references_fingerprint(revision_id: int, renderer: str = "") -> str:
    """A digest of the renderer's version, of the compiled catalogs (a rendering holds their
    words: a citation's screen-reader label, "Referencia") and of (key, version) of every
    reference the revision cites (0 for an unknown key)."""
    rows = db.session.execute(
        sa.select(revision_references.c.reference_key, Reference.version)
        .select_from(revision_references)
        .outerjoin(Reference, Reference.key == revision_references.c.reference_key)
        .where(revision_references.c.revision_id == revision_id)
        .order_by(revision_references.c.reference_key)
    )
    digest = hashlib.blake2b(f"{renderer}\0{catalogs_digest()}".encode(), digest_size=8)
    for key, version in rows:
        digest.update(f"{key}\0{version or 0}\n".encode())
    return digest.hexdigest()


def key_for(
    revision_id: int,
    level: ReadingLevel,
    *,
    marks_terms: bool,
    renderer: str,
    language: str = SOURCE_LANGUAGE,
) -> RenderKey:
    """The key of this revision's rendering at `level` in `language` by `renderer` (a version
    of the renderer's code), as things stand now (two queries)."""
    return RenderKey(
        revision_id,
        level,
        glossary_version() if marks_terms else NO_GLOSSARY,
        references_fingerprint(revision_id, renderer),
        language,
    )


def fetch(key: RenderKey) -> dict | None:
    """The stored rendering for `key`, if any worker has made it."""
    row = db.session.get(
        RenderedRevision,
        (
            key.revision_id,
            key.level,
            key.language,
            key.glossary_version,
            key.references_fingerprint,
        ),
    )
    return row.payload if row is not None else None


def store(key: RenderKey, payload: dict) -> None:
    """Keep a rendering for every worker (caching/writes.py: apart from the request)."""
    values = {
        "revision_id": key.revision_id,
        "level": key.level,
        "language": key.language,
        "glossary_version": key.glossary_version,
        "references_fingerprint": key.references_fingerprint,
        "payload": payload,
        "created_at": sa.func.current_timestamp(),
    }
    statement = insert(RenderedRevision, values).on_conflict_do_nothing()
    # A rendering of the same text under another fingerprint (older references, an older
    # renderer) can no longer be asked for: garbage.
    superseded = sa.delete(RenderedRevision).where(
        RenderedRevision.revision_id == key.revision_id,
        RenderedRevision.level == key.level,
        RenderedRevision.language == key.language,
        RenderedRevision.glossary_version == key.glossary_version,
        RenderedRevision.references_fingerprint != key.references_fingerprint,
    )
    write_apart(
        [statement, superseded], "Could not store a rendering of revision %s", key.revision_id
    )


def forget_revision(revision_id: int) -> None:
    """Drop the renderings of a revision readers no longer see (garbage, not invalidation)."""
    db.session.execute(
        sa.delete(RenderedRevision).where(RenderedRevision.revision_id == revision_id)
    )
