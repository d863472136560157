"""Which keys a name can still reach: a lower bound on its edits from each key that shares a word with it.

The index (:mod:`screening.candidates`) finds the key words near a piece
of a name, with their edits. A key (the distinctive words of one or more
name forms, see :mod:`screening.scoring`) that holds such a word is a
candidate only if the edits it must take can still leave a score: a key
word found near counts its edits, one the index did not find at least one
edit more than the index looks for (or all its letters, where scoring
looks no further), and a key of several words may be found run together
instead. Extra words only lower a score, so a key that "Ivanov" leads to
but whose other words are nowhere in the name is dropped here, unscored.

The bound is worked out for the names of a batch at once, in numpy: a
common word such as "Ivanov" is held by hundreds of keys, and key by key
in Python each holder, with its numbers, was a string of cache misses (a
third of the time of screening against the 60,000-form list, sampled by
perf; 100,000 names took 2.05-2.11 s of CPU that way, 1.65-1.67 in numpy).

>>> unseen_edits("hikvision"), unseen_edits("dahua")  # one past its index limit of 2; missing, all 5 letters
(3, 5)
"""

from __future__ import annotations

import numpy as np

from screening.candidates import KeyIndex, letters_of, seed_limit
from screening.scoring import Form, Pieces, allowed_edits, key_limit
from screening.substrings import runs


def unseen_edits(word: str) -> int:
    """The fewest edits a key word can be from a name when the index found it near no piece of the name.

    Beyond ``seed_limit`` but within ``key_limit`` it still counts, with
    its edits; beyond that it is missing, and all its letters count.
    """
    return seed_limit(word) + 1 if key_limit(word) > seed_limit(word) else len(word)


def reach(forms: list[Form], floor: float) -> np.ndarray:
    """For the key of each form, the most edits a name can be from it and still be a candidate scoring ``floor``.

    A bound a little over (by 1e-9): the score is worked out later as
    ``100 x (1 - edits / letters)``, which rounds otherwise, and sums of
    edits taken in another order can differ in their last bit; a key this
    drops is never scored.
    """
    return np.array([min(allowed_edits(f.letters), f.letters * (1 - floor / 100)) + 1e-9 for f in forms])


class KeyBounds:
    """The keys' words and numbers, by key (in the order of ``keys``, each key's first form)."""

    def __init__(self, keys: list[Form]) -> None:
        self._keys = keys
        holders: dict[str, list[tuple[int, float]]] = {}  # key word -> (key, its weight there)
        compact_holders: dict[str, list[int]] = {}  # a key of several words run together -> keys
        for k, form in enumerate(keys):
            for word, weight in zip(form.key, form.weights, strict=True):
                holders.setdefault(word, []).append((k, weight))
            if len(form.key) > 1:
                compact_holders.setdefault(form.compact, []).append(k)
        self.words = list(dict.fromkeys([*holders, *compact_holders]))  # what the index looks for
        self._word_id = {word: i for i, word in enumerate(self.words)}
        self._letters = {word: letters_of(word) for word in holders}  # for Pieces.out_of_reach
        # Each word's holders, one run of the arrays after another (run i from start[i] to start[i + 1]).
        runs = [holders.get(word, []) for word in self.words]
        self._start = np.cumsum([0] + [len(run) for run in runs])
        self._key = np.array([k for run in runs for k, _ in run], dtype=np.int64)
        self._weight = np.array([w for run in runs for _, w in run], dtype=np.float64)
        # The edits the key's unseen words would count that its word found near does not: weight x unseen.
        self._saves = np.array(
            [w * unseen_edits(word) for word, run in zip(self.words, runs, strict=True) for _, w in run]
        )
        compacts = [compact_holders.get(word, []) for word in self.words]
        self._compact_start = np.cumsum([0] + [len(run) for run in compacts])
        self._compact_key = np.array([k for run in compacts for k in run], dtype=np.int64)
        # By key: the edits when no word of it is found near; those of the key run together, not found
        # near; and what an edit of it run together counts as edits of its words (0: a key of one word).
        self._unseen = np.array([sum(w * unseen_edits(x) for x, w in zip(f.key, f.weights, strict=True)) for f in keys])
        self._unseen_compact = np.array([float(unseen_edits(f.compact)) for f in keys])
        self._scale = np.array([f.letters / len(f.compact) if len(f.key) > 1 else 0.0 for f in keys])
        self._reaches: dict[float, np.ndarray] = {}

    def candidates(self, pieces: list[Pieces], index: KeyIndex, floor: float) -> list[list[int]]:
        """For each name (its pieces), the keys whose words ``index`` finds near enough to it to reach ``floor``."""
        # The key words near each name, the fewest edits of each.
        nears: list[dict[str, int]] = []
        names: list[int] = []
        words: list[int] = []
        found_edits: list[int] = []
        for n, p in enumerate(pieces):
            near: dict[str, int] = {}
            for i, j, text in p.spans:
                for word, edits in index.near(text, whole_word=j == i + 1):
                    if edits < near.get(word, len(word) + 1):
                        near[word] = edits
            nears.append(near)
            for word, edits in near.items():
                names.append(n)
                words.append(self._word_id[word])
                found_edits.append(edits)
        out: list[list[int]] = [[] for _ in pieces]
        if not names:
            return out
        name_of = np.array(names, dtype=np.int64)
        word_of = np.array(words, dtype=np.int64)
        edits_of = np.array(found_edits, dtype=np.float64)
        # Every (name, key) a word found near leads to, by the key's words and by the key run together.
        at, by_word = _holders(self._start, word_of)
        compact_at, by_compact_word = _holders(self._compact_start, word_of)
        held = self._key.take(at)
        compact_held = self._compact_key.take(compact_at)
        pair = np.concatenate([name_of.take(by_word), name_of.take(by_compact_word)]) * len(self._keys)
        pair += np.concatenate([held, compact_held])
        pairs, which = np.unique(pair, return_inverse=True)
        name, key = np.divmod(pairs, len(self._keys))
        # Edits fewer than if no word of the key were found, summed over its words found near.
        saved = self._saves.take(at) - self._weight.take(at) * edits_of.take(by_word)
        fewer = np.bincount(which[: len(held)], weights=saved, minlength=len(pairs))
        by_words = self._unseen.take(key) - fewer
        run_together = self._unseen_compact.take(key)
        run_together[which[len(held) :]] = edits_of.take(by_compact_word)
        scale = self._scale.take(key)
        by_compact = np.where(scale > 0, run_together * scale, by_words)
        limit = self._reach(floor).take(key)
        keep = np.flatnonzero(np.minimum(by_words, by_compact) <= limit)
        for n, k, words_edits, compact_edits, most in zip(
            name.take(keep).tolist(),
            key.take(keep).tolist(),
            by_words.take(keep).tolist(),
            by_compact.take(keep).tolist(),
            limit.take(keep).tolist(),
            strict=True,
        ):
            if words_edits < compact_edits and not self._within(
                pieces[n], nears[n], k, words_edits, compact_edits, most
            ):
                continue
            out[n].append(k)
        return out

    def _within(
        self, pieces: Pieces, near: dict[str, int], k: int, by_words: float, by_compact: float, most: float
    ) -> bool:
        """Whether key ``k`` is still within ``most`` edits once its words out of the name's reach count whole.

        A key word the index did not find is missing altogether, all its
        letters counted, when the letters of every piece are too unlike its
        own: on the large list, 96% of the keys that got this far were then
        dropped by find_key, most for such a word.
        """
        form = self._keys[k]
        for i, word in enumerate(form.key):
            if word not in near and pieces.out_of_reach(word, self._letters[word]):
                by_words += form.weights[i] * (len(word) - unseen_edits(word))
        return min(by_words, by_compact) <= most

    def _reach(self, floor: float) -> np.ndarray:
        limits = self._reaches.get(floor)
        if limits is None:
            limits = self._reaches[floor] = reach(self._keys, floor)
        return limits


def _holders(start: np.ndarray, words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(place, which of ``words``) for every holder of the words (word i's from ``start[i]`` to ``start[i + 1]``)."""
    first = start.take(words)
    return runs(first, start.take(words + 1) - first)
