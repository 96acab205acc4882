"""Blueprints, one folder each: the site's pages and actions. `register` wires them."""

from flask import Flask

from blueprints import admin, articles, auth, feeds, followups, ops, personalization


def register(app: Flask) -> None:
    """Register every blueprint."""
    app.register_blueprint(articles.bp)
    app.register_blueprint(personalization.bp)
    app.register_blueprint(followups.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(ops.bp)
    app.register_blueprint(feeds.bp)
