"""Static files: fingerprinted at build time, served immutable and precompressed."""

import gzip
import json
import re

import brotli
import pytest

from scripts.build_static import build, fingerprinted

SOURCE = build.__defaults__[0]
IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    return tmp_path_factory.mktemp("static") / "dist"


@pytest.fixture(scope="module")
def manifest(dist):
    return build(SOURCE, dist)


@pytest.fixture
def static_client(app_factory, manifest, dist):
    return app_factory(STATIC_BUILD_DIR=str(dist)).test_client()


def test_build_names_each_file_by_its_content(manifest, dist):
    css = (SOURCE / "css/vetted.css").read_bytes()
    assert re.fullmatch(r"css/vetted\.[0-9a-f]{8}\.css", manifest["css/vetted.css"])
    assert (
        manifest["css/vetted.css"]
        == fingerprinted(SOURCE.joinpath("css/vetted.css").relative_to(SOURCE), css).as_posix()
    )
    assert {"css/staff.css", "js/vetted.js", "vendor/htmx.min.js", "favicon.svg"} <= set(manifest)
    assert json.loads((dist / "manifest.json").read_text()) == manifest
    built = dist / manifest["css/vetted.css"]
    assert built.read_bytes() == css
    assert brotli.decompress(built.with_name(built.name + ".br").read_bytes()) == css
    assert gzip.decompress(built.with_name(built.name + ".gz").read_bytes()) == css
    assert len(built.with_name(built.name + ".br").read_bytes()) < len(css) / 3


def test_a_changed_file_gets_a_new_name(tmp_path):
    (tmp_path / "src/css").mkdir(parents=True)
    (tmp_path / "src/css/a.css").write_text("a { color: red }")
    first = build(tmp_path / "src", tmp_path / "out")["css/a.css"]
    (tmp_path / "src/css/a.css").write_text("a { color: blue }")
    second = build(tmp_path / "src", tmp_path / "out")["css/a.css"]
    assert first != second
    assert not (tmp_path / "out" / first).exists() and (tmp_path / "out" / second).exists()


def test_templates_link_the_fingerprinted_files(static_client, manifest, demo):
    html = static_client.get("/articles/all-blast-crisis-treatment").get_data(as_text=True)
    for name in ("css/vetted.css", "vendor/htmx.min.js", "js/vetted.js", "favicon.svg"):
        assert f'"/static/{manifest[name]}"' in html
        assert f'"/static/{name}"' not in html


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [
        ("gzip, deflate, br, zstd", "br", brotli.decompress),
        ("gzip", "gzip", gzip.decompress),
        ("", None, lambda body: body),
    ],
)
def test_fingerprinted_files_are_immutable_and_precompressed(
    static_client, manifest, accept, encoding, decode
):
    response = static_client.get(
        f"/static/{manifest['css/vetted.css']}", headers={"Accept-Encoding": accept}
    )
    body = response.get_data()
    response.close()
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert response.expires.year > response.date.year  # no stale Expires beside max-age
    assert response.mimetype == "text/css"
    assert response.headers.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert decode(body) == (SOURCE / "css/vetted.css").read_bytes()


def test_javascript_keeps_its_type_when_precompressed(static_client, manifest):
    response = static_client.get(
        f"/static/{manifest['vendor/htmx.min.js']}", headers={"Accept-Encoding": "br"}
    )
    response.close()
    assert response.mimetype == "text/javascript"
    assert response.headers["Content-Encoding"] == "br"


def test_unfingerprinted_names_still_work_for_an_hour(static_client):
    response = static_client.get("/static/css/vetted.css")
    response.close()
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=3600"


def test_without_a_build_the_plain_names_are_linked(app_factory, tmp_path, demo):
    client = app_factory(STATIC_BUILD_DIR=str(tmp_path / "nothing")).test_client()
    html = client.get("/").get_data(as_text=True)
    assert '"/static/css/vetted.css"' in html
    response = client.get("/static/css/vetted.css")
    response.close()
    assert response.status_code == 200


def test_cannot_read_outside_static(static_client):
    assert static_client.get("/static/../config.py").status_code == 404
    assert static_client.get("/static/%2e%2e/config.py").status_code == 404
