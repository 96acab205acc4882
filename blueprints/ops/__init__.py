"""Operations endpoints: /healthz (the process) and /readyz (database and Redis)."""

from blueprints.ops.routes import bp

__all__ = ["bp"]
