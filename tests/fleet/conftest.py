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
from collections.abc import Mapping, Sequence
from html.parser import HTMLParser
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
    with Fleet() as running:
        yield running


class NoRedirects(HTTPErrorProcessor):
    """Hand back every status as it is: the tests look at redirects and errors themselves."""

    def http_response(self, request, response):
        return response


Fields = Sequence[tuple[str, str]]


class FormReader(HTMLParser):
    """The fields a browser would send for the form posting to `action`: inputs (checkboxes and
    radios only when checked), textareas and selected options, those inside the form and those
    outside that name it (`form="…"`). The pressed button's name and value are the caller's."""

    SKIPPED = frozenset({"submit", "button", "image", "reset", "file"})
    INSIDE = "\0inside"  # the owner of controls within the form itself

    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action = action
        self.form_id: str | None = None
        self.found = self.inside = False
        self.owned: dict[str, list[tuple[str, str]]] = {}
        self.textarea: tuple[str, str] | None = None  # (owner, name)
        self.text: list[str] = []
        self.select: tuple[str, str] | None = None
        self.first_option: str | None = None
        self.chosen = False

    def _add(self, owner: str, name: str, value: str) -> None:
        self.owned.setdefault(owner, []).append((name, value))

    def handle_starttag(self, tag, attrs):
        a = {name: value or "" for name, value in attrs}
        if tag == "form":
            path = urllib.parse.urlsplit(a.get("action", "")).path
            self.inside = not self.found and path == self.action  # the first such form
            if self.inside:
                self.found, self.form_id = True, a.get("id")
            return
        owner = a["form"] if "form" in a else self.INSIDE if self.inside else None
        if owner is None or "disabled" in a:
            return
        name, kind = a.get("name"), a.get("type", "text")
        if tag == "input" and name and kind not in self.SKIPPED:
            if kind not in ("checkbox", "radio"):
                self._add(owner, name, a.get("value", ""))
            elif "checked" in a:
                self._add(owner, name, a.get("value", "on"))
        elif tag == "textarea" and name:
            self.textarea, self.text = (owner, name), []
        elif tag == "select" and name:
            self.select, self.first_option, self.chosen = (owner, name), None, "multiple" in a
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = a.get("value", "")
            if "selected" in a:
                self._add(*self.select, a.get("value", ""))
                self.chosen = True

    def handle_data(self, data):
        if self.textarea is not None:
            self.text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            # A browser drops one newline right after <textarea>.
            self._add(*self.textarea, "".join(self.text).removeprefix("\n"))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            if not self.chosen and self.first_option is not None:
                self._add(*self.select, self.first_option)  # a single select shows its first
            self.select = None

    @property
    def fields(self) -> list[tuple[str, str]]:
        outside = self.owned.get(self.form_id, []) if self.form_id else []
        return self.owned.get(self.INSIDE, []) + outside


def form_fields(html: str, action: str) -> list[tuple[str, str]]:
    """What the form posting to `action` (a path) on this page sends; AssertionError if the page
    has no such form (the user is offered no such button)."""
    reader = FormReader(action)
    reader.feed(html)
    reader.close()
    assert reader.found, f"no form posting to {action}"
    return reader.fields


def with_values(fields: Fields, values: Mapping[str, str]) -> list[tuple[str, str]]:
    """`fields` with these names' values replaced (or added, when the form lacks them), as a
    person types into a form before sending it."""
    replaced = [(name, values.get(name, value)) for name, value in fields]
    present = {name for name, _ in fields}
    return replaced + [(name, value) for name, value in values.items() if name not in present]


class Browser:
    """Enough of a browser for the fleet: cookies, the headers a browser sends, no redirects."""

    def __init__(self):
        self.cookies = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.cookies), NoRedirects())

    def request(self, method: str, url: str, data: Mapping | Fields | None = None, headers=None):
        origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(url))
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        all_headers = {"Accept-Encoding": "identity"}
        if method != "GET":
            all_headers |= {"Origin": origin, "Sec-Fetch-Site": "same-origin"}
        request = Request(url, data=body, method=method, headers=all_headers | (headers or {}))
        response = self.opener.open(request, timeout=60)
        response.text = response.read().decode()
        return response

    def get(self, url: str, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url: str, data: Mapping | Fields | None = None, **kwargs):
        return self.request("POST", url, data or {}, **kwargs)

    def form(self, page_url: str, action: str) -> list[tuple[str, str]]:
        """Open `page_url` and read the form that posts to `action` (a path), as filled in."""
        page = self.get(page_url)
        assert page.status == 200, f"{page_url}: {page.status} {page.text[:300]}"
        return form_fields(page.text, action)

    def sign_in(self, base: str, email: str) -> str:
        """Sign in at `base`; returns the CSRF token its pages carry."""
        response = self.post(base + "/auth/login", {"email": email, "password": PASSWORD})
        assert response.status == 302, response.text[:500]
        page = self.get(base + "/admin/")
        assert page.status == 200
        return re.search(r'"X-CSRFToken": "([^"]+)"', page.text).group(1)


def create_staff(fleet: Fleet, people: dict[str, str]) -> None:
    """Create staff accounts (email → role) with the command line, as an operator would; the
    commands run side by side."""
    commands = [
        subprocess.Popen(
            [".venv/bin/flask", "create-user", email, "--role", role]
            + ["--name", email.split("@")[0], "--password", PASSWORD],
            cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
            env=fleet.environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for email, role in people.items()
    ]
    for command in commands:
        output, _ = command.communicate(timeout=60)
        assert command.returncode == 0, output.decode(errors="replace")


@pytest.fixture(scope="session")
def staff(fleet):
    """An editor and a reviewer (two people: the four-eyes rule), created once."""
    people = {"fleet-editor@example.org": "editor", "fleet-reviewer@example.org": "reviewer"}
    create_staff(fleet, people)
    return {"editor": "fleet-editor@example.org", "reviewer": "fleet-reviewer@example.org"}
