"""Changes readers will see, handed to the caches by the services that make them.

The services decide what changed for readers; services.editorial.publishing.note_changed is the
one door, and it comes here. The first note of a transaction raises the site version (no page
cached before is served again); a glossary change raises the glossary version, and a reference
change drops the renderings citing it (caching/versions.py): all in the same transaction, so a
rollback undoes them too. The note itself stays on the session until the transaction ends: after
a commit caching.purge tells the proxy which article pages to drop; a rollback forgets it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from caching import versions

NOTE = "vetted_reader_changes"


@dataclass
class Changes:
    """What one transaction changed for readers."""

    # Article pages to purge from the proxy (their canonical addresses, every audience).
    slugs: set[str] = field(default_factory=set)
    # (slug, reference key): the pages of their own that an article's citations have.
    cards: set[tuple[str, str]] = field(default_factory=set)
    glossary: bool = False
    references: set[str] = field(default_factory=set)


def note(
    session: Session,
    *,
    slugs: Iterable[str] = (),
    cards: Iterable[tuple[str, str]] = (),
    glossary: bool = False,
    references: Iterable[str] = (),
) -> None:
    """Record that this transaction changes what readers see, and bring the caches' keys up to
    date: `slugs` and `cards` name pages to purge, `glossary` and `references` what changed."""
    changes = session.info.get(NOTE)
    if changes is None:
        changes = session.info[NOTE] = Changes()
        versions.site_changed(session)
    changes.slugs.update(slugs)
    changes.cards.update(cards)
    if glossary and not changes.glossary:
        changes.glossary = True
        versions.glossary_changed(session)
    if new := set(references) - changes.references:
        changes.references |= new
        versions.references_changed(session, new)


def pending(session: Session) -> Changes | None:
    """What this transaction has noted so far (None: nothing readers would see)."""
    return session.info.get(NOTE)


def take(session: Session) -> Changes | None:
    """What the transaction that just ended noted, forgotten as it is read."""
    return session.info.pop(NOTE, None)
