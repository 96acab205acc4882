import re
from types import SimpleNamespace

from services.reading.markdown import CitationRegistry, Glossary, render


def term(name, abbr="", aliases=(), slug=None):
    return SimpleNamespace(
        term=name,
        abbr=abbr,
        aliases=list(aliases),
        definition=f"What {name} means.",
        slug=slug or name.replace(" ", "-"),
        title=f"{name} ({abbr})" if abbr else name,
    )


GLOSSARY = Glossary.build(
    [
        term("tyrosine kinase inhibitor", "TKI", ["TKIs"]),
        term("measurable residual disease", "MRD"),
        term("induction"),
    ],
    url=lambda t: f"/glossary#{t.slug}",
)


def html(text):
    return str(render(text, CitationRegistry(set()), glossary=GLOSSARY).html)


def test_first_use_in_a_text_is_marked_and_explains_itself():
    out = html("A TKI is given. Another TKI later. Induction comes first.")
    assert out.count('class="term"') == 2
    assert "<abbr>TKI</abbr>" in out and "<dfn>Induction</dfn>" in out
    assert 'role="tooltip"' in out and "What tyrosine kinase inhibitor means." in out
    assert 'href="/glossary#tyrosine-kinase-inhibitor"' in out


def test_abbreviations_match_case_sensitively_and_whole_words_only():
    out = html("The mrd word and TKIsomething and MRD.")
    assert out.count('class="term"') == 1 and "<abbr>MRD</abbr>" in out


def test_terms_in_headings_links_and_code_are_left_alone():
    out = html("### TKI\n\n[TKI](/x) and `TKI`")
    assert 'class="term"' not in out


def test_each_text_marks_its_own_first_use():
    registry = CitationRegistry(set())
    first = render("A TKI.", registry, glossary=GLOSSARY)
    second = render("A TKI.", registry, glossary=GLOSSARY)
    assert 'class="term"' in str(first.html) and 'class="term"' in str(second.html)
    assert 'id="term-1"' in str(first.html) and 'id="term-2"' in str(second.html)


CASES = Glossary.build(
    [
        term("blast crisis", aliases=["blast phase"]),
        term("acute lymphoblastic leukemia", "ALL"),
        term("everything", aliases=["all"]),
        term("monoclonal antibody", aliases=["mAb", "mabs"]),
        term("trasplante de células madre", aliases=["trasplante"]),
    ],
    url=lambda t: f"/glossary#{t.slug}",
)


def marked(text):
    """What is marked in `text`, in order: (the term's slug, the words marked)."""
    out = str(render(text, CitationRegistry(set()), glossary=CASES).html)
    return re.findall(r'href="/glossary#([^"]+)"[^>]*><(?:dfn|abbr)>([^<]+)<', out)


def test_a_lower_case_alias_is_marked_at_the_start_of_a_sentence():
    assert marked("Blast phase is the last phase.") == [("blast-crisis", "Blast phase")]
    assert marked("It reached the blast phase.") == [("blast-crisis", "blast phase")]
    assert marked("Trasplante: una opción.") == [("trasplante-de-células-madre", "Trasplante")]


def test_cannot_mistake_an_acronym_for_a_capitalised_word_or_the_reverse():
    assert marked("ALL is a leukemia.") == [("acute-lymphoblastic-leukemia", "ALL")]
    assert marked("All of it.") == [("everything", "All")]
    assert marked("Nothing here: aLL, AlL.") == []


def test_an_alias_with_a_capital_inside_stays_exact():
    assert marked("MAb is not an alias; Mabs is.") == [("monoclonal-antibody", "Mabs")]
    assert marked("A mAb.") == [("monoclonal-antibody", "mAb")]
