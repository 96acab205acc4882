"""Reading: home, search, topics, the glossary, the article page and its swappable parts,
pending and history pages."""

from blueprints.articles.routes import bp

__all__ = ["bp"]
