"""Candidate search: which listed key words lie near a piece of a name.

Scoring (:mod:`screening.matching`) lets a name form's key take at most a
quarter of its letters in edits. So a form can only score when at least one
of its key words (or its whole key run together) is within a quarter of its
own length of some piece of the name: if every key word were further, the
edits would add up to more than a quarter of the key. The matcher asks this
index, once per distinct piece of text, for the key words that near, and
scores only the forms that hold one.

The index finds them without comparing the piece with every key, by the
pigeonhole principle: cut a key of ``n`` letters with an edit limit ``k``
into ``k + 1`` segments; ``k`` edits can spoil at most ``k`` of them, so one
segment is found unchanged in any text within ``k`` edits of the key. A
swap of two letters across a segment boundary (one edit in rapidfuzz's OSA
distance) would spoil two, so each segment is also indexed with its
boundary letters swapped. The piece's substrings are looked up; of the keys
they lead to, those whose letters differ from the piece's by more than the
key's limit are dropped (an edit changes at most one letter each way), and
rapidfuzz compares the few left. The pieces of many names are looked up at
once (:meth:`KeyIndex.prime`), in numpy arrays. The answer is exact,
whatever the size of the list (``tests/test_candidates.py`` checks it
against comparing every key).

>>> index = KeyIndex(["hikvision", "dahua", "海康威视"])
>>> index.near("hikvsion", whole_word=True)
(('hikvision', 1),)
>>> index.near("海康威视萤石", whole_word=True)
(('海康威视', 0),)
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Iterable
from functools import cache

import numpy as np
from mypy_extensions import i64
from rapidfuzz import process
from rapidfuzz.distance import OSA

from screening.substrings import LONGEST, PLACES, CodeTable, codable, codes, runs, substring_codes


def seed_limit(key: str) -> int:
    """Edits a piece of a name may be from a key word and still lead to its forms."""
    return len(key) // 4


def segments(key: str) -> list[tuple[str, int]]:
    """(segment, where it starts) for the pieces of ``key`` one of which survives any ``seed_limit(key)`` edits.

    Boundary swaps included; a segment starts in a near text no more than
    ``seed_limit(key)`` letters from where it starts in the key.

    >>> segments("hikvision")
    [('hik', 0), ('vis', 3), ('ion', 6), ('hiv', 0), ('kis', 3), ('vii', 3), ('son', 6), ('kii', 3)]
    """
    parts = seed_limit(key) + 1
    bounds = [round(j * len(key) / parts) for j in range(parts + 1)]
    found = [(key[a:b], a) for a, b in itertools.pairwise(bounds)]
    for j in range(1, parts):
        # A swap across the boundary before segment j: "hikvision" -> "hivkision".
        a, b, c = bounds[j - 1], bounds[j], bounds[j + 1]
        found.append((key[a : b - 1] + key[b], a))
        found.append((key[b - 1] + key[b + 1 : c], b))
    for j in range(1, parts - 1):
        # Swaps across both boundaries of a middle segment.
        a, b = bounds[j], bounds[j + 1]
        if b - a >= 2:
            found.append((key[a - 1] + key[a + 1 : b - 1] + key[b], a))
    return list(dict.fromkeys(s for s in found if s[0]))


@cache
def _near_lengths(length: int) -> tuple[int, int]:
    """(shortest, longest) length of a key within ``seed_limit`` edits of a text of ``length`` letters.

    A key of ``n`` letters is within ``n // 4`` edits of a text only if
    their lengths differ by at most that: ``|n - length| <= n // 4``.

    >>> _near_lengths(9)
    (8, 12)
    """
    fits = [n for n in range(1, 2 * length + 2) if abs(n - length) <= n // 4]
    return (fits[0], fits[-1]) if fits else (length, length)


_LEVELS = 3  # a letter counted up to three times
_CODED_FROM = 1 << 16  # postings from which an index looks texts up by their codes (see KeyIndex._looked_up)


def _bit(code: int) -> int:
    """The bit of the character numbered ``code`` in :func:`letter_masks`."""
    return 1 << (code - 97 if 97 <= code <= 122 else code - 22 if 48 <= code <= 57 else 36 + code % 27)


def letter_masks(text: str) -> tuple[int, int, int]:
    """Bits of the letters ``text`` holds at least once, twice and three times.

    a-z and 0-9 have a bit each; every other character shares one of 27
    more bits with others, and is counted with them: as if they were one
    letter, which only weakens the bound these give (see
    :meth:`KeyIndex._bounded`).

    >>> [bin(m) for m in letter_masks("abba")]
    ['0b11', '0b11', '0b0']
    """
    # One pass, by index (compiled, the fastest way through a str), with no
    # counting of each letter apart: str.count for each of a set's letters
    # took three times as long.
    once = twice = thrice = 0
    for i in range(len(text)):
        bit = _bit(ord(text[i]))
        thrice |= twice & bit
        twice |= once & bit
        once |= bit
    return once, twice, thrice


def letters_of(text: str) -> int:
    """The first of :func:`letter_masks`: bits of the letters ``text`` holds.

    >>> bin(letters_of("abba"))
    '0b11'
    """
    letters = 0
    for i in range(len(text)):
        letters |= _bit(ord(text[i]))
    return letters


def bit_count(bits: i64) -> i64:
    """How many bits are set in ``bits`` (not negative).

    Compiled, a loop in C over 64-bit integers: ``int.bit_count`` is a
    method call on an int object, and the letter tests of a flagged name
    on the large list made half a million of them.

    >>> bit_count(0b1011)
    3
    """
    count: i64 = 0
    while bits:
        bits &= bits - 1
        count += 1
    return count


class KeyIndex:
    """Key words by segment and where it starts, with a cache of the answers given."""

    def __init__(self, keys: Iterable[str], *, exhaustive: bool = False, cache_size: int = 500_000) -> None:
        """``exhaustive``: compare every piece with every key instead (slow; the reference the index must equal)."""
        self.keys = sorted(set(keys))
        self.exhaustive = exhaustive
        self._sizes: dict[int, set[int]] = {}  # key length -> sizes of its segments
        self._han: dict[str, list[str]] = {}  # Chinese-script keys by their first character
        # By where a segment starts in a near text, segment -> posting number.
        # (By place first, not by (segment, place): making, hashing and
        # freeing a tuple for each lookup took 3% of a large-list run's
        # instructions, counted by callgrind.)
        self._places: list[dict[str, int]] = []
        count = 0  # postings so far
        postings, holders = array("q"), array("q")  # a posting and a key filed under it, pair by pair
        for k, key in enumerate(self.keys):
            if not key.isascii():
                self._han.setdefault(key[0], []).append(key)
            limit = seed_limit(key)
            for segment, start in segments(key):
                # Filed under every place the segment can start in a near text.
                for at in range(max(0, start - limit), start + limit + 1):
                    while len(self._places) <= at:
                        self._places.append({})
                    posting = self._places[at].get(segment)
                    if posting is None:
                        posting = self._places[at][segment] = count
                        count += 1
                    postings.append(posting)
                    holders.append(k)
                self._sizes.setdefault(len(key), set()).add(len(segment))
        lengths = np.array([len(key) for key in self.keys], dtype=np.int64)
        self._limits = np.array([seed_limit(key) for key in self.keys], dtype=np.int64)
        # In a byte for the letter test (see _bounded), which counts up to 3 x 64
        # letters: a limit past 255 (a key of over a thousand letters) lets as much through.
        self._byte_limits = np.minimum(self._limits, 255).astype(np.uint8)
        self._masks = np.array([letter_masks(key) for key in self.keys], dtype=np.uint64).reshape(-1, _LEVELS).T.copy()
        self._lay_out(np.frombuffer(postings, dtype=np.int64), np.frombuffer(holders, dtype=np.int64), lengths)
        self._reach: dict[int, tuple[int, ...]] = {}
        # The same segments (those codable) as integers, for texts looked up many at once (see _looked_up).
        coded = [
            (segment, at, posting)
            for at, filed in enumerate(self._places[:PLACES])
            for segment, posting in filed.items()
            if len(segment) <= LONGEST and codable(segment)
        ]
        self._table = CodeTable(
            codes([segment for segment, _, _ in coded], [at for _, at, _ in coded]),
            np.array([posting for _, _, posting in coded], dtype=np.int64),
        )
        self._wanted = np.zeros((0, LONGEST + 1), dtype=bool)  # see _size_table
        # Whether texts are looked up by their codes: not when the dicts are
        # small enough to stay in the processor's cache, where each lookup is
        # cheaper than numpy's calls (100,000 names against the article-built
        # list, 1,413 postings: 0.18-0.19 s by the dicts, 0.21 by codes).
        # Tests set it to compare the two.
        self._coded = count >= _CODED_FROM
        self._cache: dict[tuple[str, bool], tuple[tuple[str, int], ...]] = {}
        self._cache_size = cache_size

    def _lay_out(self, postings: np.ndarray, holders: np.ndarray, lengths: np.ndarray) -> None:
        """Every posting's keys in one array, by posting and then key length, and where each length starts.

        A three-letter segment such as "ian" leads to keys of every length:
        on a 60,000-form list, 45% of the keys it led to were too long or too
        short to be near. So a posting's keys of the lengths a piece can be
        near are one run of ``self._holders``, from ``self._runs[first + a]``
        to ``self._runs[first + b]``: ``first`` is the posting's entry in
        ``self._first``, and ``a`` and ``b`` are the shortest and one past
        the longest of those lengths, each clipped to the posting's own
        (``self._shortest`` to ``self._past``). Found so, by position, not
        by binary searches over the keys of all postings (each search a
        string of cache misses), and with the letter test level by level
        (:meth:`_bounded`), the search for a 100,000-name run's pieces on
        the 60,000-form list took 0.71-0.87 s instead of 1.10-1.50 (runs
        of each in turn, four pairs).
        """
        key_lengths = lengths[holders]
        order = np.lexsort((key_lengths, postings))
        postings, key_lengths = postings[order], key_lengths[order]
        self._holders = holders[order].astype(np.int32)
        per_posting = np.bincount(postings)
        ends = np.cumsum(per_posting)
        shortest, past = key_lengths[ends - per_posting], key_lengths[ends - 1] + 1
        # Each posting has an entry for each length from its shortest key's
        # to one past its longest's (entry first + length): where its keys of
        # that length or longer start in self._holders. Keys and entries are
        # both in order of posting and then length, so that is the number of
        # keys whose own entry comes before it.
        sizes = past - shortest + 1
        first = np.cumsum(sizes) - sizes - shortest
        landing = np.bincount(first[postings] + key_lengths, minlength=int(sizes.sum()))
        runs = np.cumsum(landing) - landing
        # In 32 bits where they fit (all but lists of billions of keys): half the memory.
        small = np.int32 if len(holders) < 2**31 and len(runs) < 2**31 else np.int64
        self._runs: np.ndarray = runs.astype(small)
        self._first: np.ndarray = first.astype(small)
        self._shortest: np.ndarray = shortest.astype(small)
        self._past: np.ndarray = past.astype(small)

    def _sizes_near(self, length: int) -> tuple[int, ...]:
        """Segment sizes of the keys that a piece of this length can be within ``seed_limit`` of."""
        sizes = self._reach.get(length)
        if sizes is None:
            fits = [n for n in self._sizes if abs(n - length) <= n // 4]
            sizes = tuple(sorted({size for n in fits for size in self._sizes[n]}))
            self._reach[length] = sizes
        return sizes

    def _size_table(self, longest: int) -> np.ndarray:
        """``table[n, s]``: whether ``s`` (up to ``LONGEST``) is in ``_sizes_near(n)``, for ``n`` up to ``longest``."""
        if len(self._wanted) <= longest:
            table = np.zeros((2 * longest + 1, LONGEST + 1), dtype=bool)
            for n in range(len(table)):
                table[n, [s for s in self._sizes_near(n) if s <= LONGEST]] = True
            self._wanted = table
        return self._wanted

    def _looked_up(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(text, posting) for every substring of a text filed under the place it starts at, as two arrays.

        A text's substrings of the sizes its length can be near, at every
        place (a key's segment can start in it). Those of a codable text up to
        ``LONGEST`` characters starting under ``PLACES`` (nearly all) are
        found by their codes, all the texts' at once (:mod:`screening.substrings`),
        when the index is large; the others in the index's dicts, one by one.
        On the 60,000-form list (753,023 postings) the search for a
        100,000-name run's pieces took 0.45-0.52 s of CPU so, against
        0.73-0.79 by the dicts alone (the best of five runs, four times each).
        """
        places = self._places
        coded = [self._coded and codable(text) for text in texts]
        quick = [n for n, c in enumerate(coded) if c]
        owners: list[int] = []
        postings: list[int] = []
        for n, text in enumerate(texts):
            for size in self._sizes_near(len(text)):
                for i in range(PLACES if coded[n] and size <= LONGEST else 0, min(len(text) - size + 1, len(places))):
                    posting = places[i].get(text[i : i + size])
                    if posting is not None:
                        owners.append(n)
                        postings.append(posting)
        text_of = np.array(owners, dtype=np.int64)
        posting_of = np.array(postings, dtype=np.int64)
        if quick:
            sizes = self._size_table(max(len(texts[n]) for n in quick))
            owner, codes = substring_codes([texts[n] for n in quick], sizes, len(places))
            found, filed = self._table.find(codes)
            text_of = np.concatenate([text_of, np.array(quick, dtype=np.int64).take(owner.take(found))])
            posting_of = np.concatenate([posting_of, filed])
        return text_of, posting_of

    def _contained(self, text: str, whole_word: bool) -> dict[str, int]:
        """Keys in Chinese script found inside ``text``, a single word (Chinese names are written without spaces)."""
        found: dict[str, int] = {}
        if whole_word and not text.isascii():
            for ch in set(text):
                found.update((k, 0) for k in self._han.get(ch, ()) if k in text)
        return found

    def near(self, text: str, *, whole_word: bool) -> tuple[tuple[str, int], ...]:
        """(key, edits) for every key word within ``seed_limit`` of ``text``.

        ``whole_word``: ``text`` is one word of the name, not words joined;
        a key in Chinese script is also found inside such a word (Chinese
        names are written without spaces), at 0 edits.
        """
        answer = self._cache.get((text, whole_word))
        if answer is None:
            answer = self._answers([(text, whole_word)])[0]
        return answer

    def prime(self, pieces: Iterable[tuple[str, bool]]) -> None:
        """Work out the answers for many (text, whole_word) pieces at once, for :meth:`near` to give.

        Looked for together, the pieces of a batch of names cost about half
        what they cost one by one (35-50 µs a piece on a 60,000-form list,
        against 70-120): the index's lists are read and the keys they lead to
        weeded out by numpy, a whole batch in a few calls.
        """
        todo = [p for p in dict.fromkeys(pieces) if p not in self._cache]
        self._answers(todo)

    def _answers(self, pieces: list[tuple[str, bool]]) -> list[tuple[tuple[str, int], ...]]:
        """The answers of :meth:`near` for these pieces, kept in the cache while it has room."""
        found = [self._contained(text, whole_word) for text, whole_word in pieces]
        texts = [text for text, _ in pieces]
        near = self._compared_with_all(texts) if self.exhaustive else self._searched(texts)
        for n, k, edits in near:
            found[n].setdefault(self.keys[k], edits)
        answers = [tuple(sorted(f.items())) for f in found]
        for piece, answer in zip(pieces, answers, strict=True):
            if len(self._cache) < self._cache_size:
                self._cache[piece] = answer
        return answers

    def _searched(self, texts: list[str]) -> list[tuple[int, int, int]]:
        """(text, key, edits) for every key within ``seed_limit`` of one of the texts, by the index."""
        # The postings each text's substrings lead to, and the key lengths it
        # can be near; by row, the texts that lead anywhere (with a short
        # list, most lead nowhere).
        text_of, posting_of = self._looked_up(texts)
        if not len(text_of):
            return []
        leading, hit_row = np.unique(text_of, return_inverse=True)
        rows: list[int] = leading.tolist()
        lengths: list[int] = []  # by row: the shortest key length it can be near, and one past the longest
        for n in rows:
            shortest, longest = _near_lengths(len(texts[n]))
            lengths += (shortest, longest + 1)
        # Each hit's run of keys of the lengths its text can be near (see _lay_out).
        near_lengths = np.fromiter(lengths, dtype=np.int64, count=len(lengths)).reshape(-1, 2)
        first, shortest_key, past_key = (a.take(posting_of) for a in (self._first, self._shortest, self._past))
        starts = self._runs.take(first + np.clip(near_lengths[:, 0].take(hit_row), shortest_key, past_key))
        ends = self._runs.take(first + np.clip(near_lengths[:, 1].take(hit_row), shortest_key, past_key))
        counts = ends - starts
        # Every (row, key) pair those lead to, keys repeated.
        offsets, hit = runs(starts, counts)
        row_of = hit_row.take(hit)
        key_of = self._holders.take(offsets)  # take: faster than indexing by an array
        flat: list[int] = []  # a flat list: numpy reads one three times faster than a list of tuples
        for n in rows:
            flat.extend(letter_masks(texts[n]))
        masks = np.fromiter(flat, dtype=np.uint64, count=len(flat)).reshape(-1, _LEVELS).T.copy()
        row_of, key_of = self._bounded(masks, row_of, key_of)
        near: list[tuple[int, int, int]] = []
        for row, k in set(zip(row_of.tolist(), key_of.tolist(), strict=True)):
            key = self.keys[k]
            limit = seed_limit(key)
            edits = OSA.distance(texts[rows[row]], key, score_cutoff=limit)
            if edits <= limit:
                near.append((rows[row], k, int(edits)))
        return near

    def _bounded(
        self, text_masks: np.ndarray, text_of: np.ndarray, key_of: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The (text, key) pairs that the letters they hold allow to be within ``seed_limit``, as two arrays.

        Texts and keys by number, in ``text_masks`` (one row per level) and
        in ``self.keys``.

        One edit gives the text at most one letter more than the key, and the
        key at most one more than the text (a swap, none). So a text holding
        more letters that the key lacks than the key's limit, or lacking
        more of the key's, cannot be near. Of the ~300 keys a piece's
        segments lead to on a 60,000-form list, 3 pass, and rapidfuzz
        compares only those.
        """
        # Level by level, each on the pairs the levels before let through:
        # letters held once rule out three in four, and the later levels then
        # cost little. Counts in bytes, and the letters that differ found
        # once (a ^ b): the search's numpy work on a 100,000-name run of the
        # large list took 0.26 s instead of 0.36 (int64 counts, a & ~b and
        # b & ~a, and the pairs' places carried along).
        limits = self._byte_limits.take(key_of)
        more_in_text = more_in_key = np.zeros(len(key_of), dtype=np.uint8)
        for level in range(_LEVELS):
            in_text, in_key = text_masks[level].take(text_of), self._masks[level].take(key_of)
            differ = in_text ^ in_key
            more_in_text = more_in_text + np.bitwise_count(differ & in_text)
            more_in_key = more_in_key + np.bitwise_count(differ & in_key)
            within = np.flatnonzero((more_in_text <= limits) & (more_in_key <= limits))
            text_of, key_of = text_of.take(within), key_of.take(within)
            limits, more_in_text, more_in_key = limits.take(within), more_in_text.take(within), more_in_key.take(within)
        return text_of, key_of

    def _compared_with_all(self, texts: list[str]) -> list[tuple[int, int, int]]:
        """(text, key, edits) for every key within ``seed_limit`` of one of the texts, comparing every pair.

        rapidfuzz compares a batch of texts with every key in one ``cdist``
        call on all cores.
        """
        near: list[tuple[int, int, int]] = []
        # Past the cutoff cdist gives cutoff + 1, which must exceed every
        # key's limit: with a cutoff of a third of the texts' length (as it
        # was), "banounostial", 10 edits from "taidepie", came back at 3,
        # within its limit of 3.
        cutoff = int(self._limits.max(initial=0))
        for start in range(0, len(texts), 500):
            batch = texts[start : start + 500]
            edits = process.cdist(
                batch, self.keys, scorer=OSA.distance, score_cutoff=cutoff, dtype=np.int32, workers=-1
            )
            for n, row in enumerate(edits, start=start):
                near.extend((n, int(k), int(row[k])) for k in np.flatnonzero(row <= self._limits))
        return near
