"""Follow-up questions as services: asking, the private token, duplicates, four-eyes answers,
rejection, promotion, deletion and the queue."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from extensions import db
from models import (
    AnswerStatus,
    AuditEvent,
    FollowupAnswer,
    FollowupQuestion,
    FollowupStatus,
    ReadingLevel,
    ReviewStatus,
    Role,
    SectionKind,
)
from models.base import utcnow
from services.errors import DomainError, InvalidTransition, NotPermitted
from services.followups import answers, promotion, questions, queue
from services.reading.view import find_article
from tests.factories import ask_question, make_article, make_reference, make_user

SEED = "all-blast-crisis-treatment"
QUESTION = "Is ponatinib better than dasatinib for Ph+ ALL?"


def ask(article, text=QUESTION, client="client-a", **kwargs):
    return ask_question(article, text=text, level=ReadingLevel.CLINICAL, client=client, **kwargs)


@pytest.fixture
def article(app):
    make_reference("ref")
    found = make_article(question="Test question?")
    db.session.commit()
    return found


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write your question."),
        ("   ", "Write your question."),
        ("Too short", "Your question is too short: write at least 10 characters."),
        ("x" * 1001, "Your question is too long (1,001 characters): keep it to 1,000 or fewer."),
        (
            "See https://a.example/x and www.b.example and c.com for this test question",
            "Your question has 3 links: include at most 2.",
        ),
    ],
)
def test_problems_are_told_in_plain_words(text, message):
    assert questions.problems(text) == [message]


def test_trimmed_length_and_two_links_are_fine():
    assert questions.problems("   " + "x" * 1000 + "\n\n ") == []
    assert questions.problems("Is https://a.example/x the same as www.b.example? Test.") == []
    assert questions.problems("  Ten chars!  ") == []


def test_ask_stores_the_question_and_only_a_hash_of_its_token(article):
    asked = ask(article, text="  Test question about dosing?  ")
    db.session.commit()
    question = asked.question
    assert question.text == "Test question about dosing?"
    assert question.status == FollowupStatus.NEW and question.level == ReadingLevel.CLINICAL
    assert len(asked.token) == 22  # 16 bytes, base64url
    assert question.token_hash == hashlib.sha256(asked.token.encode()).hexdigest()
    stored = db.session.execute(sa.select(FollowupQuestion.__table__)).one()._asdict()
    assert asked.token not in {str(v) for v in stored.values()}
    assert questions.find_by_token(asked.token) is question


def test_tokens_are_unguessable_and_other_tokens_open_nothing(article):
    tokens = {ask(article, text=f"Test question number {n}?").token for n in range(20)}
    assert len(tokens) == 20
    for wrong in ["", "x", "A" * 22, "a" * 21, "../../etc/passwd", next(iter(tokens))[:-1] + "!"]:
        assert questions.find_by_token(wrong) is None


def test_the_same_question_twice_from_one_client_is_stored_once_with_one_link(article):
    first = ask(article, text="Test question about dosing?")
    again = ask(article, text="  test QUESTION   about dosing? ")
    assert again.duplicate and again.question is first.question and again.token == first.token
    other_client = ask(article, text="Test question about dosing?", client="client-b")
    later = ask(article, text="Test question about dosing?", now=utcnow() + timedelta(minutes=25))
    assert not other_client.duplicate and not later.duplicate
    assert db.session.scalar(sa.select(sa.func.count(FollowupQuestion.id))) == 3


def test_two_identical_submissions_at_once_store_one_row(article, monkeypatch):
    first = ask(article)
    real_earlier = questions._earlier
    calls = []

    def not_yet_visible(prints, secret):  # the other request has not committed when this one looks
        calls.append(prints)
        return None if len(calls) == 1 else real_earlier(prints, secret)

    monkeypatch.setattr(questions, "_earlier", not_yet_visible)
    second = ask(article)
    assert second.duplicate and second.question is first.question and len(calls) == 2
    assert db.session.scalar(sa.select(sa.func.count(FollowupQuestion.id))) == 1


def test_cannot_ask_bad_text_or_about_an_unpublished_article(article):
    with pytest.raises(DomainError, match="too short"):
        ask(article, text="short")
    draft = make_article(status="draft")
    with pytest.raises(DomainError, match="published"):
        ask(draft)
    assert db.session.scalar(sa.select(sa.func.count(FollowupQuestion.id))) == 0


def answered(article, *, author=None, reviewer=None):
    author = author or make_user(role=Role.EDITOR)
    reviewer = reviewer or make_user(role=Role.REVIEWER, credentials="MD")
    question = ask(article).question
    answer = answers.save_answer(
        question,
        author=author,
        public_text="Test public wording?",
        body="Answer [@ref].",
        submit=True,
    )
    answers.approve_answer(answer, reviewer=reviewer, seen=answers.content_hash(question))
    return question


def test_answer_is_public_only_after_a_reviewer_who_did_not_write_it_approves(article):
    editor = make_user(role=Role.EDITOR)
    reviewer = make_user(role=Role.REVIEWER, credentials="MD")
    question = ask(article).question
    answer = answers.save_answer(
        question, author=reviewer, public_text="Test public wording?", body="Answer [@ref]."
    )
    assert answer.status == AnswerStatus.DRAFT and answers.answered_for(article) == []
    answers.submit_answer(answer, actor=reviewer)
    seen = answers.content_hash(question)
    assert answers.approval_refusal(answer, reviewer) == (
        "You wrote part of this text, so another board member must review it."
    )
    with pytest.raises(NotPermitted, match="You wrote part of this text"):
        answers.approve_answer(answer, reviewer=reviewer, seen=seen)
    with pytest.raises(NotPermitted):
        answers.approve_answer(answer, reviewer=editor, seen=seen)  # not on the board
    other = make_user(role=Role.REVIEWER, credentials="MD")
    assert answers.approval_refusal(answer, other) is None
    answers.approve_answer(answer, reviewer=other, seen=seen)
    db.session.commit()
    assert question.status == FollowupStatus.ANSWERED
    assert answer.status == AnswerStatus.APPROVED and answer.reviewer is other
    shown = answers.answered_for(article)
    assert [s.question for s in shown] == [question]
    assert "Test public wording?" == shown[0].question.public_text
    assert [c.reference.key for c in shown[0].references] == ["ref"]
    assert f'href="#asked-{question.id}-ref-1"' in shown[0].html
    assert answers.public_answer(question) is not None


def test_cannot_approve_a_draft_or_an_approved_answer(article):
    question = answered(article)
    with pytest.raises(InvalidTransition):
        answers.approve_answer(
            question.answer,
            reviewer=make_user(role=Role.REVIEWER),
            seen=answers.content_hash(question),
        )


def test_changing_a_published_answer_takes_it_down_until_approved_again(article):
    question = answered(article)
    editor = make_user(role=Role.EDITOR)
    answers.save_answer(
        question, author=editor, public_text="Test public wording?", body="Better answer [@ref]."
    )
    assert question.status == FollowupStatus.NEW
    assert question.answer.status == AnswerStatus.DRAFT and question.answer.author is editor
    assert answers.answered_for(article) == [] and answers.public_answer(question) is None


def test_cannot_cite_what_the_library_lacks_or_leave_parts_empty(article):
    question = ask(article).question
    editor = make_user(role=Role.EDITOR)
    with pytest.raises(DomainError, match="@nosuchkey"):
        answers.save_answer(question, author=editor, public_text="Test?", body="Text [@nosuchkey].")
    with pytest.raises(DomainError, match="Write the answer"):
        answers.save_answer(question, author=editor, public_text="Test?", body=" ")
    with pytest.raises(DomainError, match="as it will appear"):
        answers.save_answer(question, author=editor, public_text="", body="Text.")


def test_every_staff_action_is_audited_without_the_readers_words(article):
    question = answered(article)
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-3:] == [
        "followup.answer_save",
        "followup.answer_submit",
        "followup.answer_approve",
    ]
    for event in db.session.scalars(sa.select(AuditEvent)):
        if event.object_type == "followup":
            assert event.object_label == f"Follow-up question #{question.id}"
            assert QUESTION not in str(event.changes) and "Test public" not in str(event.changes)


def test_bulk_reject_rejects_new_questions_only(article):
    editor = make_user(role=Role.EDITOR)
    spam = [ask(article, text=f"Buy cheap test pills now {n}").question for n in range(3)]
    done = answered(article)
    assert queue.reject([*spam, done], actor=editor) == 3
    assert {q.status for q in spam} == {FollowupStatus.REJECTED}
    assert done.status == FollowupStatus.ANSWERED
    rejects = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "followup.reject")
    ).all()
    assert sorted(int(e.object_id) for e in rejects) == sorted(q.id for q in spam)
    queue.reopen(spam[0], actor=editor)
    assert spam[0].status == FollowupStatus.NEW
    with pytest.raises(InvalidTransition):
        queue.reopen(spam[0], actor=editor)


def test_cannot_act_on_questions_without_the_role(article):
    question = ask(article).question
    nobody = make_user(role=Role.EDITOR)
    nobody.is_active = False
    with pytest.raises(NotPermitted):
        queue.reject([question], actor=nobody)
    with pytest.raises(NotPermitted):
        promotion.promote(question, actor=nobody, wording=QUESTION)


def test_promote_makes_a_draft_with_passages_by_kind_linked_to_the_question(demo):
    seed = find_article(SEED)
    editor = make_user(role=Role.EDITOR)
    question = ask(seed).question
    article = promotion.promote(question, actor=editor, wording=QUESTION)
    db.session.commit()
    assert question.status == FollowupStatus.PROMOTED and question.promoted_article is article
    assert promotion.promoted_from(article) is question and promotion.promoted_from(seed) is None
    indexed = {tuple(i.columns.keys()) for i in FollowupQuestion.__table__.indexes}
    assert ("promoted_article_id",) in indexed  # the way back is an index probe, not a scan
    assert article.question == QUESTION and not article.is_public
    revision = article.latest_revision
    assert revision.status == ReviewStatus.DRAFT and revision.author is editor
    assert f"follow-up question #{question.id}" in revision.change_note
    kinds = [s.kind for s in revision.sections]
    assert SectionKind.RESEARCH in kinds
    assert kinds == sorted(kinds, key=[k for k, _ in promotion.PROMOTED_SECTIONS].index)
    evidence = questions.answer_from_evidence(QUESTION, article=seed, level=ReadingLevel.CLINICAL)
    bodies = "\n\n".join(v.body for s in revision.sections for v in s.variants)
    for passage in evidence.passages:
        assert passage.markdown in bodies  # verbatim, citations included
    assert "[@" in bodies
    assert_sections_follow_the_passages(revision, evidence)
    with pytest.raises(InvalidTransition):
        promotion.promote(question, actor=editor, wording=QUESTION)


# Where a passage of each kind goes in a promoted draft: the seed page's three sources, and
# anything else (a summary) under "From other Vetted articles".
PROMOTED_KIND = {
    SectionKind.GUIDELINES: SectionKind.GUIDELINES,
    SectionKind.DRUG_LABEL: SectionKind.DRUG_LABEL,
    SectionKind.RESEARCH: SectionKind.RESEARCH,
    SectionKind.SUMMARY: SectionKind.OTHER,
    SectionKind.OTHER: SectionKind.OTHER,
}


def assert_sections_follow_the_passages(revision, evidence) -> None:
    """One section per kind retrieved, and each holds exactly the passages of its kind."""
    expected = {PROMOTED_KIND[p.section.kind] for p in evidence.passages}
    assert {s.kind for s in revision.sections} == expected
    assert len(revision.sections) == len(expected)
    for section in revision.sections:
        body = "\n\n".join(v.body for v in section.variants)
        for passage in evidence.passages:
            mine = PROMOTED_KIND[passage.section.kind] == section.kind
            assert (passage.markdown in body) is mine, (section.kind, passage.anchor)


MIXED = (
    "Is hyper-CVAD with ponatinib recommended by guidelines for Ph+ ALL, and what does the "
    "label say?"
)


def test_promote_puts_guideline_label_and_other_passages_in_their_own_sections(demo):
    seed = find_article(SEED)
    question = ask(seed, text=MIXED).question
    article = promotion.promote(question, actor=make_user(role=Role.EDITOR), wording=MIXED)
    db.session.commit()
    revision = article.latest_revision
    evidence = questions.answer_from_evidence(MIXED, article=seed, level=ReadingLevel.CLINICAL)
    retrieved = {p.section.kind for p in evidence.passages}
    # This question draws on more than research, so every section kind is exercised here.
    assert {SectionKind.GUIDELINES, SectionKind.DRUG_LABEL} <= retrieved
    assert_sections_follow_the_passages(revision, evidence)
    kinds = [s.kind for s in revision.sections]
    assert kinds == sorted(kinds, key=[k for k, _ in promotion.PROMOTED_SECTIONS].index)
    headings = {s.kind: s.heading for s in revision.sections}
    assert headings[SectionKind.GUIDELINES] == SectionKind.GUIDELINES.label
    assert headings[SectionKind.DRUG_LABEL] == SectionKind.DRUG_LABEL.label
    if SectionKind.OTHER in headings:
        assert headings[SectionKind.OTHER] == "From other Vetted articles"


def test_promote_refuses_a_wording_too_long_for_a_title_or_none(article):
    question = ask(article).question
    editor = make_user(role=Role.EDITOR)
    with pytest.raises(DomainError, match="at most 300 characters"):
        promotion.promote(question, actor=editor, wording="Test question " + "on dosing " * 30)
    for blank in ("", "  \n "):
        with pytest.raises(DomainError, match="Write the question as the new article will ask"):
            promotion.promote(question, actor=editor, wording=blank)
    assert question.status == FollowupStatus.NEW


PRIVATE = (
    "My son Torvald Quibbleton (7, Room 12 at St Wilgefortis) has Ph+ ALL: is ponatinib better "
    "than dasatinib for him?"
)


def texts_in_database() -> str:
    """Every string column of every table, and every JSON one as text, joined."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text, sa.JSON))]
        if columns:
            for row in db.session.execute(sa.select(*columns)):
                found.extend(str(value) for value in row if value is not None)
    return "\n".join(found)


def test_after_promotion_and_deletion_the_readers_words_are_nowhere(demo):
    seed = find_article(SEED)
    editor = make_user(role=Role.EDITOR)
    question = ask(seed, text=PRIVATE).question
    db.session.commit()
    assert "Torvald Quibbleton" in texts_in_database()  # the check can see them
    article = promotion.promote(question, actor=editor, wording=QUESTION)
    db.session.commit()
    assert article.question == QUESTION and article.latest_revision.sections
    questions.delete_by_reader(question)
    db.session.commit()
    everything = texts_in_database()
    for words in ("Torvald", "Quibbleton", "Wilgefortis", "Room 12", "for him"):
        assert words not in everything


def test_reader_deletes_the_question_its_text_and_its_answer(article):
    question = answered(article)
    question_id, token_hash = question.id, question.token_hash
    questions.delete_by_reader(question)
    db.session.commit()
    assert db.session.get(FollowupQuestion, question_id) is None
    assert db.session.scalar(sa.select(sa.func.count(FollowupAnswer.id))) == 0
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(FollowupQuestion.token_hash == token_hash)
        )
        == 0
    )
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "followup.delete_by_reader" and event.actor is None
    assert QUESTION not in str(event.changes) + event.object_label


def test_queue_filters_searches_pages_and_counts(article):
    new = [ask(article, text=f"Test question number {n:02d}?").question for n in range(30)]
    for n, question in enumerate(new):
        question.created_at = utcnow() - timedelta(hours=100 - n)
    done = answered(article)
    queue.reject(new[:2], actor=make_user(role=Role.EDITOR))
    db.session.commit()

    counts = queue.queue_counts()
    assert (counts.new, counts.answered, counts.rejected, counts.promoted) == (28, 1, 2, 0)
    first = queue.queue(status=FollowupStatus.NEW, per_page=25)
    assert first.total == 28 and first.pages == 2 and len(first.items) == 25
    assert first.items[0] is new[2]  # oldest first: none waits forever
    second = queue.queue(status=FollowupStatus.NEW, page=2, per_page=25)
    assert len(second.items) == 3 and not second.has_next and second.has_previous
    assert queue.queue(status=None, text="number 07").items == [new[7]]
    assert queue.queue(status=None, text="public wording").items == [done]
    assert queue.queue(status=None, text="100%_").total == 0  # wildcards are literal
    assert queue.queue(status=FollowupStatus.NEW, page=99).page == 2


def test_awaiting_approval_lists_submitted_answers(article):
    question = ask(article).question
    answers.save_answer(
        question, author=make_user(), public_text="Test?", body="Answer [@ref].", submit=True
    )
    assert queue.queue_counts().awaiting_approval == 1
    assert queue.queue(status=None, awaiting_approval=True).items == [question]


def test_others_asked_suggests_answered_questions_that_share_words(article):
    question = answered(article)  # public wording: "Test public wording?"
    ask(article, text="Unanswered public wording question?")
    db.session.commit()
    assert questions.suggestions("public wording of my question") == [question]
    assert questions.suggestions("wording") == [question]
    assert questions.suggestions("something else entirely") == []
    assert questions.suggestions("") == []


def test_queue_and_readers_also_asked_read_indexes(app):
    names = {i["name"] for i in sa.inspect(db.engine).get_indexes("followup_questions")}
    assert {
        "ix_followup_questions_status_created_at",
        "ix_followup_questions_article_id_status",
    } <= names


def test_cannot_approve_text_other_than_the_one_read(article):
    question = ask(article).question
    editor = make_user(role=Role.EDITOR)
    reviewer = make_user(role=Role.REVIEWER, credentials="MD")
    answer = answers.save_answer(
        question, author=editor, public_text="Test wording?", body="As read.", submit=True
    )
    db.session.commit()
    read = answers.content_hash(question)
    with pytest.raises(answers.AnswerChanged, match="changed after you opened it"):
        answers.approve_answer(answer, reviewer=reviewer, seen="0" * 64)
    db.session.rollback()

    # The author's save lands (another connection) after this session loaded the answer: the
    # text in hand still matches what was read, but the row no longer holds it.
    answer = db.session.get(FollowupAnswer, answer.id)
    assert answer.body == "As read." and answers.content_hash(question) == read
    engine = sa.create_engine(db.engine.url)
    try:
        with engine.begin() as other:
            other.execute(
                sa.text("UPDATE followup_answers SET body = 'Changed.', updated_at = :now"),
                {"now": utcnow()},
            )
    finally:
        engine.dispose()
    with pytest.raises(answers.AnswerChanged):
        answers.approve_answer(answer, reviewer=reviewer, seen=read)
    db.session.rollback()
    assert db.session.get(FollowupAnswer, answer.id).status == AnswerStatus.SUBMITTED


def test_cannot_approve_after_a_colleague_edited_ones_answer(article):
    first, second = make_user(role=Role.REVIEWER), make_user(role=Role.EDITOR)
    question = ask(article).question
    answers.save_answer(question, author=first, public_text="Test wording?", body="Mine.")
    answers.save_answer(
        question, author=second, public_text="Test wording?", body="Mine!", submit=True
    )
    assert answers.authors(question.answer) == {
        first.id: first.display_name,
        second.id: second.display_name,
    }
    with pytest.raises(NotPermitted, match="You wrote part of this text"):
        answers.approve_answer(question.answer, reviewer=first, seen=answers.content_hash(question))
