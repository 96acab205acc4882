"""Content versions: the counters cache keys are made of.

`glossary` is raised by every glossary change (plain and standard wording mark its terms, so it
is part of a rendering's key); `site` by every change a reader could see (it is part of every
cached page's key). A reference carries its own `version`, raised by each edit. Nothing is ever
invalidated by hand: a change raises a version, and rows keyed by an old one can no longer be
asked for, so they are deleted as garbage.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from models import (
    CachedPage,
    ContentVersion,
    GlossaryTerm,
    Reference,
    RenderedRevision,
    revision_references,
)
from models.base import utcnow

GLOSSARY = "glossary"
SITE = "site"  # raised by any change a reader could see: the key of every cached page


def bump(session: Session, name: str) -> None:
    """Raise a content version by one (creating it at 1)."""
    updated = session.execute(
        sa.update(ContentVersion)
        .where(ContentVersion.name == name)
        .values(version=ContentVersion.version + 1)
    ).rowcount
    if not updated:
        session.execute(sa.insert(ContentVersion).values(name=name, version=1))


# Changes that readers never see: a draft being written, a lock, staff sign-ins, the audit log.
# Any other change to these classes may change a public page.
PRIVATE_FIELDS: dict[str, set[str]] = {
    "Article": {"latest_revision_id", "latest_revision", "locked_by_id", "locked_by", "locked_at"},
    "User": {
        "password_hash",
        "session_epoch",
        "last_login_at",
        "audience_role",
        "is_active",
        "deactivated_at",
        "email",
        "role",
    },  # fmt: skip
}
PUBLIC_CLASSES = {
    "Article", "Revision", "Reference", "GlossaryTerm", "AudienceRole", "LevelSetting",
    "Topic", "User", "FollowupQuestion", "FollowupAnswer",
}  # fmt: skip
# New rows of these start private: a draft article or revision, a reader's question, a staff
# account (named on pages only once it approves something, which is a change of its own).
PRIVATE_WHEN_NEW = {"Article", "Revision", "FollowupQuestion", "FollowupAnswer", "User"}


def _follow_content_versions(session, _context, _instances) -> None:
    """Every glossary change raises the glossary version; every reference edit its version.

    Done here rather than in each service so that no code path can change either and leave a
    stale rendering behind.
    """
    changed = [*session.new, *session.dirty, *session.deleted]
    if any(isinstance(obj, GlossaryTerm) for obj in changed):
        bump(session, GLOSSARY)
        # Renderings that mark terms can no longer be asked for: their rows are garbage.
        session.execute(sa.delete(RenderedRevision).where(RenderedRevision.glossary_version >= 0))
    touched_keys = set()
    for obj in session.dirty:
        if isinstance(obj, Reference) and session.is_modified(obj):
            if not sa.inspect(obj).attrs.version.history.has_changes():
                obj.version = (obj.version or 1) + 1
                obj.updated_at = utcnow()
            touched_keys.add(obj.key)
    touched_keys |= {obj.key for obj in session.new if isinstance(obj, Reference)}
    if touched_keys:
        citing = sa.select(revision_references.c.revision_id).where(
            revision_references.c.reference_key.in_(touched_keys)
        )
        session.execute(sa.delete(RenderedRevision).where(RenderedRevision.revision_id.in_(citing)))


def _changes_public_pages(session: Session) -> bool:
    for obj in session.dirty:
        name = type(obj).__name__
        if name not in PUBLIC_CLASSES or not session.is_modified(obj):
            continue
        if name == "Revision":
            # Content is immutable; only the review state (the tracker, what is public) moves.
            if sa.inspect(obj).attrs.status.history.has_changes():
                return True
            continue
        private = PRIVATE_FIELDS.get(name, set())
        state = sa.inspect(obj)
        if any(a.history.has_changes() for a in state.attrs if a.key not in private):
            return True
    for obj in (*session.new, *session.deleted):
        name = type(obj).__name__
        if name in PUBLIC_CLASSES and not (obj in session.new and name in PRIVATE_WHEN_NEW):
            return True
    return False


def _follow_site_version(session, _context, _instances) -> None:
    """Raise the site version when a flush changes anything a reader could see; the cached pages
    of the old version can never be served again, so they go."""
    if _changes_public_pages(session):
        bump(session, SITE)
        session.execute(sa.delete(CachedPage))


LISTENERS = (_follow_content_versions, _follow_site_version)


def init_app() -> None:
    """Follow every flush (registered once per process, whatever the number of apps)."""
    for listener in LISTENERS:
        if not event.contains(Session, "before_flush", listener):
            event.listen(Session, "before_flush", listener)
