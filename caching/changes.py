"""Changes readers will see, handed to the caches by the services that make them.

The services decide what changed for readers; services.editorial.publishing.note_changed is the
one door, and it comes here. The first note of a transaction raises the site version (no page
cached before is served again); a glossary change raises the glossary version, and a reference
change drops the renderings citing it (caching/versions.py): all in the same transaction, so a
rollback undoes them too. The note lives as long as the transaction: after a commit
caching.purge reads it to tell the proxy which article pages to drop; when the transaction ends
any other way (a rollback, a closed session) it is forgotten. Savepoints neither commit nor
forget it: only the outermost transaction counts.

What is noted keeps the purge proportional to the change: `revisions` names the articles whose
revision permalinks say something new (a review transition), and `languages` confines a note to
the pages in those languages (a glossary edit to a term's Spanish words alone). An article noted
once without `languages` in a transaction is purged in every language, whatever else is noted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from caching import versions

NOTE = "vetted_reader_changes"


@dataclass
class Changes:
    """What one transaction changed for readers."""

    transaction: SessionTransaction
    # Article pages to purge from the proxy (their canonical addresses, every audience).
    slugs: set[str] = field(default_factory=set)
    # (slug, reference key): the pages of their own that an article's citations have.
    cards: set[tuple[str, str]] = field(default_factory=set)
    references: set[str] = field(default_factory=set)
    # Articles whose revision permalinks (and their print views and PDFs) change too.
    revisions: set[str] = field(default_factory=set)
    # slug -> the only languages whose pages change; an article not here changes in every one.
    only: dict[str, set[str]] = field(default_factory=dict)
    # Articles noted at least once for every language.
    everywhere: set[str] = field(default_factory=set)

    def languages(self, slug: str) -> set[str] | None:
        """The languages whose pages of this article to purge; None: every language."""
        return self.only.get(slug)


def note(
    session: Session,
    *,
    slugs: Iterable[str] = (),
    cards: Iterable[tuple[str, str]] = (),
    glossary: bool = False,
    references: Iterable[str] = (),
    revisions: bool = False,
    languages: Iterable[str] | None = None,
) -> None:
    """Record that this transaction changes what readers see, and bring the caches' keys up to
    date: `slugs` and `cards` name pages to purge, `glossary` and `references` what changed;
    `revisions`: the articles' revision permalinks change too; `languages`: only the pages in
    these languages change (default: every language)."""
    changes = session.info.get(NOTE)
    root = session.get_transaction()
    if changes is None or root is None or changes.transaction is not root:
        versions.site_changed(session)  # begins the transaction, if nothing has yet
        changes = session.info[NOTE] = Changes(session.get_transaction())
    slugs, cards = set(slugs), set(cards)
    named = slugs | {slug for slug, _key in cards}
    if languages is None:
        changes.everywhere |= named
        for slug in named:
            changes.only.pop(slug, None)
    else:
        for slug in named - changes.everywhere:
            changes.only.setdefault(slug, set()).update(languages)
    changes.slugs.update(slugs)
    changes.cards.update(cards)
    if revisions:
        changes.revisions.update(slugs)
    if glossary:
        versions.glossary_changed(session)
    if new := set(references) - changes.references:
        changes.references |= new
        versions.references_changed(session, new)


def committed(session: Session) -> Changes | None:
    """What the transaction that just committed noted (None when this commit only released a
    savepoint, or nothing was noted); it is forgotten as it is read."""
    if session.in_nested_transaction():
        return None
    return session.info.pop(NOTE, None)


def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(NOTE, None)


def init_app() -> None:
    """Forget each transaction's note when it ends (registered once per process)."""
    if not event.contains(Session, "after_transaction_end", _forget):
        event.listen(Session, "after_transaction_end", _forget)
