"""Template filters, and the one request fact services are handed: the client's address."""

from datetime import date, datetime

from flask import Flask, request

from extensions import db
from services.staff.audit import CLIENT_ADDRESS


def init_app(app: Flask) -> None:
    """Register the date filters and the hook that hands the audit log the client's address."""
    app.add_template_filter(long_date)
    app.add_template_filter(long_datetime)
    app.add_template_filter(utc_iso)
    app.before_request(_note_client_address)


def _note_client_address() -> None:
    """Services never read the request; the audit log gets the client's address this way."""
    db.session.info[CLIENT_ADDRESS] = request.remote_addr or ""


def long_date(value: date | datetime) -> str:
    """May 7, 2025: unambiguous for readers in any country."""
    return f"{value:%B} {value.day}, {value.year}"


def long_datetime(value: datetime) -> str:
    """May 7, 2025 at 14:05 UTC: staff records, where the order within a day matters."""
    return f"{long_date(value)} at {value:%H:%M} UTC"


def utc_iso(value: datetime) -> str:
    """A `<time datetime>` value for a stored time (naive, in UTC), saying that it is UTC."""
    return f"{value.isoformat(timespec='seconds')}Z"
