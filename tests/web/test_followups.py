"""Follow-up questions through HTTP: asking (htmx and plain), refusals, the private link, deletion,
"Others asked", "Readers also asked"."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from extensions import db
from models import FollowupQuestion, FollowupStatus, ReadingLevel, Role
from services.followups import answers, questions, queue
from services.reading.view import find_article
from tests.factories import ask_question, make_user

SEED = "all-blast-crisis-treatment"
ASK = f"/articles/{SEED}/questions"
QUESTION = "Is ponatinib better than dasatinib for Ph+ ALL?"
LINK = re.compile(r"/questions/([A-Za-z0-9_-]{22})")


def stored() -> list[FollowupQuestion]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(FollowupQuestion)))


def committed_count(app) -> int:
    """Rows another connection sees: what is committed, not merely flushed in this session."""
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.text("SELECT count(*) FROM followup_questions"))
    finally:
        engine.dispose()


def test_every_article_offers_the_question_form(demo, client):
    html = client.get(f"/articles/{SEED}").get_data(as_text=True)
    section = html[html.index('id="followup"') :]
    assert "Have a follow-up question?" in section
    assert '<label for="followup-text">Your question</label>' in section
    assert '<button type="submit">Ask</button>' in section
    assert "leave out names, contact details" in section
    assert f'action="{ASK}"' in section and f'hx-post="{ASK}"' in section
    assert 'name="website"' in section  # the honeypot
    assert 'name="csrf_token"' not in section  # readers need no token, so the page no cookie
    assert "Soon you will be able to ask" not in html
    form = section[section.index('<form class="followup-form"') : section.index("</form>")]
    # No personal data is asked for: the question, the honeypot, and nothing else to fill in.
    assert re.findall(r"<textarea[^>]*\bname=\"(\w+)\"", form) == ["text"]
    inputs = re.findall(r"<input\b[^>]*>", form)
    shown = [i for i in inputs if 'type="hidden"' not in i]  # an input with no type is text
    assert len(shown) == 1 and 'type="text"' in shown[0] and 'name="website"' in shown[0]
    assert "<select" not in form
    for personal in ("email", "name", "phone", "tel"):
        assert f'type="{personal}"' not in form and f'name="{personal}"' not in form


def test_htmx_ask_answers_in_place_with_passages_and_a_private_link(demo, hx, app):
    response = hx.post(ASK, data={"text": QUESTION})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and html.strip().startswith('<div id="followup-ask"')
    assert "Your question is saved" in html
    token = LINK.search(html).group(1)
    assert "What our reviewed articles say" in html
    assert "Selected automatically from the text of Vetted's articles that our Medical" in html
    # The seed article is under review, never approved: it is not quoted, and the panel says so.
    assert "its text is still waiting for the Medical Advisory Board" in html
    assert "not personal medical advice" in html and "gone to our editorial team" in html
    assert html.count('class="passage"') >= 3
    assert 'class="cite"' in html and 'class="source-list"' in html
    assert f'href="/articles/{SEED}?expand=' not in html
    assert re.search(r'href="/articles/[a-z0-9-]+\?expand=section-', html)  # passage's section
    start = html.index('class="evidence-related-title"')
    related = html[start : html.index("</section>", start)]
    assert ">Related articles (" in related and '<ul class="card-list">' in related
    related_links = re.findall(r'class="card-title" href="/articles/([a-z0-9-]+)"', related)
    assert related_links and SEED not in related_links
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert committed_count(app) == 1
    assert questions.find_by_token(token) is stored()[0]


def test_the_answer_groups_passages_by_article_with_the_rest_behind_show_more(demo, hx):
    html = hx.post(ASK, data={"text": QUESTION}).get_data(as_text=True)
    panel = html[html.index('id="ask-evidence"') : html.index('class="evidence-related"')]
    first, more = panel.split('<details class="evidence-more">')
    assert "<summary>Show 3 more passages</summary>" in more
    assert first.count('class="passage"') == 2 and more.count('class="passage"') == 3
    # One heading per article in each part ("More from" when it continues one shown above),
    # and each source once: a marker in "more" may point up to its group's first list.
    titles = re.findall(r'class="evidence-article" id="ask-(\d+)-(title|more-title)"', panel)
    assert len(titles) == len(set(titles)) and {kind for _, kind in titles} == {
        "title",
        "more-title",
    }
    listed = re.findall(r'<li id="(ask-\d+-ref-\d+)"', panel)
    assert listed and len(listed) == len(set(listed))
    for target in re.findall(r'class="cite" href="#(ask-\d+-ref-\d+)"', panel):
        assert target in listed


def test_htmx_ask_nothing_answers_says_so_honestly_and_keeps_the_private_link(demo, hx):
    response = hx.post(ASK, data={"text": "What is the best diet for diabetes in pregnancy?"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and "Your question is saved" in html
    assert (
        '<p class="evidence-empty">None of our articles answers this closely enough to quote. '
        "Rather than show passages that don't fit, we've passed your question to the "
        "editorial team.</p>"
    ) in html
    assert 'class="passage"' not in html and 'class="passages"' not in html
    assert '<blockquote class="passage-text"' not in html
    token = LINK.search(html).group(1)
    assert f'class="private-link" href="http://localhost/questions/{token}"' in html
    assert questions.find_by_token(token) is stored()[0]


def test_plain_post_redirects_to_the_private_page(demo, client):
    response = client.post(ASK, data={"text": QUESTION})
    assert response.status_code == 303
    token = LINK.search(response.headers["Location"]).group(1)
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    assert "Your question is saved" in html and QUESTION in html
    assert "What our reviewed articles say" in html and 'class="passage"' in html
    assert f"/questions/{token}" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow"


def test_the_question_keeps_the_readers_level(demo, client):
    client.post(ASK + "?audience=plain", data={"text": QUESTION})
    assert stored()[0].level == ReadingLevel.PLAIN


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write your question."),
        ("Too short", "Your question is too short: write at least 10 characters."),
        ("y" * 1200, "Your question is too long (1,200 characters): keep it to 1,000 or fewer."),
        (
            "Spam http://a.example http://b.example http://c.example",
            "Your question has 3 links: include at most 2.",
        ),
    ],
)
@pytest.mark.parametrize("htmx", [True, False])
def test_bad_input_comes_back_with_its_message_and_the_text(demo, client, text, message, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(ASK, data={"text": text}, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert ("<html" in html) is not htmx
    assert f'<p class="field-error" id="followup-text-error">{message}</p>' in html
    assert 'aria-invalid="true"' in html and "followup-text-error" in html
    assert f">{text}</textarea>" in html
    assert stored() == []


def test_honeypot_filled_stores_nothing(demo, hx):
    response = hx.post(ASK, data={"text": QUESTION, "website": "http://spam.example"})
    assert response.status_code == 422
    assert "looked like an automated submission" in response.get_data(as_text=True)
    assert stored() == []


NONCE = re.compile(r'name="nonce" value="([^"]*)"')


def form_nonce(client) -> str:
    """The nonce of one rendering of the ask form."""
    return NONCE.search(client.get(ASK).get_data(as_text=True)).group(1)


def test_each_rendering_of_the_ask_form_has_its_own_nonce(demo, client):
    assert len({form_nonce(client) for _ in range(3)}) == 3
    # The article page is shared through the page cache: its form carries none (vetted.js
    # draws one as it is sent), so no two readers' forms ever carry the same one.
    article = client.get(f"/articles/{SEED}").get_data(as_text=True)
    assert NONCE.search(article).group(1) == ""


def test_double_submission_is_stored_once_and_both_get_the_same_link(demo, client, hx):
    nonce = form_nonce(client)
    first = hx.post(ASK, data={"text": QUESTION, "nonce": nonce})
    again = {"text": "  is PONATINIB better than dasatinib for Ph+ ALL? ", "nonce": nonce}
    second = hx.post(ASK, data=again)
    plain = client.post(ASK, data={"text": QUESTION, "nonce": nonce})
    token = LINK.search(first.get_data(as_text=True)).group(1)
    assert "We already have this question" in second.get_data(as_text=True)
    assert LINK.search(second.get_data(as_text=True)).group(1) == token
    assert LINK.search(plain.headers["Location"]).group(1) == token
    assert len(stored()) == 1


def test_two_readers_on_one_address_and_browser_never_share_a_link(demo, app):
    """Same network address, same User-Agent, same words, within minutes: two questions."""
    same = {"REMOTE_ADDR": "203.0.113.7", "HTTP_USER_AGENT": "Mozilla/5.0 (Shared kiosk)"}
    one, two = app.test_client(), app.test_client()
    links = []
    for reader in (one, two):
        nonce = NONCE.search(reader.get(ASK, environ_base=same).get_data(as_text=True)).group(1)
        sent = reader.post(ASK, data={"text": QUESTION, "nonce": nonce}, environ_base=same)
        links.append(LINK.search(sent.headers["Location"]).group(1))
    # Forms without a nonce (the cached page without JavaScript) are never matched either.
    for reader in (one, two):
        sent = reader.post(ASK, data={"text": QUESTION}, environ_base=same)
        links.append(LINK.search(sent.headers["Location"]).group(1))
    assert len(set(links)) == 4 and len(stored()) == 4
    mine, theirs = links[0], links[1]
    assert one.get(f"/questions/{mine}", environ_base=same).status_code == 200
    assert one.post(f"/questions/{mine}/delete", environ_base=same).status_code == 303
    assert two.get(f"/questions/{theirs}", environ_base=same).status_code == 200
    assert len(stored()) == 3


def test_a_malformed_nonce_is_replaced_not_trusted(demo, client):
    for _ in range(2):
        client.post(ASK, data={"text": QUESTION, "nonce": "x"})
    assert len(stored()) == 2


@pytest.fixture
def limited(app_factory, demo):
    return app_factory(FOLLOWUP_RATE_LIMIT="2 per minute").test_client()


def test_rate_limit_is_polite_and_in_the_form_for_htmx(limited):
    for n in range(2):
        assert limited.post(ASK, data={"text": f"Test question number {n}?"}).status_code == 303
    response = limited.post(
        ASK, data={"text": "Test question number 3?"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 429
    assert response.headers["HX-Retarget"] == "#followup-status"
    assert response.headers["HX-Reswap"] == "innerHTML"
    html = response.get_data(as_text=True)
    assert "Please wait a few minutes" in html and "<html" not in html
    assert len(stored()) == 2


def test_rate_limit_without_javascript_is_a_page_with_the_form_as_typed(limited):
    for n in range(2):
        limited.post(ASK, data={"text": f"Test question number {n}?"})
    response = limited.post(ASK, data={"text": "Test question number 3?"})
    html = response.get_data(as_text=True)
    assert response.status_code == 429 and "<html" in html
    assert "Please wait a few minutes" in html
    assert ">Test question number 3?</textarea>" in html


def test_rate_limit_counts_per_client(limited):
    for n in range(2):
        limited.post(ASK, data={"text": f"Test question number {n}?"})
    other = limited.post(
        ASK, data={"text": "Test question, other client?"}, environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    assert other.status_code == 303


def test_a_question_sent_from_another_site_is_refused(app_factory, demo):
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {}, {"HX-Request": "true"}):
        response = client.post(ASK, data={"text": QUESTION}, headers=headers)
        assert response.status_code == 403
        assert "nothing was saved" in response.get_data(as_text=True)
    assert stored() == []


def test_a_question_from_our_own_page_needs_no_token_or_cookie(app_factory, demo):
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    page = client.get(f"/articles/{SEED}")
    assert "Set-Cookie" not in page.headers and 'name="csrf_token"' not in page.get_data(True)
    response = client.post(ASK, data={"text": QUESTION}, headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 303 and len(stored()) == 1


@pytest.mark.parametrize("htmx", [True, False])
def test_bodies_over_64_kb_are_refused_unread(demo, client, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(ASK, data={"text": "x" * (65 * 1024)}, headers=headers)
    assert response.status_code == 413
    assert "far too long to send" in response.get_data(as_text=True)
    assert stored() == []


def test_the_64_kb_cap_is_for_readers_forms_only(demo, client, auth):
    auth.login(Role.EDITOR)
    question = ask_question(
        find_article(SEED),
        text=QUESTION,
        level=ReadingLevel.CLINICAL,
        client="x",
    ).question
    db.session.commit()
    response = client.post(
        f"/admin/followups/{question.id}/answer",
        data={"public_text": "Test?", "body": "A long answer. " * 6000},  # ~90 KB
    )
    assert response.status_code == 422  # read and judged: too long for an answer, not a 413
    assert "The answer is too long" in response.get_data(as_text=True)


def test_question_is_committed_before_the_answer_is_built(demo, hx, app, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("the instant answer failed")

    monkeypatch.setattr(questions, "evidence_for", broken)
    response = hx.post(ASK, data={"text": QUESTION})
    assert response.status_code == 500
    assert committed_count(app) == 1


def test_private_link_for_anything_else_is_not_found(demo, client):
    client.post(ASK, data={"text": QUESTION})
    for token in ["A" * 22, "short", "x" * 200]:
        assert client.get(f"/questions/{token}").status_code == 404


def test_reader_deletes_the_question_from_the_private_page(demo, client):
    location = client.post(ASK, data={"text": QUESTION}).headers["Location"]
    token = LINK.search(location).group(1)
    html = client.get(location).get_data(as_text=True)
    assert f'action="/questions/{token}/delete"' in html and "Delete my question" in html
    response = client.post(f"/questions/{token}/delete")
    assert response.status_code == 303 and response.headers["Location"] == "/questions/deleted"
    assert "Your question is deleted" in client.get("/questions/deleted").get_data(as_text=True)
    assert stored() == []
    assert client.get(f"/questions/{token}").status_code == 404


def test_deleting_from_another_site_is_refused(app_factory, demo):
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    asked = ask_question(
        find_article(SEED),
        text=QUESTION,
        level=ReadingLevel.CLINICAL,
        client="x",
    )
    db.session.commit()
    assert client.post(f"/questions/{asked.token}/delete").status_code == 403
    assert len(stored()) == 1


def publish_answer(question_text=QUESTION, public="Is ponatinib better than dasatinib in Ph+ ALL?"):
    asked = ask_question(
        find_article(SEED),
        text=question_text,
        level=ReadingLevel.CLINICAL,
        client="x",
    )
    editor, reviewer = make_user(role=Role.EDITOR), make_user(role=Role.REVIEWER, credentials="MD")
    answer = answers.save_answer(
        asked.question,
        author=editor,
        public_text=public,
        body="A propensity-score comparison favoured ponatinib [@sasaki2016].",
        submit=True,
    )
    answers.approve_answer(answer, reviewer=reviewer, seen=answers.content_hash(asked.question))
    db.session.commit()
    return asked, reviewer


def test_approved_answer_shows_under_the_article_and_on_the_private_link(demo, client):
    asked, reviewer = publish_answer()
    article = client.get(f"/articles/{SEED}").get_data(as_text=True)
    asked_part = article[article.index('id="readers-asked"') :]
    assert "Readers also asked" in asked_part
    assert "Is ponatinib better than dasatinib in Ph+ ALL?" in asked_part
    assert (
        "favoured ponatinib" in asked_part and f'id="asked-{asked.question.id}-ref-1"' in asked_part
    )
    assert f"reviewed by {reviewer.display_name}" in asked_part
    private = client.get(f"/questions/{asked.token}").get_data(as_text=True)
    assert "Our answer" in private and "favoured ponatinib" in private
    assert "Answered" in private


def test_readers_also_asked_costs_the_same_for_one_answer_or_five(demo, client, app):
    from sqlalchemy import event

    app.config["PAGE_CACHE_DISABLED"] = True  # count what rendering the page costs

    def statements() -> int:
        seen = []

        def count(*_args):
            seen.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/articles/{SEED}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    publish_answer("Test question number one about ponatinib?", "Test wording one?")
    statements()  # the first view renders the wording into the render-once cache
    one = statements()
    for n in range(4):
        publish_answer(f"Test question number {n + 2} about dasatinib?", f"Test wording {n}?")
    html = client.get(f"/articles/{SEED}").get_data(as_text=True)
    assert html.count('class="asked"') == 5
    assert statements() == one


def test_unapproved_answers_stay_off_the_article(demo, client):
    asked = ask_question(
        find_article(SEED),
        text=QUESTION,
        level=ReadingLevel.CLINICAL,
        client="x",
    )
    answers.save_answer(
        asked.question,
        author=make_user(role=Role.EDITOR),
        public_text="Test public wording?",
        body="Draft answer [@sasaki2016].",
        submit=True,
    )
    db.session.commit()
    assert "Readers also asked" not in client.get(f"/articles/{SEED}").get_data(as_text=True)
    assert "Draft answer" not in client.get(f"/questions/{asked.token}").get_data(as_text=True)


def test_others_asked_suggests_answered_questions_while_typing(demo, client, hx):
    asked, _ = publish_answer()
    ask_question(
        find_article(SEED),
        text="Ponatinib dasatinib unanswered?",
        level="clinical",
        client="y",
    )
    db.session.commit()
    fragment = hx.get("/questions/suggest?text=ponatinib+or+dasatinib")
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html
    assert html.strip().startswith('<div id="others-asked"') and "Others asked" in html
    assert f"/articles/{SEED}#asked-{asked.question.id}" in html
    assert "unanswered" not in html
    page = client.get("/questions/suggest?text=ponatinib+or+dasatinib")
    assert "<html" in page.get_data(as_text=True)
    assert "Others asked" not in hx.get("/questions/suggest?text=zz").get_data(as_text=True)


def test_too_many_suggestions_show_none_rather_than_an_error(demo, hx):
    publish_answer()
    for _ in range(60):
        hx.get("/questions/suggest?text=ponatinib+dasatinib")
    response = hx.get("/questions/suggest?text=ponatinib+dasatinib")
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert html.strip().startswith('<div id="others-asked"') and "<li>" not in html


def test_rejected_question_says_so_on_the_private_page(demo, client):
    asked = ask_question(
        find_article(SEED),
        text=QUESTION,
        level=ReadingLevel.CLINICAL,
        client="x",
    )
    queue.reject([asked.question], actor=make_user(role=Role.EDITOR))
    db.session.commit()
    html = client.get(f"/questions/{asked.token}").get_data(as_text=True)
    assert "Rejected" in html and "will not publish an answer" in html
    assert asked.question.status == FollowupStatus.REJECTED
