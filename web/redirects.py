"""Where a form may send the reader back to: only paths on this site."""

from urllib.parse import urlsplit


def safe_next(target: str | None, default: str) -> str:
    """`target` when it is a same-site path (no scheme, no host, not `//host`), else `default`."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return default
