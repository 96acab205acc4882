"""Glossary editing: one definition per word, slugs from terms, admins only, audited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from extensions import db
from models import AuditEvent, GlossaryTerm, Role
from services.errors import NotPermitted
from services.library.glossary import TermInput, create_term, delete_term, search_terms, update_term
from services.validation import InvalidFields
from tests.factories import make_user


@pytest.fixture
def admin(app):
    return make_user(role=Role.ADMIN)


def actions() -> list[tuple[str, dict]]:
    rows = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))
    return [(row.action, row.changes) for row in rows]


def test_create_makes_a_slug_tidies_other_forms_and_is_audited(admin):
    term = create_term(
        TermInput(
            "Measurable  residual disease",
            " Cells left after treatment. ",
            "MRD",
            ["minimal residual disease", "", "MRD", "Minimal residual disease", "  MRD-negative "],
        ),
        actor=admin,
    )
    assert term.slug == "measurable-residual-disease" and term.term == "Measurable residual disease"
    assert term.aliases == ["minimal residual disease", "MRD-negative"]
    assert term.definition == "Cells left after treatment."
    assert actions() == [
        (
            "glossary.create",
            {
                "term": "Measurable residual disease",
                "abbr": "MRD",
                "aliases": ["minimal residual disease", "MRD-negative"],
                "definition": "Cells left after treatment.",
            },
        )
    ]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (TermInput("", "Defined."), "term"),
        (TermInput("Term", ""), "definition"),
        (TermInput("Term", "x" * 601), "definition"),
        (TermInput("Term", "Defined.", "A" * 41), "abbr"),
        (TermInput("Term", "Defined.", aliases=[f"form {n}" for n in range(21)]), "aliases"),
        (TermInput("!!!", "Defined."), "term"),
    ],
)
def test_cannot_save_a_term_that_breaks_a_rule(admin, data, field):
    with pytest.raises(InvalidFields) as refused:
        create_term(data, actor=admin)
    assert field in refused.value.errors
    assert db.session.scalar(sa.select(sa.func.count(GlossaryTerm.id))) == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (TermInput("Induction", "Again."), "term"),
        (TermInput("induction therapy", "New.", "IND"), "abbr"),
        (TermInput("remission", "New.", aliases=["Induction chemotherapy"]), "aliases"),
        (TermInput("ind", "New."), "term"),
    ],
)
def test_cannot_give_a_word_two_definitions(admin, data, field):
    create_term(
        TermInput("induction", "First treatment.", "IND", ["induction chemotherapy"]), actor=admin
    )
    with pytest.raises(InvalidFields) as refused:
        create_term(data, actor=admin)
    assert refused.value.status_code == 409 and field in refused.value.errors


def test_an_edit_moves_the_slug_with_the_term_and_records_what_changed(admin):
    term = create_term(TermInput("remision", "Typo."), actor=admin)
    changes = update_term(term, TermInput("remission", "No sign of disease."), actor=admin)
    assert term.slug == "remission"
    assert changes["term"] == ["remision", "remission"] and changes["slug"] == [
        "remision",
        "remission",
    ]
    assert actions()[-1] == ("glossary.update", changes)
    assert update_term(term, TermInput("remission", "No sign of disease."), actor=admin) == {}
    assert len(actions()) == 2


def test_a_term_keeps_its_own_forms_when_edited(admin):
    term = create_term(TermInput("relapse", "It came back.", aliases=["relapses"]), actor=admin)
    changes = update_term(term, TermInput("relapse", "It came back.", aliases=[]), actor=admin)
    assert changes == {"aliases": [["relapses"], []]}


def test_delete_keeps_what_the_term_said(admin):
    term = create_term(TermInput("blast", "An immature cell."), actor=admin)
    delete_term(term, actor=admin)
    db.session.flush()
    assert db.session.scalar(sa.select(GlossaryTerm)) is None
    assert actions()[-1][0] == "glossary.delete"
    assert actions()[-1][1]["definition"] == "An immature cell."


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER])
def test_cannot_edit_the_glossary_without_being_an_admin(app, role):
    with pytest.raises(NotPermitted):
        create_term(TermInput("blast", "An immature cell."), actor=make_user(role=role))


def test_search_looks_in_every_form_and_the_definition(admin):
    create_term(TermInput("leukemia", "A blood cancer.", aliases=["leukaemia"]), actor=admin)
    create_term(TermInput("remission", "No sign of disease.", "CR"), actor=admin)
    assert [t.term for t in search_terms("leukaemia")] == ["leukemia"]
    assert [t.term for t in search_terms("cr")] == ["remission"]
    assert [t.term for t in search_terms("blood")] == ["leukemia"]
    assert [t.term for t in search_terms()] == ["leukemia", "remission"]


def test_search_finds_a_term_by_its_spanish_words_accents_and_capitals_aside(admin):
    create_term(
        TermInput(
            "blast crisis",
            "The last phase of CML.",
            aliases=["blast phase"],
            translations={
                "es": {
                    "term": "crisis blástica",
                    "abbr": "",
                    "aliases": ["fase blástica"],
                    "definition": "La última fase de la leucemia mieloide crónica.",
                }
            },
        ),
        actor=admin,
    )
    create_term(
        TermInput(
            "tumor lysis syndrome",
            "Cells breaking down fast.",
            "TLS",
            translations={
                "es": {
                    "term": "síndrome de lisis tumoral",
                    "abbr": "SLT",
                    "aliases": [],
                    "definition": "Las células se destruyen rápido.",
                }
            },
        ),
        actor=admin,
    )
    for query in ("crisis blástica", "CRISIS BLASTICA", "fase blastica", "mieloide crónica"):
        assert [t.term for t in search_terms(query)] == ["blast crisis"], query
    for query in ("sindrome", "Síndrome lisis", "slt"):
        assert [t.term for t in search_terms(query)] == ["tumor lysis syndrome"], query
    assert search_terms("crisis tumoral") == []  # every word, in one term
