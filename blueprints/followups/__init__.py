from blueprints.followups.routes import bp

__all__ = ["bp"]
