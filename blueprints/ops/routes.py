"""Health checks for the proxy and orchestrators: cheap, JSON, never cached, never limited."""

from __future__ import annotations

import logging
from functools import cache

import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify

from extensions import db, limiter

bp = Blueprint("ops", __name__)
log = logging.getLogger("vetted.ops")


@cache
def _migration_heads(directory: str) -> frozenset[str]:
    """The revisions the code expects the database at (read from the files once per process)."""
    config = AlembicConfig()
    config.set_main_option("script_location", directory)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """The process is alive and answering; touches nothing else."""
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Ready for traffic: the database answers at the migrations' head. Redis (when set) is
    checked too, but a Redis that does not answer only makes the server degraded (still 200):
    rate limits fall back to memory. nginx does not serve this address: ask the app server."""
    checks: dict[str, str] = {}
    expected = _migration_heads(current_app.extensions["migrate"].directory)
    try:
        found = frozenset(db.session.scalars(sa.text("SELECT version_num FROM alembic_version")))
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        log.warning("Not ready: database", extra={"error": type(error).__name__})
        checks["database"] = "unreachable"
    else:
        checks["database"] = "ok"
        if found == expected:
            checks["migrations"] = "ok"
        else:
            checks["migrations"] = (
                f"database at {', '.join(sorted(found)) or 'no revision'}, "
                f"code expects {', '.join(sorted(expected))}"
            )
    ready = all(value == "ok" for value in checks.values())
    status = "ready" if ready else "not ready"
    if current_app.config.get("REDIS_URL"):
        if _redis_answers():
            checks["redis"] = "ok"
        else:
            # Not a reason to take the server out: each process keeps limits in memory meanwhile.
            checks["redis"] = "degraded: unreachable, rate limits kept in memory per process"
            status = "degraded" if ready else status
    response = jsonify(status=status, checks=checks)
    response.status_code = 200 if ready else 503
    return _no_store(response)


def _redis_answers() -> bool:
    try:
        return bool(limiter.storage.check())
    except Exception:  # noqa: BLE001 (any failure of the storage means it does not answer)
        return False
