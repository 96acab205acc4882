"""Error pages in the site's style: never a stack trace, always a way back."""

import logging

import sqlalchemy as sa
from flask import Flask, current_app, g, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from extensions import db, limiter, login_manager
from models.language import SOURCE_LANGUAGE
from services.errors import DomainError
from web import csrf
from web.i18n import has_catalog
from web.language import address_language, take_address_language
from web.rescue import rescue_for_request

log = logging.getLogger("vetted.error")

# Lazy: each is translated when a page is rendered, into that page's language (web/i18n.py).
MESSAGES = {
    400: (_l("Something in that request was not right"), _l("Please go back and try again.")),
    403: (_l("You can’t do that"), _l("Your account does not allow this action.")),
    404: (_l("We can’t find that page"), _l("It may have moved, or the address may have a typo.")),
    405: (_l("That doesn’t work here"), _l("This page does not accept that kind of request.")),
    409: (_l("That change conflicts"), _l("The content changed since you opened it.")),
    429: (_l("Too many requests"), _l("Please wait a minute, then try again.")),
    500: (
        _l("Something went wrong on our side"),
        _l("We have been notified. Please try again shortly."),
    ),
    503: (
        _l("Vetted is briefly unavailable"),
        _l(
            "We can’t reach our database right now. Nothing you sent was lost or half-saved; "
            "please try again in a minute."
        ),
    ),
}
# The database is away or overloaded (refused, dropped, timed out, pool exhausted): a 503 the
# reader can retry, and the pool reconnects by itself once it answers again (pre-ping).
DATABASE_UNAVAILABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)


def error_page(status: int, detail: str | None = None, *, title: str | None = None):
    """The error as a page, or as a message alone for htmx; the status's own words by default."""
    default_title, default_detail = MESSAGES.get(status, MESSAGES[500])
    template = "errors/fragment.html" if request.htmx else "errors/page.html"
    request.vetted_error_page = True  # its language switch goes home (web.language)
    return render_template(
        template, status=status, title=title or default_title, detail=detail or default_detail
    ), status


def _rollback() -> None:
    try:
        db.session.rollback()
    except DATABASE_UNAVAILABLE:
        db.session.close()  # the connection is gone; the pool replaces it on next checkout


def init_app(app: Flask) -> None:
    """Register the error pages."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return error_page(error.code or 500)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        if (rescue := rescue_for_request()) is not None:
            return rescue("expired")  # the editor's text comes back with a fresh token
        return error_page(
            400, _("Your form expired. Reload the page and send it again; nothing was saved.")
        )

    @app.errorhandler(csrf.CrossSiteRequest)
    def cross_site_request(error: csrf.CrossSiteRequest):
        return error_page(403, error.description)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return error_page(error.status_code, str(error))

    def database_unavailable(error: Exception):
        _rollback()
        cause = getattr(error, "orig", None) or error
        # No traceback: during an outage every request fails the same way.
        log.error("Database unavailable", extra={"error": f"{type(cause).__name__}: {cause}"})
        # The page must not touch the database again: treat the reader as signed out for it,
        # and offer no other language (web.language.page_languages reads the languages table).
        g._login_user = login_manager.anonymous_user()
        request.vetted_page_languages = []
        # Nor may it ask the languages table whether the address's language is enabled: a
        # language whose words the site has, compiled, is taken from the address as it is, so
        # a reader of /es/... is told in Spanish.
        code = address_language()
        take_address_language(code if code and has_catalog(code) else SOURCE_LANGUAGE)
        body, status = error_page(503)
        # Flask-Limiter rewrites any Retry-After on a rate-limited route to its own window's
        # reset (60, or 29 by rounding); this answer's wait is the outage's, not the limit's.
        limiter.context.view_rate_limit = None
        retry = str(current_app.config["DATABASE_RETRY_AFTER"])
        return body, status, {"Retry-After": retry, "Cache-Control": "no-store"}

    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, database_unavailable)

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        _rollback()
        log.exception("Unhandled error")
        return error_page(500)
