"""What the render-once cache stores and what its keys are made of.

A revision is immutable, so its rendered HTML at a reading level depends only on the revision, the
level, the glossary (plain and standard wording mark terms) and the references it cites. Those are
the key: a glossary or reference edit changes the key of exactly the renderings it affects, and
nothing is ever invalidated by hand.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from extensions import db
from models.base import ReadingLevel, enum_column, utcnow
from models.glossary import GlossaryTerm
from models.reference import Reference

# The reference keys each revision's text cites, written once when the revision is saved (it never
# changes): what a rendering's key is made of, and what "is this reference in use?" asks.
revision_references = sa.Table(
    "revision_references",
    db.metadata,
    sa.Column("revision_id", sa.ForeignKey("revisions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("reference_key", String(60), primary_key=True),
    Index("ix_revision_references_reference_key", "reference_key"),
)


class ContentVersion(db.Model):
    """A counter raised by every change of something many pages show (the glossary)."""

    __tablename__ = "content_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


class RenderedRevision(db.Model):
    """A revision's sections rendered at one level: the render-once cache, shared by every worker
    and app server because it lives in the database."""

    __tablename__ = "rendered_revisions"

    revision_id: Mapped[int] = mapped_column(
        ForeignKey("revisions.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[ReadingLevel] = mapped_column(enum_column(ReadingLevel), primary_key=True)
    glossary_version: Mapped[int] = mapped_column(primary_key=True)
    references_fingerprint: Mapped[str] = mapped_column(String(16), primary_key=True)
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CachedPage(db.Model):
    """A whole anonymous reader response, kept until anything readers can see changes.

    `key` digests the request (build, path, query, remembered audience, htmx target); the row is
    valid only while `site_version` equals the current one, and the ETag digests both, so a
    conditional request is answered from this table without rendering anything.
    """

    __tablename__ = "cached_pages"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_version: Mapped[int]
    etag: Mapped[str] = mapped_column(String(64))
    headers: Mapped[list] = mapped_column(JSON, default=list)  # [name, value] pairs to replay
    body: Mapped[bytes] = mapped_column(sa.LargeBinary)
    body_gzip: Mapped[bytes] = mapped_column(sa.LargeBinary)
    body_br: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


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


@event.listens_for(Session, "before_flush")
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


@event.listens_for(Session, "before_flush")
def _follow_site_version(session, _context, _instances) -> None:
    """Raise the site version when a flush changes anything a reader could see; the cached pages
    of the old version can never be served again, so they go."""
    if _changes_public_pages(session):
        bump(session, SITE)
        session.execute(sa.delete(CachedPage))
