"""Static files: fingerprinted names, served precompressed and immutable.

scripts/build_static.py writes static/dist/ (`vetted.3f2a1c0d.css`, `.br` and `.gz` beside each,
and a manifest). Templates keep calling `url_for('static', filename='css/vetted.css')`: the
`url_defaults` hook below turns that into the fingerprinted name, in this one place. A file that
is not in the manifest (no build yet, as in a fresh checkout's tests) is served from static/ as
it is, for an hour.
"""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, current_app, request, send_from_directory
from werkzeug.security import safe_join

SOURCE = Path(__file__).resolve().parents[1] / "static"
MANIFEST = "manifest.json"
YEAR = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={YEAR}, immutable"
PRECOMPRESSED = (("br", ".br"), ("gzip", ".gz"))  # in order of preference


@dataclass(frozen=True)
class Assets:
    build_dir: Path
    names: dict[str, str]  # original path → fingerprinted path
    built: frozenset[str]  # fingerprinted paths


def load(build_dir: Path) -> Assets:
    """The build's manifest, or an empty one when nothing was built."""
    try:
        names = json.loads((build_dir / MANIFEST).read_text())
    except FileNotFoundError:
        names = {}
    return Assets(build_dir, names, frozenset(names.values()))


def serve(filename: str) -> Response:
    """A static file: fingerprinted ones precompressed and immutable, others from static/."""
    assets: Assets = current_app.extensions["vetted_assets"]
    if filename not in assets.built:
        return send_from_directory(SOURCE, filename)
    options = {
        "mimetype": mimetypes.guess_type(filename)[0] or "application/octet-stream",
        "download_name": Path(filename).name,
        "max_age": YEAR,
    }
    for encoding, suffix in PRECOMPRESSED:
        packed = assets.build_dir / (filename + suffix)
        if request.accept_encodings.quality(encoding) > 0 and packed.is_file():
            response = send_from_directory(assets.build_dir, filename + suffix, **options)
            response.headers["Content-Encoding"] = encoding
            break
    else:
        response = send_from_directory(assets.build_dir, filename, **options)
    response.headers["Cache-Control"] = IMMUTABLE
    response.vary.add("Accept-Encoding")
    return response


def file_for(filename: str) -> Path | None:
    """The file on disk that /static/`filename` serves (built or as it is), or None: for
    renderers that read our own files instead of asking the network (the article PDF)."""
    assets: Assets = current_app.extensions["vetted_assets"]
    folder = assets.build_dir if filename in assets.built else SOURCE
    found = safe_join(str(folder), filename)
    return Path(found) if found and Path(found).is_file() else None


def init_app(app: Flask) -> None:
    """Serve /static/ and map `url_for('static', ...)` to fingerprinted names.

    The app is created with `static_folder=None`, so this is the one static route.
    """
    assets = load(Path(app.config["STATIC_BUILD_DIR"]))
    app.extensions["vetted_assets"] = assets
    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=serve)

    @app.url_defaults
    def fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and (name := assets.names.get(values.get("filename", ""))):
            values["filename"] = name
