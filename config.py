"""Configuration read from the environment; see README "Configuration"."""

import os
import secrets
import tempfile
from pathlib import Path


def _secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one generated once into the instance folder."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written to a private temporary file (0600) and renamed into place, so workers starting
        # together never read a half-written key; the first rename wins for all of them.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip()


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{Path(instance_path) / 'vetted.db'}"
    # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants postgresql+psycopg.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def engine_options(url: str) -> dict:
    """Pool settings per backend: SQLite tuning happens on connect (see extensions.py)."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 15}}
    return {"pool_pre_ping": True, "pool_recycle": 1800}


class Config:
    """Settings for running the site; every value can be overridden from the environment."""

    def __init__(self, instance_path: str):
        self.SECRET_KEY = _secret_key(instance_path)
        self.SQLALCHEMY_DATABASE_URI = _database_url(instance_path)
        self.RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "memory://")
        self.RATELIMIT_HEADERS_ENABLED = True
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "") == "1"
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session; no 1-hour surprise
        self.COMPRESS_MIMETYPES = [
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "application/json",
            "application/ld+json",
        ]
        self.COMPRESS_ALGORITHM = ["br", "gzip"]
        self.COMPRESS_MIN_SIZE = 500
        self.COMPRESS_BR_LEVEL = 6  # within 1% of the smallest output, at a fraction of the CPU
        self.SEND_FILE_MAX_AGE_DEFAULT = 3600
        # Follow-up questions: per client (address), shared through Redis when REDIS_URL is set.
        self.FOLLOWUP_RATE_LIMIT = os.environ.get(
            "FOLLOWUP_RATE_LIMIT", "10 per minute; 60 per hour"
        )
        # Readers' follow-up forms only (blueprints/followups): staff saves of long articles are
        # not capped by it.
        self.FOLLOWUP_MAX_BYTES = 64 * 1024
