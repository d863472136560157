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
from screening.substrings import CodeTable

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
    st.text(alphabet=st.sampled_from("abcdeiknorstv 9海康"), min_size=1, max_size=30),
    st.text(alphabet="abcdeiknorstv", min_size=1, max_size=14),
)
def test_a_key_word_the_letters_put_out_of_reach_is_missing_when_looked_for(name: str, key_word: str) -> None:
    # The candidate search counts such a word missing without comparing it
    # with the pieces: closest must find it missing too. (Digits and Chinese
    # characters set the letter masks' high bits, up to the 63rd.)
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


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet="abcdeikn海康\x00", min_size=1, max_size=12), min_size=1, max_size=40),
    st.lists(st.text(alphabet="abcdeikn海康\x00 ", max_size=40), max_size=30),
    st.data(),
)
def test_texts_looked_up_by_their_codes_lead_where_the_dicts_do(
    keys: list[str], texts: list[str], data: st.DataObject
) -> None:
    # A key of 600 letters files segments past the 128 places a code holds,
    # and a long text reaches them; texts with NUL or Chinese characters go
    # through the dicts.
    rng = random.Random(data.draw(st.integers(0, 10**6)))
    long_key = "".join(rng.choice("abcdeikn") for _ in range(600))
    texts += [long_key[:590] + "x" * 20, long_key[5:], "".join(rng.choice("abcdeikn") for _ in range(300))]
    index = KeyIndex([*keys, long_key])

    def pairs(coded: bool) -> set[tuple[int, int]]:
        index._coded = coded
        text_of, posting_of = index._looked_up(texts)
        return set(zip(text_of.tolist(), posting_of.tolist(), strict=True))

    assert pairs(True) == pairs(False)


@given(st.sets(st.integers(1, 2**63 - 1), max_size=300), st.lists(st.integers(1, 2**63 - 1), max_size=300))
def test_the_code_table_finds_exactly_the_codes_it_holds(held: set[int], others: list[int]) -> None:
    codes = sorted(held)
    table = CodeTable(np.array(codes, dtype=np.uint64), np.arange(len(codes)))
    wanted = [*codes, *others]
    found, values = table.find(np.array(wanted, dtype=np.uint64))
    assert sorted(zip(found.tolist(), values.tolist(), strict=True)) == [
        (i, codes.index(c)) for i, c in enumerate(wanted) if c in held
    ]
