from blueprints.feeds.routes import bp

__all__ = ["bp"]
