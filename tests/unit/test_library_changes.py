"""Library changes are reviewed too: an edit to a reference public text cites, or to a glossary
term it uses, waits for a second person's approval; unused entries change at once."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa

from extensions import db
from models import (
    AuditEvent,
    ChangeStatus,
    GlossaryTerm,
    LibraryChange,
    ReadingLevel,
    Reference,
    Role,
    SectionKind,
    library_change_articles,
)
from services.editorial.revisions import SectionInput
from services.errors import InvalidTransition, NotPermitted
from services.library import changes
from services.library.glossary import TermInput, update_term
from services.library.references import ReferenceInput, apply_edit, update_reference
from services.reading import public_history
from services.validation import InvalidFields
from tests.factories import make_article, make_reference, make_user


@pytest.fixture
def people(app):
    return {
        "ada": make_user(role=Role.EDITOR, name="Ada Editor"),
        "bo": make_user(role=Role.REVIEWER, name="Bo Reviewer", credentials="MD"),
        "cy": make_user(role=Role.EDITOR, name="Cy Editor"),
    }


@pytest.fixture
def cited(people):
    """A reference cited by a published article's public text."""
    reference = make_reference("ref", title="Original title")
    article = make_article(question="A published question?")
    return reference, article


def retitle(reference: Reference, title: str, actor, **kwargs):
    return update_reference(
        reference, replace(ReferenceInput.of(reference), title=title), actor=actor, **kwargs
    )


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_an_unused_reference_changes_at_once(people):
    lonely = make_reference("lonely")
    make_article(status="draft", sections=None)  # a draft citing "ref" is not public text
    result = retitle(lonely, "New title", people["ada"])
    assert result == {"title": ["A study called lonely", "New title"]}
    assert lonely.title == "New title" and lonely.version == 2
    assert db.session.scalar(sa.select(sa.func.count(LibraryChange.id))) == 0


def test_an_edit_of_a_cited_reference_waits_for_review(people, cited):
    reference, article = cited
    change = retitle(reference, "Corrected title", people["ada"])
    assert isinstance(change, LibraryChange) and change.status == ChangeStatus.PENDING
    assert reference.title == "Original title" and reference.version == 1  # readers: unchanged
    assert change.changed_fields == ["title"] and change.base_version == 1
    assert [a.id for a in changes.articles_altered_by(change)] == [article.id]
    assert actions()[-1] == "library.propose"


def test_approval_applies_the_change_and_records_the_articles_it_altered(people, cited):
    reference, article = cited
    change = retitle(reference, "Corrected title", people["ada"])
    altered = changes.approve(change, approver=people["bo"])
    assert [a.id for a in altered] == [article.id]
    assert reference.title == "Corrected title" and reference.version == 2
    assert change.status == ChangeStatus.APPROVED and change.decided_by == people["bo"]
    rows = db.session.execute(sa.select(library_change_articles)).all()
    assert [(r.article_id, r.revision_id) for r in rows] == [
        (article.id, article.public_revision_id)
    ]
    assert actions()[-2:] == ["reference.update", "library.approve"]


def test_the_public_history_names_the_fields_and_the_approver(people, cited):
    reference, article = cited
    changes.approve(retitle(reference, "Corrected title", people["ada"]), approver=people["bo"])
    (entry,) = public_history.library_corrections(article)
    assert entry.is_reference and entry.entry == "Corrected title"
    assert entry.fields == ["title"] and entry.change.decided_by.display_name == "Bo Reviewer, MD"
    other = make_article(question="Another?", sections=_section("Nothing cited."))
    assert public_history.library_corrections(other) == []


def test_a_pending_change_is_not_in_the_public_history(people, cited):
    reference, article = cited
    retitle(reference, "Corrected title", people["ada"])
    assert public_history.library_corrections(article) == []


def test_cannot_approve_own_library_change(people, cited):
    reference, _ = cited
    change = retitle(reference, "Corrected title", people["bo"])
    with pytest.raises(NotPermitted, match="another board member"):
        changes.approve(change, approver=people["bo"])
    assert reference.title == "Original title"


def test_cannot_approve_through_an_account_the_author_created(people, cited):
    reference, _ = cited
    made = make_user(role=Role.REVIEWER, name="Made Reviewer")
    made.created_by_id = people["ada"].id
    change = retitle(reference, "Corrected title", people["ada"])
    reason = changes.who_may_not_decide(change, made)
    assert reason and "Ada Editor created your account" in reason
    with pytest.raises(NotPermitted, match="created your account"):
        changes.approve(change, approver=made)
    with pytest.raises(NotPermitted):
        changes.reject(change, reviewer=made, comment="No.")
    assert change.status == ChangeStatus.PENDING


def test_cannot_approve_without_the_boards_permission(people, cited):
    reference, _ = cited
    change = retitle(reference, "Corrected title", people["ada"])
    with pytest.raises(NotPermitted, match="Medical Advisory Board"):
        changes.approve(change, approver=people["cy"])


def test_cannot_approve_over_a_stale_base(people, cited):
    reference, _ = cited
    change = retitle(reference, "Corrected title", people["ada"])
    # The entry changed after the proposal (here through the apply path directly).
    apply_edit(reference, replace(ReferenceInput.of(reference), authors="X"), actor=people["cy"])
    assert changes.is_stale(change, reference)
    with pytest.raises(InvalidTransition, match="changed after this change was proposed"):
        changes.approve(change, approver=people["bo"])
    assert reference.title == "Original title"


def test_sending_back_needs_a_comment_and_leaves_the_entry(people, cited):
    reference, _ = cited
    change = retitle(reference, "Corrected title", people["ada"])
    with pytest.raises(InvalidFields) as refused:
        changes.reject(change, reviewer=people["bo"], comment="  ")
    assert "comment" in refused.value.errors and change.status == ChangeStatus.PENDING
    changes.reject(change, reviewer=people["bo"], comment="Check the journal's own title.")
    assert change.status == ChangeStatus.REJECTED and change.comment.startswith("Check")
    assert reference.title == "Original title" and actions()[-1] == "library.reject"
    with pytest.raises(InvalidTransition):
        changes.approve(change, approver=people["bo"])


def test_a_second_edit_by_its_author_replaces_theirs(people, cited):
    reference, _ = cited
    first = retitle(reference, "First try", people["ada"])
    second = retitle(reference, "Second try", people["ada"], version=1)
    assert first.status == ChangeStatus.WITHDRAWN and second.status == ChangeStatus.PENDING
    assert changes.pending_for(first.kind, reference.id) == second


def test_cannot_propose_while_someone_else_has_a_change_pending(people, cited):
    reference, _ = cited
    retitle(reference, "Ada's title", people["ada"])
    with pytest.raises(InvalidFields, match="Ada Editor has a change") as refused:
        retitle(reference, "Cy's title", people["cy"])
    assert refused.value.status_code == 409


def test_only_its_author_withdraws_a_change(people, cited):
    reference, _ = cited
    change = retitle(reference, "Corrected title", people["ada"])
    with pytest.raises(NotPermitted):
        changes.withdraw(change, actor=people["cy"])
    changes.withdraw(change, actor=people["ada"])
    assert change.status == ChangeStatus.WITHDRAWN and reference.title == "Original title"


def _section(text: str) -> list[SectionInput]:
    return [SectionInput(SectionKind.SUMMARY, "Short answer", {ReadingLevel.CLINICAL: text})]


def _term() -> GlossaryTerm:
    term = GlossaryTerm(
        slug="tyrosine-kinase-inhibitor",
        term="tyrosine kinase inhibitor",
        abbr="TKI",
        definition="Old.",
    )
    db.session.add(term)
    db.session.flush()
    return term


def test_a_glossary_term_public_text_uses_waits_for_review(people):
    admin = make_user(role=Role.ADMIN, name="Admin")
    term = _term()
    article = make_article(sections=_section("A TKI is given first."))
    change = update_term(term, replace(TermInput.of(term), definition="New."), actor=admin)
    assert isinstance(change, LibraryChange) and term.definition == "Old."
    assert change.field_diff()[0].label == "explanation"
    with pytest.raises(NotPermitted):
        changes.approve(change, approver=admin)
    assert [a.id for a in changes.approve(change, approver=people["bo"])] == [article.id]
    assert term.definition == "New."
    (entry,) = public_history.library_corrections(article)
    assert not entry.is_reference and entry.fields == ["explanation"]


def test_an_unused_glossary_term_changes_at_once(people):
    admin = make_user(role=Role.ADMIN)
    term = _term()
    make_article(sections=_section("The TKIsomething word is not the term."))
    result = update_term(term, replace(TermInput.of(term), definition="New."), actor=admin)
    assert result == {"definition": ["Old.", "New."]} and term.definition == "New."


def test_an_unused_term_given_a_form_public_text_uses_waits_for_review(people):
    """Judged on the term as it would be too: an unused term renamed, or given an alias, to a
    word public text uses would otherwise explain that word on public pages at once."""
    admin = make_user(role=Role.ADMIN)
    term = _term()
    make_article(sections=_section("Then imatinib is given."))
    aliased = update_term(
        term, replace(TermInput.of(term), aliases=["imatinib"], definition="New."), actor=admin
    )
    assert isinstance(aliased, LibraryChange) and term.definition == "Old." and not term.aliases


def test_an_unused_reference_given_a_key_public_text_cites_waits_for_review(people):
    """A revision shown under the caution banner cites [@ghost], which no reference has yet:
    giving an unused reference that key would fill in public citations at once."""
    lonely = make_reference("lonely")
    make_article(
        status="submitted",
        sections=_section("Given [@ghost]."),
    )
    change = update_reference(
        lonely, replace(ReferenceInput.of(lonely), key="ghost"), actor=people["ada"]
    )
    assert isinstance(change, LibraryChange) and lonely.key == "lonely"


def test_two_proposals_at_the_same_moment_give_the_second_a_409(people, cited, monkeypatch):
    """Both looked before either stored: the unique pending index refuses the second, which
    gets a clear 409 and a transaction that still works, never a 500."""
    reference, _article = cited
    first = retitle(reference, "First title", people["ada"])
    monkeypatch.setattr(changes, "pending_for", lambda _kind, _id: None)  # the race's blind spot
    with pytest.raises(InvalidFields) as refused:
        retitle(reference, "Second title", people["cy"])
    assert refused.value.status_code == 409
    pending = db.session.scalars(
        sa.select(LibraryChange).where(LibraryChange.status == ChangeStatus.PENDING)
    ).all()
    assert pending == [first]


def test_two_approvals_at_once_take_turns_and_apply_once(app, people, cited):
    """On SQLite too: the second reviewer waits for the first, then sees the change decided."""
    import threading
    import time

    reference, _article = cited
    change_id = retitle(reference, "Corrected title", people["ada"]).id
    reference_id = reference.id
    other = make_user(role=Role.REVIEWER, name="Di Reviewer")
    approvers = people["bo"].id, other.id
    db.session.commit()
    db.session.remove()
    outcome: dict[str, object] = {}

    def second_reviewer():
        with app.app_context():
            try:
                change = changes.locked(change_id)  # waits for the first decision
                changes.approve(change, approver=db.session.get(type(other), approvers[1]))
                db.session.commit()
                outcome["second"] = "applied"
            except InvalidTransition as refused:
                outcome["second"] = str(refused)
            finally:
                db.session.remove()

    change = changes.locked(change_id)
    thread = threading.Thread(target=second_reviewer)
    thread.start()
    time.sleep(0.5)  # the second reviewer is now waiting on the row
    changes.approve(change, approver=db.session.get(type(other), approvers[0]))
    db.session.commit()
    thread.join(timeout=10)

    assert outcome["second"].startswith("This change is no longer waiting for review")
    assert db.session.get(Reference, reference_id).version == 2  # applied once
    assert actions().count("library.approve") == 1


def test_a_new_term_public_text_uses_waits_and_its_approval_creates_it(people):
    from services.library.glossary import create_term

    admin = make_user(role=Role.ADMIN, name="Admin")
    article = make_article(sections=_section("Then imatinib is given."))
    change = create_term(TermInput("imatinib", "A kinase blocker."), actor=admin)
    assert isinstance(change, LibraryChange) and change.is_new and change.target_id is None
    assert change.changed_fields == ["term", "definition"]
    assert db.session.scalar(sa.select(sa.func.count(GlossaryTerm.id))) == 0
    assert [a.id for a in changes.articles_altered_by(change)] == [article.id]
    with pytest.raises(NotPermitted):
        changes.approve(change, approver=admin)  # its author
    assert [a.id for a in changes.approve(change, approver=people["bo"])] == [article.id]
    term = changes.target_of(change)
    assert term.term == "imatinib" and change.target_id == term.id
    (entry,) = public_history.library_corrections(article)
    assert entry.change.is_new and entry.entry == "imatinib"
