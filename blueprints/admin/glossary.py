"""The glossary: every staff member reads it; administrators add, edit and delete terms."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from blueprints.admin.base import acting_user, bp, requires
from blueprints.admin.library_forms import TermForm
from extensions import db
from models import SOURCE_LANGUAGE, GlossaryTerm, Language, LibraryChange, LibraryKind
from services.library import changes as library_changes
from services.library import glossary as glossary_service
from services.reading.languages import enabled_languages
from services.staff.permissions import Permission
from services.validation import InvalidFields
from web.rendering import render_page, wants_fragment


@bp.get("/glossary")
@requires(Permission.VIEW_STAFF)
def glossary():
    """Every term with its definition, searchable; htmx swaps the results only."""
    query = " ".join(request.args.get("q", "").split())[:200]
    return render_page(
        "admin/glossary.html",
        fragment="term_results",
        q=query,
        terms=glossary_service.search_terms(query),
        announce=wants_fragment(),
    )


def _term_form(term: GlossaryTerm | None = None, **kwargs) -> TermForm:
    """The form, with fields for each other enabled language and any the term has words in."""
    languages = [lang for lang in enabled_languages() if lang.code != SOURCE_LANGUAGE]
    known = {lang.code for lang in languages}
    for code in sorted(set((term.translations or {}) if term else ()) - known):
        found = db.session.get(Language, code)
        languages.append(found or Language(code=code, english_name=code))
    stored = glossary_service.TermInput.of(term).translations if term else {}
    return TermForm.build([(lang.code, lang.english_name) for lang in languages], stored, **kwargs)


def _term_page(form: TermForm, term: GlossaryTerm | None = None, status: int = 200):
    pending = library_changes.pending_for(LibraryKind.GLOSSARY, term.id) if term else None
    return render_template(
        "admin/term.html",
        form=form,
        term=term,
        pending=pending,
    ), status


@bp.route("/glossary/new", methods=["GET", "POST"])
@requires(Permission.GLOSSARY)
def new_term():
    """Add a term; articles explain it from their next view."""
    form = _term_form()
    if not form.validate_on_submit():
        return _term_page(form, status=422 if form.is_submitted() else 200)
    try:
        created = glossary_service.create_term(form.to_input(), actor=acting_user())
        db.session.commit()
    except InvalidFields as error:
        db.session.rollback()
        form.add_errors(error.errors)
        return _term_page(form, status=error.status_code)
    if isinstance(created, LibraryChange):
        flash(
            "Your new term is waiting for review: public articles already use these words, so "
            "readers see it once someone else approves it.",
            "info",
        )
        return redirect(url_for("admin.library_change", change_id=created.id))
    flash(
        f"“{created.term}” added to the glossary; articles explain it from their next view.", "info"
    )
    return redirect(url_for("admin.glossary"))


@bp.route("/glossary/<int:term_id>", methods=["GET", "POST"])
@requires(Permission.GLOSSARY)
def term(term_id: int):
    """Edit a term; articles show the change from their next view."""
    found = db.get_or_404(GlossaryTerm, term_id)
    if request.method == "GET":
        stored = library_changes.term_values(glossary_service.TermInput.of(found))
        pending = library_changes.pending_for(LibraryKind.GLOSSARY, found.id)
        if pending is not None and pending.author_id == acting_user().id:
            stored = pending.proposed  # its author goes on from their proposal
        lines = {
            name: "\n".join(value) for name, value in stored.items() if isinstance(value, list)
        }
        return _term_page(_term_form(found, formdata=None, data=stored | lines), found)
    form = _term_form(found)
    if not form.validate_on_submit():
        return _term_page(form, found, 422)
    try:
        changes = glossary_service.update_term(found, form.to_input(), actor=acting_user())
        db.session.commit()
    except InvalidFields as error:
        db.session.rollback()
        form.add_errors(error.errors)
        return _term_page(form, found, error.status_code)
    if isinstance(changes, LibraryChange):
        flash(
            "Your change is waiting for review: public articles use this term, so readers see "
            "the change once someone else approves it.",
            "info",
        )
        return redirect(url_for("admin.term", term_id=found.id))
    flash(
        f"“{found.term}” saved; articles show it from their next view."
        if changes
        else "Nothing had changed, so nothing was saved.",
        "info",
    )
    return redirect(url_for("admin.glossary", _anchor=f"term-{found.id}"))


@bp.post("/glossary/<int:term_id>/delete")
@requires(Permission.GLOSSARY)
def delete_term(term_id: int):
    """Delete a term; articles stop explaining it from their next view."""
    found = db.get_or_404(GlossaryTerm, term_id)
    name = found.term
    glossary_service.delete_term(found, actor=acting_user())
    db.session.commit()
    flash(f"“{name}” deleted from the glossary; the audit log keeps what it said.", "info")
    return redirect(url_for("admin.glossary"))
