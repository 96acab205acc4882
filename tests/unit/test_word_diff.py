"""Word diffs rebuild both texts exactly and mark only the words that changed."""

import random

import pytest

from services.editorial.diffing import word_diff

WORDS = "the of a to and in is ponatinib dasatinib ALL CML therapy [@ref]. 60 mg/m2".split()


def sides(chunks) -> tuple[str, str]:
    old = "".join(c.text for c in chunks if c.op != "insert")
    new = "".join(c.text for c in chunks if c.op != "delete")
    return old, new


@pytest.mark.parametrize("seed", range(40))
def test_chunks_rebuild_both_texts(seed):
    rng = random.Random(seed)
    old = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 60)))
    new = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 60)))
    assert sides(word_diff(old, new)) == (old, new)


def test_only_the_changed_words_are_marked():
    old = "Give the first drug daily.\n\n- Monitor counts weekly."
    new = "Give the second drug daily.\n\n- Monitor counts weekly."
    changed = [(c.op, c.text) for c in word_diff(old, new) if c.op != "equal"]
    assert changed == [("delete", "first"), ("insert", "second")]


def test_identical_texts_are_one_equal_chunk():
    text = "Same words. " * 200
    assert [(c.op, c.text) for c in word_diff(text, text)] == [("equal", text)]
