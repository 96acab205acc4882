"""The Spanish demo wording is a faithful, readable translation of the English beside it.

Each `[sections.es]` / `[summary.es]` table (demo_content spanish format) translates the English
of the same section and level: same citation keys, Fernández Huerta readability at the level's
target, questions as Spanish questions, "usted" throughout. The one `[revised]` article rewords
English only, so its Spanish visibly lags.
"""

import re
import tomllib
from datetime import date

import pytest
from textstat.textstat import textstatistics

from services.reading.markdown import CITATION
from services.reading.plaintext import list_items, plain_blocks
from services.reading.readability import measure
from services.seeding.demo import DEMO_DIR

SPANISH_TARGETS = {"plain": 70.0, "standard": 60.0}  # Fernández Huerta ease, higher is easier
LEVELS = ("plain", "standard")  # the Spanish levels; clinicians read the clinical English


def _articles() -> dict[str, dict]:
    return {
        path.stem: tomllib.loads(path.read_text())
        for path in sorted((DEMO_DIR / "articles").glob("*.toml"))
    }


ARTICLES = _articles()
SPANISH = {slug: data for slug, data in ARTICLES.items() if "es" in data}


def _parts(data: dict) -> list[tuple[str, dict]]:
    return [("summary", data["summary"])] + [(s["heading"], s) for s in data["sections"]]


def _wordings() -> list[tuple[str, str, str, str, str]]:
    """(slug, part, level, Spanish, English) for every Spanish wording in the demo."""
    return [
        (slug, name, level, part["es"][level], part.get(level, ""))
        for slug, data in SPANISH.items()
        for name, part in _parts(data)
        for level in LEVELS
        if level in part.get("es", {})
    ]


WORDINGS = _wordings()
IDS = [f"{slug}:{name}:{level}" for slug, name, level, _es, _en in WORDINGS]


def _keys(markdown: str) -> set[str]:
    return {
        key.strip().lstrip("@")
        for match in CITATION.finditer(markdown)
        for key in match.group(1).split(";")
    }


def _plain_text(markdown: str) -> str:
    """The text the readability service measures: blocks without markup or citations, each
    ended as a sentence (services.reading.readability.measure prepares English the same way)."""
    blocks = plain_blocks(markdown)
    return " ".join(b if b[-1] in ".!?:" else b + "." for b in blocks)


def fernandez_huerta(markdown: str) -> float:
    stats = textstatistics()
    stats.set_lang("es")
    return stats.fernandez_huerta(_plain_text(markdown))


def test_at_least_three_articles_have_spanish_the_blast_crisis_article_among_them():
    assert "all-blast-crisis-treatment" in SPANISH
    assert len(SPANISH) >= 3, sorted(SPANISH)


@pytest.mark.parametrize("slug", sorted(SPANISH))
def test_a_spanish_article_is_translated_whole(slug):
    """Every section at every reader level the English has: no half-translated article."""
    data = SPANISH[slug]
    question = data["es"]["question"]
    assert question.startswith("¿") and question.endswith("?"), question
    for name, part in _parts(data):
        es = part.get("es")
        assert es is not None, f"{slug}: {name} has no Spanish"
        if name != "summary":
            assert es.get("heading", "").strip(), f"{slug}: {name} has no Spanish heading"
        english = {level for level in LEVELS if level in part}
        assert set(es) - {"heading"} == english, f"{slug}: {name}"


@pytest.mark.parametrize(("slug", "name", "level", "spanish", "english"), WORDINGS, ids=IDS)
def test_spanish_wording_cites_the_same_keys_as_its_english(slug, name, level, spanish, english):
    assert english, f"{slug}: {name} has Spanish {level} but no English {level} to translate"
    assert _keys(spanish) == _keys(english)


def test_spanish_wording_cites_only_library_keys():
    library = set(tomllib.loads((DEMO_DIR / "references.toml").read_text()))
    cited = set().union(*(_keys(spanish) for *_rest, spanish, _english in WORDINGS))
    assert cited, "the Spanish wording cites its sources"
    assert cited <= library, sorted(cited - library)


@pytest.mark.parametrize(("slug", "name", "level", "spanish", "english"), WORDINGS, ids=IDS)
def test_spanish_wording_meets_its_readability_target(slug, name, level, spanish, english):
    assert fernandez_huerta(spanish) >= SPANISH_TARGETS[level]


def test_the_spanish_measure_can_tell_hard_text_from_easy():
    """The readability test above is not vacuous: dense clinical Spanish falls below target."""
    dense = (
        "La administración concomitante de inhibidores de tirosina cinasa de segunda generación "
        "con quimioterapia intensiva hiperfraccionada incrementa significativamente la "
        "probabilidad de respuesta molecular profunda en pacientes con leucemia linfoblástica "
        "aguda con cromosoma Filadelfia positivo recientemente diagnosticada."
    )
    assert fernandez_huerta(dense) < SPANISH_TARGETS["standard"]
    assert fernandez_huerta("La quimio mata las células del cáncer. Es un medicamento.") >= 70


@pytest.mark.parametrize("slug", sorted(SPANISH))
def test_spanish_questions_are_a_list_of_spanish_questions(slug):
    (part,) = [s for s in SPANISH[slug]["sections"] if s["kind"] == "questions"]
    for level in LEVELS:
        text = part["es"][level]
        items = list_items(text)
        assert 3 <= len(items) <= 6, (level, items)
        assert len(items) == len(list_items(part[level])), level  # one per English question
        assert all(line.startswith("- ") for line in text.strip().splitlines()), level
        for item in items:
            assert item.endswith("?"), item
            assert item.count("¿") == item.count("?"), item  # ¿…? opened as well as closed


# Informal (tú) forms a patient text could slip into; Vetted addresses readers as "usted".
INFORMAL = re.compile(
    r"\b(?:tú|te|ti|contigo|tu|tus|puedes|tienes|debes|quieres|necesitas|estás|eres|sabes|"
    r"pregúntale|pregunta a tu|habla|háblale|consulta|dile|llama|avisa|toma|anota)\b",
    re.IGNORECASE,
)
# "habla", "toma", "llama", "avisa", "anota", "consulta" are also third-person (usted) forms;
# they are flagged only where an imperative would be: at the start of a sentence.
THIRD_PERSON_TOO = {"habla", "toma", "llama", "avisa", "anota", "consulta"}


def _informal_forms(text: str) -> list[str]:
    found = []
    for match in INFORMAL.finditer(text):
        word = match.group(0).lower()
        if word in THIRD_PERSON_TOO:
            before = text[: match.start()].rstrip(' ¿¡"*')
            if before and before[-1] not in ".?!-\n":
                continue
        found.append(match.group(0))
    return found


def test_spanish_wording_uses_usted_never_tu():
    found = [
        (slug, name, level, _informal_forms(spanish))
        for slug, name, level, spanish, _english in WORDINGS
        if _informal_forms(spanish)
    ]
    found += [(s, "question", "", _informal_forms(d["es"]["question"])) for s, d in SPANISH.items()]
    assert [f for f in found if f[3]] == []


def test_the_informal_check_catches_tu_forms():
    assert _informal_forms("Pregúntale a tu médico. Tú puedes pedir una cita.") == [
        "Pregúntale",
        "tu",
        "Tú",
        "puedes",
    ]
    assert _informal_forms("Habla con tu equipo.") == ["Habla", "tu"]
    assert _informal_forms("Pregunte a su médico si usted toma otro medicamento.") == []
    assert _informal_forms("El síndrome de lisis tumoral.") == []


ENGLISH_ABBREVIATIONS = re.compile(r"\b(?:ALL|CML|TKIs?|MRD|HSCT|TLS)\b")


def test_spanish_wording_uses_spanish_abbreviations():
    """LLA, LMC, ITC, EMR, SLT: an English abbreviation left in is a translation slip."""
    slips = [
        (slug, name, level, ENGLISH_ABBREVIATIONS.findall(spanish))
        for slug, name, level, spanish, _english in WORDINGS
        if ENGLISH_ABBREVIATIONS.search(spanish)
    ]
    assert slips == []


def test_every_number_in_the_spanish_wording_carries_its_citation():
    from services.editorial.checks import uncited_number_sentences

    uncited = [
        (slug, name, level, sentence)
        for slug, name, level, spanish, _english in WORDINGS
        for sentence in uncited_number_sentences(spanish)
    ]
    assert uncited == []


REVISED = {slug: data for slug, data in ARTICLES.items() if "revised" in data}


def test_one_article_has_a_later_english_revision_its_spanish_lags():
    assert list(REVISED) == ["tumor-lysis-syndrome-prevention"]
    data = REVISED["tumor-lysis-syndrome-prevention"]
    assert "es" in data  # the Spanish whose English changes under it
    revised = data["revised"]
    first_reviewed = data.get("reviewed", data["updated"])
    assert first_reviewed < revised["updated"] <= revised["reviewed"] < date(2026, 12, 7)
    next_review = revised["next_review"]
    assert next_review == revised["reviewed"].replace(year=revised["reviewed"].year + 1)
    assert revised["change_note"].strip()
    assert "es" not in revised["summary"]  # the Spanish is carried over, not re-translated


def test_the_revised_english_says_the_same_more_plainly():
    """Same citation set, grade 8 or below, every number cited, and actually changed."""
    from services.editorial.checks import uncited_number_sentences

    data = REVISED["tumor-lysis-syndrome-prevention"]
    for level, new in data["revised"]["summary"].items():
        old = data["summary"][level]
        assert new.strip() != old.strip(), level
        assert _keys(new) == _keys(old), level
        assert measure(new).fk_grade <= 8, level
        assert uncited_number_sentences(new) == [], level
