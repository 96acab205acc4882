"""Staff side of follow-up questions: the queue, answering with four eyes, rejecting, promoting."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from blueprints.admin.base import acting_user, bp, requires
from extensions import db
from models import FollowupStatus
from services.errors import DomainError
from services.followups import answers, promotion, questions
from services.followups import queue as staff_queue
from services.reading.languages import language_names
from services.staff.permissions import Permission
from web.audience import audiences

# The queue's filters: a status, answers waiting for a reviewer, or everything.
FILTERS = [
    ("new", "New"),
    ("awaiting", "Answers awaiting approval"),
    ("answered", "Answered"),
    ("rejected", "Rejected"),
    ("promoted", "Promoted"),
    ("all", "All"),
]


class AnswerForm(FlaskForm):
    public_text = TextAreaField("Question as it will be published")
    body = TextAreaField("Answer")


class PromoteForm(FlaskForm):
    # Starts empty: staff write the public question; the reader's words are never copied.
    wording = TextAreaField("Question for the new article")


def _queue_args() -> dict:
    """The queue's current filter, search and page, to link and redirect back to."""
    view = request.values.get("view", "new")
    return {
        "view": view if view in dict(FILTERS) else "new",
        "q": " ".join(request.values.get("q", "").split())[:200],
        "page": max(1, request.values.get("page", 1, type=int) or 1),
    }


@bp.get("/followups", endpoint="followups")
@requires(Permission.VIEW_STAFF)
def queue():
    """The follow-up queue: filter by state, search the text, page through; reject spam in bulk."""
    args = _queue_args()
    view = args["view"]
    status = None if view in ("all", "awaiting") else FollowupStatus(view)
    page = staff_queue.queue(
        status=status, text=args["q"], awaiting_approval=view == "awaiting", page=args["page"]
    )
    return render_template(
        "admin/followups.html",
        page=page,
        args=args,
        filters=FILTERS,
        counts=staff_queue.queue_counts(),
        language_names=language_names(),
    )


@bp.post("/followups/reject")
@requires(Permission.EDIT)
def reject_followups():
    """Reject the selected new questions at once (spam); others are left as they are."""
    ids = request.form.getlist("question_ids", type=int)
    chosen = staff_queue.load_many(ids)
    if not chosen:
        flash("Select the questions to reject first.", "error")
    else:
        rejected = staff_queue.reject(chosen, actor=acting_user())
        db.session.commit()
        skipped = len(chosen) - rejected
        flash(
            f"Rejected {rejected} question{'s' if rejected != 1 else ''}."
            + (f" {skipped} not new, left as they were." if skipped else ""),
            "info",
        )
    args = _queue_args()
    return redirect(url_for("admin.followups", **args), 303)


def _page(
    question,
    form: AnswerForm | None = None,
    *,
    error: str | None = None,
    status=200,
    promote_form: PromoteForm | None = None,
):
    if form is None:
        form = AnswerForm(
            formdata=None,
            public_text=question.public_text or question.text,
            body=question.answer.body if question.answer else "",
        )
    preview = answers.staff_preview(question)
    return render_template(
        "admin/followup.html",
        question=question,
        language_names=language_names(),
        form=form,
        promote_form=promote_form or PromoteForm(formdata=None),
        error=error,
        preview=preview,
        approval_refusal=answers.approval_refusal(question.answer, acting_user()),
        answer_hash=answers.content_hash(question),
        evidence=questions.evidence_for(question, anchor_prefix="shown-"),
        levels=audiences().levels,
    ), status


def _status(error: DomainError) -> int:
    """Bad input is 422; a refused transition or permission keeps its own status (409, 403)."""
    return 422 if type(error) is DomainError else error.status_code


def _load(question_id: int):
    return staff_queue.load(question_id) or abort(404)


@bp.get("/followups/<int:question_id>")
@requires(Permission.VIEW_STAFF)
def followup(question_id: int):
    """One question: as asked, what the reader was shown, the answer and its review, actions."""
    return _page(_load(question_id))


@bp.post("/followups/<int:question_id>/answer")
@requires(Permission.EDIT)
def answer_followup(question_id: int):
    """Save the public wording and the answer as a draft, or save and submit it for review."""
    question = _load(question_id)
    form = AnswerForm()
    submit = request.form.get("action") == "submit"
    try:
        answers.save_answer(
            question,
            author=acting_user(),
            public_text=form.public_text.data or "",
            body=form.body.data or "",
            submit=submit,
        )
    except DomainError as error:
        db.session.rollback()
        question = _load(question_id)
        return _page(question, form, error=str(error), status=_status(error))
    db.session.commit()
    flash(
        "Answer submitted: a board member who did not write it must approve it."
        if submit
        else "Draft saved. It is not public until it is submitted and approved.",
        "info",
    )
    return redirect(url_for("admin.followup", question_id=question_id), 303)


def _act(question_id: int, action, done: str, **page):
    """Run one state change on a question; refusals come back on its page with their reason
    (and `page`'s forms as typed)."""
    question = _load(question_id)
    try:
        result = action(question)
    except DomainError as error:
        db.session.rollback()
        return _page(_load(question_id), error=str(error), status=_status(error), **page)
    db.session.commit()
    flash(done, "info")
    return result or redirect(url_for("admin.followup", question_id=question_id), 303)


@bp.post("/followups/<int:question_id>/approve")
@requires(Permission.REVIEW)
def approve_followup(question_id: int):
    """Approve a submitted answer (never one's own) exactly as read: the form names its text,
    and a changed answer comes back (409) showing the new text with a fresh approve form."""

    def approve(question):
        if question.answer is None:
            raise DomainError("There is no answer to approve yet.")
        seen = request.form.get("answer_hash", "")
        answers.approve_answer(question.answer, reviewer=acting_user(), seen=seen)

    return _act(question_id, approve, "Answer approved: it is public under the article now.")


@bp.post("/followups/<int:question_id>/reject")
@requires(Permission.EDIT)
def reject_followup(question_id: int):
    """Reject one new question."""

    def reject(question):
        if staff_queue.reject([question], actor=acting_user()) == 0:
            raise DomainError("Only a new question can be rejected.")

    return _act(question_id, reject, "Question rejected.")


@bp.post("/followups/<int:question_id>/reopen")
@requires(Permission.EDIT)
def reopen_followup(question_id: int):
    """Put a rejected question back in the queue."""
    return _act(
        question_id,
        lambda q: staff_queue.reopen(q, actor=acting_user()),
        "Question back in the queue.",
    )


@bp.post("/followups/<int:question_id>/promote")
@requires(Permission.EDIT)
def promote_followup(question_id: int):
    """Turn the question into a new draft article, under a public wording staff write, pre-filled
    with the passages found for it."""
    form = PromoteForm()

    def promote(question):
        article = promotion.promote(question, actor=acting_user(), wording=form.wording.data or "")
        db.session.flush()
        return redirect(url_for("admin.edit", article_id=article.id), 303)

    return _act(
        question_id,
        promote,
        "Draft article created from the question, with the passages found as its sections.",
        promote_form=form,
    )
