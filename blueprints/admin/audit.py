"""The audit log, for administrators: filter by who, what, on what and when; newest first."""

from __future__ import annotations

from flask import request

from blueprints.admin.base import bp, requires
from blueprints.admin.library_forms import AuditFilterForm
from services.staff import audit_log
from services.staff.permissions import Permission
from web.rendering import render_page, wants_fragment


@bp.get("/audit")
@requires(Permission.AUDIT)
def audit():
    """One page of the log; "Older entries" continues after the last row shown (keyset)."""
    actions, object_types, users = audit_log.filter_choices()
    form = AuditFilterForm(request.args)
    form.actor.choices = [
        ("", "Anyone"),
        (str(audit_log.NO_ACCOUNT), "No account (command line, unknown email)"),
        *[(str(u.id), f"{u.name} ({u.email})") for u in users],
    ]
    form.action.choices = [("", "Any action")] + [(a, audit_log.action_label(a)) for a in actions]
    form.object_type.choices = [("", "Anything")] + [
        (t, audit_log.OBJECT_TYPES.get(t, t)) for t in object_types
    ]
    before = request.args.get("before", "")
    page, status = None, 200
    if form.validate():
        page = audit_log.find_events(
            audit_log.AuditFilter(
                actor_id=form.actor_id,
                action=form.action.data or "",
                object_type=form.object_type.data or "",
                object_id=(form.object_id.data or "").strip(),
                since=form.since.data,
                until=form.until.data,
                before_id=int(before) if before.isdigit() and len(before) < 19 else None,
            )
        )
    else:
        status = 422
    return render_page(
        "admin/audit.html",
        fragment="audit_results",
        form=form,
        page=page,
        continuing=bool(before),
        action_label=audit_log.action_label,
        object_types=audit_log.OBJECT_TYPES,
        readable_changes=audit_log.readable_changes,
        announce=wants_fragment(),
    ), status
