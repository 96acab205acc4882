from services.reading.markdown import LONG_SECTION_WORDS, CitationRegistry, render
from services.reading.plaintext import plain_blocks


def registry(*keys):
    return CitationRegistry(known_keys=set(keys))


def test_citations_are_numbered_by_first_use_across_texts():
    reg = registry("a", "b", "c")
    first = render("One [@b]. Two [@a].", reg)
    second = render("Three [@c; @b].", reg)
    assert reg.order == ["b", "a", "c"]
    assert 'href="#ref-1"' in first.html and 'href="#ref-2"' in first.html
    assert 'href="#ref-3"' in second.html
    assert second.html.count('href="#ref-1"') == 1  # b keeps its first number


def test_marker_carries_card_url_and_readable_name():
    html = render("Fact [@a].", registry("a"), card_url=lambda key: f"/cards/{key}").html
    assert 'hx-get="/cards/a"' in html
    assert '<span class="visually-hidden">Reference </span>1</a>' in html


def test_unknown_key_renders_as_visible_broken_citation():
    reg = registry("a")
    html = render("Fact [@nope] and [@a].", reg).html
    assert 'class="cite-broken"' in html and "[@nope?]" in html
    assert reg.unknown == ["nope"]
    assert reg.order == ["a"]


def test_raw_html_and_script_links_never_reach_the_page():
    html = str(
        render(
            '<script>alert(1)</script> [x](javascript:alert(1)) <b onclick="x">b</b>', registry()
        ).html
    )
    assert "<script" not in html and "<b " not in html
    assert 'href="javascript:' not in html and "&lt;script&gt;" in html


def test_author_cannot_forge_citation_placeholders():
    html = render("\ue0000\ue001 text [@a]", registry("a")).html
    assert "\ue000" not in html and html.count('class="cite"') == 1


def test_cannot_forge_placeholders_with_entities():
    """Entities decode after the source is stripped: they must not reach a placeholder."""
    reg = registry("a")
    text = "&#xE000;c9&#xE001; &#57344;g0&#57345; &#xe000;c0&#xe001; text [@a]"
    html = render(text, reg, collapsible=True).html
    assert "\ue000" not in html and "\ue001" not in html
    assert html.count('class="cite"') == 1 and "c9" in html


def test_headings_inside_sections_start_at_h3():
    html = render("# Big\n\n## Medium\n\n#### Small", registry()).html
    assert "<h1" not in html and "<h2" not in html
    assert html.count("<h3>") == 2 and "<h4>Small</h4>" in html


def test_long_text_has_preview_that_keeps_numbering():
    paragraph = " ".join(["word"] * 60) + " [@a].\n\n"
    text = paragraph * (LONG_SECTION_WORDS // 60 + 2) + "Last [@b]."
    reg = registry("a", "b")
    rendered = render(text, reg, collapsible=True)
    assert rendered.preview_html is not None
    assert len(rendered.preview_html) < len(rendered.html)
    assert 'href="#ref-1"' in rendered.preview_html
    assert reg.order == ["a", "b"]


def test_short_text_has_no_preview():
    assert render("Short [@a].", registry("a"), collapsible=True).preview_html is None


def test_plain_blocks_drop_citations_and_markup():
    assert plain_blocks("### Title\n\n- **Bold** item [@a].\n") == ["Title", "Bold item."]
