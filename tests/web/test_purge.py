"""After a change to what readers see commits, the proxy's copies of that article are purged."""

import socket
import time
from dataclasses import replace

import pytest

from caching import purge
from extensions import db
from models import ReadingLevel, Role
from services.editorial import review
from services.editorial.revisions import save_revision
from services.followups import answers
from services.library.glossary import TermInput, create_term, delete_term, update_term
from services.library.references import ReferenceInput, update_reference
from tests.conftest import PASSWORD
from tests.factories import (
    approved,
    ask_question,
    make_article,
    make_reference,
    make_sections,
    make_user,
)

CARD_PAGES = [
    f"{language}/articles/{{}}{query}"
    for language in ("", "/es")
    for query in ("", "?audience=plain", "?audience=standard", "?audience=clinical")
]
# An article's page, its print view and its PDF, in each language: each shows the current revision.
PAGES = [
    f"{language}/articles/{{}}{page}{query}"
    for language in ("", "/es")
    for page in ("", "/print", ".pdf")
    for query in ("", "?audience=plain", "?audience=standard", "?audience=clinical")
]
ENCODINGS = ("", "br", "gzip")
# A revision's permalink, its print view and its PDF: each says where the revision stands.
REVISION_PAGES = [
    f"/articles/{{}}/revisions/{{}}{page}{query}"
    for page in ("", "/print", ".pdf")
    for query in ("", "?audience=plain", "?audience=standard", "?audience=clinical")
]


@pytest.fixture
def pending(app):
    article = make_article(slug="purge-me", status="under_review")
    db.session.commit()
    return article


def test_approval_purges_every_canonical_address_after_commit(app, cache, pending):
    app.config["CACHE_PURGE_URLS"] = [cache.url]
    reviewer = pending.latest_revision.reviewer
    review.approve(pending.latest_revision, reviewer=reviewer, override_reason="Test")
    assert cache.purged == []  # nothing until the change is safe in the database
    db.session.commit()
    # Only the article: readers saw this text (pending) before, so no citation's number moved.
    # Sent in parallel, and all answered before the commit returns (a healthy cache is quick).
    # The approved revision's own permalink, print view and PDF went from "proposed" to current.
    number = pending.latest_revision.number
    assert sorted(cache.purged) == sorted(
        [(page.format("purge-me"), encoding) for page in PAGES for encoding in ENCODINGS]
        + [
            (language + page.format("purge-me", number), encoding)
            for language in ("", "/es")
            for page in REVISION_PAGES
            for encoding in ENCODINGS
        ]
    )


def test_every_cache_is_purged(app, cache, pending):
    app.config["CACHE_PURGE_URLS"] = [cache.url, cache.url + "/"]
    review.request_changes(
        pending.latest_revision, reviewer=pending.latest_revision.reviewer, comment="Fix it."
    )
    db.session.commit()
    # Sent back, the never-approved article leaves the site: its pages and its citations' pages
    # are purged from both caches, each address in every encoding.
    purged = sorted(cache.purged)
    assert purged[::2] == purged[1::2]  # each purge reached both caches
    assert {(page.format("purge-me"), e) for page in PAGES for e in ("", "br", "gzip")} <= set(
        purged
    )
    assert len(purged) == 2 * len(set(purged))


def test_a_rolled_back_change_purges_nothing(app, cache, pending):
    app.config["CACHE_PURGE_URLS"] = [cache.url]
    review.approve(
        pending.latest_revision,
        reviewer=pending.latest_revision.reviewer,
        override_reason="Test",
    )
    db.session.rollback()
    db.session.commit()
    assert cache.purged == []


def test_a_draft_purges_nothing(app, cache, pending):
    app.config["CACHE_PURGE_URLS"] = [cache.url]
    save_revision(
        pending,
        author=make_user(role=Role.EDITOR),
        question="What is the question?",
        sections=make_sections(),
    )
    db.session.commit()
    assert cache.purged == []


def test_an_unreachable_cache_never_fails_the_change(app, pending, caplog):
    app.config["CACHE_PURGE_URLS"] = ["http://127.0.0.1:1"]
    revision = pending.latest_revision
    review.approve(revision, reviewer=revision.reviewer, override_reason="Test")
    db.session.commit()
    assert pending.live_revision_id == revision.id
    assert "Cache purge failed" in caplog.text


# Article pages also show the glossary's explanations, the library's reference entries and
# readers' answered questions: a change to any of them purges the pages that show it.


def purged_slugs(cache) -> set[str]:
    """The articles the cache was asked to drop, each at every address in every encoding."""
    pages = [
        (path, e)
        for path, e in cache.purged
        if "/references/" not in path and "/revisions/" not in path
    ]
    paths = {
        path.split("?")[0].removeprefix("/es").removeprefix("/articles/")
        for path, _encoding in pages
    }
    slugs = {path.removesuffix("/print").removesuffix(".pdf") for path in paths}
    assert sorted(pages) == sorted(
        (page.format(slug), encoding)
        for slug in slugs
        for page in PAGES
        for encoding in ("", "br", "gzip")
    )
    return slugs


def purged_revisions(cache) -> set[tuple[str, int]]:
    """The revision permalinks the cache was asked to drop, each at every address and encoding."""
    pages = [(path, e) for path, e in cache.purged if "/revisions/" in path]
    found: set[tuple[str, int]] = set()
    for path, _encoding in pages:
        _, _, slug, _, number = path.split("?")[0].removeprefix("/es").split("/")[:5]
        found.add((slug, int(number.removesuffix(".pdf"))))
    assert sorted(pages) == sorted(
        (prefix + page.format(slug, number), encoding)
        for slug, number in found
        for page in REVISION_PAGES
        for encoding in ENCODINGS
        for prefix in ("", "/es")
    )
    return found


def purged_cards(cache) -> set[tuple[str, str]]:
    """The citations' own pages the cache was asked to drop, likewise at every address."""
    pages = [(path, e) for path, e in cache.purged if "/references/" in path]
    cards = {
        tuple(path.split("?")[0].removeprefix("/es").split("/")[2::2]) for path, _encoding in pages
    }
    assert sorted(pages) == sorted(
        (page.format(f"{slug}/references/{key}"), encoding)
        for slug, key in cards
        for page in CARD_PAGES
        for encoding in ("", "br", "gzip")
    )
    return cards


def test_glossary_edits_purge_the_articles_that_use_the_term(app, client, cache):
    make_reference("ref")
    mentions = make_sections(summary="Imatinib comes first [@ref].")
    make_article(slug="uses-it", sections=mentions)
    make_article(slug="uses-its-abbreviation", sections=make_sections(summary="TKI first [@ref]."))
    make_article(slug="does-not", sections=make_sections(summary="Nothing to explain [@ref]."))
    make_article(slug="draft-uses-it", status="draft", sections=mentions)
    admin = make_user(role=Role.ADMIN)
    db.session.commit()
    app.config["CACHE_PURGE_URLS"] = [cache.url]

    proposed = create_term(TermInput(term="Imatinib", definition="A kinase blocker."), actor=admin)
    db.session.commit()
    assert cache.purged == []  # public text uses it: a new term waits for review
    term = approved(proposed)
    db.session.commit()
    assert purged_slugs(cache) == {"uses-it"}
    assert "A kinase blocker." in client.get("/articles/uses-it?audience=plain").get_data(
        as_text=True
    )

    cache.purged.clear()
    approved(update_term(term, replace(TermInput.of(term), abbr="TKI"), actor=admin))
    db.session.commit()
    assert purged_slugs(cache) == {"uses-it", "uses-its-abbreviation"}

    cache.purged.clear()
    update_term(term, TermInput.of(term), actor=admin)  # nothing changed: nothing to purge
    db.session.commit()
    assert cache.purged == []

    delete_term(term, actor=admin)
    db.session.commit()
    assert purged_slugs(cache) == {"uses-it", "uses-its-abbreviation"}
    assert "A kinase blocker." not in client.get("/articles/uses-it?audience=plain").get_data(
        as_text=True
    )


def answer_under(article, body: str):
    asked = ask_question(article, text="Does it work for adults?", level=ReadingLevel.CLINICAL,
                          client="x")  # fmt: skip
    answer = answers.save_answer(
        asked.question,
        author=make_user(role=Role.EDITOR),
        public_text="Does it work for adults?",
        body=body,
        submit=True,
    )
    return answer


def test_reference_edits_purge_the_articles_that_cite_it(app, client, cache):
    reference = make_reference("ref")
    make_reference("other")
    make_article(slug="cites-it")
    make_article(slug="draft-cites-it", status="draft")
    quiet = make_sections(summary="Short [@other].", guidelines="Long [@other].")
    asked_about = make_article(slug="answer-cites-it", sections=quiet)
    make_article(slug="cites-another", sections=quiet)
    answer = answer_under(asked_about, "Yes, in one trial [@ref].")
    answers.approve_answer(
        answer,
        reviewer=make_user(role=Role.REVIEWER),
        seen=answers.content_hash(answer.question),
    )
    editor = make_user(role=Role.EDITOR)
    db.session.commit()
    app.config["CACHE_PURGE_URLS"] = [cache.url]

    approved(
        update_reference(
            reference, replace(ReferenceInput.of(reference), title="Renamed"), actor=editor
        )
    )
    db.session.commit()
    assert purged_slugs(cache) == {"cites-it", "answer-cites-it"}
    assert purged_cards(cache) == {("cites-it", "ref")}
    assert "Renamed" in client.get("/articles/cites-it").get_data(as_text=True)
    assert "Renamed" in client.get("/articles/answer-cites-it").get_data(as_text=True)
    assert "Renamed" in client.get("/articles/cites-it/references/ref").get_data(as_text=True)


def test_a_new_public_text_purges_the_citation_pages_of_the_old_and_the_new(app, cache):
    make_reference("ref")
    make_reference("other")
    article = make_article(slug="recited")
    editor, reviewer = make_user(role=Role.EDITOR), make_user(role=Role.REVIEWER)
    db.session.commit()
    app.config["CACHE_PURGE_URLS"] = [cache.url]
    revision = save_revision(
        article,
        author=editor,
        question="What is the question?",
        sections=make_sections(summary="Short [@other].", guidelines="Long [@other; @ref]."),
    )
    review.submit(revision, actor=editor)
    review.start_review(revision, reviewer=reviewer)
    db.session.commit()
    # Readers still see the approved text, numbered as before: no citation page changed.
    assert purged_cards(cache) == set()
    cache.purged.clear()
    review.approve(revision, reviewer=reviewer, override_reason="Test")
    db.session.commit()
    assert purged_slugs(cache) == {"recited"}
    # Revision 1 now says a newer reviewed version exists; revision 2 is the current one.
    assert purged_revisions(cache) == {("recited", 1), ("recited", revision.number)}
    # "ref" was [1] and is now [2]; "other" is new as [1]
    assert purged_cards(cache) == {("recited", "ref"), ("recited", "other")}


def test_answering_a_readers_question_purges_its_article(app, client, cache):
    make_reference("ref")
    article = make_article(slug="asked-about")
    make_article(slug="not-asked")
    answer = answer_under(article, "Yes, in one trial [@ref].")
    db.session.commit()
    app.config["CACHE_PURGE_URLS"] = [cache.url]
    assert cache.purged == []  # submitted, not yet shown

    answers.approve_answer(
        answer,
        reviewer=make_user(role=Role.REVIEWER),
        seen=answers.content_hash(answer.question),
    )
    db.session.commit()
    assert purged_slugs(cache) == {"asked-about"}
    assert "Readers also asked" in client.get("/articles/asked-about").get_data(as_text=True)

    cache.purged.clear()
    answers.save_answer(  # an edit takes the answer off the page until approved again
        answer.question,
        author=make_user(role=Role.EDITOR),
        public_text="Does it work for adults?",
        body="Yes, in two trials [@ref].",
    )
    db.session.commit()
    assert purged_slugs(cache) == {"asked-about"}
    assert "Readers also asked" not in client.get("/articles/asked-about").get_data(as_text=True)


@pytest.fixture
def black_hole():
    """A purge endpoint that takes connections and never answers, as a hung proxy does."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)  # the kernel completes the handshakes; nobody ever reads or replies
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def test_a_silent_cache_never_holds_up_the_staff_request(app, client, black_hole, caplog):
    reviewer = make_user(role=Role.REVIEWER, password=PASSWORD, credentials="MD")
    article = make_article(slug="purge-me", status="under_review", reviewer=reviewer)
    db.session.commit()
    app.config["CACHE_PURGE_URLS"] = [black_hole]
    app.config["CACHE_PURGE_WAIT"] = purge.WAIT  # production's budget
    signed_in = client.post("/auth/login", data={"email": reviewer.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    started = time.monotonic()
    response = client.post(
        f"/admin/review/{article.latest_revision_id}/request-changes",
        data={"changes-comment": "Cite the dose in the guidelines."},
    )
    assert response.status_code == 303
    assert time.monotonic() - started < 1
    # The purges time out after the response, once for the dead cache, and say so.
    deadline = time.monotonic() + 10
    while "Cache purge failed" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.05)
    (failed,) = [r for r in caplog.records if r.getMessage() == "Cache purge failed"]
    # One timeout per purge thread at most; the rest of the batch skips the dead cache.
    assert any("skipped, the cache did not answer" in f for f in failed.failures)
