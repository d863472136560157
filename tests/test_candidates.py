"""The candidate search returns exactly what scoring every name form returns."""

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from benchmarks.large_list import coined
from benchmarks.make_variants import LOOKALIKES
from examples.make_vendors import LISTED, ordinary_name
from screening import Screener
from screening.candidates import KeyIndex, bit_count, letter_masks, letters_of, seed_limit
from screening.names import analyse
from screening.readings import readings
from screening.scoring import Pieces, Scored

SCREENER = Screener.default()


def same_scores(text: str) -> bool:
    """Every score, down to 0 and at the review threshold (where forms are dropped before scoring)."""

    def outcome(s: Scored) -> tuple[str, float, str]:
        return s.form.form.name, s.score, s.explanation.describe(s.score, "review", SCREENER.thresholds)

    for reading in readings(text):
        for floor in (0.0, SCREENER.thresholds.review):
            blocked = {outcome(s) for s in SCREENER._scores(Pieces(reading.name), exhaustive=False, floor=floor)}
            exhaustive = {outcome(s) for s in SCREENER._scores(Pieces(reading.name), exhaustive=True, floor=floor)}
            if blocked != exhaustive:
                return False
    return True


def generated_names(count: int) -> list[str]:
    rng = random.Random(5)
    listed = [name for name, _, _ in LISTED] + LOOKALIKES
    names = []
    for _ in range(count):
        name = rng.choice(listed) if rng.random() < 0.3 else ordinary_name(rng)
        if rng.random() < 0.3:  # a random typo anywhere
            i = rng.randrange(len(name))
            name = name[:i] + rng.choice("aeiouxyz ") + name[i + 1 :]
        names.append(name)
    return names


def test_blocked_search_equals_exhaustive_on_generated_names() -> None:
    names = generated_names(3000)
    differing = [n for n in names if not same_scores(n)]
    assert differing == []


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from("hikvsondaumegt 海康威视大华-."), max_size=24))
def test_blocked_search_equals_exhaustive_on_random_text(text: str) -> None:
    assert same_scores(text)


def edited(word: str, edits: int, rng: random.Random) -> str:
    """``word`` with this many random edits: a letter changed, added or dropped, or two swapped."""
    for _ in range(edits):
        i = rng.randrange(len(word) + 1)
        kind = rng.randrange(4)
        if kind == 0 and i < len(word):
            word = word[:i] + rng.choice("aeiourstnkx") + word[i + 1 :]
        elif kind == 1:
            word = word[:i] + rng.choice("aeiourstnkx") + word[i:]
        elif kind == 2 and i < len(word) and len(word) > 1:
            word = word[:i] + word[i + 1 :]
        elif i + 1 < len(word):
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word


def test_index_of_thousands_of_keys_answers_as_comparing_every_key() -> None:
    # The default list is small: most pieces of a name lead nowhere in its
    # index. Here thousands of made-up words (and pairs run together, and
    # Chinese names) share their segments, as on an official list, and
    # pieces lie on both sides of each key's edit limit.
    rng = random.Random(7)
    words = sorted({coined(rng).lower() for _ in range(3000)})
    keys = words + [a + b for a, b in zip(words[::7], words[3::7], strict=False)] + ["海康威视", "大华股份"]
    index, reference = KeyIndex(keys), KeyIndex(keys, exhaustive=True)
    pieces = []
    for _ in range(3000):
        key = rng.choice(keys)
        pieces.append((edited(key, rng.randint(0, len(key) // 4 + 2), rng), rng.random() < 0.5))
    pieces += [(coined(rng).lower(), True) for _ in range(300)] + [("海康威视萤石", True), ("大華", True)]
    index.prime(pieces[:2000])  # the rest one by one, as near() is asked outside a batch
    assert [index.near(text, whole_word=w) for text, w in pieces] == [
        reference.near(text, whole_word=w) for text, w in pieces
    ]
    assert sum(bool(index.near(text, whole_word=w)) for text, w in pieces) > 2000  # most lead somewhere


@given(st.text(alphabet="abcdeèé1海康", min_size=1, max_size=16), st.data())
def test_letter_bound_never_rules_out_a_key_within_its_limit(key: str, data: st.DataObject) -> None:
    rng = random.Random(data.draw(st.integers(0, 10**6)))
    text = edited(key, data.draw(st.integers(0, 4)), rng) or "x"
    index = KeyIndex([key])
    texts, keys = index._bounded(np.array([letter_masks(text)], dtype=np.uint64).T, np.array([0]), np.array([0]))
    if OSA.distance(text, key) <= seed_limit(key):
        assert (list(texts), list(keys)) == ([0], [0])


@settings(max_examples=500)
@given(
    st.text(alphabet=st.sampled_from("abcdeiknorstv "), min_size=1, max_size=30),
    st.text(alphabet="abcdeiknorstv", min_size=1, max_size=14),
)
def test_a_key_word_the_letters_put_out_of_reach_is_missing_when_looked_for(name: str, key_word: str) -> None:
    # The candidate search counts such a word missing without comparing it
    # with the pieces: closest must find it missing too.
    analysed = analyse(name)
    if analysed is None or not analysed.core:
        return
    pieces = Pieces(analysed)
    if pieces.out_of_reach(key_word):
        assert pieces.closest(key_word) == (float(len(key_word)), None)


@given(st.text(max_size=20), st.text(max_size=20))
def test_the_compiled_bit_count_counts_as_int_bit_count(a: str, b: str) -> None:
    # On the letter masks the candidate search and Pieces.out_of_reach test
    # (any character: each has its bit among 63).
    x, y = letters_of(a), letters_of(b)
    for bits in (x, y, x & ~y, y & ~x, 2**63 - 1):
        assert bit_count(bits) == bits.bit_count()
