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
boundary letters swapped. The piece's substrings are looked up, and only the
keys they lead to are compared, in one rapidfuzz batch call. The answer is
exact, whatever the size of the list (``tests/test_candidates.py`` checks it
against comparing every key).

>>> index = KeyIndex(["hikvision", "dahua", "海康威视"])
>>> index.near("hikvsion", whole_word=True)
(('hikvision', 1),)
>>> index.near("海康威视萤石", whole_word=True)
(('海康威视', 0),)
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from functools import cache

from rapidfuzz import process
from rapidfuzz.distance import OSA


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


class KeyIndex:
    """Key words by length and segment, with a cache of the answers given."""

    def __init__(self, keys: Iterable[str], *, exhaustive: bool = False, cache_size: int = 500_000) -> None:
        """``exhaustive``: compare every piece with every key instead (slow; the reference the index must equal)."""
        self.keys = sorted(set(keys))
        self.exhaustive = exhaustive
        postings: dict[tuple[str, int], list[str]] = {}  # (segment, start in a text) -> keys
        self._sizes: dict[int, set[int]] = {}  # key length -> sizes of its segments
        self._han: dict[str, list[str]] = {}  # Chinese-script keys by their first character
        for key in self.keys:
            if not key.isascii():
                self._han.setdefault(key[0], []).append(key)
            limit = seed_limit(key)
            for segment, start in segments(key):
                # Filed under every place the segment can start in a near text.
                for at in range(max(0, start - limit), start + limit + 1):
                    postings.setdefault((segment, at), []).append(key)
                self._sizes.setdefault(len(key), set()).add(len(segment))
        # Shortest key first, so that a lookup takes only the keys whose
        # length a near text can have (a three-letter segment such as "ian"
        # leads to keys of every length: on a 60,000-form list, 45% of the
        # keys it led to were too long or too short to be near). Sorted in
        # place: no more memory than before.
        for keys in postings.values():
            keys.sort(key=len)
        self._postings = postings
        self._reach: dict[int, tuple[int, ...]] = {}
        self._cache: dict[tuple[str, bool], tuple[tuple[str, int], ...]] = {}
        self._cache_size = cache_size

    def _sizes_near(self, length: int) -> tuple[int, ...]:
        """Segment sizes of the keys that a piece of this length can be within ``seed_limit`` of."""
        sizes = self._reach.get(length)
        if sizes is None:
            fits = [n for n in self._sizes if abs(n - length) <= n // 4]
            sizes = tuple(sorted({size for n in fits for size in self._sizes[n]}))
            self._reach[length] = sizes
        return sizes

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
        cached = self._cache.get((text, whole_word))
        if cached is not None:
            return cached
        found = self._contained(text, whole_word)
        if self.exhaustive:
            choices: list[str] = self.keys
        else:
            # Keys may repeat here: rapidfuzz compares a repeat faster than
            # Python would remove it.
            choices = []
            postings = self._postings
            shortest, longest = _near_lengths(len(text))
            for size in self._sizes_near(len(text)):
                for i in range(len(text) - size + 1):
                    keys = postings.get((text[i : i + size], i))
                    if keys is not None:
                        first = bisect_left(keys, shortest, key=len)
                        choices += keys[first : bisect_right(keys, longest, lo=first, key=len)]
        if choices:
            # A key of n letters within n // 4 edits of this piece has at most
            # a third of the piece's letters more, so n // 4 <= len(text) // 3.
            reach = len(text) // 3
            for key, edits, _ in process.extract(text, choices, scorer=OSA.distance, score_cutoff=reach, limit=None):
                if edits <= seed_limit(key) and key not in found:
                    found[key] = int(edits)
        answer = tuple(sorted(found.items()))
        if len(self._cache) < self._cache_size:
            self._cache[(text, whole_word)] = answer
        return answer

    def prime(self, pieces: Iterable[tuple[str, bool]]) -> None:
        """Work out the answers for many (text, whole_word) pieces at once.

        Only the exhaustive search gains: rapidfuzz compares a batch of
        pieces with every key in one ``cdist`` call on all cores (that needs
        numpy), instead of one piece at a time.
        """
        if not self.exhaustive:
            return
        import numpy as np

        todo = list(dict.fromkeys(p for p in pieces if p not in self._cache))
        limits = np.array([seed_limit(k) for k in self.keys])
        for start in range(0, len(todo), 500):
            batch = todo[start : start + 500]
            reach = max(len(text) // 3 for text, _ in batch)
            texts = [text for text, _ in batch]
            edits = process.cdist(texts, self.keys, scorer=OSA.distance, score_cutoff=reach, dtype=np.int32, workers=-1)
            for (text, whole_word), row in zip(batch, edits, strict=True):
                found = self._contained(text, whole_word)
                for i in np.flatnonzero(row <= limits):
                    found.setdefault(self.keys[i], int(row[i]))
                self._cache[(text, whole_word)] = tuple(sorted(found.items()))
