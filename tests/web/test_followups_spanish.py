"""Follow-up questions asked on Spanish pages: recorded in Spanish, answered from Spanish
passages with their citations, English passages under a notice where there is no Spanish."""

from __future__ import annotations

import re

import sqlalchemy as sa

from extensions import db
from models import FollowupQuestion, ReadingLevel, Role
from services.followups import instant, questions
from services.reading.view import find_article

SLUG = "hyper-cvad-regimen"
ASK = f"/es/articles/{SLUG}/questions"


def _latest() -> FollowupQuestion:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(FollowupQuestion).order_by(FollowupQuestion.id.desc())
    ).first()


def test_a_question_asked_in_spanish_is_answered_from_spanish_passages(demo, hx):
    response = hx.post(ASK, data={"text": "¿Qué medicamentos usa el hyper-CVAD en sus ciclos?"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Lo que dicen nuestros artículos revisados" in html or "evidence" in html
    passages = re.findall(r'<blockquote class="passage-text"[^>]*>(.*?)</blockquote>', html, re.S)
    assert passages, html
    assert any("ciclofosfamida" in p or "ciclos" in p for p in passages)
    assert 'class="cite"' in html and 'class="source-list"' in html
    # The group is titled with the Spanish question, and Spanish passages carry no lang="en".
    assert "¿Qué es el hyper-CVAD" in html
    first = html[html.index('class="passages"') :]
    assert 'lang="en"' not in first[: first.index("</li>")]
    assert _latest().language == "es"


def test_a_question_asked_in_english_is_recorded_in_english(demo, hx):
    response = hx.post(
        f"/articles/{SLUG}/questions", data={"text": "Which drugs does hyper-CVAD use?"}
    )
    assert response.status_code == 200
    assert _latest().language == "en"


def test_english_passages_stand_in_under_a_spanish_notice(demo, app):
    # An approved article with no Spanish wording: the Spanish page's answer quotes its English.
    evidence = instant.answer_from_evidence(
        "¿Ponatinib o dasatinib?", article=None, level=ReadingLevel.STANDARD, language="es"
    )
    english = [p for p in evidence.passages if p.is_untranslated]
    spanish = [p for p in evidence.passages if not p.is_untranslated]
    assert evidence.passages
    assert english or spanish
    for passage in english:
        assert passage.variant.language == "en"
    for passage in spanish:
        assert passage.variant.language == "es"


def test_the_notice_and_lang_in_the_panel(demo, hx):
    article = find_article("cml-lymphoid-blast-crisis")
    assert article is not None
    response = hx.post(
        "/es/articles/cml-lymphoid-blast-crisis/questions",
        data={"text": "¿Ponatinib o dasatinib en la crisis blástica linfoide?"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    if 'lang="en"' in html.split('class="passages"', 1)[-1]:
        assert "Aún sin traducir: se cita en inglés." in html


def test_without_htmx_the_private_page_is_spanish_with_spanish_passages(demo, client):
    response = client.post(
        ASK,
        data={"text": "¿Qué medicamentos usa el hyper-CVAD en sus ciclos?", "nonce": "a" * 32},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/es/questions/")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="es"' in html
    assert "¿Qué es el hyper-CVAD" in html  # the article asked about, in Spanish
    assert "Lo que dicen nuestros artículos revisados" in html
    assert "ciclofosfamida" in html or "ciclos" in html


def test_staff_see_the_questions_language(demo, client):
    from tests.web.test_followups_staff import login

    question = questions.ask(
        find_article(SLUG),
        text="¿Cuánto dura el tratamiento con hyper-CVAD?",
        level=ReadingLevel.PLAIN,
        client="staff-test",
        secret="s",
        language="es",
    ).question
    db.session.commit()
    login(client, Role.EDITOR)
    page = client.get(f"/admin/followups/{question.id}").get_data(as_text=True)
    assert "<dt>Language</dt><dd>Spanish</dd>" in page
    assert '<blockquote class="followup-asked" lang="es">' in page
    queue = client.get("/admin/followups").get_data(as_text=True)
    assert "wording · Spanish" in queue
