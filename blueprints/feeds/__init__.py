"""For crawlers and feed readers: robots.txt, the sitemaps and the Atom feed."""

from blueprints.feeds.routes import bp

__all__ = ["bp"]
