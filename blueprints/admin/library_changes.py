"""Library changes waiting for review: the list, one change's review page (field by field, the
articles it alters, who may not decide) and its decisions: approve, send back, withdraw.

Decisions are plain POST → redirect → GET forms. A refused one re-renders the review page with
the reason and what was typed: 422 when the form needs more, 409 when the change or its entry
has moved on, 403 when the rules forbid it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for

from blueprints.admin.base import acting_user, bp, requires
from blueprints.admin.review_forms import LibraryApproveForm, LibrarySendBackForm, WithdrawForm
from extensions import db
from models import ChangeStatus, LibraryChange
from services.errors import DomainError
from services.library import changes as library_changes
from services.staff.permissions import Permission, can
from services.validation import InvalidFields


@bp.get("/library-changes")
@requires(Permission.VIEW_STAFF)
def library_changes_list():
    """Reference and glossary changes waiting for review, oldest first, and the latest decided."""
    return render_template(
        "admin/library_changes.html",
        pending=library_changes.pending_changes(),
        decided=library_changes.recent_decisions(),
        summary=library_changes.summary,
        staff_section="review",
    )


@bp.get("/library-changes/<int:change_id>")
@requires(Permission.VIEW_STAFF)
def library_change(change_id: int):
    """One change: before and after, the articles it alters, and the decisions."""
    return _change_page(db.get_or_404(LibraryChange, change_id))


@bp.post("/library-changes/<int:change_id>/approve")
@requires(Permission.REVIEW)
def approve_library_change(change_id: int):
    """Approve a change: readers see it from their next view."""
    return _decide(
        change_id,
        LibraryApproveForm(prefix="approve"),
        lambda change, form, user: library_changes.approve(
            change, approver=user, comment=form.comment.data or ""
        ),
        "Approved: readers see the change from their next view.",
    )


@bp.post("/library-changes/<int:change_id>/send-back")
@requires(Permission.REVIEW)
def send_back_library_change(change_id: int):
    """Send a change back to its author with a comment; the entry stays as it is."""
    return _decide(
        change_id,
        LibrarySendBackForm(prefix="send_back"),
        lambda change, form, user: library_changes.reject(
            change, reviewer=user, comment=form.comment.data or ""
        ),
        "Sent back to its author with your comment; nothing changed for readers.",
    )


@bp.post("/library-changes/<int:change_id>/withdraw")
@requires(Permission.REFERENCES)
def withdraw_library_change(change_id: int):
    """Withdraw one's own pending change."""
    return _decide(
        change_id,
        WithdrawForm(prefix="withdraw"),
        lambda change, _form, user: library_changes.withdraw(change, actor=user),
        "Your change is withdrawn; nothing changed for readers.",
    )


def _decide(change_id: int, form, act: Callable, done: str):
    """Validate, apply one decision, commit once; or re-render the page saying why not."""
    action = request.endpoint.rpartition(".")[2].split("_")[0]  # approve, send, withdraw
    change = library_changes.locked(change_id) or abort(404)
    if not form.validate_on_submit():
        db.session.rollback()
        return _change_page(_reload(change_id), forms={action: form}, status=422)
    try:
        act(change, form, acting_user())
    except InvalidFields as refused:
        db.session.rollback()
        if "comment" in refused.errors:
            form.comment.errors = [refused.errors["comment"]]
            return _change_page(_reload(change_id), forms={action: form}, status=422)
        return _change_page(
            _reload(change_id), forms={action: form}, status=refused.status_code, error=refused
        )
    except DomainError as refused:
        db.session.rollback()
        return _change_page(
            _reload(change_id), forms={action: form}, status=refused.status_code, error=refused
        )
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("admin.library_change", change_id=change_id), code=303)


def _reload(change_id: int) -> LibraryChange:
    return db.get_or_404(LibraryChange, change_id)


def _change_page(
    change: LibraryChange, *, forms: dict | None = None, status: int = 200, error=None
):
    forms = forms or {}
    user = acting_user()
    target = library_changes.target_of(change)
    pending = change.status == ChangeStatus.PENDING
    return render_template(
        "admin/library_change.html",
        change=change,
        target=target,
        diff=change.field_diff(),
        altered=library_changes.articles_altered_by(change),
        stale=pending and target is not None and library_changes.is_stale(change, target),
        may_review=can(user, Permission.REVIEW),
        why_not=library_changes.who_may_not_decide(change, user) if pending else None,
        is_author=change.author_id == user.id,
        approve_form=forms.get("approve") or LibraryApproveForm(prefix="approve", formdata=None),
        send_back_form=forms.get("send") or LibrarySendBackForm(prefix="send_back", formdata=None),
        withdraw_form=forms.get("withdraw") or WithdrawForm(prefix="withdraw", formdata=None),
        error=error,
        staff_section="review",
    ), status
