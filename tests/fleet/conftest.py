"""The fleet: nginx in front of two gunicorn instances on one PostgreSQL database and Redis.

Runs in the normal `make test` on a machine that has nginx (with the purge and brotli modules),
PostgreSQL and Redis; skips with the reason otherwise, except under CI=true, where a missing
piece is a failure (.ci/run installs them).
"""

from __future__ import annotations

import os
import re
import subprocess
import urllib.parse
from http.cookiejar import CookieJar
from urllib.request import HTTPCookieProcessor, HTTPErrorProcessor, Request, build_opener

import pytest

from deploy.fleet import Fleet, missing
from tests.conftest import PASSWORD

pytestmark = pytest.mark.fleet


@pytest.fixture(scope="session")
def fleet():
    gaps = missing()
    if gaps:
        reason = "the fleet needs " + "; ".join(gaps)
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    with Fleet(app="tests.fleet.harness:create_app()") as running:
        yield running


class NoRedirects(HTTPErrorProcessor):
    """Hand back every status as it is: the tests look at redirects and errors themselves."""

    def http_response(self, request, response):
        return response


class Browser:
    """Enough of a browser for the fleet: cookies, the headers a browser sends, no redirects."""

    def __init__(self):
        self.cookies = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.cookies), NoRedirects())

    def request(self, method: str, url: str, data: dict | None = None, headers=None):
        origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(url))
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        all_headers = {"Accept-Encoding": "identity"}
        if method != "GET":
            all_headers |= {"Origin": origin, "Sec-Fetch-Site": "same-origin"}
        request = Request(url, data=body, method=method, headers=all_headers | (headers or {}))
        response = self.opener.open(request, timeout=60)
        response.text = response.read().decode()
        return response

    def get(self, url: str, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url: str, data: dict | None = None, **kwargs):
        return self.request("POST", url, data or {}, **kwargs)

    def sign_in(self, base: str, email: str) -> str:
        """Sign in at `base`; returns the CSRF token its pages carry."""
        response = self.post(base + "/auth/login", {"email": email, "password": PASSWORD})
        assert response.status == 302, response.text[:500]
        page = self.get(base + "/admin/")
        assert page.status == 200
        return re.search(r'"X-CSRFToken": "([^"]+)"', page.text).group(1)


def create_staff(fleet: Fleet, email: str, role: str) -> None:
    subprocess.run(
        [".venv/bin/flask", "create-user", email, "--role", role, "--name", email.split("@")[0]]
        + ["--password", PASSWORD],
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
        env=fleet.environment(),
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture(scope="session")
def staff(fleet):
    """An editor and a reviewer (two people: the four-eyes rule), created once."""
    create_staff(fleet, "fleet-editor@example.org", "editor")
    create_staff(fleet, "fleet-reviewer@example.org", "reviewer")
    return {"editor": "fleet-editor@example.org", "reviewer": "fleet-reviewer@example.org"}
