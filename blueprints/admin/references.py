"""The reference library: list and search, add, view (with the articles citing it), edit, delete."""

from __future__ import annotations

from dataclasses import asdict

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError

from blueprints.admin.base import acting_user, bp, requires
from blueprints.admin.library_forms import KIND_LABELS, ReferenceForm
from extensions import db
from models import LibraryChange, LibraryKind, Reference, ReferenceKind
from services.library import changes as library_changes
from services.library import references as library
from services.staff.permissions import Permission
from services.validation import InvalidFields
from web.rendering import render_page, wants_fragment

RACE = (
    "Someone saved a reference with the same DOI, PMID or key a moment ago. Search the library "
    "for it, then try again."
)


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 7 else 1


def _kind(value: str | None) -> ReferenceKind | None:
    try:
        return ReferenceKind(value) if value else None
    except ValueError:
        return None


@bp.get("/references")
@requires(Permission.VIEW_STAFF)
def references():
    """The library, searchable by authors, title, DOI, PMID, NCT number or key; htmx swaps the
    results only."""
    query = " ".join(request.args.get("q", "").split())[:200]
    kind = _kind(request.args.get("kind"))
    found = library.search_references(query, kind=kind, page=_page_number(request.args.get("page")))
    return render_page(
        "admin/references.html",
        fragment="reference_results",
        q=query,
        kind=kind,
        found=found,
        kinds=KIND_LABELS,
        announce=wants_fragment(),
    )


def _save_failed(form: ReferenceForm, error: InvalidFields) -> tuple[int, Reference | None]:
    """Roll back, put the messages beside their fields; the status and a reference to link to."""
    db.session.rollback()
    form.add_errors(error.errors)
    return error.status_code, getattr(error, "existing", None)


@bp.route("/references/new", methods=["GET", "POST"])
@requires(Permission.REFERENCES)
def new_reference():
    """Add a source to the library."""
    form = ReferenceForm()
    status, existing = 200, None
    if form.validate_on_submit():
        try:
            reference = library.create_reference(form.to_input(), actor=acting_user())
            db.session.commit()
        except InvalidFields as error:
            status, existing = _save_failed(form, error)
        except IntegrityError:
            db.session.rollback()
            form.add_errors({"form": RACE})
            status = 409
        else:
            if isinstance(reference, LibraryChange):
                flash(
                    f"Your new reference is waiting for review: public text already cites "
                    f"[@{reference.target_label}], so readers see it once someone else "
                    "approves it.",
                    "info",
                )
                return redirect(url_for("admin.library_change", change_id=reference.id))
            flash(f"Reference “{reference.key}” added. Cite it as [@{reference.key}].", "info")
            return redirect(url_for("admin.reference", reference_id=reference.id))
    elif form.is_submitted():
        status = 422
    return render_template("admin/reference_new.html", form=form, duplicate_of=existing), status


def _edit_form(reference: Reference) -> ReferenceForm:
    values = asdict(library.ReferenceInput.of(reference))
    values |= {"kind": reference.kind.value, "read": reference.read.value}
    pending = library_changes.pending_for(LibraryKind.REFERENCE, reference.id)
    if pending is not None and pending.author_id == acting_user().id:
        values |= pending.proposed  # its author goes on from their proposal
    return ReferenceForm(formdata=None, data=values | {"version": str(reference.version)})


def _reference_page(reference: Reference, form: ReferenceForm, status: int = 200, **context):
    pending = library_changes.pending_for(LibraryKind.REFERENCE, reference.id)
    return render_template(
        "admin/reference.html",
        ref=reference,
        form=form,
        citing=library.citing_articles(reference),
        pending=pending,
        **context,
    ), status


@bp.get("/references/<int:reference_id>")
@requires(Permission.VIEW_STAFF)
def reference(reference_id: int):
    """A reference as readers see it, the articles citing it, and (for those who may) its form."""
    found = db.get_or_404(Reference, reference_id)
    return _reference_page(found, _edit_form(found))


@bp.post("/references/<int:reference_id>")
@requires(Permission.REFERENCES)
def save_reference(reference_id: int):
    """Save an edit; the version goes up and the audit log records what changed."""
    found = db.get_or_404(Reference, reference_id)
    form = ReferenceForm()
    if not form.validate_on_submit():
        return _reference_page(found, form, 422)
    version = form.version.data
    try:
        changes = library.update_reference(
            found,
            form.to_input(),
            actor=acting_user(),
            version=int(version) if version and version.isdigit() else None,
        )
        db.session.commit()
    except InvalidFields as error:
        status, existing = _save_failed(form, error)
        form.version.data = str(found.version)  # the next save goes over what is shown now
        if isinstance(error, library.ReferenceInUse):
            form.key.data = found.key  # shown read-only: the typed key could not be corrected
        return _reference_page(found, form, status, duplicate_of=existing)
    except IntegrityError:
        db.session.rollback()
        form.add_errors({"form": RACE})
        return _reference_page(found, form, 409)
    if isinstance(changes, LibraryChange):
        flash(
            "Your change is waiting for review: public text cites this reference, so readers "
            "see the change once someone else approves it.",
            "info",
        )
    elif changes:
        flash(f"Reference “{found.key}” saved (version {found.version}).", "info")
    else:
        flash("Nothing had changed, so nothing was saved.", "info")
    return redirect(url_for("admin.reference", reference_id=found.id))


@bp.post("/references/<int:reference_id>/delete")
@requires(Permission.REFERENCES)
def delete_reference(reference_id: int):
    """Delete a reference that no revision cites."""
    found = db.get_or_404(Reference, reference_id)
    key = found.key
    try:
        library.delete_reference(found, actor=acting_user())
        db.session.commit()
    except library.ReferenceInUse as error:
        db.session.rollback()
        return _reference_page(found, _edit_form(found), 409, delete_error=str(error))
    flash(f"Reference “{key}” deleted; the audit log keeps what it was.", "info")
    return redirect(url_for("admin.references"))
