""" "Questions to ask your care team": a section for patients and students, after the evidence,
never for clinicians, never quoted as an answer or searched, checked like any other section."""

from __future__ import annotations

import tomllib

import pytest
import sqlalchemy as sa

from extensions import db
from models import Article, ReadingLevel, SectionKind
from services.editorial.checks import check_revision, question_problems
from services.editorial.revisions import SectionInput, save_revision
from services.errors import DomainError
from services.followups import questions
from services.reading.markdown import citation_keys
from services.reading.plaintext import list_items
from services.reading.readability import measure
from services.reading.view import build_view, choose_variant, find_article
from services.search import documents
from services.seeding.demo import DEMO_DIR
from tests.factories import make_article, make_reference, make_user

L = ReadingLevel
ASK = "- Is there a clinical trial that fits my situation?\n- What would make you change this plan?"
ASK_STANDARD = "- Is a clinical trial open to me?\n- What would lead you to change this plan?"


def article_with(*sections: SectionInput) -> Article:
    make_reference("ref")
    summary = SectionInput(SectionKind.SUMMARY, "Short answer", {L.CLINICAL: "Answer [@ref]."})
    return make_article(status="approved", sections=[summary, *sections])


def questions_section(**variants: str) -> SectionInput:
    bodies = {L(level): body for level, body in variants.items()}
    return SectionInput(SectionKind.QUESTIONS, SectionKind.QUESTIONS.label, bodies)


def guidelines(text: str = "Guideline text [@ref].") -> SectionInput:
    return SectionInput(SectionKind.GUIDELINES, "From the Guidelines", {L.CLINICAL: text})


def kinds(view) -> list[SectionKind]:
    return [s.section.kind for s in view.sections]


# -- Who sees it -----------------------------------------------------------------------------


def test_patients_and_students_see_it_clinicians_never_do(app):
    article = article_with(guidelines(), questions_section(plain=ASK, standard=ASK_STANDARD))
    db.session.commit()
    plain = build_view(article, L.PLAIN, card_url=str)
    standard = build_view(article, L.STANDARD, card_url=str)
    clinical = build_view(article, L.CLINICAL, card_url=str)
    assert kinds(plain)[-1] == kinds(standard)[-1] == SectionKind.QUESTIONS
    assert plain.sections[-1].variant.level == L.PLAIN
    assert standard.sections[-1].variant.level == L.STANDARD
    assert SectionKind.QUESTIONS not in kinds(clinical)


def test_a_clinician_does_not_see_it_even_in_clinical_or_fallback_wording(app):
    # Clinical wording is optional; written or not, clinicians never get the section, and the
    # plain and standard wordings are not a fallback for them either.
    article = article_with(
        guidelines(), questions_section(plain=ASK, standard=ASK_STANDARD, clinical=ASK_STANDARD)
    )
    db.session.commit()
    section = next(s for s in article.latest_revision.sections if s.kind == SectionKind.QUESTIONS)
    assert choose_variant(section, L.CLINICAL) is None
    assert choose_variant(section, L.PLAIN).level == L.PLAIN
    clinical = build_view(article, L.CLINICAL, card_url=str)
    assert SectionKind.QUESTIONS not in kinds(clinical)


def test_it_comes_after_the_evidence_wherever_it_was_written(app):
    make_reference("late")
    article = article_with(
        questions_section(plain="- Which source says so [@late]?\n- " + ASK[2:]),
        guidelines(),
        SectionInput(SectionKind.RESEARCH, "From the Research", {L.PLAIN: "A study [@ref]."}),
    )
    db.session.commit()
    view = build_view(article, L.PLAIN, card_url=str)
    assert kinds(view) == [SectionKind.GUIDELINES, SectionKind.RESEARCH, SectionKind.QUESTIONS]
    # Citation numbers follow the page's order: the evidence's sources first.
    assert [c.reference.key for c in view.references] == ["ref", "late"]


def test_it_is_never_shortened_behind_show_full_section(app):
    # Blocks enough to be cut anywhere: lead-in paragraphs, then one question a list.
    long_list = "\n\n".join(
        ["You may want to bring these to your next visit, with someone you trust."] * 10
        + [f"- Question {n} about my own care and my own plan?" for n in range(20)]
    )
    article = article_with(
        guidelines("\n\n".join(["A long paragraph of guideline text, in many words."] * 40)),
        questions_section(plain=long_list),
    )
    db.session.commit()
    view = build_view(article, L.PLAIN, card_url=str)
    evidence, asked = view.sections
    assert evidence.preview_html is not None  # a long evidence section is shortened...
    assert asked.preview_html is None  # ...the questions never are


# -- Writing it ------------------------------------------------------------------------------


def test_an_article_has_at_most_one(app):
    article = article_with(questions_section(plain=ASK))
    editor = make_user()
    sections = [
        SectionInput(SectionKind.SUMMARY, "Short answer", {L.CLINICAL: "Answer."}),
        questions_section(plain=ASK),
        SectionInput(SectionKind.QUESTIONS, "More questions", {L.PLAIN: ASK}),
    ]
    with pytest.raises(DomainError, match="one “Questions to ask your care team” section"):
        save_revision(article, author=editor, question=article.question, sections=sections)


def test_it_needs_the_wording_its_readers_see(app):
    article = article_with(questions_section(plain=ASK))
    editor = make_user()
    sections = [
        SectionInput(SectionKind.SUMMARY, "Short answer", {L.CLINICAL: "Answer."}),
        questions_section(clinical=ASK),
    ]
    with pytest.raises(DomainError, match="patients and students only"):
        save_revision(article, author=editor, question=article.question, sections=sections)


def test_checks_flag_wording_that_is_not_a_list_of_questions(app):
    assert question_problems(ASK) == ()
    assert question_problems("Ask about trials?") == ("",)  # not a list
    assert question_problems("You may ask:\n\n- Which pill?\n- Bring a friend.") == (
        "Bring a friend.",
    )
    article = article_with(questions_section(plain="- Which pill?\n- Bring a friend."))
    db.session.commit()
    findings = check_revision(article.latest_revision)
    assert [(f.level, f.item) for f in findings.not_questions] == [(L.PLAIN, "Bring a friend.")]
    assert not findings.blocking  # a warning for the reviewer, not a gate


# -- Not quoted, not searched ------------------------------------------------------------------


def test_instant_answers_never_quote_the_questions(demo):
    seed = find_article("ph-positive-all-tki")
    # Word for word a question on the page: quoting it would answer a question with a question.
    evidence = questions.answer_from_evidence(
        "Is there a clinical trial that fits my situation?", article=seed, level=L.PLAIN
    )
    assert all(p.section.kind != SectionKind.QUESTIONS for p in evidence.passages)
    assert not any("clinical trial" in p.markdown for p in evidence.passages)


def test_search_documents_leave_the_questions_out(app):
    row = documents.build(
        1,
        1,
        "What?",
        [
            documents.SectionText(SectionKind.SUMMARY, "Short answer", 0, {L.PLAIN: "Answer."}),
            documents.SectionText(SectionKind.QUESTIONS, "Questions to ask", 1, {L.PLAIN: ASK}),
        ],
        {},
    )
    assert "Questions to ask" not in row["headings"]
    assert all("clinical trial" not in row[level.value] for level in L)
    assert "Answer." in row["plain"]


# -- The demo articles -------------------------------------------------------------------------


def test_every_demo_article_has_three_to_six_questions_for_its_readers(demo):
    files = sorted((DEMO_DIR / "articles").glob("*.toml"))
    assert len(files) == 6
    for path in files:
        data = tomllib.loads(path.read_text())
        article = db.session.scalar(sa.select(Article).where(Article.slug == data["slug"]))
        public = article.public_revision
        (section,) = [s for s in public.sections if s.kind == SectionKind.QUESTIONS]
        assert section.heading == "Questions to ask your care team"
        assert section is public.sections[-1]
        wording = {v.level: v for v in section.variants}
        assert set(wording) == {L.PLAIN, L.STANDARD}, path.name
        for level, variant in wording.items():
            items = list_items(variant.body)
            assert 3 <= len(items) <= 6, (path.name, level)
            assert all(item.endswith("?") for item in items), (path.name, level)
            assert citation_keys(variant.body) == [], (path.name, level)
        measured = measure(wording[L.PLAIN].body).fk_grade
        assert measured is not None and measured <= 8, path.name
        assert wording[L.PLAIN].fk_grade == measured  # stored when saved, as measured now
        assert wording[L.STANDARD].fk_grade <= 12, path.name
        assert check_revision(public).not_questions == [], path.name
