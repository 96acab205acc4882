"""The glossary: terms explained inline in plain and standard wording, edited by administrators.

Reader pages load the glossary on every view, so an edit shows on the next one. Each surface form
(term, abbreviation, alias) belongs to one entry only: otherwise a word in an article could not
say which definition it means.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa

from extensions import db
from models import (
    SOURCE_LANGUAGE,
    GlossaryTerm,
    LibraryChange,
    LibraryKind,
    User,
)
from services.editorial.publishing import note_changed
from services.library import changes as library_changes
from services.library import usage
from services.search.spanish import fold
from services.staff import audit
from services.staff.permissions import Permission, require
from services.validation import InvalidFields, clean_text

MAX_DEFINITION = 600  # it opens in a small box beside the word: a sentence or three
MAX_ALIASES = 20


@dataclass
class TermInput:
    term: str
    definition: str
    abbr: str = ""
    aliases: list[str] = field(default_factory=list)
    # The term in other languages, by code: {"term", "abbr", "aliases", "definition"} each.
    translations: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def of(cls, term: GlossaryTerm) -> TermInput:
        """The stored values of a term, to start an edit from."""
        translations = {
            code: {
                "term": words.get("term", ""),
                "abbr": words.get("abbr", ""),
                "aliases": list(words.get("aliases", [])),
                "definition": words.get("definition", ""),
            }
            for code, words in (term.translations or {}).items()
        }
        return cls(term.term, term.definition, term.abbr, list(term.aliases), translations)


def term_slug(term: str) -> str:
    """The term's anchor on /glossary: ASCII words joined by hyphens (empty if it has none)."""
    ascii_text = unicodedata.normalize("NFKD", term).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:120].rstrip("-")


def clean_term(data: TermInput) -> TermInput:
    """The input checked and normalised (aliases trimmed, without repeats); every problem at once.

    :raises InvalidFields: one message per field that breaks a rule.
    """
    errors: dict[str, str] = {}
    term = clean_text(errors, "term", data.term, label="the term", max_length=120, required=True)
    abbr = clean_text(errors, "abbr", data.abbr, label="the abbreviation", max_length=40)
    definition = clean_text(
        errors,
        "definition",
        data.definition,
        label="a plain definition",
        max_length=MAX_DEFINITION,
        required=True,
    )
    aliases = _clean_aliases(errors, data.aliases, {term.lower(), abbr.lower()})
    if term and not term_slug(term):
        errors["term"] = "Use at least one letter or digit (A to Z, 0 to 9) in the term."
    translations = {
        code: cleaned
        for code, words in sorted(data.translations.items())
        if (cleaned := _clean_translation(errors, code, words))
    }
    if errors:
        raise InvalidFields(errors)
    return TermInput(term, definition, abbr, aliases, translations)


def _clean_translation(errors: dict[str, str], code: str, words: dict) -> dict | None:
    """One language's wording of a term, checked like the English (errors under `CODE_field`);
    None when every field is empty: the term has no wording in that language."""
    found: dict[str, str] = {}
    term = clean_text(found, "term", words.get("term", ""), label="the term", max_length=120)
    abbr = clean_text(found, "abbr", words.get("abbr", ""), label="the abbreviation", max_length=40)
    definition = clean_text(
        found,
        "definition",
        words.get("definition", ""),
        label="a plain definition",
        max_length=MAX_DEFINITION,
    )
    aliases = _clean_aliases(found, words.get("aliases", []), {term.lower(), abbr.lower()})
    if not (term or abbr or definition or aliases) and not found:
        return None
    if not term and "term" not in found:
        found["term"] = "Enter the term in this language, or leave every field of it empty."
    if not definition and "definition" not in found:
        found["definition"] = "Enter the explanation in this language, or leave every field empty."
    errors.update({f"{code}_{name}": message for name, message in found.items()})
    return {"term": term, "abbr": abbr, "aliases": aliases, "definition": definition}


def _clean_aliases(errors: dict[str, str], typed: list[str], seen: set[str]) -> list[str]:
    aliases: list[str] = []
    for alias in (" ".join(a.split()) for a in typed):
        if alias and alias.lower() not in seen:
            seen.add(alias.lower())
            aliases.append(alias)
    if len(aliases) > MAX_ALIASES:
        errors["aliases"] = f"Use at most {MAX_ALIASES} other forms."
    elif too_long := next((a for a in aliases if len(a) > 120), None):
        errors["aliases"] = f"“{too_long[:40]}…” is longer than 120 characters."
    return aliases


def _check_unique(data: TermInput, slug: str, *, exclude: GlossaryTerm | None = None) -> None:
    query = sa.select(GlossaryTerm)
    if exclude is not None:
        query = query.where(GlossaryTerm.id != exclude.id)
    errors: dict[str, str] = {}
    owners: dict[str, GlossaryTerm] = {}
    for other in db.session.scalars(query):
        if other.slug == slug:
            errors["term"] = f"The glossary already has “{other.term}”."
        for form in (other.term, other.abbr, *other.aliases):
            if form:
                owners[form.lower()] = other
    for name, forms in (("term", [data.term]), ("abbr", [data.abbr]), ("aliases", data.aliases)):
        for form in forms:
            other = owners.get(form.lower()) if form else None
            if other is not None and name not in errors:
                errors[name] = (
                    f"“{form}” already explains “{other.term}”; a word can have one definition."
                )
    for code, words in data.translations.items():
        _check_unique_in(code, words, query, errors)
    if errors:
        raise InvalidFields(errors, status_code=409)


def _check_unique_in(code: str, words: dict, query: sa.Select, errors: dict[str, str]) -> None:
    """A form in another language explains one term of that language, as in English."""
    owners = {}
    for other in db.session.scalars(query):
        wording = other.wording(code)
        if wording is not None:
            for form in (wording.term, wording.abbr, *wording.aliases):
                if form:
                    owners[form.lower()] = wording
    fields = (("term", [words["term"]]), ("abbr", [words["abbr"]]), ("aliases", words["aliases"]))
    for name, forms in fields:
        for form in forms:
            other = owners.get(form.lower()) if form else None
            if other is not None and f"{code}_{name}" not in errors:
                errors[f"{code}_{name}"] = (
                    f"“{form}” already explains “{other.term}”; a word can have one definition."
                )


def _snapshot(term: GlossaryTerm) -> dict:
    return {
        "term": term.term,
        "abbr": term.abbr,
        "aliases": list(term.aliases),
        "definition": term.definition,
    } | ({"translations": dict(term.translations)} if term.translations else {})


def _note_pages_using(*values: dict, languages: set[str] | None = None) -> None:
    """The glossary changed (every rendering that marks terms is made again); note the public
    articles whose text uses any form of these terms (values as `changes.term_values` gives
    them, usage.slugs_using): their pages explain the term inline, so the proxy drops them, in
    `languages` only when given (default: every language)."""
    note_changed(usage.slugs_using(*values), glossary=True, languages=languages)


def _other_words_changed(before: TermInput, after: TermInput) -> set[str] | None:
    """The languages whose words alone an edit changed, when it left the English ones (the
    source language's, on every language's pages as the term's anchor and fallback) as they
    were; None when it changed those. English pages mark only English words
    (services.reading.view.load_glossary), so a change to the Spanish words alone changes
    Spanish pages alone."""
    english = ("term", "abbr", "aliases", "definition")
    if any(getattr(before, name) != getattr(after, name) for name in english):
        return None
    old, new = before.translations, after.translations
    return {code for code in old.keys() | new.keys() if old.get(code) != new.get(code)}


def _words_in(data: TermInput, languages: set[str]) -> list[dict]:
    """The term's forms in these languages only, as `_note_pages_using` reads them."""
    return [
        {"term": words["term"], "abbr": words["abbr"], "aliases": words["aliases"]}
        for code, words in sorted(data.translations.items())
        if code in languages
    ]


def create_term(data: TermInput, *, actor: User) -> GlossaryTerm | LibraryChange:
    """Add a term; its slug (the anchor on /glossary) comes from the term. A term public text
    already uses would explain those words on public pages at once: it is proposed instead, a
    pending LibraryChange that creates it when someone else approves it.

    :raises InvalidFields: a field breaks a rule, or (409) a form of it is already defined.
    """
    require(actor, Permission.GLOSSARY)
    data = clean_term(data)
    _check_unique(data, term_slug(data.term))
    values = library_changes.term_values(data)
    if usage.term_in_public_use(values):
        return library_changes.propose_new(LibraryKind.GLOSSARY, values, actor=actor)
    return insert_term(data, actor=actor)


def insert_term(data: TermInput, *, actor: User) -> GlossaryTerm:
    """Store a new term: at once, or when its library change is approved (checked again, as
    another term may have taken a form of it meanwhile).

    :raises InvalidFields: as for `create_term`.
    """
    data = clean_term(data)
    slug = term_slug(data.term)
    _check_unique(data, slug)
    term = GlossaryTerm(
        slug=slug,
        term=data.term,
        abbr=data.abbr,
        aliases=data.aliases,
        definition=data.definition,
        translations=data.translations,
    )
    db.session.add(term)
    audit.record("glossary.create", actor=actor, target=term, changes=_snapshot(term))
    _note_pages_using(library_changes.term_values(data))
    return term


def update_term(
    term: GlossaryTerm, data: TermInput, *, actor: User
) -> dict[str, list] | LibraryChange:
    """Save an edit (the slug follows the term): applied at once (what changed, as the audit log
    has it) unless public text uses the term or a change to it is pending: then a pending
    LibraryChange to review.

    :raises InvalidFields: a field breaks a rule, or (409) a form of it belongs to another term.
    """
    require(actor, Permission.GLOSSARY)
    data = clean_term(data)
    slug = term_slug(data.term)
    _check_unique(data, slug, exclude=term)
    if TermInput.of(term) == data:
        return {}
    values = library_changes.term_values(data)
    # Public text may use the term as it is or as it would be (a new alias, a renamed term).
    if library_changes.pending_for(LibraryKind.GLOSSARY, term.id) or usage.term_in_public_use(
        library_changes.term_values(TermInput.of(term)), values
    ):
        return library_changes.propose(LibraryKind.GLOSSARY, term, values, actor=actor)
    return apply_edit(term, data, actor=actor)


def apply_edit(term: GlossaryTerm, data: TermInput, *, actor: User) -> dict[str, list]:
    """Set checked values; the audit log and the caches hear of it. The one way an edit reaches
    readers, at once or when its library change is approved.

    :raises InvalidFields: (409) a form of it now belongs to another term.
    """
    slug = term_slug(data.term)
    _check_unique(data, slug, exclude=term)
    before = TermInput.of(term)
    changes = audit.field_changes(
        term,
        {
            "term": data.term,
            "slug": slug,
            "abbr": data.abbr,
            "aliases": data.aliases,
            "definition": data.definition,
            "translations": data.translations,
        },
    )
    if changes:
        audit.record("glossary.update", actor=actor, target=term, changes=changes)
        if languages := _other_words_changed(before, data):
            _note_pages_using(
                *_words_in(before, languages), *_words_in(data, languages), languages=languages
            )
        else:
            _note_pages_using(
                library_changes.term_values(before), library_changes.term_values(data)
            )
    return changes


def delete_term(term: GlossaryTerm, *, actor: User) -> None:
    """Remove a term: articles stop explaining it on their next view."""
    require(actor, Permission.GLOSSARY)
    audit.record("glossary.delete", actor=actor, target=term, changes=_snapshot(term))
    _note_pages_using(library_changes.term_values(TermInput.of(term)))
    db.session.delete(term)


def search_terms(query: str = "") -> list[GlossaryTerm]:
    """Terms whose words in any language (term, abbreviation, other forms, definition) contain
    every word of `query`, capitals and accents aside ("sindrome" finds "síndrome"), A to Z.

    Matched here, not in SQL: SQLite's lower() folds ASCII only, accents need an extension, and
    JSON keeps the translations' accents escaped; the whole glossary is one small query (reader
    pages load all of it on every view)."""
    words = [fold(word) for word in query.split()[:10]]
    terms = db.session.scalars(sa.select(GlossaryTerm).order_by(sa.func.lower(GlossaryTerm.term)))
    found = []
    for term in terms:
        text = _searchable(term)
        if all(word in text for word in words):
            found.append(term)
    return found


def _searchable(term: GlossaryTerm) -> str:
    """Every word of a term in every language it has, folded (services.search.spanish.fold)."""
    codes = [SOURCE_LANGUAGE, *(term.translations or {})]
    wordings = [w for code in codes if (w := term.wording(code)) is not None]
    return fold("\n".join(f for w in wordings for f in (w.term, w.abbr, *w.aliases, w.definition)))
