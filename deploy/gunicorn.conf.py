"""Gunicorn settings for Vetted (`make run` uses them; so does the fleet in deploy/README.md).

Every value can be overridden from the environment (HOST, PORT, WORKERS, THREADS) or on the
command line. Logs are JSON lines on stderr: the app writes one per request (web/logs.py), so
gunicorn's own access log is off.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from config import production_problems  # noqa: E402

wsgi_app = "app:create_app()"
bind = [f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"]
workers = int(os.environ.get("WORKERS", "2"))
# Threads let a worker serve other readers while one waits on the database.
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "4"))
# A request gets 30 s; on TERM (a deploy), workers stop accepting and finish what they have.
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, jittered so they never restart together.
max_requests = 10_000
max_requests_jitter = 1_000
# The proxy's forwarded headers are read by the app (ProxyFix, TRUSTED_PROXIES), in one place;
# gunicorn must neither act on them nor refuse requests over them.
forwarded_allow_ips = ""
# Several instances may run on one machine (the fleet); nothing here uses `gunicornc`.
control_socket_disable = True

accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "web.logs.JsonFormatter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "WARNING", "handlers": ["stderr"]},
    "loggers": {
        "vetted": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
    },
}


def on_starting(server) -> None:
    """Refuse to start a production server with settings missing: one line each, no traceback."""
    if problems := production_problems():
        for line in problems:
            server.log.error(line)
        sys.exit(1)


def post_worker_init(worker) -> None:
    """Load textstat's pronunciation dictionary now, not in the first save a worker takes
    (it costs seconds; a restarted worker would otherwise make an editor wait)."""
    from services.reading.readability import measure

    measure("Warm up.")
