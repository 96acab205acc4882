"""Structured logs: one JSON line per request and per error, each with the request's id.

The id comes from the proxy's `X-Request-ID` when it is a sane token, else it is made here; it is
echoed in the response, so a reader's report, nginx's log and ours can be matched. Query strings
are never logged: a search can say more about a reader's health than they meant to share.

Nor is a secret in a path: a set-password link or a reader's private question link is logged as
its route (`/auth/set-password/<token>`), and every line (messages, errors, tracebacks, from
gunicorn too) has such paths masked before it is written.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

ACCESS = logging.getLogger("vetted.access")
REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
# Attributes every LogRecord has; anything else was passed in `extra=` and goes into the line.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
# URL arguments that are secrets (tests/web/test_logging.py checks every route that takes one
# starts with one of SECRET_PATHS), and the paths under which they sit.
SECRET_ARGUMENTS = frozenset({"token"})
SECRET_PATHS = ("/auth/set-password/", "/questions/")
_SECRET_IN_PATH = re.compile(
    "(" + "|".join(re.escape(p) for p in SECRET_PATHS) + r")[^/\s?#\"'<>]+"
)


def redact(text: str) -> str:
    """`text` with any path segment that may be a secret link's token replaced by `<token>`."""
    return _SECRET_IN_PATH.sub(r"\1<token>", text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if has_request_context() and "request_id" in g:
            line["request_id"] = g.request_id
        line.update(
            (key, redact(value) if isinstance(value, str) else value)
            for key, value in record.__dict__.items()
            if key not in _STANDARD
        )
        if record.exc_info:
            line["error"] = redact(repr(record.exc_info[1]))
            line["traceback"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, default=str, ensure_ascii=False)


def request_id() -> str:
    """This request's id (made on first use outside the request hooks, e.g. in a CLI)."""
    if "request_id" not in g:
        incoming = request.headers.get(REQUEST_ID_HEADER, "") if has_request_context() else ""
        g.request_id = incoming if SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    return g.request_id


def _start() -> None:
    g.request_started = time.perf_counter()
    request_id()


def _finish(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = request_id()
    started = g.get("request_started")
    rule = request.url_rule
    path = _logged_path()
    ACCESS.info(
        "%s %s %s",
        request.method,
        path,
        response.status_code,
        extra={
            "method": request.method,
            "path": path,
            "route": rule.rule if rule else None,
            "endpoint": request.endpoint,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
            "client": request.remote_addr,
            "bytes": response.content_length,
        },
    )
    return response


def _logged_path() -> str:
    """The path, or the route's pattern when the path holds a secret."""
    rule = request.url_rule
    if rule is None:
        return redact(request.path)
    return rule.rule if SECRET_ARGUMENTS & rule.arguments else request.path


def configure_default_logging() -> None:
    """JSON lines on stderr for the "vetted" loggers, unless a server (gunicorn) or pytest set
    up logging already."""
    vetted = logging.getLogger("vetted")
    if vetted.level == logging.NOTSET:
        vetted.setLevel(logging.INFO)
    if not vetted.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        vetted.addHandler(handler)


def init_app(app: Flask) -> None:
    """Register the request id and access-log hooks (call before any other extension)."""
    configure_default_logging()
    app.before_request(_start)
    # after_request hooks run in reverse order of registration: registered first, this runs
    # last, so it logs the status and size the client actually gets.
    app.after_request(_finish)
