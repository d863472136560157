"""Candidate search: which listed key words lie near a piece of a name.

A name form can only score when one of its key words (or its whole key run
together) is within a third of its length of some piece of the name (see
:mod:`screening.matching`). So instead of scoring every form, the matcher asks
this index, once per distinct piece of text, for the key words near it, and
scores only the forms that hold one. The answer is exact: the index compares
the piece with every key word whose length allows it to be that near, with
rapidfuzz's OSA distance in one batch call.

>>> index = KeyIndex(["hikvision", "dahua", "海康威视"])
>>> index.near("hikvsion", whole_word=True)
(('hikvision', 1),)
>>> index.near("海康威视萤石", whole_word=True)
(('海康威视', 0),)
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA


def key_limit(key: str) -> int:
    """Edits a piece of a name may be from a key word and still match it."""
    return len(key) // 3


class KeyIndex:
    """Key words grouped by length, with a cache of the answers given."""

    def __init__(self, keys: Iterable[str], *, cache_size: int = 500_000) -> None:
        self.keys = sorted(set(keys))
        self._by_length: dict[int, list[str]] = {}
        self._han = [k for k in self.keys if not k.isascii()]
        self._cache: dict[tuple[str, bool], tuple[tuple[str, int], ...]] = {}
        self._cache_size = cache_size

    def _within_reach(self, length: int) -> list[str]:
        """Keys that a piece of this length can be within ``key_limit`` of."""
        keys = self._by_length.get(length)
        if keys is None:
            keys = [k for k in self.keys if abs(len(k) - length) <= key_limit(k)]
            self._by_length[length] = keys
        return keys

    def near(self, text: str, *, whole_word: bool) -> tuple[tuple[str, int], ...]:
        """(key, edits) for every key word within its limit of ``text``.

        ``whole_word``: ``text`` is one word of the name, not words joined;
        a key in Chinese script is also found inside such a word (Chinese
        names are written without spaces), at 0 edits.
        """
        cached = self._cache.get((text, whole_word))
        if cached is not None:
            return cached
        found: dict[str, int] = {}
        if whole_word and not text.isascii():
            found.update((k, 0) for k in self._han if k in text)
        keys = self._within_reach(len(text))
        if keys:
            reach = max(key_limit(k) for k in keys)
            for key, edits, _ in process.extract(text, keys, scorer=OSA.distance, score_cutoff=reach, limit=None):
                if edits <= key_limit(key) and key not in found:
                    found[key] = int(edits)
        answer = tuple(sorted(found.items()))
        if len(self._cache) < self._cache_size:
            self._cache[(text, whole_word)] = answer
        return answer
