"""The glossary in Spanish (issue 16): /es/glossary lists the Spanish terms and explanations,
Spanish wording marks its terms with a Spanish card linking there, and a Spanish edit of a term
public text uses goes through the same review as an English one."""

from __future__ import annotations

import html as markup
import re
import tomllib
from pathlib import Path

import pytest
import sqlalchemy as sa

from extensions import db
from models import GlossaryTerm, LibraryChange, Role
from services.reading.readability import FERNANDEZ_HUERTA, measure

ROOT = Path(__file__).resolve().parents[2]
SPANISH_ARTICLES = [
    "all-blast-crisis-treatment",
    "cml-lymphoid-blast-crisis",
    "tumor-lysis-syndrome-prevention",
    "hyper-cvad-regimen",
]


def term(english: str) -> GlossaryTerm:
    return db.session.scalar(sa.select(GlossaryTerm).where(GlossaryTerm.term == english))


def demo_spanish_terms() -> list[tuple[str, dict]]:
    entries = tomllib.loads((ROOT / "demo_content" / "glossary.toml").read_text())["terms"]
    return [(entry["term"], entry["es"]) for entry in entries if "es" in entry]


@pytest.mark.parametrize(("english", "spanish"), demo_spanish_terms())
def test_each_spanish_definition_reads_fairly_easy(english, spanish):
    """Fernández Huerta 70 or easier ("bastante fácil"), the Spanish plain target, measured as
    the site measures Spanish wording (textstat's own Spanish instance)."""
    ease = measure(spanish["definition"], FERNANDEZ_HUERTA).ease
    assert ease is not None and ease >= 70, f"{english}: {ease}"
    assert len(spanish["definition"]) <= 600


def test_the_demo_translates_the_terms_the_spanish_wording_uses():
    spanish = {words["term"] for _, words in demo_spanish_terms()}
    for needed in (
        "leucemia linfoblástica aguda",
        "leucemia mieloide crónica",
        "inhibidor de tirosina cinasa",
        "enfermedad mínima residual",
        "trasplante de células madre",
        "quimioterapia",
        "crisis blástica",
        "cromosoma Filadelfia",
        "síndrome de lisis tumoral",
    ):
        assert needed in spanish


def test_spanish_glossary_page_lists_spanish_terms_then_english_under_a_notice(demo, client):
    page = client.get("/es/glossary").get_data(as_text=True)
    assert "<dt>leucemia linfoblástica aguda (LLA)</dt>" in page
    assert term("tumor lysis syndrome").translations["es"]["definition"] in markup.unescape(page)
    notice = page.index("Estos términos todavía no tienen una explicación en español.")
    untranslated = term("hematologist")  # no Spanish in the demo
    assert page.index(f'id="{untranslated.slug}"') > notice
    assert '<dl class="glossary" lang="en">' in page
    english = client.get("/glossary").get_data(as_text=True)
    assert "leucemia linfoblástica aguda" not in english
    assert "Terms not yet explained" not in english


@pytest.mark.parametrize("slug", SPANISH_ARTICLES)
def test_spanish_pages_mark_spanish_terms_with_a_spanish_card(demo, client, slug):
    page = client.get(f"/es/articles/{slug}?audience=plain").get_data(as_text=True)
    marked = re.findall(
        r'<a class="term-link" href="/es/glossary#([a-z0-9-]+)"[^>]*><(?:abbr|dfn)>([^<]+)<', page
    )
    assert marked, slug
    spanish_forms = set()
    for _, words in demo_spanish_terms():
        spanish_forms |= {words["term"].lower(), *(f.lower() for f in words.get("aliases", []))}
        spanish_forms.add(words.get("abbr", "").lower())
    assert all(surface.lower() in spanish_forms for _, surface in marked), marked
    cards = re.findall(
        r'<span class="term-def"[^>]*><strong>([^<]+):</strong> ([^<]+)</span>', page
    )
    spanish_definitions = {words["definition"] for _, words in demo_spanish_terms()}
    assert cards and all(markup.unescape(d) in spanish_definitions for _, d in cards)


def test_an_english_page_keeps_its_english_cards(demo, client):
    page = client.get("/articles/all-blast-crisis-treatment?audience=plain").get_data(as_text=True)
    assert 'href="/glossary#' in page
    assert "/es/glossary" not in page
    assert "leucemia" not in page.lower()


def test_a_spanish_edit_shows_on_spanish_pages_after_review(demo, client, auth):
    """The glossary version covers Spanish: an approved Spanish edit reaches the cached page."""
    slug = "all-blast-crisis-treatment"
    target = term("acute lymphoblastic leukemia")
    assert target.translations["es"]["definition"] in markup.unescape(
        client.get(f"/es/articles/{slug}?audience=plain").get_data(as_text=True)
    )
    auth.login(Role.ADMIN)
    form = client.get(f"/admin/glossary/{target.id}").get_data(as_text=True)
    assert 'name="es_definition"' in form and 'lang="es"' in form
    data = {
        "term": target.term,
        "abbr": target.abbr,
        "aliases": "\n".join(target.aliases),
        "definition": target.definition,
        "es_term": "leucemia linfoblástica aguda",
        "es_abbr": "LLA",
        "es_aliases": "\n".join(target.translations["es"]["aliases"]),
        "es_definition": "Definición de prueba, editada.",
    }
    response = client.post(f"/admin/glossary/{target.id}", data=data)
    assert response.status_code == 302
    change = db.session.scalar(sa.select(LibraryChange))
    assert change is not None, "a Spanish edit of a term in public use must be reviewed"
    assert change.changed_labels == ["explanation (es)"]
    page = client.get(f"/es/articles/{slug}?audience=plain").get_data(as_text=True)
    assert "Definición de prueba, editada." not in page
    auth.logout()
    auth.login(Role.REVIEWER)
    assert client.post(f"/admin/library-changes/{change.id}/approve").status_code == 303
    page = client.get(f"/es/articles/{slug}?audience=plain").get_data(as_text=True)
    assert "Definición de prueba, editada." in page


def test_a_spanish_form_owned_by_another_term_is_refused(demo, client, auth):
    auth.login(Role.ADMIN)
    target = term("chronic myeloid leukemia")
    data = {
        "term": target.term,
        "abbr": target.abbr,
        "aliases": "\n".join(target.aliases),
        "definition": target.definition,
        "es_term": "leucemia mieloide crónica",
        "es_abbr": "LLA",  # the Spanish abbreviation of ALL
        "es_aliases": "",
        "es_definition": target.translations["es"]["definition"],
    }
    response = client.post(f"/admin/glossary/{target.id}", data=data)
    assert response.status_code == 409
    assert "already explains" in response.get_data(as_text=True)


def test_half_a_spanish_entry_is_refused_with_a_clear_message(demo, client, auth):
    auth.login(Role.ADMIN)
    target = term("hematologist")
    data = {
        "term": target.term,
        "abbr": "",
        "aliases": "\n".join(target.aliases),
        "definition": target.definition,
        "es_term": "hematólogo",
        "es_abbr": "",
        "es_aliases": "",
        "es_definition": "",
    }
    response = client.post(f"/admin/glossary/{target.id}", data=data)
    assert response.status_code == 422
    assert "Enter the explanation in this language" in response.get_data(as_text=True)
    db.session.refresh(target)
    assert not target.translations


def test_a_new_term_only_spanish_text_uses_is_proposed_for_review(demo):
    """Spanish wording is public text too: a term whose Spanish form only Spanish pages use
    does not reach them without review."""
    from models import User
    from services.library.glossary import TermInput, create_term

    admin = db.session.scalar(sa.select(User).where(User.role == Role.ADMIN)) or User(
        email="admin-es@vetted.invalid", name="Admin", role=Role.ADMIN
    )
    db.session.add(admin)
    db.session.flush()
    words = {
        "term": "riñones",
        "abbr": "",
        "aliases": [],
        "definition": "Dos órganos que limpian la sangre.",
    }
    created = create_term(
        TermInput("zqx organ", "Two organs that clean the blood.", translations={"es": words}),
        actor=admin,
    )
    assert isinstance(created, LibraryChange)
    assert created.proposed["es_term"] == "riñones"
    alone = create_term(TermInput("zqy organ", "Nothing uses it."), actor=admin)
    assert isinstance(alone, GlossaryTerm)
