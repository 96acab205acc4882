"""Spanish words for search and instant answers: accents folded, stop words dropped, stems.

PostgreSQL does this in its `spanish_unaccent` text search configuration (migration
`a7c4e2f9b1d3`: `unaccent`, then the Snowball Spanish stemmer and its stop words). SQLite's FTS5
cannot take a Python tokenizer, so the Spanish index there holds a stemmed copy of the text made
here (`stemmed_text`), token for token: the n-th word of the copy is the stem of the n-th word
of the real text. FTS5 finds matches in the copy and `snippet()` reads the real text (the table's
content), marking words by their position, so an excerpt quotes the accented Spanish.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

# PostgreSQL's spanish.stop (the Snowball list), accents folded as queries are.
STOPWORDS = frozenset(
    """
    de la que el en y a los del se las por un para con no una su al lo como mas pero sus le ya o
    este si porque esta entre cuando muy sin sobre tambien me hasta hay donde quien desde todo nos
    durante todos uno les ni contra otros ese eso ante ellos e esto mi antes algunos que unos yo
    otro otras otra el tanto esa estos mucho quienes nada muchos cual poco ella estar estas
    algunas algo nosotros mis tu te ti tus ellas nosotras vosotros vosotras os mio mia mios mias
    tuyo tuya tuyos tuyas suyo suya suyos suyas nuestro nuestra nuestros nuestras vuestro vuestra
    vuestros vuestras esos esas estoy estas esta estamos estais estan este estes estemos esteis
    esten estare estaras estara estaremos estareis estaran estaria estarias estariamos estariais
    estarian estaba estabas estabamos estabais estaban estuve estuviste estuvo estuvimos
    estuvisteis estuvieron estuviera estuvieras estuvieramos estuvierais estuvieran estuviese
    estuvieses estuviesemos estuvieseis estuviesen estando estado estada estados estadas estad he
    has ha hemos habeis han haya hayas hayamos hayais hayan habre habras habra habremos habreis
    habran habria habrias habriamos habriais habrian habia habias habiamos habiais habian hube
    hubiste hubo hubimos hubisteis hubieron hubiera hubieras hubieramos hubierais hubieran hubiese
    hubieses hubiesemos hubieseis hubiesen habiendo habido habida habidos habidas soy eres es
    somos sois son sea seas seamos seais sean sere seras sera seremos sereis seran seria serias
    seriamos seriais serian era eras eramos erais eran fui fuiste fue fuimos fuisteis fueron fuera
    fueras fueramos fuerais fueran fuese fueses fuesemos fueseis fuesen tengo tienes tiene tenemos
    teneis tienen tenga tengas tengamos tengais tengan tendre tendras tendra tendremos tendreis
    tendran tendria tendrias tendriamos tendriais tendrian tenia tenias teniamos teniais tenian
    tuve tuviste tuvo tuvimos tuvisteis tuvieron tuviera tuvieras tuvieramos tuvierais tuvieran
    tuviese tuvieses tuviesemos tuvieseis tuviesen teniendo tenido tenida tenidos tenidas tened
    """.split()
)
# FTS5's unicode61 tokenizer keeps letters and digits together, as this does: the stemmed copy
# must have exactly the words FTS5 will find in the real text.
WORD = re.compile(r"[^\W_]+")
_local = threading.local()


def fold(word: str) -> str:
    """Lower case without diacritics: "Blástica" -> "blastica" (ñ becomes n, as unaccent does)."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The Snowball Spanish stem of a word, accents folded first (as PostgreSQL's configuration
    does: unaccent, then spanish_stem)."""
    folded = fold(word)
    if not folded.isalpha():
        return folded
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:  # a Snowball stemmer keeps state on the object: one per thread
        stemmer = _local.stemmer = snowballstemmer.stemmer("spanish")
    return stemmer.stemWord(folded) or folded


def is_stopword(word: str) -> bool:
    return fold(word) in STOPWORDS


def stemmed_text(text: str) -> str:
    """The text's words as stems, one for one and in order, separated by spaces.

    The real text is NFC-normalised first (services.search.documents does the same before
    storing it), so an accent is never a separate mark that would split a word in two.
    """
    return " ".join(stem(w) for w in WORD.findall(unicodedata.normalize("NFC", text)))
