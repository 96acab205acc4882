"""One body limit through nginx: a save over the app's limit gets the app's own 413 page (which
says the typed text is still in the form), never nginx's bare one."""

from __future__ import annotations

import re

from config import max_body_bytes, nginx_body_limit
from tests.fleet.conftest import Browser, with_values
from tests.fleet.test_fleet import query


def test_nginx_is_configured_from_the_apps_limit(fleet):
    rendered = fleet.nginx_config()
    [limit] = re.findall(r"client_max_body_size (\d+);", rendered)
    assert int(limit) == nginx_body_limit() > max_body_bytes()


def test_a_save_over_the_limit_through_nginx_gets_the_apps_page(fleet, staff):
    editor = Browser()
    token = editor.sign_in(fleet.url, staff["editor"])
    [(article_id,)] = query(fleet, "SELECT id FROM articles WHERE slug = 'mrd-testing-all'")
    edit = f"/admin/articles/{article_id}/edit"
    form = editor.form(fleet.url + edit, edit)
    field = next(name for name, _ in form if re.fullmatch(r"sections-\d+-clinical", name))
    # Over the app's limit, under nginx's: the app answers.
    text = "x " * ((max_body_bytes() + nginx_body_limit()) // 4)
    changes = {"csrf_token": token, "action": "save", field: text}
    refused = editor.post(fleet.url + edit, with_values(form, changes))
    assert refused.status == 413
    assert "nginx" not in refused.text and "<html" in refused.text
    assert "Go back: what you typed is still in the form" in refused.text
    assert f"up to {max_body_bytes() // 1_048_576} MB" in refused.text
