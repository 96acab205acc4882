"""Operations endpoints: /healthz (the process) and /readyz (database; Redis as degraded).

/readyz is for the fleet's health checks on the app servers themselves: nginx answers 404 for it.
"""

from blueprints.ops.routes import bp

__all__ = ["bp"]
