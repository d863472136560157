"""Name normalisation: from a name as written to the words that identify it.

Each step is a small pure function; :func:`analyse` composes them. Pipeline
order (each step relies on the one before):

1. :func:`clean_text` - Unicode NFKC (full-width letters become ASCII), drop
   invisible format and control characters (zero-width spaces, soft hyphens,
   direction marks), case-fold, transliterate to ASCII with unidecode
   (diacritics, tone marks, Cyrillic, Greek). Chinese characters stay Chinese,
   converted to simplified characters with OpenCC, so that traditional and
   simplified spellings of a name are one.
2. :func:`tokenize` - split on punctuation and spacing ("&" reads "and", an
   apostrophe joins), then join letters spaced or dotted apart ("H I K" ->
   "hik"); cut runs of Chinese characters into the places, generic words and
   legal forms of the word lists, the rest being the distinctive trade name.
3. :func:`expand_abbreviations` - "tech" -> "technology", "psb" -> "public
   security bureau" (``data/abbreviations.toml``).
4. :func:`classify` - each word is a legal form, a stop word, a place, a
   generic business word, a number, or distinctive.

>>> analyse("Zhejiang Dahua Technology Co., Ltd.").distinctive
('dahua',)
>>> strip_legal_forms("Zhejiang Dahua Technology Co., Ltd.")
'Zhejiang Dahua Technology'
"""

from __future__ import annotations

import importlib.resources
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import opencc
from unidecode import unidecode

# The package's folder, found from the package: compiled (build_native.py),
# this module's __file__ names a folder that does not exist.
DATA_DIR = Path(str(importlib.resources.files("screening"))) / "data"


class Kind(StrEnum):
    """What a word says about the organisation that bears the name."""

    DISTINCTIVE = "distinctive"
    GENERIC = "generic"
    PLACE = "place"
    LEGAL = "legal form"
    STOPWORD = "stop word"
    NUMBER = "number"


class Token(NamedTuple):
    """One normalised word of a name and what kind of word it is."""

    text: str
    kind: Kind


SET_ASIDE = frozenset({Kind.LEGAL, Kind.STOPWORD})  # kinds of word left out of a name's core


# Its own __init__: the one a dataclass writes is run by the interpreter even
# when this module is compiled (see build_native.py); with NameResult's, it
# took 13% of the instructions spent screening a new name.
@dataclass(init=False)
class Name:
    """A name analysed for matching (read-only by convention: not frozen, which costs a microsecond a name).

    ``tokens`` keeps every word in order, legal forms included (so an
    explanation can say what was set aside).
    """

    original: str
    tokens: tuple[Token, ...]
    core: tuple[Token, ...] = field(repr=False, compare=False)
    """The words that take part in matching: no legal forms or stop words.

    A name of nothing but legal-form words ("OOO Sasu": SASU is also a
    French legal form) is matched on those words.
    """

    def __init__(self, original: str, tokens: tuple[Token, ...]) -> None:
        self.original = original
        self.tokens = tokens
        core = tuple([t for t in tokens if t.kind not in SET_ASIDE])
        self.core = core or tuple([t for t in tokens if t.kind is Kind.LEGAL])

    @property
    def normalized(self) -> str:
        """All words, in order, space-separated."""
        return " ".join(t.text for t in self.tokens)

    @property
    def distinctive(self) -> tuple[str, ...]:
        """The words that identify the organisation."""
        return tuple(t.text for t in self.tokens if t.kind is Kind.DISTINCTIVE)


@dataclass(frozen=True)
class Vocabulary:
    """The reference word lists from ``screening/data``."""

    legal_words: frozenset[str]
    legal_phrases: dict[str, tuple[tuple[str, ...], ...]]  # by their first word, longest first
    phrase_starts: frozenset[str]  # the first words of legal_phrases
    places: frozenset[str]
    generic: frozenset[str]
    stopwords: frozenset[str]
    designations: frozenset[str]  # levels of government, qualifying a public body's place
    rewrites: dict[str, tuple[str, ...]]
    han_words: frozenset[str]  # the Chinese-script words of all lists, for cutting up Chinese names


@cache
def vocabulary() -> Vocabulary:
    """Load the word lists once per process."""

    def load(name: str) -> dict[str, Any]:
        with open(DATA_DIR / name, "rb") as f:
            return tomllib.load(f)

    legal = load("legal_forms.toml")["forms"]
    places = load("places.toml")
    vocab = load("vocabulary.toml")
    rewrites = load("abbreviations.toml")["rewrite"]
    place_words = {w for section in places.values() if isinstance(section, dict) for ws in section.values() for w in ws}
    legal_words = set(legal["words"]) | set(legal["chinese"])
    generic = set(vocab["generic"]["words"]) | set(vocab["chinese"]["generic"])
    # Longest phrases first, so "public limited company" wins over parts of it.
    phrases = tuple(sorted((tuple(p.split()) for p in legal["phrases"]), key=len, reverse=True))
    return Vocabulary(
        legal_words=frozenset(legal_words),
        legal_phrases={w: tuple(p for p in phrases if p[0] == w) for w in {p[0] for p in phrases}},
        phrase_starts=frozenset(p[0] for p in phrases),
        places=frozenset(place_words),
        generic=frozenset(generic),
        stopwords=frozenset(vocab["stopwords"]["words"]),
        designations=frozenset(vocab["designations"]["words"]),
        rewrites={k: tuple(v.split()) for k, v in rewrites.items()},
        han_words=frozenset(w for w in legal_words | place_words | generic if HAN.search(w)),
    )


def pinyin(text: str) -> str:
    """Chinese characters in pinyin without tones, one word for the whole text (unidecode).

    >>> pinyin("海康威视")
    'haikangweishi'
    """
    return "".join(in_ascii(text).split()).lower()


_ASCII: dict[int, str] = {}  # character -> unidecode's letters for it, for str.translate


def in_ascii(text: str) -> str:
    """unidecode's transliteration of ``text``, each character's worked out once in a run.

    unidecode reads a text a character at a time, in Python, and each
    character alone: 6.5 µs for "société générale de développement s.a.",
    2.2 with a translation table remembered from earlier names.

    >>> in_ascii("Škoda Société 海康")
    'Skoda Societe Hai Kang '
    """
    table = _ASCII
    if len(table) > 65_536:  # a text of every script ever: no more remembered
        return unidecode(text)
    for ch in set(text):
        if ord(ch) not in table:
            table[ord(ch)] = unidecode(ch)
    return text.translate(table)


# Unicode categories removed before matching: Cf holds the zero-width space,
# joiners, soft hyphen, BOM and the bidirectional marks (all invisible, all
# seen used to break a name apart); Cc holds control characters such as NUL.
_INVISIBLE = {"Cf", "Cc"}
_LINE_BREAKS = str.maketrans("\t\n\r\v\f", "     ")


def clean_text(text: str) -> str:
    """Return ``text`` lower-cased, in ASCII but for Chinese characters, with invisible characters removed.

    >>> clean_text("Ｈｉ\\u200bkvision Délégation 華為")
    'hikvision delegation 华为'
    """
    text = unicodedata.normalize("NFKC", text)
    if not text.isprintable():
        text = text.translate(_LINE_BREAKS)
        text = "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE)
    text = text.casefold()
    if text.isascii():
        return text
    if HAN.search(text):
        text = _to_simplified().convert(text)
    return _NOT_HAN.sub(lambda m: in_ascii(m.group()), text).lower()


# CJK Unified Ideographs, Extension A and the compatibility block.
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")  # a Chinese character
_NOT_HAN = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@cache
def _to_simplified() -> opencc.OpenCC:
    # Character-level traditional to simplified ("t2s"), not the phrase-level
    # Taiwan or Hong Kong variants: registered names keep their own words.
    return opencc.OpenCC("t2s")


_APOSTROPHES = re.compile(r"['`]")
_WORDS = re.compile(r"[a-z0-9]+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def tokenize(text: str) -> list[str]:
    """Split cleaned text into words; join runs of single letters.

    "H I K V I S I O N", "H.I.K." and "S.A." are one word each once joined,
    which is how the person who spaced them apart meant them to be read.

    >>> tokenize("people's h.i.k vision & co")
    ['peoples', 'hik', 'vision', 'and', 'co']
    """
    if "'" in text or "`" in text:
        text = _APOSTROPHES.sub("", text)
    text = text.replace("&", " and ")
    words = _WORDS.findall(text)
    han = not text.isascii() and HAN.search(text) is not None
    if not han and all(len(word) > 1 for word in words):
        return words  # nothing to join or cut (most names)
    joined: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if han and HAN.match(word):
            if run:
                joined.append("".join(run))
                run = []
            joined.extend(segment_han(word))
            continue
        if len(word) == 1 and word.isascii() and word.isalpha():
            run.append(word)
            continue
        if run:
            joined.append("".join(run))
            run = []
        if word:
            joined.append(word)
    return joined


def segment_han(run: str) -> list[str]:
    """Cut a run of Chinese characters into the listed words and what lies between them.

    Longest listed word first at each position; characters between listed
    words stay together as one word (usually the trade name).

    >>> segment_han("杭州海康威视数字技术股份有限公司")
    ['杭州', '海康威视', '数字', '技术', '股份有限公司']
    """
    words = vocabulary().han_words
    longest = max(map(len, words))
    out: list[str] = []
    rest = ""
    i = 0
    while i < len(run):
        for size in range(min(longest, len(run) - i), 0, -1):
            if run[i : i + size] in words:
                if rest:
                    out.append(rest)
                    rest = ""
                out.append(run[i : i + size])
                i += size
                break
        else:
            rest += run[i]
            i += 1
    if rest:
        out.append(rest)
    return out


def expand_abbreviations(words: list[str]) -> list[str]:
    """Rewrite abbreviations and spelling variants to one form.

    >>> expand_abbreviations(["xuar", "psb"])
    ['xinjiang', 'uighur', 'autonomous', 'region', 'public', 'security', 'bureau']
    """
    rewrites = vocabulary().rewrites
    out: list[str] = []
    for word in words:
        out.extend(rewrites.get(word, (word,)))
    return out


def classify(words: list[str]) -> tuple[Token, ...]:
    """Tag each word with its :class:`Kind`.

    Legal-form phrases are matched first, as whole phrases, so that "public"
    in "public limited company" is a legal form, but in "public security
    bureau" a generic word.
    """
    vocab = vocabulary()
    if vocab.phrase_starts.isdisjoint(words):
        return tuple([_token_of(word) for word in words])  # no phrase can start here (most names)
    kinds: list[Kind | None] = [None] * len(words)
    for i, word in enumerate(words):
        # Phrases starting here, longest first; earlier phrases win overlaps.
        for phrase in vocab.legal_phrases.get(word, ()):
            n = len(phrase)
            if tuple(words[i : i + n]) == phrase and all(k is None for k in kinds[i : i + n]):
                kinds[i : i + n] = [Kind.LEGAL] * n
                break
    return tuple(Token(word, Kind.LEGAL) if kind else _token_of(word) for word, kind in zip(words, kinds, strict=True))


_TOKENS: dict[str, Token] = {}  # words classified so far


def _token_of(word: str) -> Token:
    # A dict, not functools.lru_cache, which keeps the order of use: a
    # thousand instructions a word, 4% of those of screening a new name.
    token = _TOKENS.get(word)
    if token is None:
        token = Token(word, _kind_of(word))
        if len(_TOKENS) < 262_144:
            _TOKENS[word] = token
    return token


def _kind_of(word: str) -> Kind:
    vocab = vocabulary()
    if word in vocab.legal_words:
        return Kind.LEGAL
    # A lone Latin letter identifies nothing (the "b" left of "<b>Hikvision</b>").
    if word in vocab.stopwords or (len(word) == 1 and word.isascii()):
        return Kind.STOPWORD
    if word in vocab.places:
        return Kind.PLACE
    if word in vocab.generic or _singular(word) in vocab.generic:
        return Kind.GENERIC
    if word.isdigit():
        return Kind.NUMBER
    return Kind.DISTINCTIVE


def _singular(word: str) -> str:
    """The English singular of a plural noun, by the regular rules ("batteries", "boxes", "metals").

    >>> [_singular(w) for w in ["batteries", "boxes", "metals", "glass"]]
    ['battery', 'box', 'metal', 'glass']
    """
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("xes", "ches", "shes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def analyse(name: str) -> Name | None:
    """Run the whole pipeline; ``None`` when nothing of the name is left.

    >>> analyse("Sci & Tech Info Co").normalized
    'science and technology information co'
    >>> analyse("---") is None
    True
    """
    words = expand_abbreviations(tokenize(clean_text(name)))
    if not words:
        return None
    return Name(original=name, tokens=classify(words))


def strip_legal_forms(name: str) -> str:
    """Remove trailing legal-form words from a name as written, for display.

    >>> strip_legal_forms("Megvii Technology Limited")
    'Megvii Technology'
    """
    vocab = vocabulary()
    parts = name.split()
    while len(parts) > 1:
        words = tokenize(clean_text(parts[-1]))
        if words and all(w in vocab.legal_words for w in words):
            parts.pop()
        else:
            break
    return " ".join(parts).rstrip(" ,")
