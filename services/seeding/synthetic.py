"""Synthetic articles for load and scale tests: `flask --app app seed-synthetic N`.

They are word salad from a fixed vocabulary, marked `is_synthetic`, titled "Synthetic test article",
labelled on every page and never indexed by search engines: they exist to measure the site at
100,000 articles, not to inform anyone. They cite only synthetic references, which say they are not
real sources.

Bulk inserts through SQLAlchemy Core, in batches, with ids assigned here so the article ↔ revision
pointers are one UPDATE: thousands of articles a second, where the save services would manage tens.
The pointers follow the same rule as services.editorial.publishing.refresh_publication (an approved
revision is live and public); a test checks that the two agree. The new articles are then indexed
for search in bulk, as the publishing rule would have done one by one.
"""

from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from extensions import db
from models import (
    Article,
    ArticleListingTranslation,
    ReadingLevel,
    Reference,
    ReferenceKind,
    ReviewStatus,
    Revision,
    Role,
    Section,
    SectionKind,
    SectionVariant,
    SourceRead,
    Topic,
    User,
    article_topics,
    revision_references,
)
from services import search
from services.editorial.publishing import (
    listing_copy,
    note_changed,
    recount_topics,
    refresh_over_target,
)
from services.editorial.translations import english_digest
from services.reading.markdown import citation_keys
from services.reading.readability import FERNANDEZ_HUERTA, measure

BATCH = 5_000
TOPICS = 10
REFERENCES = 20
POOL = 64  # distinct bodies per section kind and level, measured once and reused
EPOCH = datetime(2024, 1, 1, 9)

WORDS = (
    "patient dose therapy response remission marrow blood cell count week month treatment plan "
    "monitor test result risk benefit trial cohort outcome follow review label guideline study "
    "agent infusion tablet daily weekly cycle phase level value change report sample fluid care "
    "team nurse clinic visit sign symptom fever infection rash nausea fatigue kidney liver heart "
    "scan imaging biopsy measure target threshold interval schedule adjust reduce hold resume stop"
).split()
# The Spanish wording is the same salad word for word from this list (same position, same
# citations): synthetic Spanish for measuring Spanish search, never a translation of anything.
WORDS_ES = (
    "paciente dosis terapia respuesta remisión médula sangre célula recuento semana mes "
    "tratamiento plan control prueba resultado riesgo beneficio ensayo cohorte desenlace "
    "seguimiento revisión etiqueta guía estudio agente infusión pastilla diaria semanal ciclo "
    "fase nivel valor cambio informe muestra líquido cuidado equipo enfermería clínica visita "
    "signo síntoma fiebre infección erupción náusea cansancio riñón hígado corazón exploración "
    "imagen biopsia medida objetivo umbral intervalo calendario ajuste reducción pausa "
    "reanudación suspensión"
).split()
SPANISH = dict(zip(WORDS, WORDS_ES, strict=True))
HEADINGS_ES = {
    SectionKind.SUMMARY: "Respuesta breve",
    SectionKind.GUIDELINES: "Lo que dicen las guías",
    SectionKind.DRUG_LABEL: "Lo que dice la etiqueta de la FDA",
    SectionKind.RESEARCH: "Lo que dice la investigación",
}
WORD_OR_CITATION = re.compile(r"\[@[^\]]*\]|[A-Za-z]+")
SECTIONS = [
    (SectionKind.SUMMARY, "Short answer", 2),
    (SectionKind.GUIDELINES, "From the Guidelines", 4),
    (SectionKind.DRUG_LABEL, "From the FDA Drug Label", 3),
    (SectionKind.RESEARCH, "From the Research", 4),
]
LEVELS = [ReadingLevel.CLINICAL, ReadingLevel.PLAIN]


def _sentence(rng: random.Random, cite: str | None) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 14))
    text = " ".join(words).capitalize()
    return f"{text} [@{cite}]." if cite else f"{text}."


def _body(rng: random.Random, paragraphs: int, cite_keys: list[str]) -> str:
    blocks = []
    for _ in range(paragraphs):
        blocks.append(
            " ".join(
                _sentence(rng, rng.choice(cite_keys) if rng.random() < 0.5 else None)
                for _ in range(3)
            )
        )
    return "\n\n".join(blocks)


def spanish(body: str) -> str:
    """The synthetic Spanish of a synthetic English body: word for word from WORDS_ES, the
    citations as they are."""

    def word(match: re.Match) -> str:
        text = match.group()
        if text.startswith("[@"):
            return text
        found = SPANISH[text.lower()]
        return found.capitalize() if text[0].isupper() else found

    return WORD_OR_CITATION.sub(word, body)


def _pool(rng: random.Random, cite_keys: list[str]) -> tuple[dict, dict]:
    """POOL measured bodies per (kind, level), in English and in Spanish (the Spanish as the
    editor would store it: its ease, and the digest of the English it follows): readability is
    computed here, not per article."""
    pool, pool_es = {}, {}
    for kind, _heading, paragraphs in SECTIONS:
        for level in LEVELS:
            bodies, bodies_es = [], []
            for _ in range(POOL):
                body = _body(rng, paragraphs if level == ReadingLevel.CLINICAL else 2, cite_keys)
                figures = measure(body)
                bodies.append(
                    (body, figures.fk_grade, figures.smog_grade, figures.word_count)
                    + (frozenset(citation_keys(body)),)
                )
                translated = spanish(body)
                ease = measure(translated, FERNANDEZ_HUERTA)
                bodies_es.append((translated, ease.ease, ease.word_count, english_digest(body)))
            pool[(kind, level)] = bodies
            pool_es[(kind, level)] = bodies_es
    return pool, pool_es


def _persona(email: str, name: str, role: Role) -> int:
    user_id = db.session.scalar(sa.select(User.id).where(User.email == email))
    if user_id is None:
        user = User(email=email, name=name, role=role, is_demo=True, credentials="synthetic")
        db.session.add(user)
        db.session.flush()
        user_id = user.id
    return user_id


def _ensure_topics() -> list[int]:
    ids = []
    for n in range(1, TOPICS + 1):
        slug = f"synthetic-topic-{n:02d}"
        topic_id = db.session.scalar(sa.select(Topic.id).where(Topic.slug == slug))
        if topic_id is None:
            topic = Topic(
                slug=slug,
                name=f"Synthetic topic {n:02d}",
                description="Synthetic test content for load testing; not medical information.",
            )
            db.session.add(topic)
            db.session.flush()
            topic_id = topic.id
        ids.append(topic_id)
    return ids


def _ensure_references() -> tuple[list[str], list[str]]:
    """The synthetic references' keys, and those of them made just now."""
    keys = [f"synthetic-ref-{n:02d}" for n in range(1, REFERENCES + 1)]
    existing = set(db.session.scalars(sa.select(Reference.key).where(Reference.key.in_(keys))))
    made = [key for key in keys if key not in existing]
    for key in made:
        db.session.add(
            Reference(
                key=key,
                kind=ReferenceKind.OTHER,
                title=f"{key}: a synthetic reference for load testing, not a real source",
                read=SourceRead.ABSTRACT,
            )
        )
    db.session.flush()
    return keys, made


def _next_id(model) -> int:
    return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1


def seed_synthetic(count: int, *, seed: int = 1) -> int:
    """Append `count` approved synthetic articles; returns the number of the first one."""
    rng = random.Random(seed)
    editor = _persona("synthetic-editor@vetted.invalid", "Synthetic Editor", Role.EDITOR)
    reviewer = _persona("synthetic-reviewer@vetted.invalid", "Synthetic Reviewer", Role.REVIEWER)
    topic_ids = _ensure_topics()
    keys, made = _ensure_references()
    pool, pool_es = _pool(rng, keys)
    first_number = (
        db.session.scalar(
            sa.select(sa.func.count(Article.id)).where(Article.is_synthetic.is_(True))
        )
        + 1
    )
    # The short answers' listing copies, as the publishing rule makes them: once per body.
    listings = {
        (level, i): listing_copy(pool[(SectionKind.SUMMARY, level)][i][0])
        for level in LEVELS
        for i in range(POOL)
    }
    listings_es = {
        (level, i): listing_copy(pool_es[(SectionKind.SUMMARY, level)][i][0])
        for level in LEVELS
        for i in range(POOL)
    }
    article_id, revision_id = _next_id(Article), _next_id(Revision)
    section_id, variant_id = _next_id(Section), _next_id(SectionVariant)
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        rows: dict[str, list] = {
            "articles": [],
            "revisions": [],
            "sections": [],
            "variants": [],
            "topics": [],
            "citations": [],
            "listings_es": [],
        }
        for i in range(size):
            number = first_number + done + i
            a_id, r_id = article_id + done + i, revision_id + done + i
            created = EPOCH + timedelta(minutes=number)
            title = " ".join(rng.choices(WORDS, k=4))
            question = f"Synthetic test article {number}: {title}?"
            title_es = " ".join(SPANISH[w] for w in title.split())
            question_es = f"¿Artículo sintético de prueba {number}: {title_es}?"
            summaries = {lv: listings.get((lv, number % POOL), "") for lv in ReadingLevel}
            summaries_es = {lv: listings_es.get((lv, number % POOL), "") for lv in ReadingLevel}
            rows["articles"].append(
                {
                    "id": a_id,
                    "slug": f"synthetic-{number:06d}",
                    "question": question,
                    "summary": summaries[ReadingLevel.CLINICAL],
                    "summary_standard": summaries[ReadingLevel.STANDARD],
                    "summary_plain": summaries[ReadingLevel.PLAIN],
                    "is_demo": False,
                    "is_synthetic": True,
                    "created_at": created,
                    "updated_at": created,
                    "reviewed_at": created,
                    "next_review_on": date(2027, 1, 1) + timedelta(days=number % 365),
                }
            )
            rows["listings_es"].append(
                {
                    "article_id": a_id,
                    "language": "es",
                    "question": question_es,
                    "summary": summaries_es[ReadingLevel.CLINICAL],
                    "summary_standard": summaries_es[ReadingLevel.STANDARD],
                    "summary_plain": summaries_es[ReadingLevel.PLAIN],
                }
            )
            rows["revisions"].append(
                {
                    "id": r_id,
                    "article_id": a_id,
                    "number": 1,
                    "question": question,
                    "question_translations": {"es": question_es},
                    "change_note": "Synthetic test content",
                    "status": ReviewStatus.APPROVED.value,
                    "author_id": editor,
                    "reviewer_id": reviewer,
                    "created_at": created,
                    "submitted_at": created,
                    "reviewed_at": created,
                    "review_comment": "",
                }
            )
            # A skewed spread, so one topic is much larger than the rest (as real sites are).
            topics = {topic_ids[0] if number % 3 == 0 else topic_ids[number % TOPICS]}
            rows["topics"] += [{"article_id": a_id, "topic_id": t} for t in topics]
            cited: set[str] = set()
            for position, (kind, heading, _p) in enumerate(SECTIONS):
                rows["sections"].append(
                    {
                        "id": section_id,
                        "revision_id": r_id,
                        "kind": kind.value,
                        "heading": heading,
                        "heading_translations": {"es": HEADINGS_ES[kind]},
                        "position": position,
                    }
                )
                for level in LEVELS:
                    body, fk, smog, words, keys = pool[(kind, level)][(number + position) % POOL]
                    cited |= keys
                    rows["variants"].append(
                        {
                            "id": variant_id,
                            "section_id": section_id,
                            "level": level.value,
                            "body": body,
                            "fk_grade": fk,
                            "smog_grade": smog,
                            "word_count": words,
                            "language": "en",
                            "reading_ease": None,
                            "source_revision_id": None,
                            "source_digest": None,
                        }
                    )
                    variant_id += 1
                    body_es, ease, words_es, digest = pool_es[(kind, level)][
                        (number + position) % POOL
                    ]
                    rows["variants"].append(
                        {
                            "id": variant_id,
                            "section_id": section_id,
                            "level": level.value,
                            "language": "es",
                            "body": body_es,
                            "fk_grade": None,
                            "smog_grade": None,
                            "reading_ease": ease,
                            "word_count": words_es,
                            "source_revision_id": r_id,
                            "source_digest": digest,
                        }
                    )
                    variant_id += 1
                section_id += 1
            rows["citations"] += [{"revision_id": r_id, "reference_key": k} for k in sorted(cited)]
        _insert(rows)
        done += size
    first_article, last_article = article_id, article_id + count - 1
    delta = revision_id - article_id
    db.session.execute(
        sa.update(Article)
        .where(Article.id.between(first_article, last_article))
        .values(
            latest_revision_id=Article.id + delta,
            live_revision_id=Article.id + delta,
            public_revision_id=Article.id + delta,
        )
        .execution_options(synchronize_session=False)
    )
    _advance_sequences()
    refresh_over_target()
    recount_topics(set(topic_ids))
    search.index_articles(first_article, last_article)
    note_changed(references=made)  # new public articles: every listing changes
    return first_number


def _insert(rows: dict) -> None:
    conn = db.session.connection()
    conn.execute(sa.insert(Article.__table__), rows["articles"])
    conn.execute(sa.insert(Revision.__table__), rows["revisions"])
    conn.execute(sa.insert(Section.__table__), rows["sections"])
    conn.execute(sa.insert(SectionVariant.__table__), rows["variants"])
    conn.execute(sa.insert(article_topics), rows["topics"])
    conn.execute(sa.insert(ArticleListingTranslation.__table__), rows["listings_es"])
    if rows["citations"]:
        conn.execute(sa.insert(revision_references), rows["citations"])


def _advance_sequences() -> None:
    """PostgreSQL: ids were given explicitly, so move each sequence past them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in ("articles", "revisions", "sections", "section_variants"):
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )
