"""The reference library: validated, de-duplicated sources that article text cites as `[@key]`.

A reference cited by any revision, however old, stays: deleting it or changing its key would
break that revision's citations, and old revisions are still previewed, compared and restored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass

import sqlalchemy as sa

from extensions import db
from models import (
    Article,
    LibraryChange,
    LibraryKind,
    Reference,
    ReferenceKind,
    Revision,
    Section,
    SectionVariant,
    User,
)
from models.base import SourceRead, utcnow
from services.editorial.publishing import note_changed
from services.library import changes as library_changes
from services.library import usage
from services.library.identifiers import CLEANERS
from services.reading.markdown import citation_keys
from services.staff import audit
from services.staff.permissions import Permission, require
from services.validation import InvalidFields, clean_text, like_contains

PAGE_SIZE = 25


@dataclass
class ReferenceInput:
    """What a staff member typed for a reference; `clean_reference` checks and normalises it."""

    kind: ReferenceKind
    title: str
    read: SourceRead
    key: str = ""
    authors: str = ""
    journal: str = ""
    year: int | None = None
    volume_pages: str = ""
    doi: str = ""
    pmid: str = ""
    nct: str = ""
    url: str = ""
    read_detail: str = ""

    @classmethod
    def of(cls, reference: Reference) -> ReferenceInput:
        """The stored values of a reference, to start an edit from."""
        return cls(**{name: getattr(reference, name) for name in cls.__dataclass_fields__})


class DuplicateReference(InvalidFields):
    """The DOI, PMID or key is already in the library; `existing` is the reference that has it."""

    def __init__(self, field: str, message: str, existing: Reference):
        self.field = field
        self.existing = existing
        super().__init__({field: message}, status_code=409)


class ReferenceInUse(InvalidFields):
    """Revisions cite this reference: it cannot go, nor change its key."""

    def __init__(self, field: str, message: str, citing: list[CitingArticle]):
        self.citing = citing
        super().__init__({field: message}, status_code=409)


TEXT_LIMITS = {  # field: (what to call it in a message, longest allowed, required)
    "title": ("the title", 1000, True),
    "authors": ("the authors", 2000, False),
    "journal": ("the journal or publisher", 200, False),
    "volume_pages": ("the volume and pages", 80, False),
    "read_detail": ("what was read", 300, False),
}


def clean_reference(data: ReferenceInput) -> ReferenceInput:
    """The input checked and normalised; every problem at once.

    :raises InvalidFields: one message per field that breaks a rule.
    """
    errors: dict[str, str] = {}
    values = asdict(data)
    for name, (label, longest, required) in TEXT_LIMITS.items():
        values[name] = clean_text(
            errors, name, values[name], label=label, max_length=longest, required=required
        )
    for name, clean in CLEANERS.items():
        try:
            values[name] = clean(values[name])
        except ValueError as error:
            errors[name] = str(error)
    if errors:
        raise InvalidFields(errors)
    return ReferenceInput(**values)


def suggest_key(authors: str, title: str, year: int | None) -> str:
    """A free key from the first author's surname (else the title's first word) and the year."""
    decomposed = unicodedata.normalize("NFKD", authors or title)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))  # Gökbuget → Gokbuget
    words = re.findall(r"[^\W\d_]+", plain)
    stem = "".join(c for c in (words[0] if words else "ref") if c.isascii()).lower() or "ref"
    base = f"{stem[:40]}{year or ''}"
    taken = {
        k.lower()
        for k in db.session.scalars(
            sa.select(Reference.key).where(sa.func.lower(Reference.key).like(f"{base}%"))
        )
    }
    if base not in taken:
        return base
    return next(f"{base}{suffix}" for suffix in _suffixes() if f"{base}{suffix}" not in taken)


def _suffixes():
    letters = "abcdefghijklmnopqrstuvwxyz"
    yield from letters
    yield from (a + b for a in letters for b in letters)


def _check_unique(data: ReferenceInput, *, exclude: Reference | None = None) -> None:
    def other(condition) -> Reference | None:
        query = sa.select(Reference).where(condition)
        if exclude is not None:
            query = query.where(Reference.id != exclude.id)
        return db.session.scalar(query.limit(1))

    if data.doi and (found := other(sa.func.lower(Reference.doi) == data.doi.lower())):
        raise DuplicateReference(
            "doi", f"This DOI is already in the library as “{found.key}”.", found
        )
    if data.pmid and (found := other(Reference.pmid == data.pmid)):
        raise DuplicateReference(
            "pmid", f"This PMID is already in the library as “{found.key}”.", found
        )
    if found := other(sa.func.lower(Reference.key) == data.key.lower()):
        raise DuplicateReference(
            "key", f"Another reference already has the key “{found.key}”; choose another.", found
        )


def _note_pages_citing(key: str) -> None:
    """The entry for `key` changed (renderings citing it are made again); note the public
    articles whose page cites it, in the article or in a reader's answered question under it:
    their reference lists and citations show the library's entry, so the proxy drops them. A new
    entry counts too: until it exists, the citation shows as missing."""
    citing = usage.slugs_citing(key)
    answered = usage.slugs_answered_citing(key)
    note_changed([*citing, *answered], cards=[(slug, key) for slug in citing], references=[key])


def create_reference(data: ReferenceInput, *, actor: User) -> Reference | LibraryChange:
    """Add a source to the library; without a key, one is made from the first author and year.
    A key public text already cites (text shown under the caution banner, or approved with an
    override) would fill in those citations at once: such a reference is proposed instead, a
    pending LibraryChange that creates it when someone else approves it.

    :raises InvalidFields: a field breaks a rule; DuplicateReference: its DOI, PMID or key is
        already in the library.
    """
    require(actor, Permission.REFERENCES)
    data = clean_reference(data)
    if not data.key:
        data.key = suggest_key(data.authors, data.title, data.year)
    _check_unique(data)
    if usage.key_in_public_use(data.key):
        return library_changes.propose_new(
            LibraryKind.REFERENCE, library_changes.reference_values(data), actor=actor
        )
    return insert_reference(data, actor=actor)


def insert_reference(data: ReferenceInput, *, actor: User) -> Reference:
    """Store a new reference: at once, or when its library change is approved (checked again).

    :raises InvalidFields, DuplicateReference: as for `create_reference`.
    """
    data = clean_reference(data)
    _check_unique(data)
    reference = Reference(**asdict(data), version=1)
    db.session.add(reference)
    _note_pages_citing(reference.key)
    audit.record(
        "reference.create",
        actor=actor,
        target=reference,
        changes=_snapshot(data),
    )
    return reference


def update_reference(
    reference: Reference, data: ReferenceInput, *, actor: User, version: int | None = None
) -> dict[str, list] | LibraryChange:
    """Save an edit: applied at once (what changed, as the audit log has it) unless public text
    cites the reference or a change to it is pending: then a pending LibraryChange to review.

    `version` is the one the form was opened at: a save over someone else's is refused.
    :raises InvalidFields: a field breaks a rule, or (409) the reference changed meanwhile;
        DuplicateReference: the DOI, PMID or key belongs to another reference; ReferenceInUse:
        the key would change while revisions cite it.
    """
    require(actor, Permission.REFERENCES)
    if version is not None and version != reference.version:
        message = (
            "Someone else saved this reference after you opened it; their version is shown as "
            "saved. Your changes are still in the form: check them against theirs, then save again."
        )
        raise InvalidFields({"version": message}, status_code=409)
    data = clean_reference(data)
    if not data.key:
        raise InvalidFields({"key": "Enter a key: articles cite the reference by it."})
    if data.key != reference.key:
        citing = citing_articles(reference)
        if citing:
            raise ReferenceInUse(
                "key",
                f"The key cannot change: {_count(citing)} cite{'s' if len(citing) == 1 else ''} "
                f"this reference as [@{reference.key}] (earlier revisions included), and "
                f"changing it would break {_them(citing)}.",
                citing,
            )
    _check_unique(data, exclude=reference)
    if asdict(ReferenceInput.of(reference)) == asdict(data):
        return {}
    # Public text may cite the reference by its key, or by the key it would take.
    if library_changes.pending_for(LibraryKind.REFERENCE, reference.id) or any(
        usage.key_in_public_use(key) for key in {reference.key, data.key}
    ):
        values = library_changes.reference_values(data)
        return library_changes.propose(LibraryKind.REFERENCE, reference, values, actor=actor)
    return apply_edit(reference, data, actor=actor)


def apply_edit(reference: Reference, data: ReferenceInput, *, actor: User) -> dict[str, list]:
    """Set checked values: the version goes up, the audit log and the caches hear of it. The one
    way an edit reaches readers, at once or when its library change is approved.

    :raises DuplicateReference: the DOI, PMID or key now belongs to another reference.
    """
    _check_unique(data, exclude=reference)
    key_before = reference.key
    changes = audit.field_changes(reference, asdict(data))
    if changes:
        reference.version += 1
        reference.updated_at = utcnow()
        audit.record("reference.update", actor=actor, target=reference, changes=changes)
        for key in {key_before, reference.key}:
            _note_pages_citing(key)
    return changes


def delete_reference(reference: Reference, *, actor: User) -> None:
    """Remove a reference no revision cites; the audit log keeps what it was.

    :raises ReferenceInUse: a revision cites it.
    """
    require(actor, Permission.REFERENCES)
    citing = citing_articles(reference)
    if citing:
        raise ReferenceInUse(
            "delete",
            f"{_count(citing)} cite{'s' if len(citing) == 1 else ''} this reference, so it "
            "stays in the library: their revisions, earlier ones included, need it to show "
            "their sources.",
            citing,
        )
    audit.record(
        "reference.delete",
        actor=actor,
        target=reference,
        changes=_snapshot(ReferenceInput.of(reference)),
    )
    _note_pages_citing(reference.key)
    db.session.delete(reference)


def _snapshot(data: ReferenceInput) -> dict:
    """The filled-in fields, JSON-safe: what the audit log keeps of a new or deleted reference."""
    return {
        name: value.value if isinstance(value, ReferenceKind | SourceRead) else value
        for name, value in asdict(data).items()
        if value not in ("", None)
    }


def _count(citing: list) -> str:
    return "1 article" if len(citing) == 1 else f"{len(citing)} articles"


def _them(citing: list) -> str:
    return "its citations" if len(citing) == 1 else "their citations"


@dataclass
class CitingArticle:
    """An article with revisions citing a reference, and which of its revisions do."""

    article: Article
    revision_numbers: list[int]
    live: bool  # its live (approved) revision cites it
    latest: bool  # its latest revision cites it
    public: bool  # what readers see cites it


def _citing_revision_ids(key: str, *, first_only: bool = False) -> set[int]:
    # LIKE narrows the search to bodies mentioning "@key"; citation_keys then tells a real
    # citation of this exact key from a longer key, an email address or plain text.
    query = (
        sa.select(Section.revision_id, SectionVariant.body)
        .join(SectionVariant.section)
        .where(SectionVariant.body.like(like_contains(f"@{key}"), escape="\\"))
    )
    found: set[int] = set()
    result = db.session.execute(query)
    try:
        for revision_id, body in result:
            if revision_id not in found and key in citation_keys(body):
                found.add(revision_id)
                if first_only:
                    break
    finally:
        result.close()
    return found


def is_in_use(reference: Reference) -> bool:
    """True when any revision's text cites the reference."""
    return bool(_citing_revision_ids(reference.key, first_only=True))


def citing_articles(reference: Reference) -> list[CitingArticle]:
    """Every article with a revision citing the reference, by question."""
    revision_ids = _citing_revision_ids(reference.key)
    if not revision_ids:
        return []
    rows = db.session.execute(
        sa.select(Revision.article_id, Revision.number).where(Revision.id.in_(revision_ids))
    ).all()
    numbers: dict[int, list[int]] = {}
    for article_id, number in rows:
        numbers.setdefault(article_id, []).append(number)
    articles = db.session.scalars(
        sa.select(Article).where(Article.id.in_(numbers)).order_by(Article.question)
    )
    return [
        CitingArticle(
            article=article,
            revision_numbers=sorted(numbers[article.id]),
            live=article.live_revision_id in revision_ids,
            latest=article.latest_revision_id in revision_ids,
            public=article.public_revision_id in revision_ids,
        )
        for article in articles
    ]


@dataclass
class ReferencePage:
    references: list[Reference]
    total: int
    page: int
    pages: int


def search_references(
    query: str = "", *, kind: ReferenceKind | None = None, page: int = 1
) -> ReferencePage:
    """References matching every word of `query` in any field staff know a source by (key,
    authors, title, journal or publisher, year, volume and pages, DOI, PMID, NCT number, URL or
    what was read), optionally of one kind, a page at a time, by key."""
    conditions = []
    for word in query.split()[:10]:
        pattern = like_contains(word.lower())
        conditions.append(
            sa.or_(
                *(
                    sa.func.lower(column).like(pattern, escape="\\")
                    for column in (
                        Reference.key,
                        Reference.authors,
                        Reference.title,
                        Reference.journal,
                        Reference.doi,
                        Reference.pmid,
                        Reference.nct,
                        sa.cast(Reference.year, sa.String),
                        Reference.volume_pages,
                        Reference.url,
                        Reference.read_detail,
                    )
                )
            )
        )
    if kind is not None:
        conditions.append(Reference.kind == kind)
    total = db.session.scalar(sa.select(sa.func.count(Reference.id)).where(*conditions)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    references = db.session.scalars(
        sa.select(Reference)
        .where(*conditions)
        .order_by(sa.func.lower(Reference.key))
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return ReferencePage(list(references), total, page, pages)
