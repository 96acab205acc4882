"""Staff sign-in and sign-out, and the set-password link."""

from blueprints.auth.routes import bp

__all__ = ["bp"]
