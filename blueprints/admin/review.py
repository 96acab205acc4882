"""Review (Medical Advisory Board): the queue, a revision's review page and its three decisions.

Decisions are plain POST → redirect → GET forms. A refused one re-renders the review page with
the reason and everything typed: 422 when the form needs more (a comment, a date, an override
reason), 409 when the revision has moved on, 403 when the rules forbid it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for

from blueprints.admin.base import acting_user, bp, requires
from blueprints.admin.review_forms import ApproveForm, RequestChangesForm, StartReviewForm
from extensions import db
from models import Revision
from models.base import utcnow
from services.editorial import review as review_service
from services.editorial.dossier import build_dossier, load_revision
from services.errors import InvalidTransition, NotPermitted
from services.library import changes as library_changes
from services.staff import worklists
from services.staff.permissions import Permission
from web.rendering import render_page


@bp.get("/review")
@requires(Permission.VIEW_STAFF)
def review_queue():
    """Revisions waiting for the board, under review, and sent back, for the signed-in user."""
    page = max(request.args.get("page", 1, type=int), 1)
    queue = worklists.review_queue(acting_user(), page=page)
    return render_page(
        "admin/review_queue.html",
        queue=queue,
        library_pending=library_changes.pending_count(),
        staff_section="review",
    )


@bp.get("/review/<int:revision_id>")
@requires(Permission.VIEW_STAFF)
def review(revision_id: int):
    """One revision's review page: what changed, its checks, its record, and the decisions."""
    return _review_page(_revision(revision_id))


@bp.post("/review/<int:revision_id>/start")
@requires(Permission.REVIEW)
def start_review(revision_id: int):
    """Take a submitted revision into review."""
    return _decide(
        revision_id,
        StartReviewForm(),
        lambda revision, _form, user: review_service.start_review(revision, reviewer=user),
        "You have taken this revision into review.",
    )


@bp.post("/review/<int:revision_id>/approve")
@requires(Permission.REVIEW)
def approve(revision_id: int):
    """Approve a revision under review: it becomes what readers see."""
    return _decide(
        revision_id,
        ApproveForm(prefix="approve"),
        lambda revision, form, user: review_service.approve(
            revision,
            reviewer=user,
            next_review_on=form.next_review_on.data,
            override_reason=form.override_reason.data or "",
        ),
        "Approved: this revision is now what readers see.",
    )


@bp.post("/review/<int:revision_id>/request-changes")
@requires(Permission.REVIEW)
def request_changes(revision_id: int):
    """Send a revision under review back to its author with a comment."""
    return _decide(
        revision_id,
        RequestChangesForm(prefix="changes"),
        lambda revision, form, user: review_service.request_changes(
            revision, reviewer=user, comment=form.comment.data or ""
        ),
        "Sent back to the author with your comment.",
    )


def _revision(revision_id: int, *, for_update: bool = False) -> Revision:
    return load_revision(revision_id, for_update=for_update) or abort(404)


def _decide(revision_id: int, form, act: Callable, done: str):
    """Validate, apply one transition, commit once; or re-render the page saying why not."""
    action = request.endpoint.rpartition(".")[2]
    revision = _revision(revision_id, for_update=True)
    if not form.validate_on_submit():
        db.session.rollback()
        return _review_page(_revision(revision_id), forms={action: form}, status=422)
    try:
        act(revision, form, acting_user())
    except review_service.ApprovalBlocked as blocked:
        db.session.rollback()
        form.override_reason.errors = ["Give a reason to approve while these findings stand."]
        return _review_page(
            _revision(revision_id), forms={action: form}, status=422, blocked=blocked.findings
        )
    except (InvalidTransition, NotPermitted) as refused:
        # Allowed from this state, yet refused: the input was wrong (a date), not the timing.
        input_problem = isinstance(refused, InvalidTransition) and action in (
            review_service.allowed_actions(revision)
        )
        db.session.rollback()
        field = {"approve": "next_review_on", "request_changes": "comment"}.get(action)
        if input_problem and field:
            getattr(form, field).errors = [str(refused)]
            return _review_page(_revision(revision_id), forms={action: form}, status=422)
        return _review_page(
            _revision(revision_id), forms={action: form}, status=refused.status_code, error=refused
        )
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("admin.review", revision_id=revision_id), code=303)


def _review_page(
    revision: Revision,
    *,
    forms: dict | None = None,
    status: int = 200,
    error: Exception | None = None,
    blocked=None,
):
    forms = forms or {}
    dossier = build_dossier(revision)
    approve_form = forms.get("approve") or ApproveForm(
        prefix="approve",
        formdata=None,
        next_review_on=review_service.default_next_review(revision),
    )
    changes_form = forms.get("request_changes") or RequestChangesForm(
        prefix="changes", formdata=None
    )
    user = acting_user()
    today = utcnow().date()
    return render_template(
        "admin/review.html",
        dossier=dossier,
        revision=revision,
        article=revision.article,
        actions=review_service.actions_for(revision, user),
        why_not=review_service.why_not(revision, user),
        ineligible=review_service.ineligible(revision),
        approve_form=approve_form,
        changes_form=changes_form,
        start_form=forms.get("start_review") or StartReviewForm(formdata=None),
        error=error,
        blocked=blocked,
        date_range=(today + timedelta(days=1), today + review_service.MAX_REVIEW_INTERVAL),
        staff_section="review",
    ), status
