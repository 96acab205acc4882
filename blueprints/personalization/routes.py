"""The picker's no-JavaScript path: a form that remembers the role and goes back."""

from urllib.parse import urlencode, urlsplit

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _

from web.audience import audiences, remember
from web.redirects import safe_next

from .forms import AudienceForm

bp = Blueprint("personalization", __name__)


@bp.post("/audience")
def choose():
    """No-JavaScript path of the picker: remember the role, go back with `?audience=`."""
    form = AudienceForm()
    # Only the path: the level goes in the query string built below.
    target = urlsplit(safe_next(form.next.data, url_for("articles.index"))).path
    role = audiences().role(form.role.data) if form.validate() else None
    if role is None:
        flash(_("Choose the description that fits you best."), "error")
        return redirect(target)
    response = redirect(f"{target}?{urlencode({'audience': role.level.value})}")
    remember(response, role.key)
    return response
