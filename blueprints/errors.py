"""Error pages in the site's style: never a stack trace, always a way back."""

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from blueprints.rescue import rescue_for_request
from extensions import db
from services.errors import DomainError

MESSAGES = {
    400: ("Something in that request was not right", "Please go back and try again."),
    403: ("You can’t do that", "Your account does not allow this action."),
    404: ("We can’t find that page", "It may have moved, or the address may have a typo."),
    405: ("That doesn’t work here", "This page does not accept that kind of request."),
    409: ("That change conflicts", "The content changed since you opened it."),
    429: ("Too many requests", "Please wait a minute, then try again."),
    500: ("Something went wrong on our side", "We have been notified. Please try again shortly."),
}


def _page(status: int, detail: str | None = None):
    title, default_detail = MESSAGES.get(status, MESSAGES[500])
    template = "errors/fragment.html" if request.htmx else "errors/page.html"
    return render_template(
        template, status=status, title=title, detail=detail or default_detail
    ), status


def init_app(app: Flask) -> None:
    """Register the error pages."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _page(error.code or 500)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        if (rescue := rescue_for_request()) is not None:
            return rescue("expired")  # the editor's text comes back with a fresh token
        return _page(
            400, "Your form expired. Reload the page and send it again; nothing was saved."
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return _page(error.status_code, str(error))

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error")
        return _page(500)
