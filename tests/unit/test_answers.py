"""The instant answer: verbatim passages of public articles with their own citations, or honestly
nothing."""

from __future__ import annotations

import html
import re
import sys
import threading

import pytest

from extensions import db
from models import ReadingLevel, ReviewStatus, Role, SectionKind
from services.editorial import review
from services.editorial.revisions import SectionInput, save_revision
from services.followups import instant, passages
from services.followups.instant import answer_from_evidence
from services.followups.passages import split_passages, terms
from services.reading.markdown import citation_keys
from services.reading.plaintext import plain_blocks
from services.reading.view import find_article
from tests.factories import make_article, make_reference, make_user

L = ReadingLevel
SEED = "all-blast-crisis-treatment"  # under review: public, never approved, so never quoted
APPROVED = "ph-positive-all-tki"
PONATINIB = "Is ponatinib better than dasatinib for Ph+ ALL?"
BLAST_CRISIS = "What is the treatment for ALL during blast crisis?"
MARKER = re.compile(r'<sup class="cites">.*?</sup>', re.S)


def sentences(rendered: str) -> list[str]:
    """What a reader reads in rendered HTML, citation markers left out, split into sentences."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", MARKER.sub("", rendered)))
    text = re.sub(r"\s+([.,;:!?)])", r"\1", " ".join(text.split()))
    return [s for s in re.split(r"(?<=[.!?:])\s+", text) if s.strip()]


def public_text(variant) -> str:
    return " ".join(" ".join(plain_blocks(variant.body)).split())


def test_terms_stem_words_keep_abbreviations_and_drop_function_words():
    assert terms("Is ponatinib better than dasatinib for Ph+ ALL?") == [
        "ponatinib",
        "better",
        "dasatinib",
        "ph+",
        "all",
    ]
    assert terms("treating") == terms("treated") == terms("treatment") == ["treat"]
    assert terms("blast crises") == terms("blast crisis")
    assert terms("all of the patients") == ["patient"]  # "all" the word, not ALL
    assert terms("IS PONATINIB SAFE?") == terms("Is ponatinib safe?")  # shouting is not acronyms
    assert terms("T315I and BCR::ABL1") == ["t315i", "bcr", "abl1"]


def test_passages_are_blocks_cut_verbatim_with_their_sub_heading():
    body = (
        "Intro paragraph [@a].\r\n\r\n"
        "### Treatment options\r\n\r\n"
        "- First item [@b].\r\n"
        "  - Its caveat.\r\n"
        "- Second item.\r\n\r\n"
        "Points from general practice:\r\n\r\n"
        "- A point without a source.\r\n\r\n"
        "| a | b |\r\n|---|---|\r\n| 1 | 2 |\r\n"
    )
    found = split_passages(body)
    assert [p.markdown for p in found] == [
        "Intro paragraph [@a].",
        "- First item [@b].\n  - Its caveat.",
        "- Second item.",
        "Points from general practice:\n\n- A point without a source.",
        "| a | b |\n|---|---|\n| 1 | 2 |",
    ]
    assert [p.subheading for p in found] == ["", *["Treatment options"] * 4]
    normalised = passages.normalise_newlines(body)
    for passage in found:
        for block in passage.markdown.split("\n\n"):
            assert block in normalised


def test_ponatinib_question_finds_passages_on_this_article_first(demo):
    article = find_article(APPROVED)
    evidence = answer_from_evidence(PONATINIB, article=article, level=L.CLINICAL)
    assert evidence.found
    slugs = [p.article.slug for p in evidence.passages]
    assert slugs[0] == APPROVED and evidence.groups[0].article == article  # this article first
    assert len(set(slugs)) > 1
    assert any(p.references for p in evidence.passages)
    for passage in evidence.passages:
        assert {"ponatinib", "dasatinib"} & set(terms(passage.markdown))
    assert article not in evidence.related


@pytest.mark.parametrize("level", list(L))
@pytest.mark.parametrize(
    "question",
    [
        PONATINIB,
        "Is ponatinib safe for the heart?",
        "How is tumor lysis syndrome prevented?",
        "Should I get a stem cell transplant?",
        "What is the hyper-CVAD regimen?",
    ],
)
def test_every_sentence_shown_is_verbatim_public_content_with_its_citations(demo, question, level):
    article = find_article(SEED)
    evidence = answer_from_evidence(question, article=article, level=level)
    assert evidence.found, question
    for passage in evidence.passages:
        public = passage.article.live_revision
        assert passage.article.is_public and public.status == ReviewStatus.APPROVED
        section = next(s for s in public.sections if s.id == passage.section.id)  # approved only
        variant = next(v for v in section.variants if v.id == passage.variant.id)
        assert variant.body == passage.variant.body and variant.level == passage.variant.level
        source = public_text(passage.variant)
        for sentence in sentences(passage.html):
            assert sentence in source, f"{sentence!r} is not in {passage.article.slug}"
        # Citations: the passage's own, each marker pointing at its own list, in the same order.
        cited = [k for k in citation_keys(passage.markdown)]
        markers = re.findall(
            rf'href="#{re.escape(passage.anchor_prefix)}ref-(\d+)"', str(passage.html)
        )
        listed = {c.number: c.reference.key for c in passage.references}
        assert [listed[int(n)] for n in markers] == cited
        assert set(listed.values()) == set(cited)
        assert passage.markdown in passages.normalise_newlines(passage.variant.body) or all(
            block in passages.normalise_newlines(passage.variant.body)
            for block in passage.markdown.split("\n\n")
        )


@pytest.mark.parametrize("level", list(L))
def test_each_article_lists_its_sources_once_numbered_for_its_group(demo, level):
    evidence = answer_from_evidence(PONATINIB, article=find_article(SEED), level=level)
    assert evidence.found
    articles = [group.article for group in evidence.groups]
    assert len(set(articles)) == len(articles)  # one group per article
    for group in evidence.groups:
        listed = group.references + group.more_references
        keys = [cited.reference.key for cited in listed]
        assert len(set(keys)) == len(keys)  # each source once, first view or "more"
        assert [cited.number for cited in listed] == list(range(1, len(listed) + 1))
        numbers = dict(zip(keys, (cited.number for cited in listed), strict=True))
        first_view = {c.reference.key for p in group.passages for c in p.references}
        assert {c.reference.key for c in group.references} == first_view
        for passage in group.passages + group.more:
            assert passage.article == group.article
            assert passage.anchor_prefix == group.anchor_prefix
            for cited in passage.references:  # a marker's number is its group's list number
                assert numbers[cited.reference.key] == cited.number
    assert len({group.anchor_prefix for group in evidence.groups}) == len(evidence.groups)


@pytest.mark.parametrize("level", list(L))
@pytest.mark.parametrize(
    "question", [PONATINIB, "What is the treatment for ALL during blast crisis?"]
)
def test_the_first_view_holds_the_best_passages_and_the_rest_wait(demo, question, level):
    evidence = answer_from_evidence(question, article=find_article(APPROVED), level=level)
    first = [p for group in evidence.groups for p in group.passages]
    more = [p for group in evidence.groups for p in group.more]
    assert 1 <= len(first) <= instant.FIRST_VIEW and evidence.more_count == len(more)
    # Best first: this article's passages, then by score; none held back outranks one shown.
    rank = {id(p): (p.article.slug != APPROVED, -p.score) for p in first + more}
    assert max(rank[id(p)] for p in first) < min((rank[id(p)] for p in more), default=(2, 0))
    # Grouped: the groups with a passage in the first view come first, each in article order.
    shown_at_first = [bool(group.passages) for group in evidence.groups]
    assert shown_at_first == sorted(shown_at_first, reverse=True)
    for group in evidence.groups:
        for part in (group.passages, group.more):
            positions = [p.section.position for p in part]
            assert positions == sorted(positions)


def test_long_passages_keep_the_first_view_short_but_never_empty(app):
    make_reference("ref")
    make_reference("other")

    def long(drug: str) -> str:
        return " ".join([f"{drug} dosing is weighed with care in every patient."] * 20)

    alone = make_article(sections=guideline(f"{long('Quuxomab')} [@ref]"))
    two = make_article(
        sections=guideline(f"{long('Zorblimab')} [@ref]\n\nAgain: {long('Zorblimab')} [@other]")
    )
    db.session.commit()
    [group] = answer_from_evidence("quuxomab dosing", article=alone, level=L.CLINICAL).groups
    assert len(group.passages) == 1 and group.more == []  # the best one, however long
    [group] = answer_from_evidence("zorblimab dosing", article=two, level=L.CLINICAL).groups
    assert len(group.passages) == 1 and len(group.more) == 1
    assert [c.number for c in group.references + group.more_references] == [1, 2]


def test_related_articles_leave_out_those_quoted(demo):
    evidence = answer_from_evidence(PONATINIB, article=find_article(SEED), level=L.CLINICAL)
    quoted = {group.article for group in evidence.groups}
    assert evidence.related and not quoted & set(evidence.related)


@pytest.mark.parametrize(
    "question",
    [
        "What is the best diet for diabetes in pregnancy?",
        "Is coffee safe with ponatinib?",  # one word matches, the subject does not
        "Which is better?",
    ],
)
def test_says_nothing_rather_than_weak_passages(demo, question):
    evidence = answer_from_evidence(question, article=find_article(SEED), level=L.CLINICAL)
    assert not evidence.found and evidence.passages == []


def test_reader_level_with_the_article_pages_fallback(app):
    make_reference("ref")
    article = make_article(
        question="Test question about zorblatinib?",
        sections=[
            SectionInput(
                SectionKind.GUIDELINES,
                "From the Guidelines",
                {
                    L.CLINICAL: "Zorblatinib dosing is weight based in test patients [@ref].",
                    L.PLAIN: "Test dose of zorblatinib depends on body weight [@ref].",
                },
            ),
            SectionInput(
                SectionKind.RESEARCH,
                "From the Research",
                {L.CLINICAL: "Zorblatinib dosing was studied in a test trial [@ref]."},
            ),
        ],
    )
    db.session.commit()
    evidence = answer_from_evidence("zorblatinib dosing weight", article=article, level=L.PLAIN)
    by_kind = {p.section.kind: p for p in evidence.passages}
    assert by_kind[SectionKind.GUIDELINES].variant.level == L.PLAIN
    assert not by_kind[SectionKind.GUIDELINES].is_fallback
    research = answer_from_evidence("zorblatinib dosing trial", article=article, level=L.PLAIN)
    fallback = next(p for p in research.passages if p.section.kind == SectionKind.RESEARCH)
    assert fallback.variant.level == L.CLINICAL and fallback.is_fallback


def test_drafts_are_never_quoted(app):
    make_reference("ref")
    draft_only = make_article(
        status="draft",
        sections=[
            SectionInput(
                SectionKind.GUIDELINES, "G", {L.CLINICAL: "Quuxomab test draft text [@ref]."}
            )
        ],
    )
    live = make_article(
        sections=[
            SectionInput(SectionKind.GUIDELINES, "G", {L.CLINICAL: "Live text on fizzumab [@ref]."})
        ]
    )
    save_revision(
        live,
        author=None,
        question=live.question,
        sections=[
            SectionInput(
                SectionKind.GUIDELINES, "G", {L.CLINICAL: "Draft text on fizzumab quuxomab [@ref]."}
            )
        ],
    )
    db.session.commit()
    assert not answer_from_evidence("quuxomab test", article=draft_only, level=L.CLINICAL).found
    shown = answer_from_evidence("fizzumab text", article=live, level=L.CLINICAL).passages
    assert [p.markdown for p in shown] == ["Live text on fizzumab [@ref]."]


def guideline(text: str) -> list[SectionInput]:
    return [SectionInput(SectionKind.GUIDELINES, "G", {L.CLINICAL: text})]


@pytest.mark.parametrize("status", ["submitted", "under_review", "changes_requested"])
def test_only_approved_text_is_quoted(app, status):
    """The panel says "reviewed": text waiting for review, or sent back, is never quoted."""
    make_reference("ref")
    pending = make_article(status=status, sections=guideline("Zorblimab pending text [@ref]."))
    approved = make_article(sections=guideline("Approved text on zorblimab dosing [@ref]."))
    editor = make_user(role=Role.EDITOR)
    newer = save_revision(
        approved,
        author=editor,
        question=approved.question,
        sections=guideline("Newer zorblimab dosing text awaiting review [@ref]."),
    )
    review.submit(newer, actor=editor)
    db.session.commit()
    for article in (pending, approved, None):
        evidence = answer_from_evidence("zorblimab text dosing", article=article, level=L.CLINICAL)
        assert [p.markdown for p in evidence.passages] == [
            "Approved text on zorblimab dosing [@ref]."
        ]
        assert pending not in evidence.related
    asked_on_pending = answer_from_evidence("zorblimab", article=pending, level=L.CLINICAL)
    assert asked_on_pending.unreviewed == (pending if pending.is_public else None)
    assert answer_from_evidence("zorblimab", article=approved, level=L.CLINICAL).unreviewed is None


def test_the_panel_says_why_the_article_asked_on_is_not_quoted(app, client):
    pending = make_article(
        status="under_review", sections=guideline("Zorblimab pending text [@ref].")
    )
    db.session.commit()
    sent = client.post(
        f"/articles/{pending.slug}/questions",
        data={"text": "Is zorblimab pending text safe?"},
        headers={"HX-Request": "true"},
    )
    html = sent.get_data(as_text=True)
    assert sent.status_code == 200 and "Zorblimab pending text" not in html
    assert "its text is still waiting for the Medical Advisory Board" in html


def test_candidates_come_through_the_one_search_seam(demo, monkeypatch):
    asked = []

    def only_this(query, limit, language):
        asked.append((query, limit, language))
        return []

    monkeypatch.setattr(instant, "_candidates", only_this)
    evidence = answer_from_evidence(PONATINIB, article=find_article(APPROVED), level=L.CLINICAL)
    assert asked == [(PONATINIB, instant.CANDIDATES, "en")]
    assert {p.article.slug for p in evidence.passages} == {APPROVED}


def test_instant_answer_costs_a_few_queries_besides_the_search_seam(demo, monkeypatch):
    from sqlalchemy import event

    article = find_article(SEED)
    ids = instant._candidates(PONATINIB, instant.CANDIDATES)
    monkeypatch.setattr(instant, "_candidates", lambda query, limit, language: ids)
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        evidence = answer_from_evidence(PONATINIB, article=article, level=L.CLINICAL)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert evidence.found and len(ids) > 1
    assert len(statements) == 3  # articles with their public revisions, section texts, references


def test_stemming_from_many_threads_gives_the_single_threaded_stems():
    """gunicorn serves with threads: a stemmer shared between them mixes up their words."""
    words = sorted({w.lower() for w in re.findall(r"[a-z]{4,}", STEM_TEXT)}) * 40
    expected = [passages.stem(w) for w in words]
    results: dict[int, list[str] | BaseException] = {}
    start = threading.Barrier(8)

    def work(n: int) -> None:
        start.wait()
        try:
            results[n] = [passages.stem(w) for w in words]
        except BaseException as error:  # IndexError inside a shared stemmer
            results[n] = error

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, as a loaded server does
    try:
        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert all(results[n] == expected for n in range(8))


STEM_TEXT = """
treatment treating treated relapsing relapsed remission transplantation allogeneic hematopoietic
ponatinib dasatinib imatinib nilotinib bosutinib inhibitors inhibiting mutations resistance
chemotherapy intensive consolidation maintenance survival outcomes randomized trials patients
guidelines recommendations considerations generally particularly effectiveness tolerability
cardiovascular thrombosis hypertension arterial occlusive events monitoring electrocardiogram
children adolescents pregnancy breastfeeding contraception fertility preservation counseling
"""
