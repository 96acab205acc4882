"""The one request fact the audit log is handed: the client's address.

Services never read the request, so this hook puts the address where services.staff.audit looks
for it, on the session of the request's transaction (behind a trusted proxy, the forwarded one).
"""

from flask import Flask, request

from extensions import db
from services.staff.audit import CLIENT_ADDRESS


def init_app(app: Flask) -> None:
    """Note each request's client address before any view or service runs."""
    app.before_request(_note_client_address)


def _note_client_address() -> None:
    db.session.info[CLIENT_ADDRESS] = request.remote_addr or ""
