"""Library changes that wait for review: an edit to a reference cited by, or a glossary term used
by, public text is stored as a pending `LibraryChange` until someone other than its author
approves it; only then does it reach readers, through the entry's own apply path.

A new entry public text already uses waits the same way (no base; approval creates it). Entries
no public text uses, new or old, change at once (references.py, glossary.py).
One pending change per entry: its author may replace it; anyone else is told who holds it.
"""

from __future__ import annotations

import re
from dataclasses import asdict

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from extensions import db
from models import (
    Article,
    ChangeStatus,
    GlossaryTerm,
    LibraryChange,
    LibraryKind,
    Reference,
    ReferenceKind,
    SourceRead,
    User,
    library_change_articles,
)
from models.base import utcnow
from services.errors import InvalidTransition, NotPermitted
from services.library import glossary, references
from services.library.usage import articles_citing, articles_using
from services.locking import hold_row
from services.staff import audit
from services.staff.permissions import Permission, independence, require
from services.validation import InvalidFields

MAX_COMMENT = 5_000


def _plain(values: dict) -> dict:
    """JSON-safe values: enumerations by value."""
    return {k: getattr(v, "value", v) for k, v in values.items()}


def reference_values(data: references.ReferenceInput) -> dict:
    return _plain(asdict(data))


TERM_WORDS = ("term", "abbr", "aliases", "definition")


def term_values(data: glossary.TermInput) -> dict:
    """A term's fields as a change stores them, each language's beside the English as
    `CODE_FIELD` ("es_definition"), so the review shows each one that changed."""
    values = {
        "term": data.term,
        "abbr": data.abbr,
        "aliases": list(data.aliases),
        "definition": data.definition,
    }
    for code, words in sorted(data.translations.items()):
        values |= {f"{code}_{name}": words[name] for name in TERM_WORDS}
    return values


def _as_reference_input(values: dict) -> references.ReferenceInput:
    return references.ReferenceInput(
        **(values | {"kind": ReferenceKind(values["kind"]), "read": SourceRead(values["read"])})
    )


def _as_term_input(values: dict) -> glossary.TermInput:
    translations: dict[str, dict] = {}
    for name, value in values.items():
        code, _, field = name.rpartition("_")
        if code and field in TERM_WORDS and name not in TERM_WORDS:
            translations.setdefault(code, {})[field] = value
    return glossary.TermInput(
        values["term"], values["definition"], values["abbr"], list(values["aliases"]), translations
    )


def _create(change: LibraryChange, approver: User) -> Reference | GlossaryTerm:
    """A new entry's change, approved: the entry is stored now (its checks run again)."""
    if change.kind == LibraryKind.REFERENCE:
        return references.insert_reference(_as_reference_input(change.proposed), actor=approver)
    return glossary.insert_term(_as_term_input(change.proposed), actor=approver)


# --- lookups ------------------------------------------------------------------------------


def pending_for(kind: LibraryKind, target_id: int) -> LibraryChange | None:
    """The entry's pending change, if any."""
    return db.session.scalar(
        sa.select(LibraryChange)
        .where(
            LibraryChange.kind == kind,
            LibraryChange.target_id == target_id,
            LibraryChange.status == ChangeStatus.PENDING,
        )
        .options(selectinload(LibraryChange.author))
    )


def locked(change_id: int) -> LibraryChange | None:
    """A change read for a decision, its row held for the transaction (services/locking.py), so
    two reviewers acting at once take turns and the second sees the first one's result."""
    hold_row(LibraryChange.status, change_id)
    return db.session.scalar(
        sa.select(LibraryChange)
        .where(LibraryChange.id == change_id)
        .execution_options(populate_existing=True)
    )


def pending_changes() -> list[LibraryChange]:
    """Every change waiting for review, oldest first (the board takes them in order)."""
    return list(
        db.session.scalars(
            sa.select(LibraryChange)
            .where(LibraryChange.status == ChangeStatus.PENDING)
            .order_by(LibraryChange.created_at, LibraryChange.id)
            .options(selectinload(LibraryChange.author))
        )
    )


def pending_count() -> int:
    """How many changes wait for review (the dashboard's and the queue's tally)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(LibraryChange.id)).where(
                LibraryChange.status == ChangeStatus.PENDING
            )
        )
        or 0
    )


def recent_decisions(limit: int = 20) -> list[LibraryChange]:
    """The latest decided changes, newest first."""
    return list(
        db.session.scalars(
            sa.select(LibraryChange)
            .where(LibraryChange.status != ChangeStatus.PENDING)
            .order_by(LibraryChange.decided_at.desc(), LibraryChange.id.desc())
            .limit(limit)
            .options(selectinload(LibraryChange.author), selectinload(LibraryChange.decided_by))
        )
    )


def target_of(change: LibraryChange) -> Reference | GlossaryTerm | None:
    """The entry a change is to (None once deleted, or a new entry not yet approved)."""
    if change.target_id is None:
        return None
    model = Reference if change.kind == LibraryKind.REFERENCE else GlossaryTerm
    return db.session.get(model, change.target_id)


def articles_altered_by(change: LibraryChange) -> list[Article]:
    """Pending: the public articles approving it would alter now; decided: those it altered."""
    if change.status == ChangeStatus.PENDING:
        return _would_alter(change)
    return list(
        db.session.scalars(
            sa.select(Article)
            .join(library_change_articles, library_change_articles.c.article_id == Article.id)
            .where(library_change_articles.c.change_id == change.id)
            .order_by(Article.question, Article.id)
        )
    )


def _would_alter(change: LibraryChange) -> list[Article]:
    versions = [v for v in (change.base, change.proposed) if v]  # a new entry has no base
    if change.kind == LibraryKind.REFERENCE:
        keys = dict.fromkeys(v["key"] for v in versions)
        found = {a.id: a for key in keys for a in articles_citing(key)}
        return sorted(found.values(), key=lambda a: (a.question, a.id))
    return articles_using(*versions)


# --- proposing ----------------------------------------------------------------------------


def propose(
    kind: LibraryKind,
    target: Reference | GlossaryTerm,
    proposed: dict,
    *,
    actor: User,
) -> LibraryChange:
    """Store an edit as a pending change; a pending one by the same author is replaced.

    :raises InvalidFields: (409) someone else already has a change to this entry pending.
    """
    base = (
        reference_values(references.ReferenceInput.of(target))
        if kind == LibraryKind.REFERENCE
        else term_values(glossary.TermInput.of(target))
    )
    existing = pending_for(kind, target.id)
    if existing is not None:
        if existing.author_id != actor.id:
            raise InvalidFields(
                {
                    "form": f"{existing.author.name} has a change to this entry waiting for "
                    "review. It must be approved, sent back or withdrawn before another can be "
                    "proposed; nothing was saved."
                },
                status_code=409,
            )
        existing.status = ChangeStatus.WITHDRAWN
        existing.decided_by = actor
        existing.decided_at = utcnow()
        existing.comment = "Replaced by a newer proposal from its author."
        db.session.flush()  # one pending change per entry: the old one steps aside first
    change = LibraryChange(
        kind=kind,
        target_id=target.id,
        target_label=(target.key if kind == LibraryKind.REFERENCE else target.term)[:200],
        proposed=proposed,
        base=base,
        base_version=target.version if kind == LibraryKind.REFERENCE else None,
        author=actor,
        status=ChangeStatus.PENDING,
    )
    try:
        with db.session.begin_nested():  # someone else's proposal at the same moment
            db.session.add(change)
    except sa.exc.IntegrityError:
        raise InvalidFields(
            {
                "form": "Someone proposed a change to this entry a moment ago; nothing was "
                "saved. Open it again to see theirs."
            },
            status_code=409,
        ) from None
    audit.record(
        "library.propose",
        actor=actor,
        target=target,
        changes={"change": change.id}
        | {name: [base.get(name), proposed.get(name)] for name in change.changed_fields},
    )
    return change


def propose_new(kind: LibraryKind, proposed: dict, *, actor: User) -> LibraryChange:
    """Store a new entry that public text already uses as a pending change (no base, no entry
    yet): approving it creates the entry."""
    change = LibraryChange(
        kind=kind,
        target_id=None,
        target_label=(proposed["key"] if kind == LibraryKind.REFERENCE else proposed["term"])[:200],
        proposed=proposed,
        base={},
        base_version=None,
        author=actor,
        status=ChangeStatus.PENDING,
    )
    db.session.add(change)
    db.session.flush()
    audit.record(
        "library.propose",
        actor=actor,
        changes={"change": change.id, "new": change.target_label}
        | {name: [None, proposed[name]] for name in change.changed_fields},
    )
    return change


# --- deciding -----------------------------------------------------------------------------


def who_may_not_decide(change: LibraryChange, user: User) -> str | None:
    """Why `user` may not approve or send back `change` (None: they may)."""
    if change.author_id == user.id:
        return "You proposed this change, so another board member must review it."
    return independence(user, {change.author_id: change.author.name})


def _check_decider(change: LibraryChange, user: User) -> None:
    require(user, Permission.REVIEW)
    if change.status != ChangeStatus.PENDING:
        raise InvalidTransition(
            f"This change is no longer waiting for review: it was {change.status.label.lower()}."
        )
    if reason := who_may_not_decide(change, user):
        raise NotPermitted(reason)


def is_stale(change: LibraryChange, target: Reference | GlossaryTerm) -> bool:
    """The entry changed since the change was proposed."""
    if change.kind == LibraryKind.REFERENCE:
        return target.version != change.base_version
    return term_values(glossary.TermInput.of(target)) != change.base


def approve(change: LibraryChange, *, approver: User, comment: str = "") -> list[Article]:
    """Apply a pending change through the entry's own path (audit, version, caches follow) and
    record the public articles it altered; returns them.

    :raises NotPermitted: no REVIEW permission, or not independent of the author;
        InvalidTransition: not pending, the entry is gone or changed since it was proposed;
        InvalidFields: (409) the values now clash with another entry.
    """
    _check_decider(change, approver)
    altered = _would_alter(change)
    if change.is_new:
        target = _create(change, approver)
        change.target_id = target.id
    else:
        target = target_of(change)
        if target is None:
            raise InvalidTransition(
                "The entry this change is to was deleted; send the change back."
            )
        if is_stale(change, target):
            raise InvalidTransition(
                "The entry changed after this change was proposed, so approving it would undo "
                "that edit. Send it back, and ask its author to propose it again from what is "
                "saved now."
            )
        if change.kind == LibraryKind.REFERENCE:
            references.apply_edit(target, _as_reference_input(change.proposed), actor=approver)
        else:
            glossary.apply_edit(target, _as_term_input(change.proposed), actor=approver)
    if altered:
        db.session.execute(
            sa.insert(library_change_articles),
            [
                {"change_id": change.id, "article_id": a.id, "revision_id": a.public_revision_id}
                for a in altered
            ],
        )
    _decide(change, ChangeStatus.APPROVED, approver, comment)
    audit.record(
        "library.approve",
        actor=approver,
        target=target,
        changes={"change": change.id, "author": change.author.email, "articles": len(altered)},
    )
    return altered


def reject(change: LibraryChange, *, reviewer: User, comment: str) -> None:
    """Send a pending change back to its author, saying why; the entry stays as it is.

    :raises InvalidFields: no comment; NotPermitted, InvalidTransition: as for `approve`.
    """
    _check_decider(change, reviewer)
    comment = _clean_comment(comment, required=True)
    _decide(change, ChangeStatus.REJECTED, reviewer, comment)
    audit.record(
        "library.reject",
        actor=reviewer,
        target=target_of(change),
        changes={"change": change.id, "author": change.author.email},
    )


def withdraw(change: LibraryChange, *, actor: User) -> None:
    """The author takes back their pending change.

    :raises NotPermitted: not its author; InvalidTransition: no longer pending.
    """
    if change.author_id != actor.id:
        raise NotPermitted("Only the person who proposed a change can withdraw it.")
    if change.status != ChangeStatus.PENDING:
        raise InvalidTransition(
            f"This change is no longer waiting for review: it was {change.status.label.lower()}."
        )
    _decide(change, ChangeStatus.WITHDRAWN, actor, "")
    audit.record(
        "library.withdraw", actor=actor, target=target_of(change), changes={"change": change.id}
    )


def _clean_comment(comment: str, *, required: bool) -> str:
    text = (comment or "").strip()
    if required and not text:
        raise InvalidFields({"comment": "Say what needs to change: a comment is required."})
    if len(text) > MAX_COMMENT:
        raise InvalidFields({"comment": f"Keep it under {MAX_COMMENT:,} characters."})
    return text


def _decide(change: LibraryChange, status: ChangeStatus, user: User, comment: str) -> None:
    change.status = status
    change.decided_by = user
    change.decided_at = utcnow()
    change.comment = _clean_comment(comment, required=False)


# --- reading ------------------------------------------------------------------------------


_SPACES = re.compile(r"\s+")


def summary(change: LibraryChange) -> str:
    """One line naming the entry and the fields (never the values)."""
    what = "Reference" if change.kind == LibraryKind.REFERENCE else "Glossary term"
    label = _SPACES.sub(" ", change.target_label)
    return f"{what} “{label}”: {', '.join(change.changed_labels) or 'no field'}"
