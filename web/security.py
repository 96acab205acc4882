"""Response headers every page carries: a strict CSP and friends, and Vary for htmx caching."""

from flask import Flask, Response, current_app

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def set_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if max_age := current_app.config.get("HSTS_MAX_AGE"):
        # Production is HTTPS only: browsers never try plain HTTP again (nginx sends it too).
        headers.setdefault("Strict-Transport-Security", f"max-age={max_age}")
    if response.mimetype == "text/html":
        # The same URL answers with a whole page or an htmx fragment: caches must keep them
        # apart. (Cache-Control, the ETag and Vary: Cookie where it matters: caching.py.)
        response.vary.add("HX-Request")
    return response


def close_streamed_body(response: Response) -> Response:
    """Make sure a streamed file (static CSS/JS) is closed after Flask-Compress wraps it.

    Flask-Compress replaces a streamed body with a compressing generator and drops the
    reference to werkzeug's FileWrapper, so the file would stay open until garbage collection.
    """
    if response.is_streamed and hasattr(response.response, "close"):
        response.call_on_close(response.response.close)
    return response


def init_app(app: Flask) -> None:
    # after_request hooks run in reverse order of registration: both of these run before
    # Flask-Compress (registered earlier, in create_app), so the file is closed whatever
    # Flask-Compress does with it.
    app.after_request(close_streamed_body)
    app.after_request(set_headers)
