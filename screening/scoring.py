"""How a name is scored against one name form of a listed entity.

1. Both are analysed (:mod:`screening.names`). The form's *key* is its
   distinctive words ("hikvision" in "Hangzhou Hikvision Digital Technology
   Co., Ltd."). A form with no distinctive word (a public body such as
   "Xinjiang Uighur Autonomous Region People's Government Public Security
   Bureau") uses its place and the body's own words ("xinjiang public
   security bureau": its level of government is set aside, see
   :func:`_body_words`), places weighing more than generic words.
2. Each key word is looked up among the name's words, alone or joined with
   their neighbours ("Hik Vision" -> "hikvision"), by edit distance
   (rapidfuzz OSA: a swap of two letters counts as one edit). A key word
   further than a third of its length from every part of the name is
   missing, and all its letters count as edits.
3. ``score = 100 x (1 - edits / key letters)``, and the name is no
   candidate at all when the edits exceed a quarter of the key's letters
   (none for keys of four letters or fewer: "Yiti" is not "Yitu").
4. Words of the name left over that are distinctive, and not a word of the
   form nor a misspelt generic word, suggest a different organisation that
   shares a word: each multiplies the score by 0.85 ("Huawei Marine" is
   worth a look, not a certain hit).

>>> from screening.entities import EntityList
>>> hikvision = next(e for e in EntityList.load().entities if e.id == "hikvision")
>>> form = compile_form(hikvision, hikvision.names[3])
>>> form.form.name, form.key
('Hangzhou Hikvision Digital Technology Co., Ltd.', ('hikvision',))
>>> scored = score(Pieces(analyse("Hik Visoin Optics Mindray")), form, listed_words=frozenset())
>>> round(scored.score, 1), scored.explanation.extra
(75.6, ('mindray',))
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from mypy_extensions import i64
from rapidfuzz import process
from rapidfuzz.distance import OSA

from screening.candidates import bit_count, letters_of
from screening.entities import Entity, NameForm
from screening.names import SET_ASIDE, Kind, Name, Token, analyse, vocabulary


@dataclass(frozen=True)
class Thresholds:
    """Scores (0-100) at which a name becomes an alert.

    The defaults put an exact or one-letter-off distinctive name (90+) at
    ``match`` and a typo in a short name or a listed name with an extra
    distinctive word (75-89) at ``review``.
    """

    match: float = 90.0
    review: float = 75.0

    def __post_init__(self) -> None:
        if not 0 < self.review <= self.match <= 100:
            raise ValueError(
                f"thresholds must satisfy 0 < review <= match <= 100, got review={self.review}, match={self.match}"
            )

    def level(self, score: float) -> str:
        if score >= self.match:
            return "match"
        if score >= self.review:
            return "review"
        return "clear"


DEFAULT_THRESHOLDS = Thresholds()

# In a form with no distinctive word, the place is what tells one public
# body from another ("Xinjiang ... Public Security Bureau" vs "Shanghai ...
# Public Security Bureau"), so it weighs twice a generic word.
_ALL_GENERIC_WEIGHTS = {Kind.PLACE: 1.0, Kind.GENERIC: 0.5, Kind.NUMBER: 0.5}
EXTRA_WORD_FACTOR = 0.85
# Longest run of neighbouring words joined to meet one key word: "h ik vi sion".
_MAX_SPAN = 4


# Explanation, Scored and KeyFound, made for every form scored, are plain
# classes: compiled, a dataclass keeps the __init__ it writes, which the
# interpreter runs (3.7% of a large-list run's time, sampled).
class Explanation:
    """Why a name matched a name form, in parts a reviewer can check."""

    def __init__(
        self,
        matched: tuple[tuple[str, str, int], ...],
        set_aside: tuple[tuple[str, str], ...],
        extra: tuple[str, ...],
        edits: float,
        key_letters: float,
    ) -> None:
        self.matched = matched  # (part of the name, word of the form, edits)
        self.set_aside = set_aside  # (word of the name, why it does not count)
        self.extra = extra  # distinctive words of the name the form lacks
        self.edits = edits  # (rounded when described: round() took a tenth of screening a name with many alerts)
        self.key_letters = key_letters

    def describe(
        self, score: float, level: str, thresholds: Thresholds, *, also_set_aside: tuple[tuple[str, str], ...] = ()
    ) -> str:
        """The explanation in words; ``also_set_aside``: more (word, why) set aside (see :func:`set_aside`)."""
        parts = []
        for got, want, edits in self.matched:
            parts.append(
                f"'{got}' = '{want}'" if edits == 0 else f"'{got}' ~ '{want}' ({edits} edit{'s' if edits > 1 else ''})"
            )
        text = "matched " + ", ".join(parts) if parts else "nothing matched"
        aside = also_set_aside + self.set_aside
        if aside:
            text += "; set aside " + ", ".join(f"'{w}' ({why})" for w, why in aside)
        if self.extra:
            text += "; not in the listed name: " + ", ".join(f"'{w}'" for w in self.extra)
        text += f"; score {score:.1f} = 100 x (1 - {round(self.edits, 2):g}/{round(self.key_letters, 2):g} edits)"
        if self.extra:
            text += f" x {EXTRA_WORD_FACTOR}^{len(self.extra)}"
        if level == "match":
            bounds = f">= {thresholds.match:g}"
        elif level == "review":
            bounds = f">= {thresholds.review:g} and < {thresholds.match:g}"
        else:
            bounds = f"< {thresholds.review:g}"
        return f"{text}; {level} because {bounds}"


@dataclass(frozen=True)
class Form:
    """A listed name form, analysed once for scoring."""

    entity: Entity
    form: NameForm
    name: Name
    key: tuple[str, ...]
    weights: tuple[float, ...]
    context: frozenset[str]  # the form's non-key words
    letters: float  # the key's letters, weighted
    compact: str  # the key run together


class Scored:
    """A name's score against a form, and why."""

    def __init__(self, score: float, explanation: Explanation, form: Form) -> None:
        self.score = score
        self.explanation = explanation
        self.form = form


def key_limit(key: str) -> int:
    """Edits a piece of a name may be from a key word and still count as that word (beyond it, the word is missing)."""
    return len(key) // 3


def allowed_edits(letters: float) -> float:
    """Edits a key of this many letters may take and still be a candidate."""
    return 0 if letters <= 4 else max(1, letters // 4)


def compile_form(entity: Entity, form: NameForm, name: Name | None = None) -> Form | None:
    """The form ready for scoring; None when nothing of it is left to match.

    ``name``: the form already analysed (its pinyin, say, with the kinds of
    the Chinese words it spells); by default ``form.name`` analysed.
    """
    name = name if name is not None else analyse(form.name)
    if name is None or not name.core:
        return None
    core = name.core
    key = [t for t in core if t.kind is Kind.DISTINCTIVE]
    if key:
        weights = [1.0] * len(key)
    else:
        key = _body_words(core)
        weights = [_ALL_GENERIC_WEIGHTS.get(t.kind, 1.0) for t in key]
    context = frozenset(t.text for t in core) - {t.text for t in key}
    letters = sum(w * len(t.text) for t, w in zip(key, weights, strict=True))
    words = tuple(t.text for t in key)
    return Form(entity, form, name, words, tuple(weights), context, letters, "".join(words))


def _body_words(core: tuple[Token, ...]) -> list[Token]:
    """What must match of a name with no distinctive word: its words less the levels of government, if enough remain.

    "Xinjiang Uighur Autonomous Region People's Government Public Security
    Bureau" is known as "Xinjiang Public Security Bureau" too: the place
    and the body's own words identify it. When no place or nothing but a
    place would remain ("People's Government of Xinjiang"), every word counts.

    >>> [t.text for t in _body_words(analyse("XUAR People's Government PSB").core)]
    ['xinjiang', 'public', 'security', 'bureau']
    >>> [t.text for t in _body_words(analyse("Xinjiang People's Government").core)]
    ['xinjiang', 'peoples', 'government']
    """
    designations = vocabulary().designations
    body = [t for t in core if t.text not in designations]
    kinds = {t.kind for t in body}
    return body if Kind.PLACE in kinds and kinds - {Kind.PLACE} else list(core)


class Pieces:
    """A name's words, alone and joined with their neighbours, and the key words found among them so far."""

    def __init__(self, name: Name) -> None:
        self.name = name
        self.words = words = [t.text for t in name.core]
        # (first word, past the last word, the words joined) for every run of up to _MAX_SPAN words.
        self.spans: list[tuple[int, int, str]] = []
        for i, word in enumerate(words):
            self.spans.append((i, i + 1, word))
            for j in range(i + 2, min(len(words), i + _MAX_SPAN) + 1):
                word += words[j - 1]
                self.spans.append((i, j, word))
        self._texts: list[str] | None = None  # the spans' texts, when a key word is looked up
        self._closest: dict[tuple[str, bool], tuple[float, tuple[int, int] | None]] = {}
        self._letters: list[int] | None = None  # the letters each span holds (letter_masks' first)
        self._out_of_reach: dict[str, bool] = {}

    def out_of_reach(self, key_word: str, letters: int | None = None) -> bool:
        """Whether the letters of every piece show it more than ``key_limit`` edits from ``key_word`` (in ASCII).

        Then :meth:`closest` finds it missing, without comparing a piece.
        Each edit gives a text at most one letter the other lacks and takes
        at most one away, so the edits are at least the letters either text
        lacks of the other's (each letter counted once: cheap, and enough to
        tell most words apart). ``letters``: ``letters_of(key_word)``, when
        worked out already.
        """
        answer = self._out_of_reach.get(key_word)
        if answer is None:
            if self._letters is None:
                self._letters = [letters_of(text) for _, _, text in self.spans]
            word = letters if letters is not None else letters_of(key_word)
            answer = key_word.isascii() and _all_far(word, self._letters, key_limit(key_word))
            self._out_of_reach[key_word] = answer
        return answer

    def closest(self, key_word: str, *, compact: bool = False) -> tuple[float, tuple[int, int] | None]:
        """(edits, span) of the piece nearest ``key_word`` within a third of its length (the first of equals).

        A key word spelt across two or more words of the name counts with
        at most half those edits: a name split and misspelt too is another
        name more often than a variant ("Hikari Vision" is 2 edits from
        "Hikivision" run together; "Hik Vision" and "Sense Tiem" are 0 and
        1). ``compact``: ``key_word`` is a whole key run together, which the
        name's words may split anywhere. A key in Chinese script inside a
        single word ("海康威视萤石") is at 0 edits: Chinese names are
        written without spaces.
        """
        answer = self._closest.get((key_word, compact))
        if answer is None:
            limit = key_limit(key_word)
            answer = (float(len(key_word)), None)
            if key_word.isascii():
                if self._texts is None:
                    self._texts = [text for _, _, text in self.spans]
                found = process.extractOne(key_word, self._texts, scorer=OSA.distance, score_cutoff=limit)
                if found is not None:
                    i, j, _ = self.spans[found[2]]
                    answer = (float(found[1]), (i, j))
                    if j > i + 1 and not compact and found[1] > limit // 2:
                        # Split and too far; nothing split is nearer, so only a word of its own can count.
                        word = process.extractOne(key_word, self.words, scorer=OSA.distance, score_cutoff=limit)
                        answer = (float(len(key_word)), None)
                        if word is not None:
                            answer = (float(word[1]), (word[2], word[2] + 1))
            else:
                for i, j, text in self.spans:
                    edits = 0 if j == i + 1 and key_word in text else OSA.distance(key_word, text, score_cutoff=limit)
                    if edits <= limit and edits < answer[0]:
                        answer = (float(edits), (i, j))
            self._closest[(key_word, compact)] = answer
        return answer

    def joined(self, span: tuple[int, int], sep: str = " ") -> str:
        return sep.join(self.words[span[0] : span[1]])


def _all_far(word: i64, spans: list[int], limit: i64) -> bool:
    """Whether each of ``spans`` lacks more than ``limit`` of the letters ``word`` holds, or holds more it lacks."""
    for letters in spans:
        span: i64 = letters
        if bit_count(word & ~span) <= limit and bit_count(span & ~word) <= limit:
            return False
    return True


class KeyFound:
    """Where a form's key words were found in a name: the same for every form with that key."""

    def __init__(
        self,
        edits: float,
        found: list[tuple[str, tuple[int, int], float]],
        words_found: list[tuple[str, tuple[int, int], float]],
        ceiling: float,
    ) -> None:
        self.edits = edits  # weighted, as the score counts them
        self.found = found  # (key word or whole key, span, edits) that the score counts
        self.words_found = words_found  # each key word found on its own
        self.ceiling = ceiling  # the best score a form with this key can reach: extra words only lower it
        # Worked out by score() for the first form with this key, for the others:
        self.matched: tuple[tuple[str, str, int], ...] = ()  # as Explanation.matched
        self.left: list[tuple[str, bool, str]] | None = None  # the name's core words the key left (see _left_over)
        self.contained: list[str] = []  # what a Chinese key word was written together with
        # By which of the left distinctive words a form's other words hold: the score and its explanation.
        self.explained: dict[tuple[bool, ...], tuple[float, Explanation]] = {}


def find_key(pieces: Pieces, form: Form) -> KeyFound | None:
    """Where ``form``'s key lies in the name; None when it is too far for a candidate."""
    letters = form.letters
    best_edits = 0.0
    words_found: list[tuple[str, tuple[int, int], float]] = []  # (key word, span, edits)
    for key_word, weight in zip(form.key, form.weights, strict=True):
        edits, span = pieces.closest(key_word)
        best_edits += weight * edits
        if span is not None:
            words_found.append((key_word, span, edits))
    found = words_found
    if len(form.key) > 1:
        # The whole key written as one word, or split elsewhere: "MeiyaPico".
        edits, span = pieces.closest(form.compact, compact=True)
        if span is not None and edits * (letters / len(form.compact)) < best_edits:
            best_edits = edits * (letters / len(form.compact))
            found = [(" ".join(form.key), span, edits)]
    if not found or best_edits > allowed_edits(letters):
        return None
    return KeyFound(best_edits, found, words_found, 100.0 * (1 - best_edits / letters))


def score(pieces: Pieces, form: Form, *, listed_words: frozenset[str], found: KeyFound | None = None) -> Scored | None:
    """The name's score against ``form`` with its explanation; None when the key is too far for a candidate.

    Only the name's core words take part: names that differ in legal forms
    alone get the same score and explanation (see :func:`set_aside`).
    ``found``: :func:`find_key` for this form's key, when already worked out
    (for the forms that share the key: their key letters are the same).
    """
    found = found if found is not None else find_key(pieces, form)
    if found is None:
        return None
    left = found.left
    if left is None:
        left = _left_over(pieces, found, listed_words)
    # All that differs from one form with this key to another is which of
    # the name's left distinctive words are (near) one of its other words.
    # A word such as "Longfeng", in 187 names of the large list, gives a
    # name 187 alerts: each scored and explained from the start, the large
    # list's flagged names took 654 µs each, against 347 so (572 names).
    in_form = tuple(
        any(OSA.distance(word, c) <= len(c) // 4 for c in form.context) for word, distinctive, _ in left if distinctive
    )
    explained = found.explained.get(in_form)
    if explained is None:
        explained = found.explained[in_form] = _explained(found, left, in_form, form.letters)
    return Scored(explained[0], explained[1], form)


def _left_over(pieces: Pieces, found: KeyFound, listed_words: frozenset[str]) -> list[tuple[str, bool, str]]:
    """(word, distinctive, why set aside) for each core word of the name that ``found`` leaves, kept on it.

    Why is "" for a distinctive word that counts as extra unless the form
    holds it too.
    """
    contained = []
    for key_word, span, _ in found.words_found:
        got = "" if key_word.isascii() else pieces.joined(span, "")
        if got != key_word and key_word in got:
            # A Chinese trade name written together with more characters
            # ("海康威视萤石"): the rest is a word the listed name lacks.
            contained.append(got.replace(key_word, "", 1))
    used = {i for _, span, _ in found.found for i in range(*span)}
    left = []
    for i, token in enumerate(pieces.name.core):
        if i in used:
            continue
        if token.kind is not Kind.DISTINCTIVE:
            left.append((token.text, False, token.kind.value))
        elif _misspelt_generic(token.text):
            left.append((token.text, True, "generic, misspelt"))
        elif token.text in listed_words:
            left.append((token.text, True, "another listed name"))
        else:
            left.append((token.text, True, ""))
    found.matched = tuple((pieces.joined(span), key_word, int(edits)) for key_word, span, edits in found.found)
    found.contained = contained
    found.left = left
    return left


def _explained(
    found: KeyFound, left: list[tuple[str, bool, str]], in_form: tuple[bool, ...], letters: float
) -> tuple[float, Explanation]:
    """The score and explanation for a form that holds the left distinctive words marked in ``in_form``."""
    aside = []
    extra = []
    d = -1  # the left distinctive word this is
    for word, distinctive, why in left:
        if distinctive:
            d += 1
        if distinctive and in_form[d]:
            aside.append((word, "also in the listed name"))
        elif why:
            aside.append((word, why))
        else:
            extra.append(word)
    extra += found.contained
    value = 100.0 * (1 - found.edits / letters) * EXTRA_WORD_FACTOR ** len(extra)
    return value, Explanation(found.matched, tuple(aside), tuple(extra), found.edits, letters)


def set_aside(name: Name) -> tuple[tuple[str, str], ...]:
    """(word, why) for the legal forms and stop words of ``name`` that its score sets aside (it counts its core alone).

    >>> set_aside(analyse("The Hikvision Co., Ltd."))
    (('the', 'stop word'), ('co', 'legal form'), ('ltd', 'legal form'))
    """
    core = name.core
    return tuple((t.text, t.kind.value) for t in name.tokens if t.kind in SET_ASIDE and t not in core)


@lru_cache(maxsize=65536)
def _misspelt_generic(word: str) -> bool:
    """True for a generic word with one typo ("tecnology"), so it is not taken for a distinctive one."""
    if len(word) < 6:
        return False
    return process.extractOne(word, vocabulary().generic, scorer=OSA.distance, score_cutoff=1) is not None
