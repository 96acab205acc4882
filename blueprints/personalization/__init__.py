from blueprints.personalization.routes import bp

__all__ = ["bp"]
