from blueprints.articles.routes import bp

__all__ = ["bp"]
