"""Name normalisation: from a name as written to the words that identify it.

Each step is a small pure function; :func:`analyse` composes them. Pipeline
order (each step relies on the one before):

1. :func:`clean_text` - Unicode NFKC (full-width letters become ASCII), drop
   invisible format and control characters (zero-width spaces, soft hyphens,
   direction marks), case-fold, transliterate to ASCII with unidecode
   (diacritics, tone marks, Cyrillic and Chinese script).
2. :func:`tokenize` - split on punctuation and spacing ("&" reads "and", an
   apostrophe joins), then join letters spaced or dotted apart ("H I K" ->
   "hik").
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

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from unidecode import unidecode

DATA_DIR = Path(__file__).parent / "data"


class Kind(StrEnum):
    """What a word says about the organisation that bears the name."""

    DISTINCTIVE = "distinctive"
    GENERIC = "generic"
    PLACE = "place"
    LEGAL = "legal form"
    STOPWORD = "stop word"
    NUMBER = "number"


@dataclass(frozen=True)
class Token:
    """One normalised word of a name and what kind of word it is."""

    text: str
    kind: Kind


@dataclass(frozen=True)
class Name:
    """A name analysed for matching.

    ``tokens`` keeps every word in order, legal forms included (so an
    explanation can say what was set aside).
    """

    original: str
    tokens: tuple[Token, ...]

    @property
    def normalized(self) -> str:
        """All words, in order, space-separated."""
        return " ".join(t.text for t in self.tokens)

    @property
    def core(self) -> tuple[Token, ...]:
        """The words that take part in matching (no legal forms or stop words)."""
        return tuple(t for t in self.tokens if t.kind not in (Kind.LEGAL, Kind.STOPWORD))

    @property
    def distinctive(self) -> tuple[str, ...]:
        """The words that identify the organisation."""
        return tuple(t.text for t in self.tokens if t.kind is Kind.DISTINCTIVE)


@dataclass(frozen=True)
class Vocabulary:
    """The reference word lists from ``screening/data``."""

    legal_words: frozenset[str]
    legal_phrases: tuple[tuple[str, ...], ...]
    places: frozenset[str]
    generic: frozenset[str]
    stopwords: frozenset[str]
    rewrites: dict[str, tuple[str, ...]]


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
    return Vocabulary(
        legal_words=frozenset(legal["words"]),
        # Longest phrases first, so "public limited company" wins over parts of it.
        legal_phrases=tuple(sorted((tuple(p.split()) for p in legal["phrases"]), key=len, reverse=True)),
        places=frozenset(place_words),
        generic=frozenset(vocab["generic"]["words"]),
        stopwords=frozenset(vocab["stopwords"]["words"]),
        rewrites={k: tuple(v.split()) for k, v in rewrites.items()},
    )


# Unicode categories removed before matching: Cf holds the zero-width space,
# joiners, soft hyphen, BOM and the bidirectional marks (all invisible, all
# seen used to break a name apart); Cc holds control characters such as NUL.
_INVISIBLE = {"Cf", "Cc"}


def clean_text(text: str) -> str:
    """Return ``text`` as lower-case ASCII with invisible characters removed.

    >>> clean_text("Ｈｉ\\u200bkvision Délégation")
    'hikvision delegation'
    """
    text = unicodedata.normalize("NFKC", text)
    text = "".join(
        " " if ch in "\t\n\r" else ch for ch in text if unicodedata.category(ch) not in _INVISIBLE or ch in "\t\n\r"
    )
    return unidecode(text.casefold()).lower()


_APOSTROPHES = re.compile(r"['`]")
_SEPARATORS = re.compile(r"[^a-z0-9]+")


def tokenize(text: str) -> list[str]:
    """Split cleaned text into words; join runs of single letters.

    "H I K V I S I O N", "H.I.K." and "S.A." are one word each once joined,
    which is how the person who spaced them apart meant them to be read.

    >>> tokenize("people's h.i.k vision & co")
    ['peoples', 'hik', 'vision', 'and', 'co']
    """
    text = _APOSTROPHES.sub("", text.replace("&", " and "))
    words = [w for w in _SEPARATORS.split(text) if w]
    joined: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        if run:
            joined.append("".join(run))
            run = []
        if word:
            joined.append(word)
    return joined


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
    kinds: list[Kind | None] = [None] * len(words)
    for phrase in vocab.legal_phrases:
        n = len(phrase)
        for i in range(len(words) - n + 1):
            if tuple(words[i : i + n]) == phrase and all(k is None for k in kinds[i : i + n]):
                kinds[i : i + n] = [Kind.LEGAL] * n
    tokens = []
    for word, kind in zip(words, kinds, strict=True):
        tokens.append(Token(word, kind or _kind_of(word, vocab)))
    return tuple(tokens)


def _kind_of(word: str, vocab: Vocabulary) -> Kind:
    if word in vocab.legal_words:
        return Kind.LEGAL
    if word in vocab.stopwords:
        return Kind.STOPWORD
    if word in vocab.places:
        return Kind.PLACE
    if word in vocab.generic:
        return Kind.GENERIC
    if word.isdigit():
        return Kind.NUMBER
    return Kind.DISTINCTIVE


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
