"""The staff area, one module per concern; importing each registers its routes on `bp`."""

from blueprints.admin import (  # noqa: F401
    articles,
    audit,
    dashboard,
    editor,
    editor_side,
    followups,
    glossary,
    languages,
    library_changes,
    links,
    references,
    review,
    revisions,
    settings,
    translations,
    users,
)
from blueprints.admin.base import bp

__all__ = ["bp"]
