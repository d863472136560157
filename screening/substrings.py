"""Short substrings of many texts looked up at once, as integers in numpy arrays.

The candidate search (:mod:`screening.candidates`) files each segment of a
key under the places it can start in a near text, and looks up the
substrings of every piece of a batch of names there. One at a time in a
dict, each substring was a new string to make and hash, and the dicts of a
large list are too big for the processor's cache: on the 60,000-form list
those lookups were a third of the search. Here a segment of ASCII
characters at a place is one integer (the place, then the segment's bytes),
numpy makes the texts' substrings into such integers, and a hash table held
in two numpy arrays finds them all in a few passes.

>>> table = CodeTable(np.array([code("hik", 0), code("vis", 3)], dtype=np.uint64), np.array([7, 9]))
>>> found, values = table.find(np.array([code("vis", 3), code("vis", 2), code("hik", 0)], dtype=np.uint64))
>>> found.tolist(), values.tolist()
([0, 2], [9, 7])
"""

from __future__ import annotations

import numpy as np

LONGEST = 7  # characters of a segment held in an integer, below its place's byte
PLACES = 128  # places held (a byte, its top bit clear: the integers stay positive)
_SPREAD = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing's multiplier (2**64 over the golden ratio)


def runs(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(position, run) for every position of the runs ``starts[i]`` to ``starts[i] + counts[i]``, one run after another.

    The candidate search's way to turn "the keys of these postings" or "the
    places of these texts" into flat arrays, in a few numpy calls.

    >>> [a.tolist() for a in runs(np.array([10, 3]), np.array([2, 3]))]
    [[10, 11, 3, 4, 5], [0, 0, 1, 1, 1]]
    """
    run = np.repeat(np.arange(len(counts)), counts)
    return np.arange(len(run)) + np.repeat(starts - (np.cumsum(counts) - counts), counts), run


def _joined(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lengths, bytes, starts) of the ``texts`` (codable) one after another, with ``LONGEST`` zero bytes after them.

    (A text's last characters read on into the next text, or into the
    padding: the callers stop at each text's length.)
    """
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    data = np.frombuffer("".join(texts).encode("ascii") + bytes(LONGEST), dtype=np.uint8)
    return lengths, data, np.cumsum(lengths) - lengths


def codable(text: str) -> bool:
    """Whether ``text``'s substrings can be held as integers: ASCII, with no NUL (a code cannot tell it from none)."""
    return text.isascii() and "\x00" not in text


def code(segment: str, place: int) -> int:
    """``segment`` (codable, at most ``LONGEST`` characters) starting at ``place`` (under ``PLACES``) as an integer."""
    return place << 56 | int.from_bytes(segment.encode("ascii"), "big")


def codes(segments: list[str], places: list[int]) -> np.ndarray:
    """:func:`code` of each segment at its place, made by numpy (a list's 750,000 took 0.44 s one by one).

    >>> codes(["hik", "vis"], [0, 3]).tolist() == [code("hik", 0), code("vis", 3)]
    True
    """
    lengths, data, starts = _joined(segments)
    value = np.zeros(len(segments), dtype=np.uint64)
    for j in range(int(lengths.max(initial=0))):
        value = np.where(j < lengths, (value << np.uint64(8)) | data.take(starts + j), value)
    return value | (np.array(places, dtype=np.uint64) << np.uint64(56))


class CodeTable:
    """Values by code (non-zero, distinct), in an open-addressing hash table with linear probing.

    Looked up many codes at once: each pass reads the slot of every code not
    yet settled, and those whose slot holds another code go on to the next.
    At most half the slots are used, so most codes settle in one pass.
    """

    def __init__(self, codes: np.ndarray, values: np.ndarray) -> None:
        bits = max(4, (2 * len(codes)).bit_length())
        self._shift = np.uint64(64 - bits)
        self._mask = (1 << bits) - 1
        self._codes = np.zeros(1 << bits, dtype=np.uint64)  # 0: an empty slot
        self._values = np.zeros(1 << bits, dtype=np.int64)
        codes = codes.astype(np.uint64)
        slots = self._slots(codes)
        waiting = np.arange(len(codes))
        while len(waiting):
            # Each empty slot goes to the first code waiting for it; every
            # other code goes on to its next slot (filled by now, or taken).
            empty = np.flatnonzero(self._codes.take(slots) == 0)
            taken, first = np.unique(slots.take(empty), return_index=True)
            settled = waiting.take(empty.take(first))
            self._codes[taken] = codes.take(settled)
            self._values[taken] = values.take(settled)
            going_on = np.ones(len(waiting), dtype=bool)
            going_on[empty.take(first)] = False
            waiting, slots = waiting[going_on], (slots[going_on] + 1) & self._mask

    def _slots(self, codes: np.ndarray) -> np.ndarray:
        return ((codes * _SPREAD) >> self._shift).astype(np.int64)

    def find(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(where in ``codes``, value) for each of ``codes`` the table holds, as two arrays."""
        codes = codes.astype(np.uint64)
        slots = self._slots(codes)
        waiting = np.arange(len(codes))
        found: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
        values: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
        while len(waiting):
            held = self._codes.take(slots)
            wanted = codes.take(waiting)
            hit = np.flatnonzero(held == wanted)
            found.append(waiting.take(hit))
            values.append(self._values.take(slots.take(hit)))
            going_on = (held != wanted) & (held != 0)
            waiting, slots = waiting[going_on], (slots[going_on] + 1) & self._mask
        return np.concatenate(found), np.concatenate(values)


def substring_codes(texts: list[str], sizes: np.ndarray, places: int) -> tuple[np.ndarray, np.ndarray]:
    """(text, code) for every substring of the ``texts`` (codable) that starts under ``places`` and has a size wanted.

    ``sizes[n, s]``: whether a text of ``n`` characters wants its substrings
    of ``s`` characters (the table covers the longest text; a size past
    ``LONGEST``, or that no text wants, is not looked for). Texts by number
    in ``texts``.
    """
    lengths, data, starts = _joined(texts)  # (substrings read past a text's end are dropped below)
    # Every place a substring can start at, and each one's code grown a
    # character at a time, one size after another.
    counts = np.minimum(lengths, min(places, PLACES))
    at, owner = runs(starts, counts)
    place = at - starts.take(owner)
    room = lengths.take(owner) - place  # characters from the place to the text's end
    wanted = sizes.take(lengths, axis=0).take(owner, axis=0)  # by place: the sizes its text wants
    value = np.zeros(len(owner), dtype=np.uint64)
    owners: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    codes: list[np.ndarray] = [np.zeros(0, dtype=np.uint64)]
    looked_for = np.flatnonzero(sizes[:, 1 : LONGEST + 1].any(axis=0)) + 1
    for size in range(1, int(looked_for.max(initial=0)) + 1):
        value = (value << np.uint64(8)) | data.take(at + (size - 1))
        if size not in looked_for:
            continue
        keep = np.flatnonzero(wanted[:, size] & (room >= size))
        owners.append(owner.take(keep))
        codes.append(value.take(keep) | (place.take(keep).astype(np.uint64) << np.uint64(56)))
    return np.concatenate(owners), np.concatenate(codes)
