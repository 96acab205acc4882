"""Reader pages per language (issue 16): each language's addresses, its furniture, the head's
alternates and the switch, dates and numbers, caches kept apart, and the catalogs compiled."""

import re
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext

from extensions import db
from models import Language

SLUG = "ph-positive-all-tki"
ARTICLE = f"/articles/{SLUG}"
HX = {"HX-Request": "true"}
TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"


@pytest.fixture
def reader(demo, app_factory):
    """An anonymous reader of the app as production runs it (CSRF on, page cache on)."""
    return app_factory(WTF_CSRF_ENABLED=True).test_client()


def _page(response) -> str:
    return response.get_data(as_text=True)


def _alternates(page: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page))


def _switch(page: str) -> re.Match:
    return re.search(
        r'<li class="language-switch"><a href="([^"]+)" hreflang="(\w+)" lang="(\w+)"[^>]*>'
        r"([^<]+)</a>",
        page,
    )


@pytest.mark.parametrize(
    "path",
    [
        "/es/",
        "/es/search",
        "/es/search?q=ponatinib",
        "/es/topics",
        "/es/topics/acute-lymphoblastic-leukemia",
        "/es/glossary",
        "/es/editorial-policy",
        f"/es{ARTICLE}",
        f"/es{ARTICLE}?audience=plain",
        f"/es{ARTICLE}/history",
        f"/es{ARTICLE}/references/sasaki2016",
        f"/es{ARTICLE}/questions",
    ],
)
def test_every_reader_page_has_a_spanish_address(demo, client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    page = _page(response)
    assert '<html lang="es">' in page
    assert "Saltar al contenido principal" in page and "Política editorial" in page
    # Its links stay in Spanish: the header's, and every reader link on the page.
    assert 'href="/es/topics"' in page and 'href="/es/search"' in page
    assert not re.search(r'href="/(?:articles|topics|search|glossary)\b', page)


def test_the_spanish_article_page_wears_spanish_furniture(demo, client):
    page = _page(client.get(f"/es{ARTICLE}"))
    for words in (
        "Consejo Asesor Médico",
        "Estado de revisión del artículo",
        "Enviado",
        "En revisión",
        "Aprobado",
        "Última actualización:",
        "Personalizar",
        "¿Qué opción le describe mejor?",
        "Paciente o cuidador",
        "Estudiante",
        "Médico o profesional clínico de práctica avanzada",
        "Se muestra la redacción clínica.",
        "Referencias",
        "Aviso médico profesional",
        "¿Tiene una pregunta de seguimiento?",
        "Imprimir o guardar como PDF",
    ):
        assert words in page, words
    for english in ("Which best describes you?", "Last updated", "Patient or caregiver"):
        assert english not in page, english
    # The content itself stays English until a Spanish wording exists (engineer "wording").
    assert "Which tyrosine kinase inhibitor" in page


def test_dates_read_as_each_language_writes_them(demo, client):
    english = _page(client.get(ARTICLE))
    spanish = _page(client.get(f"/es{ARTICLE}"))
    assert re.search(r'datetime="2025-04-02">April 2, 2025</time>', english)
    assert re.search(r'datetime="2025-04-02">2 de abril de 2025</time>', spanish)
    assert "Revisado por " in spanish and " el <time" in spanish


def test_the_picker_swaps_the_wording_in_spanish(demo, client):
    response = client.get(f"/es{ARTICLE}?role=patient", headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"] == f"/es{ARTICLE}?audience=plain"
    assert "Se muestra la redacción para pacientes y cuidadores." in _page(response)


def test_the_english_page_stays_english(demo, client):
    page = _page(client.get(ARTICLE))
    assert '<html lang="en">' in page
    assert "Which best describes you?" in page and "Patient or caregiver" in page
    assert "Consejo Asesor Médico" not in page


@pytest.mark.parametrize("path", ["/", ARTICLE + "?audience=plain", "/search?q=ponatinib"])
def test_hreflang_alternates_name_every_language_and_x_default(demo, client, path):
    for shown in (path, "/es" + path):
        alternates = _alternates(_page(client.get(shown)))
        assert alternates == {
            "en": "http://localhost" + path,
            "x-default": "http://localhost" + path,
            "es": "http://localhost/es" + path,
        }, shown


def test_the_switch_keeps_the_article_and_the_audience(demo, client):
    english = _switch(_page(client.get(ARTICLE + "?audience=plain")))
    assert english.groups() == (
        f"http://localhost/es{ARTICLE}?audience=plain",
        "es",
        "es",
        "Español",
    )
    spanish = _switch(_page(client.get(f"/es{ARTICLE}?audience=plain")))
    assert spanish.groups() == (f"http://localhost{ARTICLE}?audience=plain", "en", "en", "English")


def test_accept_language_only_reveals_a_note_never_changes_the_page(demo, reader):
    plain = reader.get(ARTICLE)
    asked = reader.get(ARTICLE, headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert asked.status_code == 200 and asked.get_data() == plain.get_data()
    assert "Accept-Language" not in asked.headers.get("Vary", "")
    # The note is in every English page, hidden, in Spanish; vetted.js shows it.
    note = re.search(r'<p class="wrap language-suggestion"[^>]*>.*?</p>', _page(plain)).group()
    assert 'data-suggest-language="es" lang="es" hidden' in note
    assert "Esta página está disponible en su idioma:" in note


def test_unknown_and_disabled_language_codes_are_not_found(demo, client):
    assert client.get(f"/xx{ARTICLE}").status_code == 404
    assert client.get("/de/").status_code == 404
    db.session.get(Language, "es").enabled = False
    db.session.commit()
    assert client.get(f"/es{ARTICLE}").status_code == 404
    assert "hreflang" not in _page(client.get(ARTICLE)).replace("application/atom", "")


def test_a_language_an_admin_enables_has_addresses_at_once(demo, client):
    db.session.add(Language(code="fr", name="Français", english_name="French", enabled=True))
    db.session.commit()
    response = client.get(f"/fr{ARTICLE}")
    assert response.status_code == 200 and '<html lang="fr">' in _page(response)
    assert _alternates(_page(client.get(ARTICLE)))["fr"] == f"http://localhost/fr{ARTICLE}"


def test_the_source_language_prefix_goes_to_the_bare_address(demo, client):
    response = client.get(f"/en{ARTICLE}?audience=plain")
    assert response.status_code == 308
    assert response.headers["Location"] == f"{ARTICLE}?audience=plain"
    assert client.get("/en/").headers["Location"] == "/"


def test_not_found_pages_are_in_the_addresses_language(demo, client):
    for path in ("/es/no-such-page", "/es/articles/no-such-article"):
        response = client.get(path)
        assert response.status_code == 404, path
        page = _page(response)
        assert '<html lang="es">' in page and "No encontramos esa página" in page
        assert 'href="/es/"' in page  # "Vaya a la página de inicio"
    assert "We can’t find that page" in _page(client.get("/no-such-page"))


def test_staff_and_feeds_keep_their_one_address(demo, client):
    page = _page(client.get(f"/es{ARTICLE}"))
    assert 'href="/auth/login"' in page and 'href="/feed.atom"' in page
    assert client.get("/es/admin/").status_code == 404
    assert client.get("/es/sitemap.xml").status_code == 404


def test_a_follow_up_refused_in_spanish(demo, client):
    response = client.post(
        f"/es{ARTICLE}/questions",
        data={"text": "¿Dosis?"},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 422
    assert "Su pregunta es demasiado corta: escriba al menos 10 caracteres." in _page(response)


def test_the_pickers_own_form_asks_again_in_spanish(demo, client):
    response = client.post(
        "/es/audience",
        data={"next": f"/es{ARTICLE}"},
        headers={"Sec-Fetch-Site": "same-origin"},
        follow_redirects=True,
    )
    assert "Elija la descripción que mejor le corresponda." in _page(response)


def test_sitemap_lists_each_page_with_its_alternates(demo, client):
    xml = _page(client.get("/sitemap.xml"))
    assert 'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in xml
    entry = re.search(rf"<url><loc>http://localhost{ARTICLE}</loc>.*?</url>", xml).group()
    assert f'hreflang="es" href="http://localhost/es{ARTICLE}"' in entry
    assert f'hreflang="en" href="http://localhost{ARTICLE}"' in entry
    assert f'hreflang="x-default" href="http://localhost{ARTICLE}"' in entry
    assert '<url><loc>http://localhost/</loc><xhtml:link rel="alternate" hreflang="en"' in xml
    assert "<loc>http://localhost/es" not in xml  # each page once, at its English address


def test_the_page_cache_keeps_languages_apart(reader):
    for first, second in ((f"/es{ARTICLE}", ARTICLE), ("/", "/es/")):
        reader.get(first)
        assert reader.get(first).headers["X-Page-Cache"] == "hit"
        other = reader.get(second)
        assert "X-Page-Cache" not in other.headers
        lang = "es" if second.startswith("/es") else "en"
        assert f'<html lang="{lang}">' in _page(other)


def test_the_catalog_is_compiled_and_complete(app):
    po = TRANSLATIONS / "es/LC_MESSAGES/messages.po"
    mo = po.with_suffix(".mo")
    assert mo.exists(), "run `make catalogs`"
    assert mo.stat().st_mtime >= po.stat().st_mtime, "the .mo is older than its .po"
    with app.test_request_context("/es/"), force_locale("es"):
        assert gettext("Last updated:") == "Última actualización:"
    assert "#, fuzzy" not in po.read_text()
    assert not re.search(r'msgstr ""\n\n', po.read_text().split("\n\n", 1)[1])


def test_refusals_before_any_view_are_in_the_addresses_language(demo, client):
    response = client.get("/es/search?q=dosis%00")
    assert response.status_code == 422
    assert "Ese texto contiene caracteres que no podemos guardar" in _page(response)
    assert "That text contains characters" in _page(client.get("/search?q=dose%00"))


def test_a_refusals_switch_goes_to_the_other_languages_home(demo, client):
    """Not to the refused address again, control character and all."""
    assert _switch(_page(client.get("/es/search?q=dosis%00"))).group(1) == "http://localhost/"


def test_each_languages_pdf_is_kept_beside_the_others(demo, client):
    from io import BytesIO

    from pypdf import PdfReader

    spanish = client.get(f"/es{ARTICLE}.pdf?audience=plain")
    assert spanish.status_code == 200 and spanish.headers["X-PDF-Cache"] == "miss"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(spanish.data)).pages)
    assert "Referencias" in text and "Aviso médico profesional" in text
    assert client.get(f"{ARTICLE}.pdf?audience=plain").headers["X-PDF-Cache"] == "miss"
    # Storing the English PDF did not drop the Spanish one (nor the other way round).
    assert client.get(f"/es{ARTICLE}.pdf?audience=plain").headers["X-PDF-Cache"] == "hit"
    assert client.get(f"{ARTICLE}.pdf?audience=plain").headers["X-PDF-Cache"] == "hit"


@pytest.mark.parametrize(
    ("path", "home"),
    [("/es/articles/no-such-article", "http://localhost/"), ("/nowhere", "http://localhost/es/")],
)
def test_an_error_pages_switch_goes_to_the_other_languages_home(demo, client, path, home):
    assert _switch(_page(client.get(path))).group(1) == home


def test_asking_in_two_languages_shares_one_rate_limit(demo, app_factory):
    limited = app_factory(FOLLOWUP_RATE_LIMIT="2 per minute").test_client()
    for prefix in ("", "/es"):
        text = f"Test question asked in the {prefix or 'English'} page?"
        assert limited.post(f"{prefix}{ARTICLE}/questions", data={"text": text}).status_code == 303
    response = limited.post(f"/es{ARTICLE}/questions", data={"text": "¿Una tercera pregunta?"})
    assert response.status_code == 429
    assert "Ha hecho varias preguntas en poco tiempo." in _page(response)


def test_production_refuses_to_start_with_an_uncompiled_catalog(tmp_path):
    from web.i18n import uncompiled_catalogs

    po = tmp_path / "translations/es/LC_MESSAGES/messages.po"
    po.parent.mkdir(parents=True)
    po.write_text("")
    assert uncompiled_catalogs(tmp_path / "translations") == [
        "translations/es/LC_MESSAGES/messages.po is not compiled: run `make catalogs`."
    ]
    po.with_suffix(".mo").write_bytes(b"")
    assert uncompiled_catalogs(tmp_path / "translations") == []
    assert uncompiled_catalogs() == []  # this checkout's
