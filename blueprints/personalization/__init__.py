"""The picker's no-JavaScript path (web/audience.py has the audience itself)."""

from blueprints.personalization.routes import bp

__all__ = ["bp"]
