"""The search page and the home page's search box, through Flask's test client."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from extensions import db
from models import Article, SearchDocument
from services.validation import has_control_characters
from tests.unit.test_search import HOSTILE

SEED = "all-blast-crisis-treatment"


def results_heading(html: str) -> str:
    match = re.search(r'<h2 id="results-title"[^>]*>(.*?)</h2>', html, re.S)
    assert match, "the results region has no heading"
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split())


def hit_slugs(html: str) -> list[str]:
    return re.findall(r'<a class="card-title" href="/articles/([^"]+)"', html)


def test_search_page_shows_count_highlighted_snippets_and_links(demo, client):
    html = client.get("/search?q=interferon").get_data(as_text=True)
    assert results_heading(html) == "1 result for “interferon”"
    assert hit_slugs(html) == [SEED]
    assert re.search(r'<p class="snippet">[^<]*<mark>Interferon</mark>', html, re.I)
    assert 'aria-live="polite"' in html and 'role="search"' in html


def test_seed_question_lists_the_seed_article_first(demo, client):
    html = client.get(
        "/search", query_string={"q": "What is the treatment for ALL during blast crisis?"}
    )
    assert hit_slugs(html.get_data(as_text=True))[0] == SEED


def test_snippets_follow_the_readers_level(demo, client):
    plain = client.get("/search?q=interferon&audience=plain").get_data(as_text=True)
    clinical = client.get("/search?q=interferon&audience=clinical").get_data(as_text=True)
    assert "Excerpts are in plain language" in plain
    assert "Excerpts are in plain language" not in clinical
    # Only the clinical wording names the drug: the plain reader is shown it, and told so.
    assert "<mark>Interferon</mark>" in plain and "<mark>Interferon</mark>" in clinical
    assert "From the clinical wording:" in plain and "From the clinical wording" not in clinical

    ponatinib_plain = client.get("/search?q=ponatinib&audience=plain").get_data(as_text=True)
    ponatinib_clinical = client.get("/search?q=ponatinib&audience=clinical")
    assert re.findall(r'<p class="snippet">(.*?)</p>', ponatinib_plain) != re.findall(
        r'<p class="snippet">(.*?)</p>', ponatinib_clinical.get_data(as_text=True)
    )


def test_htmx_request_gets_only_the_results_and_a_tidy_url(demo, hx):
    response = hx.get("/search", query_string={"q": "  ponatinib   dasatinib ", "topic": ""})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="search-results"') and "<html" not in html
    assert response.headers["HX-Push-Url"] == "/search?q=ponatinib+dasatinib"
    assert "HX-Request" in response.headers["Vary"]
    assert 'data-query="ponatinib dasatinib"' in html


def test_whole_page_for_history_restore(demo, hx):
    response = hx.get("/search?q=ponatinib", headers={"HX-History-Restore-Request": "true"})
    assert "<html" in response.get_data(as_text=True)


def test_topic_filter_narrows_and_keeps_the_choice(demo, client):
    everywhere = client.get("/search?q=treatment").get_data(as_text=True)
    within = client.get("/search?q=treatment&topic=supportive-care").get_data(as_text=True)
    assert len(hit_slugs(within)) < len(hit_slugs(everywhere))
    assert hit_slugs(within) == ["tumor-lysis-syndrome-prevention"]
    assert results_heading(within) == "1 result for “treatment” in Supportive care"
    assert '<option value="supportive-care" selected>' in within


def test_unknown_topic_is_ignored(demo, client):
    response = client.get("/search?q=ponatinib&topic=no-such-topic")
    assert response.status_code == 200
    assert results_heading(response.get_data(as_text=True)) == "4 results for “ponatinib”"


def test_paging_links_keep_the_query_and_topic(app, client):
    from tests.factories import make_article
    from tests.unit.test_search import sections

    for n in range(12):
        make_article(question=f"Test question {n}?", sections=sections("Pagedword.", "Body."))
    db.session.commit()
    first = client.get("/search?q=pagedword").get_data(as_text=True)
    assert results_heading(first) == "12 results for “pagedword”, page 1 of 2"
    assert len(hit_slugs(first)) == 10
    assert 'href="/search?q=pagedword&amp;page=2"' in first and 'rel="prev"' not in first
    second = client.get("/search?q=pagedword&page=2").get_data(as_text=True)
    assert len(hit_slugs(second)) == 2 and not set(hit_slugs(second)) & set(hit_slugs(first))
    assert 'href="/search?q=pagedword"' in second and 'rel="next"' not in second
    for page in ("0", "-3", "abc", "999999999999"):
        assert client.get(f"/search?q=pagedword&page={page}").status_code == 200


def test_no_results_says_so_and_offers_a_way_on(demo, client):
    html = client.get("/search?q=zzqxj").get_data(as_text=True)
    assert results_heading(html) == "No results for “zzqxj”"
    assert "/topics" in html and hit_slugs(html) == []
    empty = client.get("/search?q=%3F%21").get_data(as_text=True)
    assert results_heading(empty) == "No results for “?!”"
    assert "type a drug, a condition or a question" in empty


def test_no_article_with_every_word_says_it_shows_some(demo, client):
    html = client.get("/search?q=interferon+zzqxj").get_data(as_text=True)
    assert "No article contains every word" in html and hit_slugs(html) == [SEED]


@pytest.mark.parametrize(("query", "finds"), HOSTILE.values(), ids=HOSTILE.keys())
def test_any_input_is_a_page_never_an_error(demo, client, hx, query, finds):
    # Control characters are refused on every form (web/limits.py), with a page that says so.
    refused = has_control_characters(query)
    for response in (
        client.get("/search", query_string={"q": query}),
        hx.get("/search", query_string={"q": query}),
    ):
        assert response.status_code == (422 if refused else 200)
        html = response.get_data(as_text=True)
        assert bool(hit_slugs(html)) is (finds and not refused)
        assert ("characters we can’t store" in html) is refused
        body = html.split("</head>")[-1]
        assert "<script>" not in body and "\ue000" not in body


def test_home_search_box_searches_as_you_type(demo, client):
    html = client.get("/").get_data(as_text=True)
    form = re.search(r'<form class="search-form".*?</form>', html, re.S).group(0)
    assert 'method="get" action="/search"' in form
    assert 'hx-trigger="submit, input changed delay:300ms, search"' in form
    assert 'hx-sync="this:queue last"' in form and 'hx-push-url="true"' in form
    assert 'hx-target="#search-results"' in form
    assert '<div id="search-results"></div>' in html


def test_reindex_command_rebuilds_the_index(demo, runner):
    db.session.execute(sa.delete(SearchDocument))
    db.session.commit()
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0 and "Indexed 6 articles" in result.output
    public = db.session.scalar(
        sa.select(sa.func.count(Article.id)).where(Article.public_revision_id.is_not(None))
    )
    assert db.session.scalar(sa.select(sa.func.count(SearchDocument.article_id))) == public


def test_seed_synthetic_command_leaves_the_index_complete(app, runner, client):
    result = runner.invoke(args=["seed-synthetic", "25"])
    assert result.exit_code == 0, result.output
    html = client.get("/search?q=synthetic").get_data(as_text=True)
    assert results_heading(html).startswith("25 results")
    assert "Synthetic test content" in html
