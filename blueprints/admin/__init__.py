"""The staff area, one module per concern; importing each registers its routes on `bp`."""

from blueprints.admin import dashboard, followups  # noqa: F401
from blueprints.admin.base import bp

__all__ = ["bp"]
