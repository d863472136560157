"""How a name may have been meant, besides as written: each way is another reading, and matching scores them all.

- letters of other scripts that look like Latin ones (the Cyrillic "Н" of
  "Нikvision"), from Unicode's confusables data;
- digits written for the letters they look like ("S3ns3t1me"), from
  ``data/lookalikes.toml``, and a small "l" among capitals ("HlKVlSlON");
- words written together ("HuaweiTechnologies"), cut where a known word
  begins or ends them, or where a capital begins a legal form ("DahuaCo").

>>> [(r.name.normalized, r.how) for r in readings("H1kvisionTechnology")]  # doctest: +NORMALIZE_WHITESPACE
[('h1kvisiontechnology', ''),
 ('hikvisiontechnology', "read with look-alike characters as Latin letters ('HikvisionTechnology')"),
 ('hikvision technology', "read with the words written together apart ('hikvision technology')")]
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from functools import cache, lru_cache

from confusable_homoglyphs import confusables
from unidecode import unidecode

from screening.names import (
    DATA_DIR,
    HAN,
    Kind,
    Name,
    analyse,
    classify,
    expand_abbreviations,
    vocabulary,
)


class Reading:
    """One way to read a name."""

    # A plain class, compiled: a NamedTuple's __new__ runs in the
    # interpreter (4% of the instructions of screening a new name).
    def __init__(self, name: Name, how: str) -> None:
        self.name = name
        self.how = how  # how the name was read, for the explanation; "" as written


def readings(text: str) -> list[Reading]:
    """The name as written, and as it may have been meant: look-alike characters read as letters, words apart.

    Unidecode reads the Cyrillic "Н" of "Нikvision" as the "N" it sounds
    like; an evader means the "H" it looks like. "S3ns3t1me" means
    "Sensetime", and "HuaweiTechnologies" "Huawei Technologies". Every
    reading is scored and the best one wins.
    """
    first = analyse(text)
    found = [Reading(first, "")] if first is not None and first.core else []
    lookalike = written_as_letters(latin_lookalikes(text) if not text.isascii() else text)
    if lookalike != text:
        _add(found, analyse(lookalike), f"read with look-alike characters as Latin letters ('{lookalike}')")
    separate = legal_form_apart(text)
    if separate != text:
        _add(found, analyse(separate), f"read with the legal form written onto a word apart ('{separate}')")
    for reading in found[:]:
        apart = cut_apart(reading.name)
        if apart is not None:
            _add(found, apart, f"read with the words written together apart ('{apart.normalized}')")
    return found


def _add(found: list[Reading], name: Name | None, how: str) -> None:
    """Add ``name`` to the readings ``found`` unless it is empty or one of them already."""
    if name is not None and name.core and all(name.normalized != r.name.normalized for r in found):
        found.append(Reading(name, how))


def latin_lookalikes(text: str) -> str:
    """Replace letters of other scripts that look like Latin letters with those letters.

    Unicode's confusables data (via confusable-homoglyphs) says which: the
    Cyrillic "Н" in "Нikvision" reads as "H" here, where unidecode would
    read it as the "N" it sounds like.

    >>> latin_lookalikes("Нikvisiоn ρico")
    'Hikvision pico'
    """
    return "".join(_lookalike(ch) if not ch.isascii() else ch for ch in text)


# A digit, or a small "l" between capitals: a name to read again. (Two
# searches: one pattern with both, or with the letters around the digit,
# takes six times as long on a name with neither, which is most names.)
_DIGIT = re.compile(r"[0-9]")
_L_AMONG_CAPITALS = re.compile(r"l(?<=[A-Z]l)[A-Z]")
_ALNUM = re.compile(r"[A-Za-z0-9]+")


def written_as_letters(text: str) -> str:
    """Read digits inside words as the letters they stand for, and a small "l" among capitals as "I".

    Only in a word of at least two letters with no more digits than
    letters ("3M", "A1" and "4x4" stay as they are). The digits come from
    ``data/lookalikes.toml``; an "l" in a word otherwise in capitals is the
    capital "I" it looks like in most fonts ("HlKVlSlON").

    >>> written_as_letters("S3ns3t1me and H1KV1S10N, 3M, HlKVlSlON Co")
    'Sensetime and HIKVISION, 3M, HIKVISION Co'
    """
    if not _DIGIT.search(text) and not _L_AMONG_CAPITALS.search(text):
        return text  # most names
    return _ALNUM.sub(_word_as_letters, text)


def _word_as_letters(match: re.Match[str]) -> str:
    word = match.group()
    letters = sum(ch.isalpha() for ch in word)
    if letters < 2 or len(word) - letters > letters:
        return word
    capitals = word.isupper()  # digits have no case: "H1KV1S10N" is in capitals
    table = _digit_letters()
    word = "".join(table.get(ch, ch) for ch in word)
    if capitals:
        word = word.upper()
    if "l" in word and word.replace("l", "").isupper() and sum(ch.isupper() for ch in word) >= 2:
        word = word.replace("l", "I")
    return word


@cache
def _digit_letters() -> dict[str, str]:
    with open(DATA_DIR / "lookalikes.toml", "rb") as f:
        return dict(tomllib.load(f)["digits"])


@lru_cache(maxsize=4096)
def _lookalike(ch: str) -> str:
    if not ch.isalpha() or HAN.match(ch):
        return ch
    candidates = _ascii_homoglyphs(ch)
    if ch != ch.lower():
        # Unicode's data takes "l" as the shape of every I-like capital, so
        # the Cyrillic "І" would read "l"; its small letter "і" reads "i".
        candidates += [c.upper() for c in _ascii_homoglyphs(ch.lower())]
    if not candidates:
        return ch
    sound = unidecode(ch)
    return next((c for c in candidates if c.lower() == sound.lower()), candidates[0])


def _ascii_homoglyphs(ch: str) -> list[str]:
    found = confusables.is_confusable(ch, preferred_aliases=["latin"], greedy=True) or []
    return [
        str(g["c"])
        for entry in found
        for g in entry["homoglyphs"]
        if len(g["c"]) == 1 and g["c"].isascii() and g["c"].isalnum()
    ]


# A capital after a small letter and three letters more: where the writer
# began a new word ("DahuaCo", "SenseTime"; not "GmbH" or "McDonald"). The
# capital first: the search passes the other letters in C.
_CAPITAL_INSIDE = re.compile(r"[A-Z](?<=[A-Za-z]{3}[a-z][A-Z])")
_LATIN_WORD = re.compile(r"[A-Za-z]+")


def legal_form_apart(text: str) -> str:
    """``text`` with a legal form written onto the end of a word, its capital showing where, put apart from it.

    ``cut_apart`` leaves "DahuaCo", "YituLtd" and "HuaweiSA" as they are: it
    cuts words of eight letters or more only, and "co" only after a known
    word ("Pico" and "Cosco" are no "Pi Co", "Cos Co"). The capital is the
    writer's own cut; a word written all in one case is left to cut_apart.

    >>> legal_form_apart("DahuaCo, YituLtd, HuaweiSA, SenseTimeLtd; Mexico, McDonald, FRANCISCO")
    'Dahua Co, Yitu Ltd, Huawei SA, SenseTime Ltd; Mexico, McDonald, FRANCISCO'
    """
    # Names in title case or in capitals have no such capital (most names).
    # Callgrind, 20,000 distinct names: 1,207 million instructions before
    # this reading, 1,279 with the search on every name, 1,264 so.
    if text.istitle() or text.isupper() or not _CAPITAL_INSIDE.search(text):
        return text
    return _LATIN_WORD.sub(_form_apart, text)


def _form_apart(match: re.Match[str]) -> str:
    word = match.group()
    forms = _latin_forms()
    # (A part of at least _MIN_REST letters is left, as cut_apart leaves.)
    for i in range(_MIN_REST, len(word) - 1):
        if word[i - 1].islower() and word[i].isupper() and word[i:].lower() in forms:
            return f"{word[:i]} {word[i:]}"
    return word


@cache
def _latin_forms() -> frozenset[str]:
    return frozenset(w for w in vocabulary().legal_words if w.isascii() and len(w) >= 2)


def cut_apart(name: Name) -> Name | None:
    """``name`` with its words written together cut apart (:func:`glued_apart`); None when it has none.

    >>> cut_apart(analyse("HuaweiTechnologies Co")).normalized
    'huawei technology co'
    """
    for token in name.tokens:
        if len(token.text) >= _MIN_GLUED and token.kind is Kind.DISTINCTIVE and _edged(token.text):
            break
    else:
        return None  # most names
    words = [t.text for t in name.tokens]
    cut = glued_apart(words)
    if len(cut) == len(words):
        return None
    return Name(original=name.original, tokens=classify(expand_abbreviations(cut)))


# A word shorter than this is not cut; no part cut from a word is left
# shorter than _MIN_REST letters ("Yitu" in "YituTechnology"); no known word
# shorter than _MIN_KNOWN is cut off unless a known word comes before it
# ("co" would cut "Pico" and "Cosco"), and of three letters only a place or
# a legal form ("USA", "Ltd") at the end: "one" and "and" end too many words
# ("Keystone", "Highland").
_MIN_GLUED = 8
_MIN_REST = 4
_MIN_KNOWN = 3


def glued_apart(words: list[str]) -> list[str]:
    """Cut a word written together with known words (generic words, places, legal forms) at their edges.

    Only unknown words of eight letters or more, where known words of four
    letters or more begin or end them (or a place or a legal form of three
    ends them), leaving at least four letters. Of the two ways to peel them
    (from the end first, from the front first) the one that finds more
    known letters wins ("hangzhou|hikvision", not "hangzhouhik|vision").

    >>> glued_apart(["huaweitechnologies", "zhejiangdahua", "hangzhouhikvision", "xiamenmeiyapico", "cosco"])
    ['huawei', 'technologies', 'zhejiang', 'dahua', 'hangzhou', 'hikvision', 'xiamen', 'meiyapico', 'cosco']
    """
    known = _glue_words()
    out: list[str] = []
    for word in words:
        if len(word) >= _MIN_GLUED and _edged(word) and word.isascii() and word.isalpha() and word not in known:
            pieces = _peeled(word, back_first=True)
            if len(pieces) > 1:  # (if nothing peels from the end first, nothing peels from the front first)
                pieces = max(pieces, _peeled(word, back_first=False), key=_known_letters)
            out.extend(pieces)
        else:
            out.append(word)
    return out


def _short_form_after_known(word: str) -> bool:
    """Whether ``word`` ends with a two-letter legal form written after a known word ("huaweitechnologies|co").

    Only then: "co" alone would cut "Pico" off "XiamenMeiyaPico".
    """
    return word[-2:] in _two_letter_forms() and _ends_known(word[:-2])


def _ends_known(word: str) -> bool:
    """Whether a known word (a place or a legal form if of three letters) ends ``word`` and leaves enough of it."""
    _, tails, short = _glue_edges()
    most = len(word) - _MIN_REST
    return word[-_MIN_KNOWN:] in short or any(
        len(known) <= most and word.endswith(known) for known in tails.get(word[-_MIN_KNOWN - 1 :], ())
    )


@cache
def _two_letter_forms() -> frozenset[str]:
    return frozenset(w for w in _latin_forms() if len(w) == 2)


def _edged(word: str) -> bool:
    """Whether a known word begins or ends ``word`` and leaves enough of it (a lookup or two for most words)."""
    if _ends_known(word) or _short_form_after_known(word):
        return True
    heads, _, _ = _glue_edges()
    most = len(word) - _MIN_REST
    return any(len(known) <= most and word.startswith(known) for known in heads.get(word[: _MIN_KNOWN + 1], ()))


def _peeled(word: str, *, back_first: bool) -> list[str]:
    """``word`` with known words peeled off its ends, one at a time, the longest first."""
    known = _glue_words()
    longest = _longest_glue_word()
    front: list[str] = []
    back: list[str] = []
    while True:
        most = min(len(word) - _MIN_REST, longest)
        end = next((n for n in range(most, _MIN_KNOWN - 1, -1) if word[-n:] in known), None)
        if end is None and _short_form_after_known(word):
            end = 2
        start = next((n for n in range(most, _MIN_KNOWN, -1) if word[:n] in known), None)
        if end is not None and (back_first or start is None):
            back.insert(0, word[-end:])
            word = word[:-end]
        elif start is not None:
            front.append(word[:start])
            word = word[start:]
        else:
            return [*front, word, *back]


def _known_letters(words: Iterable[str]) -> int:
    known = _glue_words()
    return sum(len(w) for w in words if w in known)


@cache
def _glue_edges() -> tuple[dict[str, list[str]], dict[str, list[str]], frozenset[str]]:
    """The known words of four letters or more by their first four and by their last four; those of three."""
    size = _MIN_KNOWN + 1
    heads: dict[str, list[str]] = {}
    tails: dict[str, list[str]] = {}
    for word in _glue_words():
        if len(word) >= size:
            heads.setdefault(word[:size], []).append(word)
            tails.setdefault(word[-size:], []).append(word)
    return heads, tails, frozenset(w for w in _glue_words() if len(w) == _MIN_KNOWN)


@cache
def _longest_glue_word() -> int:
    return max(map(len, _glue_words()))


@cache
def _glue_words() -> frozenset[str]:
    vocab = vocabulary()
    words = {w for w in vocab.generic | set(vocab.rewrites) if len(w) > _MIN_KNOWN}
    words |= {w for w in vocab.places | vocab.legal_words if len(w) >= _MIN_KNOWN}
    return frozenset(w for w in words if w.isascii())
