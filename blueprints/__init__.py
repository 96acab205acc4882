"""Blueprints, one folder each: the site's pages and actions. `register` wires them."""

from flask import Blueprint, Flask

from blueprints import admin, articles, auth, feeds, followups, ops, personalization
from web.language import LOCALIZED, LanguageConverter, enter_language

# What readers read and do, served again under /<language>/ for every enabled language but the
# source one (web/language.py). Staff screens, sign-in, health checks and the feeds and sitemaps
# keep their one address.
READER_BLUEPRINTS = (articles.bp, personalization.bp, followups.bp)


def register(app: Flask) -> None:
    """Register every blueprint, and the reader blueprints again under the language prefix."""
    for blueprint in READER_BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.url_map.converters["lang"] = LanguageConverter
    localized = Blueprint(LOCALIZED, __name__, url_prefix="/<lang:lang_code>")
    localized.url_value_preprocessor(enter_language)
    for blueprint in READER_BLUEPRINTS:
        localized.register_blueprint(blueprint)
    app.register_blueprint(localized)
    app.register_blueprint(admin.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(ops.bp)
    app.register_blueprint(feeds.bp)
