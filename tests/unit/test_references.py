"""The reference library's rules: formats, duplicates, versions, audit, and references in use."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from extensions import db
from models import AuditEvent, ReadingLevel, Reference, ReferenceKind, Role, SourceRead
from services.editorial.revisions import SectionInput, save_revision
from services.errors import NotPermitted
from services.library.identifiers import clean_doi, clean_key, clean_nct, clean_pmid, clean_url
from services.library.references import (
    DuplicateReference,
    ReferenceInput,
    ReferenceInUse,
    citing_articles,
    create_reference,
    delete_reference,
    is_in_use,
    search_references,
    update_reference,
)
from services.staff import accounts
from services.validation import InvalidFields
from tests.factories import make_article, make_reference, make_sections, make_user


def entry(**fields) -> ReferenceInput:
    values = {"kind": ReferenceKind.RESEARCH, "title": "Test title", "read": SourceRead.ABSTRACT}
    return ReferenceInput(**(values | fields))


def audit_rows(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def editor(app):
    return make_user(role=Role.EDITOR)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("10.1182/blood.2023023568", "10.1182/blood.2023023568"),
        ("https://doi.org/10.1182/Blood.2023", "10.1182/Blood.2023"),
        ("http://dx.doi.org/10.1000/xyz123", "10.1000/xyz123"),
        ("doi: 10.1000/xyz123", "10.1000/xyz123"),
        ("https://doi.org/10.1000/a%2Fb", "10.1000/a/b"),
        ("  ", ""),
    ],
)
def test_doi_is_accepted_and_normalised(typed, stored):
    assert clean_doi(typed) == stored


@pytest.mark.parametrize(
    "typed", ["11.1000/xyz", "10.12/xyz", "10.1000", "blood.2023", "https://example.org/10.1000/x"]
)
def test_cannot_store_a_malformed_doi(typed):
    with pytest.raises(ValueError, match="DOI"):
        clean_doi(typed)


def test_pmid_is_digits_only_and_a_pasted_prefix_goes():
    assert clean_pmid("PMID: 26432046") == "26432046"
    for bad in ["2643204a", "26432046.", "PMC1234567", "-1"]:
        with pytest.raises(ValueError, match="digits only"):
            clean_pmid(bad)


def test_nct_is_nct_and_eight_digits():
    assert clean_nct(" nct 01234567 ") == "NCT01234567"
    for bad in ["NCT123", "01234567", "NCT012345678"]:
        with pytest.raises(ValueError, match="eight digits"):
            clean_nct(bad)


def test_only_web_addresses_are_links():
    assert clean_url("https://www.example.org/label.pdf") == "https://www.example.org/label.pdf"
    for bad in ["javascript:alert(1)", "www.example.org", "ftp://example.org/x", "https://"]:
        with pytest.raises(ValueError, match="https://"):
            clean_url(bad)


def test_keys_end_in_a_letter_or_digit_so_punctuation_after_a_citation_is_not_part_of_it():
    assert clean_key("@smith2020") == "smith2020"
    assert clean_key("nccn-all") == "nccn-all"
    for bad in ["smith2020.", "-smith", "smith 2020", "smith;jones", "x" * 61]:
        with pytest.raises(ValueError):
            clean_key(bad)


def test_every_problem_is_reported_at_once(editor):
    with pytest.raises(InvalidFields) as refused:
        create_reference(
            entry(title="", doi="10.1/x", pmid="abc", nct="NCT1", year=1200), actor=editor
        )
    assert set(refused.value.errors) == {"title", "doi", "pmid", "nct", "year"}
    assert db.session.scalar(sa.select(sa.func.count(Reference.id))) == 0


def test_create_normalises_suggests_a_key_and_is_audited(editor):
    make_reference("gokbuget2024")
    reference = create_reference(
        entry(authors="Gökbuget N, Other A", year=2024, doi="https://doi.org/10.1000/XYZ"),
        actor=editor,
    )
    assert reference.key == "gokbuget2024a"
    assert reference.doi == "10.1000/XYZ" and reference.version == 1
    (row,) = audit_rows("reference.create")
    assert row.actor_id == editor.id and row.object_id == str(reference.id)
    assert row.changes["doi"] == "10.1000/XYZ" and row.changes["kind"] == "research"


@pytest.mark.parametrize(
    ("field", "existing", "typed"),
    [
        ("doi", "10.1000/ABC", "https://doi.org/10.1000/abc"),
        ("pmid", "26432046", "PMID 26432046"),
        ("key", "Smith2020", "smith2020"),
    ],
)
def test_cannot_add_what_the_library_already_has(editor, field, existing, typed):
    fields = {"key": existing} if field == "key" else {"key": "first", field: existing}
    first = make_reference(**fields)
    with pytest.raises(DuplicateReference) as refused:
        create_reference(entry(**{field: typed}), actor=editor)
    assert refused.value.field == field and refused.value.existing == first
    assert refused.value.status_code == 409 and first.key in refused.value.errors[field]


def test_an_edit_bumps_the_version_and_records_what_changed(editor):
    reference = make_reference("ref", title="Old title", pmid="")
    before = reference.updated_at
    values = ReferenceInput.of(reference)
    values.title, values.pmid = "New title", "123"
    changes = update_reference(reference, values, actor=editor, version=1)
    assert changes == {"title": ["Old title", "New title"], "pmid": ["", "123"]}
    assert reference.version == 2 and reference.updated_at >= before
    (row,) = audit_rows("reference.update")
    assert row.changes == changes


def test_saving_without_a_change_writes_nothing(editor):
    reference = make_reference("ref")
    assert update_reference(reference, ReferenceInput.of(reference), actor=editor) == {}
    assert reference.version == 1 and audit_rows("reference.update") == []


def test_cannot_save_over_a_newer_version(editor):
    reference = make_reference("ref")
    reference.version = 3
    with pytest.raises(InvalidFields) as refused:
        update_reference(reference, ReferenceInput.of(reference), actor=editor, version=2)
    assert refused.value.status_code == 409 and "version" in refused.value.errors


def cite(article, text: str, *, author):
    """A new revision of `article` whose guidelines section says `text`."""
    return save_revision(
        article,
        author=author,
        question=article.question,
        sections=make_sections(summary="Summary.", guidelines=text),
    )


def test_citations_are_found_exactly_in_any_revision(editor):
    make_reference("ref")
    target = make_reference("smith2020")
    make_reference("smith2020b")
    article = make_article(sections=make_sections(summary="S.", guidelines="See [@a; @smith2020]."))
    other = make_article(sections=make_sections(summary="S.", guidelines="See [@smith2020b]."))
    cite(other, "Mail smith2020@example.org or see @smith2020 without brackets.", author=editor)
    assert is_in_use(target)
    (found,) = citing_articles(target)
    assert found.article == article and found.live and found.latest and found.public
    assert found.revision_numbers == [1]


def test_a_reference_cited_only_by_an_old_revision_is_still_in_use(editor):
    target = make_reference("ref")
    article = make_article()  # its approved revision 1 cites [@ref]
    cite(article, "No citation any more.", author=editor)
    (found,) = citing_articles(target)
    assert found.live and not found.latest and found.revision_numbers == [1]
    with pytest.raises(ReferenceInUse):
        delete_reference(target, actor=editor)


def test_cannot_delete_a_reference_in_use_and_nothing_changes(editor):
    target = make_reference("ref")
    make_article()
    with pytest.raises(ReferenceInUse) as refused:
        delete_reference(target, actor=editor)
    assert "1 article cites" in str(refused.value) and refused.value.citing
    assert db.session.get(Reference, target.id) is not None
    assert audit_rows("reference.delete") == []


def test_delete_an_unused_reference_keeps_what_it_was_in_the_audit_log(editor):
    target = make_reference("unused", doi="10.1000/gone")
    target_id = target.id
    delete_reference(target, actor=editor)
    db.session.flush()
    assert db.session.get(Reference, target_id) is None
    (row,) = audit_rows("reference.delete")
    assert row.object_id == str(target_id) and row.changes["doi"] == "10.1000/gone"


def test_cannot_change_the_key_of_a_reference_in_use(editor):
    target = make_reference("ref")
    make_article()
    values = ReferenceInput.of(target)
    values.key = "renamed"
    with pytest.raises(ReferenceInUse) as refused:
        update_reference(target, values, actor=editor)
    assert "would break" in refused.value.errors["key"]
    assert target.key == "ref" and target.version == 1


def test_the_key_of_an_unused_reference_can_change(editor):
    target = make_reference("draft-key")
    values = ReferenceInput.of(target)
    values.key = "better-key"
    assert update_reference(target, values, actor=editor) == {"key": ["draft-key", "better-key"]}


def test_a_deactivated_editor_cannot_change_the_library(editor):
    admin = make_user(role=Role.ADMIN)
    accounts.deactivate(editor, actor=admin)
    with pytest.raises(NotPermitted):
        create_reference(entry(), actor=editor)


def test_search_matches_every_word_in_any_field_and_filters_by_kind(app):
    make_reference(
        "alpha",
        authors="Jabbour E",
        title="Ponatinib study",
        pmid="111",
        year=2018,
        volume_pages="19(1):67-75",
    )
    make_reference(
        "beta",
        authors="Other A",
        title="Dasatinib study",
        nct="NCT01234567",
        url="https://example.org/trial-record",
        read_detail="Results posted on the registry",
    )
    make_reference("gamma", kind=ReferenceKind.GUIDELINE, title="A guideline", doi="10.1000/guide")
    keys = lambda page: [r.key for r in page.references]  # noqa: E731
    assert keys(search_references("jabbour ponatinib")) == ["alpha"]
    assert keys(search_references("111")) == ["alpha"]
    assert keys(search_references("nct01234567")) == ["beta"]
    assert keys(search_references("10.1000/GUIDE")) == ["gamma"]
    assert keys(search_references("2018")) == ["alpha"]
    assert keys(search_references("19(1):67")) == ["alpha"]
    assert keys(search_references("example.org/trial")) == ["beta"]
    assert keys(search_references("registry results")) == ["beta"]
    assert keys(search_references("study", kind=ReferenceKind.GUIDELINE)) == []
    assert keys(search_references("%")) == [] and keys(search_references("_")) == []
    assert search_references().total == 3


def test_search_pages_through_the_library(app):
    for n in range(30):
        make_reference(f"ref{n:02d}")
    first, second = search_references(page=1), search_references(page=2)
    assert (first.total, first.pages, len(first.references), len(second.references)) == (
        30,
        2,
        25,
        5,
    )
    assert not {r.key for r in first.references} & {r.key for r in second.references}
    assert search_references(page=99).page == 2


def test_a_section_in_another_level_cites_too(editor):
    target = make_reference("ref")
    article = make_article(sections=make_sections(summary="S.", guidelines="No citation."))
    save_revision(
        article,
        author=editor,
        question=article.question,
        sections=[
            SectionInput(
                make_sections()[0].kind,
                "Short answer",
                {ReadingLevel.CLINICAL: "S.", ReadingLevel.PLAIN: "Plain words [@ref]."},
            )
        ],
    )
    (found,) = citing_articles(target)
    assert found.latest and not found.live
