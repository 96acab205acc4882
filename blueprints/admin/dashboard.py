"""The staff dashboard: what is waiting for the signed-in member of staff, and what is overdue."""

from flask import request

from blueprints.admin.base import acting_user, bp, requires
from models.base import utcnow
from services.followups import queue
from services.library import changes as library_changes
from services.staff import worklists
from services.staff.permissions import Permission
from web.rendering import render_page


@bp.get("/")
@requires(Permission.VIEW_STAFF)
def dashboard():
    """My drafts, changes requested of me, the review lists, overdue reviews, readability flags,
    readers' follow-up questions; `?show=KEY` opens one list in full, page by page."""
    focus = request.args.get("show") or None
    page = max(request.args.get("page", 1, type=int), 1)
    lists = worklists.dashboard(acting_user(), today=utcnow().date(), focus=focus, page=page)
    return render_page(
        "admin/dashboard.html",
        lists=lists,
        focus=focus if focus in lists else None,
        today=utcnow().date(),
        questions=None if focus else queue.queue_counts(),
        library_pending=None if focus else library_changes.pending_count(),
    )
