"""The whole-page cache: one query for a repeat anonymous view, a 304 without rendering, and never
a stale or personal page."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from config import AUDIENCE_COOKIE
from extensions import db
from models import (
    Article,
    FollowupQuestion,
    FollowupStatus,
    GlossaryTerm,
    Language,
    ReadingLevel,
    Reference,
    ReferenceKind,
    Role,
    SectionKind,
    SourceRead,
    revision_references,
)
from services.editorial import review, revisions
from services.editorial.revisions import SectionInput, save_revision
from services.followups import answers, questions
from services.library import glossary, references
from services.library.glossary import TermInput
from services.library.references import ReferenceInput
from services.reading.personalization import load_audiences
from services.seeding.synthetic import seed_synthetic
from services.staff import accounts, languages
from services.staff.passwords import hash_password
from services.staff.settings import LevelInput, RoleInput, update_settings
from tests.factories import approved, ask_question, make_article, make_user
from web import rendering

SEED = "/articles/all-blast-crisis-treatment"
APPROVED = "/articles/ph-positive-all-tki"
HX = {"HX-Request": "true"}


@pytest.fixture
def reader(demo, app_factory):
    """An anonymous reader of the app as production runs it (CSRF on, no session)."""
    return app_factory(WTF_CSRF_ENABLED=True).test_client()


@pytest.fixture
def renders(monkeypatch):
    """Count page renderings (whole pages and fragments)."""
    calls = []
    real = rendering.render_template

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(rendering, "render_template", counting)
    return calls


def _statements(client, path, **kwargs):
    """The response, and how many SQL statements the client's own app ran for it."""
    seen = []

    def count(*_args):
        seen.append(1)

    with client.application.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path, **kwargs)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return response, len(seen)


@pytest.mark.parametrize(
    "path", ["/", "/topics", SEED, SEED + "?audience=plain", "/glossary", "/es" + SEED, "/es/"]
)
def test_a_repeat_view_is_one_query_and_the_same_page(reader, path):
    first = reader.get(path)
    assert "X-Page-Cache" not in first.headers
    again, statements = _statements(reader, path)
    assert again.headers["X-Page-Cache"] == "hit" and statements == 1
    assert again.get_data() == first.get_data()
    assert again.headers["ETag"] == first.headers["ETag"]


@pytest.mark.parametrize("path", ["/", "/topics/acute-lymphoblastic-leukemia"])
def test_listings_are_kept_apart_per_wording(reader, path):
    """Listings show short answers in the reader's wording: the default page, a remembered
    patient's and `?audience=plain` are each kept and served to their own readers only."""
    tls = db.session.scalar(
        sa.select(Article).where(Article.slug == "tumor-lysis-syndrome-prevention")
    )
    clinical, plain = tls.summary[:60], tls.summary_plain[:60]
    for _ in range(2):
        page = reader.get(path).get_data(as_text=True)
        assert clinical in page and plain not in page
    assert reader.get(path + "?audience=plain").headers.get("X-Page-Cache") is None
    named = reader.get(path + "?audience=plain")
    assert named.headers["X-Page-Cache"] == "hit" and plain in named.get_data(as_text=True)
    reader.get(SEED + "?role=patient")  # the picker remembers "Patient or caregiver"
    for _ in range(2):
        page = reader.get(path).get_data(as_text=True)
        assert plain in page and clinical not in page
    assert reader.get(path).headers["X-Page-Cache"] == "hit"
    reader.delete_cookie(AUDIENCE_COOKIE)
    assert clinical in reader.get(path).get_data(as_text=True)


def test_a_conditional_view_is_answered_without_rendering(reader, renders):
    etag = reader.get(SEED).headers["ETag"]
    rendered = len(renders)
    response, statements = _statements(reader, SEED, headers={"If-None-Match": etag})
    assert response.status_code == 304 and statements == 1
    assert len(renders) == rendered


def test_compressed_bodies_are_made_once_and_served_as_asked(reader):
    plain = reader.get(SEED).get_data()
    for encoding in ("br", "gzip"):
        response = reader.get(SEED, headers={"Accept-Encoding": encoding})
        assert response.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response.headers["Vary"]
    import brotli

    assert (
        brotli.decompress(reader.get(SEED, headers={"Accept-Encoding": "br"}).get_data()) == plain
    )


def test_an_approval_is_what_the_next_reader_sees(reader):
    before = reader.get(APPROVED).get_data(as_text=True)
    assert "Test wording after approval" not in before
    article = _approved()
    author, reviewer = make_user(role=Role.EDITOR), make_user(role=Role.REVIEWER, credentials="MD")
    revision = save_revision(
        article,
        author=author,
        question=article.question,
        sections=[
            SectionInput(s.kind, s.heading, {v.level: v.body for v in s.variants})
            for s in article.live_revision.sections
        ]
        + [
            SectionInput(
                s.kind,
                "Test heading",
                {v.level: "Test wording after approval." for v in s.variants},
            )
            for s in article.live_revision.sections[1:2]
        ],  # fmt: skip
    )
    db.session.commit()
    assert reader.get(APPROVED).headers["X-Page-Cache"] == "hit", "a draft changes nothing public"
    review.submit(revision, actor=author)
    review.start_review(revision, reviewer=reviewer)
    review.approve(revision, reviewer=reviewer, override_reason="Test")
    db.session.commit()
    after = reader.get(APPROVED)
    assert "X-Page-Cache" not in after.headers
    assert "Test wording after approval" in after.get_data(as_text=True)


def test_a_glossary_edit_shows_on_the_next_view(reader):
    assert reader.get(SEED + "?audience=plain").status_code == 200
    term = db.session.scalar(sa.select(GlossaryTerm).where(GlossaryTerm.abbr == "TKI"))
    edit = replace(TermInput.of(term), definition="Test definition of a targeted drug.")
    approved(glossary.update_term(term, edit, actor=make_user(role=Role.ADMIN)))
    db.session.commit()
    response = reader.get(SEED + "?audience=plain")
    assert "Test definition of a targeted drug." in response.get_data(as_text=True)


def test_the_swap_comes_back_with_its_address_and_cookie(reader):
    first = reader.get(SEED + "?role=patient", headers=HX)
    cookie = first.headers["Set-Cookie"]
    reader.delete_cookie(AUDIENCE_COOKIE)
    again = reader.get(SEED + "?role=patient", headers=HX)
    assert again.headers["X-Page-Cache"] == "hit"
    assert again.headers["HX-Push-Url"] == SEED + "?audience=plain"
    assert again.headers["Set-Cookie"] == cookie


@pytest.mark.parametrize("path", [SEED, "/es" + SEED])
def test_a_repeat_swap_is_one_query(reader, path):
    """The picker's swap is the one answer nginx never keeps (it sets the reader's cookie): a
    kept one is served for the lookup alone, without loading the roles to check `?role=`."""
    first = reader.get(path + "?role=patient", headers=HX)
    reader.delete_cookie(AUDIENCE_COOKIE)
    again, statements = _statements(reader, path + "?role=patient", headers=HX)
    assert again.headers["X-Page-Cache"] == "hit" and statements == 1
    assert again.get_data() == first.get_data()


def test_a_kept_spanish_page_is_gone_once_spanish_is_switched_off(reader):
    """A kept page skips the check of its address's language (web.language): switching the
    language off must still take its pages down at once."""
    assert reader.get("/es" + SEED).status_code == 200
    assert reader.get("/es" + SEED).headers["X-Page-Cache"] == "hit"
    spanish = db.session.get(Language, "es")
    labels, names, targets = languages.words_of("es")
    switched_off = languages.LanguageInput(
        code="es",
        name=spanish.name,
        english_name=spanish.english_name,
        formula=spanish.readability_formula,
        enabled=False,
        targets={level: str(t.target) for level, t in targets.items()},
        role_labels=labels,
        level_names=names,
    )
    languages.save_language(switched_off, actor=make_user(role=Role.ADMIN), new=False)
    db.session.commit()
    assert reader.get("/es" + SEED).status_code == 404


def test_signed_in_staff_are_never_served_or_stored(demo, client, auth):
    auth.login(Role.EDITOR)
    for _ in range(2):
        response = client.get(SEED)
        assert "X-Page-Cache" not in response.headers
        assert "Sign out" in response.get_data(as_text=True)
    from models import CachedPage

    assert db.session.scalar(sa.select(sa.func.count()).select_from(CachedPage)) == 0


def _approved() -> Article:
    return db.session.scalar(sa.select(Article).where(Article.slug == APPROVED.rsplit("/", 1)[1]))


# What readers see changes only through the services, and each says so (publishing.note_changed):
# one case per kind of change, each checked against the cached page a reader got just before.


def _change_settings():
    audiences = load_audiences()
    roles = {r.key: RoleInput(r.label, r.level) for r in audiences.roles}
    roles["patient"] = RoleInput("Test patient label", roles["patient"].level)
    levels = {
        lv: LevelInput(s.language_name, s.audience_name, s.target_grade)
        for lv, s in audiences.levels.items()
    }
    update_settings(roles=roles, levels=levels, actor=make_user(role=Role.ADMIN))
    return "Test patient label"


def _rename_the_reviewer():
    article = _approved()
    reviewer = article.live_revision.reviewer
    accounts.update_user(
        reviewer,
        actor=make_user(role=Role.ADMIN),
        name="Test Renamed Reviewer",
        credentials=reviewer.credentials,
        email=reviewer.email,
        role=reviewer.role,
    )
    return "Test Renamed Reviewer"


def _retitle_a_reference():
    article = _approved()
    key = db.session.scalar(
        sa.select(revision_references.c.reference_key).where(
            revision_references.c.revision_id == article.public_revision_id
        )
    )
    cited = db.session.scalar(sa.select(Reference).where(Reference.key == key))
    edit = replace(ReferenceInput.of(cited), title="Test retitled source")
    approved(references.update_reference(cited, edit, actor=make_user(role=Role.EDITOR)))
    return "Test retitled source"


def _answer_a_question():
    article = _approved()
    asked = ask_question(
        article,
        text="Test question about the dose?",
        level=ReadingLevel.CLINICAL,
        client="t",
    )
    author, reviewer = make_user(role=Role.EDITOR), make_user(role=Role.REVIEWER)
    answer = answers.save_answer(
        asked.question,
        author=author,
        public_text="Test public wording of the question?",
        body="Test answer.",
        submit=True,
    )
    answers.approve_answer(answer, reviewer=reviewer, seen=answers.content_hash(asked.question))
    return "Test public wording of the question?"


@pytest.mark.parametrize(
    "change", [_change_settings, _rename_the_reviewer, _retitle_a_reference, _answer_a_question]
)
def test_every_change_readers_see_is_on_the_next_view(reader, change):
    assert reader.get(APPROVED).status_code == 200
    assert reader.get(APPROVED).headers["X-Page-Cache"] == "hit"
    shown = change()
    db.session.commit()
    after = reader.get(APPROVED)
    assert "X-Page-Cache" not in after.headers
    assert shown in after.get_data(as_text=True)


def _lock(article, editor):
    revisions.lock(article, actor=editor)


def _save_a_draft(article, editor):
    live = article.live_revision
    save_revision(
        article,
        author=editor,
        question=live.question,
        sections=[
            SectionInput(s.kind, s.heading, {v.level: v.body + " Draft." for v in s.variants})
            for s in live.sections
        ],
    )


def _ask_a_question(article, _editor):
    ask_question(
        article, text="Test question nobody answered?", level=ReadingLevel.CLINICAL,
        client="t",
    )  # fmt: skip


def _sign_in(_article, editor):
    editor.password_hash = hash_password("four unrelated words here")
    accounts.authenticate(editor.email, "four unrelated words here", secret="test-secret-key")


@pytest.mark.parametrize("change", [_lock, _save_a_draft, _ask_a_question, _sign_in])
def test_what_readers_never_see_leaves_the_cache_alone(reader, change):
    article = _approved()
    reader.get(APPROVED)
    change(article, make_user(role=Role.EDITOR))
    db.session.commit()
    assert reader.get(APPROVED).headers["X-Page-Cache"] == "hit"


def _answered_question():
    _answer_a_question()
    db.session.commit()
    return db.session.scalar(
        sa.select(FollowupQuestion).where(FollowupQuestion.status == FollowupStatus.ANSWERED)
    )


def _reader_deletes_it(question):
    questions.delete_by_reader(question)


def _staff_take_it_down(question):
    answers.save_answer(
        question,
        author=make_user(role=Role.EDITOR),
        public_text=question.public_text,
        body="Test answer, rewritten and waiting for review.",
    )


@pytest.mark.parametrize("change", [_reader_deletes_it, _staff_take_it_down])
def test_an_answer_leaving_the_page_is_gone_on_the_next_view(reader, change):
    question = _answered_question()
    assert "Test public wording of the question?" in reader.get(APPROVED).get_data(as_text=True)
    assert reader.get(APPROVED).headers["X-Page-Cache"] == "hit"
    change(question)
    db.session.commit()
    after = reader.get(APPROVED)
    assert "X-Page-Cache" not in after.headers
    assert "Test public wording of the question?" not in after.get_data(as_text=True)


def test_glossary_terms_added_and_removed_show_on_the_next_view(reader):
    admin = make_user(role=Role.ADMIN)
    db.session.commit()  # an open write would hold SQLite's lock while the reader's page is stored
    reader.get("/glossary")
    term = glossary.create_term(
        TermInput("test glossary entry", "Test explanation of the entry."), actor=admin
    )
    db.session.commit()
    assert "Test explanation of the entry." in reader.get("/glossary").get_data(as_text=True)
    assert reader.get("/glossary").headers["X-Page-Cache"] == "hit"
    glossary.delete_term(term, actor=admin)
    db.session.commit()
    after = reader.get("/glossary")
    assert "X-Page-Cache" not in after.headers
    assert "Test explanation of the entry." not in after.get_data(as_text=True)


def test_a_new_reference_for_a_broken_citation_mends_the_cached_page(reader):
    later = SectionInput(SectionKind.RESEARCH, "Research", {ReadingLevel.CLINICAL: "A [@later]."})
    article = make_article(slug="test-broken-citation", sections=[later])
    db.session.commit()
    path = f"/articles/{article.slug}"
    assert "Test source made later" not in reader.get(path).get_data(as_text=True)
    assert reader.get(path).headers["X-Page-Cache"] == "hit"
    proposed = references.create_reference(
        ReferenceInput(
            kind=ReferenceKind.RESEARCH,
            title="Test source made later",
            read=SourceRead.ABSTRACT,
            key="later",
        ),
        actor=make_user(role=Role.EDITOR),
    )
    db.session.commit()
    assert reader.get(path).headers["X-Page-Cache"] == "hit"  # public text cites it: reviewed
    approved(proposed)
    db.session.commit()
    after = reader.get(path)
    assert "X-Page-Cache" not in after.headers
    assert "Test source made later" in after.get_data(as_text=True)


def test_synthetic_articles_are_on_the_next_view_of_the_listings(reader):
    assert reader.get("/topics").status_code == 200
    assert reader.get("/topics").headers["X-Page-Cache"] == "hit"
    seed_synthetic(2)
    db.session.commit()
    assert "X-Page-Cache" not in reader.get("/topics").headers


# Only the site's own addresses are kept, under unambiguous keys, and never more than the cap.


def _stored() -> int:
    from models import CachedPage

    db.session.remove()  # the rows are written on a connection of their own
    return db.session.scalar(sa.select(sa.func.count()).select_from(CachedPage))


def test_a_value_holding_an_ampersand_is_not_another_address(reader):
    smuggled = reader.get(SEED + "?audience=plain%26refs%3Dfull")
    assert smuggled.status_code == 200
    response = reader.get(SEED + "?audience=plain&refs=full")
    assert "X-Page-Cache" not in response.headers
    assert response.get_data() != smuggled.get_data()
    assert reader.get(SEED + "?audience=plain&refs=full").get_data() == response.get_data()


def test_page_keys_encode_their_parts_unambiguously():
    from caching.pages import page_key

    day = date(2026, 12, 7)
    key = page_key("build", "/a", [("audience", "plain"), ("refs", "full")], "", "000", day)
    assert key != page_key("build", "/a", [("audience", "plain&refs=full")], "", "000", day)
    assert key == page_key("build", "/a", [("refs", "full"), ("audience", "plain")], "", "000", day)
    assert page_key("b", "/a", [], "x\0y", "000", day) != page_key(
        "b", "/a", [], "x", "y\0000", day
    )
    assert key != page_key(
        "build", "/a", [("audience", "plain"), ("refs", "full")], "", "000", day + timedelta(days=1)
    )


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/topics?junk=1", {}),
        ("/editorial-policy?utm_source=newsletter", {}),
        (SEED + "?audience=bogus", {}),
        (SEED + "?audience=plain&audience=plain", {}),
        (SEED + "?refs=everything", {}),
        (SEED + "?expand=section-1x", {}),
        (SEED + "?role=nobody", HX),
        ("/topics/acute-lymphoblastic-leukemia?before=007", {}),
        (SEED + "?audience=plain", {"cookie": "forged"}),
    ],
)
def test_unknown_arguments_values_and_cookies_are_served_but_not_kept(reader, path, headers):
    if forged := headers.pop("cookie", None):
        reader.set_cookie(AUDIENCE_COOKIE, forged)
    for _ in range(2):
        response = reader.get(path, headers=headers)
        assert response.status_code == 200
        assert "X-Page-Cache" not in response.headers
    assert _stored() == 0


def test_htmx_targets_do_not_make_rows_of_their_own(reader):
    for target in ("references", "junk-1", "junk-2"):
        reader.get(SEED + "?refs=full", headers=HX | {"HX-Target": target})
    assert _stored() == 1
    again = reader.get(SEED + "?refs=full", headers=HX | {"HX-Target": "junk-3"})
    assert again.headers["X-Page-Cache"] == "hit"


def test_junk_addresses_leave_the_cache_within_its_cap(reader):
    # A thousand here (every one is rendered); scripts/bench_load.py --junk sends ten thousand
    # to the served site and reports the cache's rows and the article's throughput.
    reader.application.config["PAGE_CACHE_MAX_ROWS"] = 5
    reader.get(SEED)
    for n in range(1_000):  # rendered each time, so the cheapest page, and a few article ones
        path = SEED + f"?audience=x{n}" if n % 100 == 0 else f"/editorial-policy?junk={n}"
        assert reader.get(path, headers={"HX-Target": f"t{n}"}).status_code == 200
    assert _stored() == 1
    assert reader.get(SEED).headers["X-Page-Cache"] == "hit"
    # Addresses the site does link to are kept, the newest within the cap.
    topic = "/topics/acute-lymphoblastic-leukemia?before="
    for n in range(1, 13):
        reader.get(topic + str(n))
    assert _stored() == 5
    assert reader.get(topic + "12").headers["X-Page-Cache"] == "hit"
    assert "X-Page-Cache" not in reader.get(SEED).headers  # evicted, rendered, kept again
    assert reader.get(SEED).headers["X-Page-Cache"] == "hit"
