"""Reading: home, search, topics, the glossary, the article page and its swappable parts,
pending and history pages; revision permalinks, the print view and the PDF (printing.py)."""

from blueprints.articles import printing  # noqa: F401  (registers its views on bp)
from blueprints.articles.routes import bp

__all__ = ["bp"]
