"""Content versions: the counters cache keys are made of.

`site` is part of every cached page's key: it goes up with every change readers could see.
`glossary` is part of a rendering's key (plain and standard wording mark glossary terms): it goes
up with every glossary change. A reference carries its own `version`, raised by each edit
(services.library.references), and a rendering's key holds the versions of the references its
revision cites. Nothing is ever invalidated by hand: a change raises a version, and the rows
keyed by the old one can no longer be asked for, so they are deleted as garbage.

The services say what changed (caching/changes.py); these functions bring the keys up to date,
in the same transaction.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import CachedPage, ContentVersion, RenderedRevision, revision_references

GLOSSARY = "glossary"
SITE = "site"


def bump(session: Session, name: str) -> None:
    """Raise a content version by one (creating it at 1)."""
    updated = session.execute(
        sa.update(ContentVersion)
        .where(ContentVersion.name == name)
        .values(version=ContentVersion.version + 1)
    ).rowcount
    if not updated:
        session.execute(sa.insert(ContentVersion).values(name=name, version=1))


def site_changed(session: Session) -> None:
    """Readers could see a change: no page cached before it is served again."""
    bump(session, SITE)
    session.execute(sa.delete(CachedPage))


def glossary_changed(session: Session) -> None:
    """The glossary changed: renderings that mark terms are made again (and the old go)."""
    bump(session, GLOSSARY)
    session.execute(sa.delete(RenderedRevision).where(RenderedRevision.glossary_version >= 0))


def references_changed(session: Session, keys: set[str]) -> None:
    """References were added or edited: the renderings of revisions citing them are garbage
    (their keys held the old versions, or no reference at all for a key that was broken)."""
    citing = sa.select(revision_references.c.revision_id).where(
        revision_references.c.reference_key.in_(keys)
    )
    session.execute(sa.delete(RenderedRevision).where(RenderedRevision.revision_id.in_(citing)))
