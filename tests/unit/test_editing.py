"""The editor's rules without HTTP: form rows, rearranging, the preview that writes nothing,
conflicts seen from both sides, the citation search and the staff list."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from extensions import db
from models import (
    Article,
    AuditEvent,
    ReadingLevel,
    ReviewStatus,
    Revision,
    Role,
    Section,
    SectionKind,
    SectionVariant,
    Topic,
)
from services.editorial import catalogue, conflicts, editing, revisions
from services.editorial.checks import level_settings
from services.errors import Conflict
from tests.factories import make_article, make_reference, make_sections, make_user

C, S, P = ReadingLevel.CLINICAL, ReadingLevel.STANDARD, ReadingLevel.PLAIN


def row(kind="guidelines", heading="From the Guidelines", clinical="", standard="", plain=""):
    return {
        "kind": kind,
        "heading": heading,
        "clinical": clinical,
        "standard": standard,
        "plain": plain,
    }


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Article, Revision, Section, SectionVariant, AuditEvent)
    }


# -- Form rows ---------------------------------------------------------------------------


def test_rows_become_section_inputs_without_empty_levels():
    inputs = editing.section_inputs(
        [row(heading="  From   the Guidelines ", clinical="Text [@a].", plain="   ")]
    )
    assert inputs[0].kind == SectionKind.GUIDELINES
    assert inputs[0].heading == "From the Guidelines"
    assert inputs[0].variants == {C: "Text [@a]."}  # an empty level falls back on the page


def test_unknown_kind_is_other():
    assert editing.section_inputs([row(kind="nonsense")])[0].kind == SectionKind.OTHER


def test_rows_round_trip_through_a_saved_revision(app):
    article = make_article(status="draft")
    rows = editing.rows_from_revision(article.latest_revision)
    assert [r["kind"] for r in rows] == ["summary", "guidelines"]
    assert rows[1]["clinical"] == "Guideline text [@ref]."
    assert rows[1]["plain"] == ""


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("move-up:1", ["b", "a", "c"]),
        ("move-down:1", ["a", "c", "b"]),
        ("move-up:0", ["a", "b", "c"]),  # already first
        ("move-down:2", ["a", "b", "c"]),  # already last
        ("remove:1", ["a", "c"]),
        ("remove:9", ["a", "b", "c"]),  # no such section
        ("move-up:x", ["a", "b", "c"]),
        ("explode", ["a", "b", "c"]),
        ("add", ["a", "b", "c", ""]),
        ("add:research", ["a", "b", "c", "From the Research"]),
    ],
)
def test_rearrange(action, expected):
    rows = [row(heading=h) for h in "abc"]
    assert [r["heading"] for r in editing.rearrange(rows, action)] == expected
    assert [r["heading"] for r in rows] == ["a", "b", "c"]  # the input is not changed


def test_a_new_article_starts_with_the_seed_page_sections():
    kinds = [r["kind"] for r in editing.starter_rows()]
    assert kinds == ["summary", "guidelines", "drug_label", "research"]


# -- The live preview --------------------------------------------------------------------


def _draft(text: str, plain: str = "") -> Revision:
    return editing.draft_revision(
        question="Test question?",
        sections=editing.section_inputs(
            [
                row("summary", "Short answer", clinical="Short answer [@known]."),
                row(clinical=text, plain=plain),
            ]
        ),
        topic_ids=[],
        number=2,
    )


def test_preview_writes_nothing(app):
    make_reference("known")
    article = make_article(status="approved")
    db.session.commit()
    before = counts()
    statements = []

    def watch(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        revision = _draft("Give 40 mg/m2 daily. See [@known] and [@missing].")
        preview = editing.preview_draft(
            article, revision, C, levels=level_settings(), glossary_url=lambda t: "#"
        )
        db.session.flush()
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)
    assert preview.view.revision is revision
    assert revision not in db.session
    assert not db.session.new
    assert counts() == before
    assert not [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]


def test_preview_renders_like_the_reader_page_with_its_checks(app):
    make_reference("known")
    article = make_article(status="approved")
    revision = _draft(
        "Give 40 mg/m2 daily. Use it [@known]. Also [@missing].",
        plain="Leukemia is a cancer of the blood [@known].",
    )
    preview = editing.preview_draft(
        article, revision, C, levels=level_settings(), glossary_url=lambda t: "#"
    )
    html = str(preview.view.sections[0].html)
    assert 'href="#ref-1"' in html  # numbered citation, first use in the short answer
    assert "[@missing?]" in html  # unknown keys show as readers would see them
    assert [b.key for b in preview.findings.broken] == ["missing"]
    assert [u.sentence for u in preview.findings.uncited_numbers] == ["Give 40 mg/m2 daily."]
    guideline = preview.readings[1]
    assert guideline.cells[S] is None
    assert guideline.cells[P].target == 8
    assert guideline.cells[C].fk_grade is not None and guideline.cells[C].target is None


def test_preview_marks_glossary_terms_at_plain_level(app):
    from models import GlossaryTerm

    db.session.add(
        GlossaryTerm(slug="leukemia", term="leukemia", aliases=[], definition="A blood cancer.")
    )
    article = make_article(status="approved")
    revision = _draft("Leukemia in clinical words.", plain="Leukemia is a cancer of the blood.")
    plain = editing.preview_draft(
        article, revision, P, levels=level_settings(), glossary_url=lambda t: f"/g#{t.slug}"
    )
    clinical = editing.preview_draft(
        article, revision, C, levels=level_settings(), glossary_url=lambda t: f"/g#{t.slug}"
    )
    assert 'class="term"' in str(plain.view.sections[0].html)
    assert 'class="term"' not in str(clinical.view.sections[0].html)


def test_an_over_target_plain_text_is_flagged(app):
    article = make_article(status="approved")
    dense = (
        "Allogeneic haematopoietic stem-cell transplantation consolidation substantially "
        "ameliorates relapse-free survival notwithstanding considerable treatment-related "
        "morbidity and mortality in individuals demonstrating persistent measurable disease."
    )
    revision = _draft("Clinical text.", plain=dense)
    preview = editing.preview_draft(
        article, revision, P, levels=level_settings(), glossary_url=None
    )
    cell = preview.readings[1].cells[P]
    assert cell.over_target
    assert preview.findings.over_target[0].level == "plain"


# -- Conflicts ---------------------------------------------------------------------------


def _two_editors_start_from(article):
    base = article.latest_revision
    return base, make_user(role=Role.EDITOR), make_user(role=Role.EDITOR)


def test_second_save_from_an_old_base_is_a_conflict_and_writes_nothing(app):
    article = make_article(status="approved")
    base, first, second = _two_editors_start_from(article)
    revisions.save_revision(
        article,
        author=first,
        question=base.question,
        sections=make_sections(guidelines="Their new guideline text [@ref]."),
        based_on_id=base.id,
    )
    db.session.commit()
    before = counts()
    with pytest.raises(Conflict) as raised:
        revisions.save_revision(
            article,
            author=second,
            question=base.question,
            sections=make_sections(summary="My new short answer [@ref]."),
            based_on_id=base.id,
        )
    db.session.rollback()
    assert counts() == before
    assert raised.value.base_id == base.id
    assert raised.value.latest.number == 2


def test_conflict_view_pairs_their_changes_with_mine_per_section_and_level(app):
    article = make_article(status="approved")
    base, first, _second = _two_editors_start_from(article)
    theirs = revisions.save_revision(
        article,
        author=first,
        question=base.question,
        sections=make_sections(
            summary="Short answer [@ref].", guidelines="Guideline text, revised by them [@ref]."
        ),
        based_on_id=base.id,
    )
    db.session.flush()
    mine = conflicts.form_snapshot(
        base.question,
        make_sections(summary="Short answer, mine [@ref].", guidelines="Guideline text [@ref]."),
        [],
        None,
    )
    view = conflicts.conflict_view(base, theirs, mine, {})
    by_heading = {pair.heading: pair for pair in view.sections}
    assert set(by_heading) == {"Short answer", "From the Guidelines"}
    summary, guidelines = by_heading["Short answer"], by_heading["From the Guidelines"]
    assert summary.theirs is None and summary.yours is not None
    assert [lp.level for lp in summary.levels] == [C]
    assert summary.levels[0].theirs is None
    assert any(c.op == "insert" and "mine" in c.text for c in summary.levels[0].yours.chunks)
    assert guidelines.yours is None
    assert any(c.op == "insert" and "revised" in c.text for c in guidelines.levels[0].theirs.chunks)
    assert not summary.both_changed


def test_conflict_view_when_both_changed_the_same_text(app):
    article = make_article(status="approved")
    base, first, _ = _two_editors_start_from(article)
    theirs = revisions.save_revision(
        article,
        author=first,
        question=base.question,
        sections=make_sections(guidelines="Guideline text from them [@ref]."),
        based_on_id=base.id,
    )
    db.session.flush()
    mine = conflicts.form_snapshot(
        base.question, make_sections(guidelines="Guideline text from me [@ref]."), [], None
    )
    pair = next(
        p
        for p in conflicts.conflict_view(base, theirs, mine, {}).sections
        if p.heading == "From the Guidelines"
    )
    assert pair.both_changed


def test_conflict_view_ignores_what_a_browser_does_to_line_endings_and_missing_topics(app):
    article = make_article(status="approved", sections=make_sections(guidelines="One.\n\nTwo."))
    topic = Topic(slug="t", name="Test topic")
    db.session.add(topic)
    article.topics = [topic]  # the base revision was saved without topics: it kept these
    base, first, _ = _two_editors_start_from(article)
    theirs = revisions.save_revision(
        article,
        author=first,
        question=base.question,
        sections=make_sections(summary="Changed by them [@ref].", guidelines="One.\n\nTwo."),
        topics=[topic],
        based_on_id=base.id,
    )
    db.session.flush()
    mine = conflicts.form_snapshot(
        base.question,
        make_sections(guidelines="One.\r\n\r\nTwo."),  # as a textarea posts it
        ["Test topic"],
        None,
    )
    view = conflicts.conflict_view(base, theirs, mine, {topic.id: topic.name})
    assert [p.heading for p in view.sections] == ["Short answer"]
    assert not view.theirs.topics_added and not view.yours.topics_added


def test_conflict_view_lists_added_sections_on_each_side(app):
    article = make_article(status="approved")
    base, first, _ = _two_editors_start_from(article)
    sections = make_sections()
    theirs = revisions.save_revision(
        article,
        author=first,
        question=base.question,
        sections=[*sections, *editing.section_inputs([row("research", "Theirs", clinical="T.")])],
        based_on_id=base.id,
    )
    db.session.flush()
    mine = conflicts.form_snapshot(
        base.question,
        [*sections, *editing.section_inputs([row("other", "Mine", clinical="M.")])],
        [],
        None,
    )
    view = conflicts.conflict_view(base, theirs, mine, {})
    added = {p.heading: (p.theirs is not None, p.yours is not None) for p in view.sections}
    assert added == {"Theirs": (True, False), "Mine": (False, True)}


# -- Restore -----------------------------------------------------------------------------


def test_restore_copies_an_old_revision_into_a_new_draft(app):
    article = make_article(status="approved", question="Old question?")
    old = article.latest_revision
    editor = make_user(role=Role.EDITOR)
    revisions.save_revision(
        article,
        author=editor,
        question="New question?",
        sections=make_sections(summary="Changed [@ref]."),
        based_on_id=old.id,
    )
    latest = article.latest_revision
    restored = revisions.restore_revision(old, actor=editor, based_on_id=latest.id)
    db.session.commit()
    assert restored.number == 3 and restored.status == ReviewStatus.DRAFT
    assert restored.question == "Old question?"
    assert editing.rows_from_revision(restored) == editing.rows_from_revision(old)
    assert old.status == ReviewStatus.APPROVED  # history is never rewritten
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["revision.save", "revision.restore"]


def test_restore_from_a_stale_page_is_a_conflict(app):
    article = make_article(status="approved")
    old = article.latest_revision
    editor = make_user(role=Role.EDITOR)
    revisions.save_revision(
        article, author=editor, question="Q?", sections=make_sections(), based_on_id=old.id
    )
    with pytest.raises(Conflict):
        revisions.restore_revision(old, actor=editor, based_on_id=old.id)


# -- Citation search and the staff list -------------------------------------------------


@pytest.mark.parametrize(
    "query", ["testperson", "drug X study", "10.0000/test", "00000001", "FAKE2020", "journal tests"]
)
def test_find_references_by_author_title_journal_doi_pmid_or_key(app, query):
    make_reference(
        "fake2020",
        authors="Testperson A, Example B",
        title="A test study of drug X",
        journal="Journal of Tests",
        doi="10.0000/test.0001",
        pmid="00000001",
    )
    make_reference("other", title="Unrelated", journal="Other Journal")
    assert [r.key for r in catalogue.find_references(query)] == ["fake2020"]


def test_find_references_treats_wildcards_as_text(app):
    make_reference("plain", title="Nothing special")
    make_reference("percent", title="Response in 50% of patients")
    assert [r.key for r in catalogue.find_references("%")] == ["percent"]
    assert catalogue.find_references("_") == []
    assert catalogue.find_references("   ") == []


def test_staff_list_filters_by_latest_status_topic_and_text(app):
    topic = Topic(slug="t", name="T")
    db.session.add(topic)
    draft = make_article(status="draft", question="Is aspirin useful?")
    submitted = make_article(status="submitted", question="Is heparin useful?")
    approved = make_article(status="approved", question="What about aspirin dosing?")
    approved.topics = [topic]
    db.session.commit()

    def keys(**filters):
        return {a.id for a in catalogue.staff_articles(**filters).articles}

    assert keys() == {draft.id, submitted.id, approved.id}
    assert keys(status=ReviewStatus.DRAFT) == {draft.id}
    assert keys(status=ReviewStatus.SUBMITTED) == {submitted.id}
    assert keys(text="aspirin") == {draft.id, approved.id}
    assert keys(text="ASPIRIN dosing") == {approved.id}
    assert keys(topic=topic) == {approved.id}
    assert keys(text="100%") == set()


def test_staff_list_pages(app):
    for n in range(7):
        make_article(status="draft", question=f"Question {n}?")
    db.session.commit()
    first = catalogue.staff_articles(page=1, per_page=3)
    last = catalogue.staff_articles(page=3, per_page=3)
    beyond = catalogue.staff_articles(page=99, per_page=3)
    assert (first.total, first.pages, len(first.articles)) == (7, 3, 3)
    assert len(last.articles) == 1 and (last.first_shown, last.last_shown) == (7, 7)
    assert beyond.page == 3  # a page past the end shows the last one
    seen = {a.id for p in (1, 2, 3) for a in catalogue.staff_articles(page=p, per_page=3).articles}
    assert len(seen) == 7
