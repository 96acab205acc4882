"""Staff article search (issue 15): `/admin/articles?q=` finds every article, drafts included, by
a piece of its question (latest revision or listing copy) or of its address, from an index kept
in step by the database; and the list's count stops at a cap ("1,000+").

Runs on SQLite by default and on PostgreSQL with DATABASE_URL, as the whole suite does.
"""

from __future__ import annotations

import re

import pytest

from extensions import db
from services.editorial import article_search, catalogue, revisions
from tests.factories import make_article, make_sections
from tests.web.test_editor import login, page_text, staff


@pytest.fixture
def editor(app, client):
    user = staff()
    db.session.commit()
    login(client, user)
    return user


def found(client, q: str) -> list[str]:
    """The questions the list shows for `q`, in order."""
    response = client.get("/admin/articles", query_string={"q": q})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return re.findall(r'<h2 class="work-title"><a href="[^"]+">([^<]+)</a></h2>', html)


@pytest.fixture
def library(editor):
    made = {
        "ponatinib": make_article(
            slug="cml-blast-crisis-options", question="Is Ponatinib an option in blast crisis?"
        ),
        "draft": make_article(
            slug="tumor-lysis-prevention", question="How is tumour lysis prevented?", status="draft"
        ),
        "sent_back": make_article(
            slug="acme-dosing",
            question="What dose of Acmeparin is used?",
            status="changes_requested",
        ),
        "percent": make_article(slug="response-rates", question="Does 50% respond_fast?"),
    }
    db.session.commit()
    return made


def test_words_match_anywhere_case_insensitively(editor, client, library):
    assert found(client, "PONAT") == ["Is Ponatinib an option in blast crisis?"]
    assert found(client, "tinib") == ["Is Ponatinib an option in blast crisis?"]
    assert found(client, "blast ponatinib") == ["Is Ponatinib an option in blast crisis?"]
    assert found(client, "blast lysis") == []  # every word must match
    assert found(client, "zzqxv") == []


def test_drafts_and_sent_back_revisions_are_found(editor, client, library):
    assert found(client, "tumour lysis") == ["How is tumour lysis prevented?"]
    assert found(client, "acmeparin") == ["What dose of Acmeparin is used?"]


def test_the_address_is_searched(editor, client, library):
    assert found(client, "blast-crisis-opt") == ["Is Ponatinib an option in blast crisis?"]
    assert found(client, "tumor-lysis") == ["How is tumour lysis prevented?"]  # not the question


def test_wildcards_are_plain_characters(editor, client, library):
    assert found(client, "50%") == ["Does 50% respond_fast?"]
    assert found(client, "respond_f") == ["Does 50% respond_fast?"]
    assert found(client, "50_") == []
    assert found(client, "d_se") == []


def test_one_or_two_characters_match_the_start_of_a_word(editor, client, library):
    assert found(client, "cm") == ["Is Ponatinib an option in blast crisis?"]  # its address
    assert found(client, "Ac") == ["What dose of Acmeparin is used?"]
    assert found(client, "me") == []  # inside "Acmeparin", not at the start of a word
    assert found(client, "po blast") == ["Is Ponatinib an option in blast crisis?"]
    assert found(client, "%") == []


def test_the_index_follows_new_revisions(editor, client, library):
    article = library["ponatinib"]
    revisions.save_revision(
        article,
        author=editor,
        question="Is asciminib an option in blast crisis?",
        sections=make_sections(),
    )
    db.session.commit()
    # The new draft's question is found; the approved listing copy still is too.
    assert found(client, "asciminib") == ["Is asciminib an option in blast crisis?"]
    assert found(client, "ponatinib") == ["Is asciminib an option in blast crisis?"]
    created = make_article(slug="brand-new", question="Is olverembatinib tested?", status="draft")
    db.session.commit()
    assert found(client, "olverembat") == ["Is olverembatinib tested?"]
    db.session.delete(created.latest_revision)  # gone with its article, from the index too
    created.latest_revision = None
    db.session.flush()
    db.session.delete(created)
    db.session.commit()
    assert found(client, "olverembat") == []


def test_the_count_stops_at_the_cap(editor, client, monkeypatch):
    for n in range(8):
        make_article(slug=f"capped-{n}", question=f"Capped question number {n}?", status="draft")
    make_article(slug="other", question="Something else?", status="draft")
    db.session.commit()
    monkeypatch.setattr(catalogue, "COUNT_CAP", 5)
    response = client.get("/admin/articles?q=capped")
    text = page_text(response)
    assert "Showing 1–5 of 5+ articles. Narrow the filters to see past the first 5." in text
    assert len(found(client, "capped")) == 5
    assert "Page 2" not in text
    assert "Showing 1–9 of" not in page_text(client.get("/admin/articles"))
    monkeypatch.setattr(catalogue, "COUNT_CAP", 1_000)
    assert "Showing 1–8 of 8 articles." in page_text(client.get("/admin/articles?q=capped"))
    assert "Showing 1–9 of 9 articles." in page_text(client.get("/admin/articles"))


def test_a_search_the_planner_expects_to_be_common_walks_the_list_with_the_same_results(
    editor, client, library, monkeypatch
):
    """PostgreSQL: when the planner's estimate says a search is common beyond doubt, the list
    is walked at once instead of reading LOOKUP_CAP matches first; it shows the same articles
    (the estimate decides only the way there, and the count says "1,000+")."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("the planner's estimate is PostgreSQL's")
    queries = ["PONAT", "blast ponatinib", "50%", "respond_fast", "cml-blast", "b", "zzqxv"]
    exact = {q: found(client, q) for q in queries}
    monkeypatch.setattr(article_search, "SURELY_COMMON", -1)
    assert {q: found(client, q) for q in queries} == exact
    text = page_text(client.get("/admin/articles", query_string={"q": "ponat"}))
    assert "of 1,000+ articles" in text
