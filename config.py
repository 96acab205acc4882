"""Configuration read from the environment, in one place; see README "Configuration".

`VETTED_ENV=production` turns the defaults that suit a laptop (a generated secret key, SQLite in
the instance folder, rate limits in memory) into errors, so a misconfigured server refuses to
start instead of running with settings that would lose sessions, data or limits.
"""

import functools
import hashlib
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

PRODUCTION = "production"
# The cookie remembering a reader's "Which best describes you?" role (web/audience.py). Caches
# key on it (caching/, and deploy/nginx.conf.template as $cookie_vetted_audience).
AUDIENCE_COOKIE = "vetted_audience"
# What production cannot do without, and why: each missing one is one line of the error.
REQUIRED_IN_PRODUCTION = {
    "SECRET_KEY": "signs sessions and cookies; every app server needs the same one "
    "(python3 -c 'import secrets; print(secrets.token_hex(32))')",
    "DATABASE_URL": "the database every app server shares, "
    "e.g. postgresql+psycopg://vetted@db.internal:5432/vetted",
    "REDIS_URL": "shared rate limits for every worker and app server, e.g. redis://cache.internal:6379/0",
}


class SettingsError(RuntimeError):
    """Production settings are missing; the message has one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def environment() -> str:
    """`production` or `development` (the default, for `make run` and tests)."""
    return os.environ.get("VETTED_ENV", "development").strip().lower() or "development"


def production_problems() -> list[str]:
    """One line per setting production needs and the environment lacks (empty: all set)."""
    if environment() != PRODUCTION:
        return []
    return [
        f"VETTED_ENV=production needs {name}: {why}."
        for name, why in REQUIRED_IN_PRODUCTION.items()
        if not os.environ.get(name, "").strip()
    ]


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


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in ("1", "true", "yes", "on")


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


ROOT = Path(__file__).resolve().parent

# Request bodies: one limit, read by the app (MAX_CONTENT_LENGTH) and by nginx, whose
# client_max_body_size deploy/fleet.py renders a little above it (NGINX_BODY_MARGIN), so a body
# the app refuses always gets the app's own 413 page, which keeps the typed text, never nginx's.
NGINX_BODY_MARGIN = 64 * 1024


def max_body_bytes() -> int:
    """The largest request body the site reads: 4 MiB (a long article in every reading level,
    many times over), or MAX_BODY_BYTES from the environment."""
    return _int("MAX_BODY_BYTES", 4 * 1024 * 1024)


def nginx_body_limit() -> int:
    """nginx's client_max_body_size, in bytes: the app's limit plus a margin."""
    return max_body_bytes() + NGINX_BODY_MARGIN


@functools.cache
def catalogs_digest(root: Path = ROOT) -> str:
    """A digest of the compiled translation catalogs (translations/*/LC_MESSAGES/*.mo), read once
    per process: what is kept holding the site's translated words (a rendering's screen-reader
    labels and "Referencia", a whole page) is keyed by it, so a catalog change is never hidden
    by a copy made with the older words."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted((root / "translations").glob("*/LC_MESSAGES/*.mo")):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_id(root: Path = ROOT) -> str:
    """A digest of the code, templates, static files and compiled translation catalogs: part of
    every cached page's key, so a deploy never serves pages rendered by the previous build."""
    digest = hashlib.blake2b(catalogs_digest(root).encode(), digest_size=8)
    folders = ("templates", "static", "blueprints", "web", "caching", "services", "models")
    paths = sorted(root.glob("*.py"))
    for folder in folders:
        paths += sorted(p for p in (root / folder).rglob("*") if p.is_file())
    for path in paths:
        if "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def engine_options(url: str) -> dict:
    """Pool settings per backend: SQLite tuning happens on connect (see extensions.py)."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 15}}
    # A database that stops answering must fail a request in seconds (a 503 page), not hang a
    # worker; pre-ping replaces connections that died while the database was away.
    return {
        "pool_pre_ping": True,
        "pool_recycle": 1800,
        "pool_timeout": 10,
        "connect_args": {"connect_timeout": 5},
    }


class Config:
    """Settings for running the site; every value can be overridden from the environment.

    :raises SettingsError: `VETTED_ENV=production` and a required setting is missing.
    """

    def __init__(self, instance_path: str):
        if problems := production_problems():
            raise SettingsError(problems)
        production = environment() == PRODUCTION
        self.VETTED_ENV = environment()
        self.SECRET_KEY = _secret_key(instance_path)
        self.SQLALCHEMY_DATABASE_URI = _database_url(instance_path)
        self.REDIS_URL = os.environ.get("REDIS_URL", "")
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        if self.REDIS_URL:
            # A Redis that stops answering must not hang requests; while it is away each
            # process keeps limits in memory, and /readyz reports it.
            self.RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}
            self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_HEADERS_ENABLED = True
        # Lets several sites (or test runs) share one Redis without sharing their limits.
        self.RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "vetted")
        # Proxies in front of the app that set X-Forwarded-For and X-Forwarded-Proto (nginx: 1).
        # Only then are those headers believed: the audit log and rate limits key on the client
        # address, which a client could otherwise forge.
        self.TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
        # Caches to purge when a page changes: nginx purge endpoints, space-separated.
        self.CACHE_PURGE_URLS = os.environ.get("CACHE_PURGE_URLS", "").split()
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", production)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_HTTPONLY = True
        # "Keep me signed in" lasts two weeks (Flask-Login's default is a year); signing out
        # ends it at once (services/staff/sessions.py).
        self.REMEMBER_COOKIE_DURATION = timedelta(days=_int("REMEMBER_DAYS", 14))
        # Any staff session ends on the server that long after sign-in at most, and one without
        # "keep me signed in" once unused this long (services/staff/sessions.py).
        self.SESSION_IDLE = timedelta(hours=_int("SESSION_IDLE_HOURS", 12))
        # User management asks for the password again when it was last typed longer ago than
        # this (web/reauthenticate.py); a session restored from the remember-me cookie always asks.
        self.REAUTHENTICATE_AFTER = timedelta(minutes=_int("REAUTHENTICATE_MINUTES", 10))
        # Sign-in attempts per account (a digest of the typed email), besides those per address;
        # only failures count, and each window ends by itself: slowed, never locked out for good.
        self.LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get(
            "LOGIN_ACCOUNT_RATE_LIMIT", "5 per minute; 20 per hour"
        )
        # Strict-Transport-Security from the app (web/security.py): on in production, where the
        # site is served over HTTPS only; 0 leaves the header out.
        self.HSTS_MAX_AGE = _int("HSTS_MAX_AGE", 31_536_000 if production else 0)
        self.PREFERRED_URL_SCHEME = "https" if self.SESSION_COOKIE_SECURE else "http"
        self.WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session; no 1-hour surprise
        # web/csrf.py runs the checks: the origin of every unsafe request, and the token as well
        # for signed-in staff, so anonymous pages need no session cookie.
        self.WTF_CSRF_CHECK_DEFAULT = False
        self.COMPRESS_MIMETYPES = [
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "application/json",
            "application/ld+json",
            "application/xml",
            "application/atom+xml",
        ]
        self.COMPRESS_ALGORITHM = ["br", "gzip"]
        self.COMPRESS_MIN_SIZE = 500
        self.COMPRESS_BR_LEVEL = 6  # within 1% of the smallest output, at a fraction of the CPU
        self.SEND_FILE_MAX_AGE_DEFAULT = 3600
        self.STATIC_BUILD_DIR = str(ROOT / "static" / "dist")
        self.SITEMAP_MAX_URLS = 50_000  # the sitemaps.org limit per file
        self.DATABASE_RETRY_AFTER = 30  # seconds, sent with the 503 page while the database is away
        # Anonymous pages the app's page cache keeps at most (caching/pages.py): the least
        # recently stored go first.
        self.PAGE_CACHE_MAX_ROWS = _int("PAGE_CACHE_MAX_ROWS", 5000)
        # Article PDFs kept (caching/pdfs.py), and how many a client may have made: a kept one
        # costs a query, a new one about a second of CPU (blueprints/articles/printing.py).
        self.PDF_CACHE_MAX_ROWS = _int("PDF_CACHE_MAX_ROWS", 2000)
        self.PDF_RATE_LIMIT = os.environ.get("PDF_RATE_LIMIT", "10 per minute; 100 per hour")
        self.BUILD_ID = build_id()
        # argon2id parameters for new password hashes, a profile of argon2.profiles. Not read
        # from the environment: only the test suite lowers it.
        self.PASSWORD_HASH_PROFILE = "RFC_9106_LOW_MEMORY"
        # Follow-up questions: per client (address), shared through Redis when REDIS_URL is set.
        self.FOLLOWUP_RATE_LIMIT = os.environ.get(
            "FOLLOWUP_RATE_LIMIT", "10 per minute; 60 per hour"
        )
        # Readers' follow-up forms only (blueprints/followups): staff saves of long articles are
        # not capped by it.
        self.FOLLOWUP_MAX_BYTES = 64 * 1024
        # Every other form, the editor's included; nginx allows a little more (above).
        self.MAX_CONTENT_LENGTH = max_body_bytes()
