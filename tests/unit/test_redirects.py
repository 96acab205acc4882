import pytest

from web.redirects import safe_next


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/articles/x", "/articles/x"),
        ("/admin/?page=2", "/admin/?page=2"),
        ("https://evil.example/", "/home"),
        ("//evil.example/x", "/home"),
        ("javascript:alert(1)", "/home"),
        ("", "/home"),
        (None, "/home"),
    ],
)
def test_only_same_site_paths_are_followed(target, expected):
    assert safe_next(target, "/home") == expected
