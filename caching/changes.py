"""Changes readers will see, handed to the caches by the services that make them.

The services decide what changed for readers (services.editorial.publishing.note_changed is the
one door); this module keeps the note on the transaction's session until it commits. Then the
caches act on it: caching.versions raises the site version, so no cached page from before is
served again, and caching.purge tells the proxy which article pages to drop. A rollback forgets
the note, so nothing is purged for a change that never happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

NOTE = "vetted_reader_changes"


@dataclass
class Changes:
    """What one transaction changed for readers."""

    # Article pages to purge from the proxy (their canonical addresses, every audience).
    slugs: set[str] = field(default_factory=set)
    # (slug, reference key): the pages of their own that an article's citations have.
    cards: set[tuple[str, str]] = field(default_factory=set)


def note(session: Session, *, slugs: Iterable[str] = (), cards: Iterable[tuple[str, str]] = ()):
    """Record that this transaction changes what readers see (and which pages, when known)."""
    changes = session.info.setdefault(NOTE, Changes())
    changes.slugs.update(slugs)
    changes.cards.update(cards)


def pending(session: Session) -> Changes | None:
    """What this transaction has noted so far (None: nothing readers would see)."""
    return session.info.get(NOTE)


def take(session: Session) -> Changes | None:
    """What the transaction that just ended noted, forgotten as it is read."""
    return session.info.pop(NOTE, None)
