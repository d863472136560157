"""Fuzzy matching of names against the entity list.

How a name is scored against one name form of a listed entity:

1. Both are analysed (:mod:`screening.names`). The form's *key* is its
   distinctive words ("hikvision" in "Hangzhou Hikvision Digital Technology
   Co., Ltd."). A form with no distinctive word (a public body such as
   "Xinjiang Uighur Autonomous Region People's Government Public Security
   Bureau") uses all its words, places weighing more than generic words.
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

The score against an entity is its best over the entity's name forms;
``match`` at or above ``Thresholds.match``, ``review`` at or above
``Thresholds.review``.

>>> screener = Screener.default()
>>> result = screener.check("Hikivision Digital Technology Co., Ltd.")
>>> result.status, result.entity_id, result.matched_name
('match', 'hikvision', 'Hikivision')
>>> screener.check("Sensata Technologies").status
'clear'
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from screening.candidates import KeyIndex
from screening.entities import Entity, EntityList, NameForm, Source
from screening.names import Kind, Name, analyse, latin_lookalikes, vocabulary
from screening.workers import BATCH, can_fork, check_in_processes


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
# Names whose results are remembered, so that a repeated name is scored once.
_CACHE_SIZE = 2_000_000
# Longest run of neighbouring words joined to meet one key word: "h ik vi sion".
_MAX_SPAN = 4


@dataclass(frozen=True)
class Explanation:
    """Why a name matched a name form, in parts a reviewer can check."""

    matched: tuple[tuple[str, str, int], ...]  # (part of the name, word of the form, edits)
    set_aside: tuple[tuple[str, str], ...]  # (word of the name, why it does not count)
    extra: tuple[str, ...]  # distinctive words of the name the form lacks
    edits: float
    key_letters: float

    def describe(self, score: float, level: str, thresholds: Thresholds) -> str:
        parts = []
        for got, want, edits in self.matched:
            parts.append(
                f"'{got}' = '{want}'" if edits == 0 else f"'{got}' ~ '{want}' ({edits} edit{'s' if edits > 1 else ''})"
            )
        text = "matched " + ", ".join(parts) if parts else "nothing matched"
        if self.set_aside:
            text += "; set aside " + ", ".join(f"'{w}' ({why})" for w, why in self.set_aside)
        if self.extra:
            text += "; not in the listed name: " + ", ".join(f"'{w}'" for w in self.extra)
        text += f"; score {score:.1f} = 100 x (1 - {self.edits:g}/{self.key_letters:g} edits)"
        if self.extra:
            text += f" x {EXTRA_WORD_FACTOR}^{len(self.extra)}"
        bounds = {
            "match": f">= {thresholds.match:g}",
            "review": f">= {thresholds.review:g} and < {thresholds.match:g}",
            "clear": f"< {thresholds.review:g}",
        }
        return f"{text}; {level} because {bounds[level]}"


@dataclass(frozen=True)
class Alert:
    """A name's best match with one listed entity."""

    entity_id: str
    entity: str
    matched_name: str
    score: float
    level: str  # "match" or "review"
    query_norm: str
    name_norm: str
    restrictions: tuple[str, ...]
    sources: tuple[Source, ...]
    explanation: str


@dataclass(frozen=True)
class NameResult:
    """The outcome of screening one name."""

    name: str
    status: str  # "match", "review", "clear" or "skipped"
    normalized: str = ""
    alerts: tuple[Alert, ...] = ()
    note: str = ""  # e.g. that the name matches a formerly listed party

    @property
    def best(self) -> Alert | None:
        return self.alerts[0] if self.alerts else None

    @property
    def score(self) -> float | None:
        return self.best.score if self.best else None

    @property
    def entity_id(self) -> str | None:
        return self.best.entity_id if self.best else None

    @property
    def matched_name(self) -> str | None:
        return self.best.matched_name if self.best else None

    @property
    def flagged(self) -> bool:
        return self.status in ("match", "review")


@dataclass(frozen=True)
class _Form:
    entity: Entity
    form: NameForm
    name: Name
    key: tuple[str, ...]
    weights: tuple[float, ...]
    context: frozenset[str]  # the form's non-key words
    letters: float  # the key's letters, weighted
    compact: str  # the key run together

    def fewest_edits(self, near: dict[str, int]) -> float:
        """A lower bound on the edits the name can score with, from the key words ``near`` it.

        A key word the index did not find near any piece of the name is more
        than a quarter of its letters away (or missing, all its letters).
        """
        edits = sum(w * near.get(k, min(len(k), len(k) // 4 + 1)) for k, w in zip(self.key, self.weights, strict=True))
        if len(self.key) > 1:
            c = self.compact
            edits = min(edits, near.get(c, min(len(c), len(c) // 4 + 1)) * self.letters / len(c))
        return edits


@dataclass
class _Score:
    score: float
    explanation: Explanation
    form: _Form = field(repr=False)


def key_limit(key: str) -> int:
    """Edits a piece of a name may be from a key word and still count as that word (beyond it, the word is missing)."""
    return len(key) // 3


def _allowed_edits(letters: float) -> float:
    """Edits a key of this many letters may take and still be a candidate."""
    return 0 if letters <= 4 else max(1, letters // 4)


def _compile(entity: Entity, form: NameForm) -> _Form | None:
    name = analyse(form.name)
    if name is None:
        return None
    core = name.core
    if not core:
        return None
    key = [t for t in core if t.kind is Kind.DISTINCTIVE]
    if key:
        weights = [1.0] * len(key)
    else:
        key = list(core)
        weights = [_ALL_GENERIC_WEIGHTS.get(t.kind, 1.0) for t in key]
    context = frozenset(t.text for t in core) - {t.text for t in key}
    letters = sum(w * len(t.text) for t, w in zip(key, weights, strict=True))
    words = tuple(t.text for t in key)
    return _Form(entity, form, name, words, tuple(weights), context, letters, "".join(words))


@lru_cache(maxsize=65536)
def _misspelt_generic(word: str) -> bool:
    """True for a generic word with one typo ("tecnology"), so it is not taken for a distinctive one."""
    if len(word) < 6:
        return False
    return process.extractOne(word, vocabulary().generic, scorer=OSA.distance, score_cutoff=1) is not None


class Screener:
    """Screens names against an entity list.

    Args:
        entities: the list to screen against.
        thresholds: scores for ``match`` and ``review``.
        exhaustive: compare every piece of every name with every key word of
            the list, without the index (slow; for checking that the index
            loses nothing, as ``benchmarks/bench_large_list.py`` does).
    """

    def __init__(
        self, entities: EntityList, *, thresholds: Thresholds = DEFAULT_THRESHOLDS, exhaustive: bool = False
    ) -> None:
        self.entities = entities
        self.thresholds = thresholds
        self._forms = [f for e in entities.entities for n in e.names if (f := _compile(e, n)) is not None]
        # A word that is itself a listed name ("Hikvision & Dahua JV") is not
        # a sign of a different organisation: it is a second hit.
        self._listed_words = frozenset(w for f in self._forms if f.weights[0] == 1.0 for w in f.key)
        # Which forms hold each key word (and each multi-word key run together).
        self._forms_of: dict[str, set[int]] = {}
        for i, f in enumerate(self._forms):
            for key in {*f.key, f.compact}:
                self._forms_of.setdefault(key, set()).add(i)
        self._index = KeyIndex(self._forms_of, exhaustive=exhaustive)
        self._cache: dict[str, NameResult] = {}

    @classmethod
    def default(cls, *, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Screener:
        """A screener over the bundled, article-built entity list."""
        return cls(_default_list(), thresholds=thresholds)

    def check(self, name: object) -> NameResult:
        """Screen one name. Non-text values (numbers, dates) are screened as their text.

        >>> Screener.default().check("Huawei Technologies Co., Ltd.").status
        'match'
        """
        text = "" if name is None else str(name)
        cached = self._cache.get(text)
        if cached is None:
            cached = self._check(text)
            if len(self._cache) < _CACHE_SIZE:
                self._cache[text] = cached
        return cached

    def unknown(self, names: Iterable[str]) -> list[str]:
        """The distinct names, in order, that have not been screened yet (whose results are not remembered)."""
        cache = self._cache
        return [n for n in dict.fromkeys(names) if n not in cache]

    def remember(self, results: Iterable[tuple[str, NameResult]]) -> None:
        """Keep results worked out elsewhere (by a worker process) as if screened here."""
        for name, result in results:
            if len(self._cache) < _CACHE_SIZE:
                self._cache[name] = result

    def check_stream(self, names: Iterable[str], *, workers: int = 1) -> Iterator[NameResult]:
        """Screen names in order as they come, on ``workers`` processes (see :mod:`screening.workers`).

        >>> [r.status for r in Screener.default().check_stream(["Hikvision", "Acme"])]
        ['match', 'clear']
        """
        try:
            if workers > 1 and can_fork():
                yield from check_in_processes(self, names, workers=workers)
            else:
                names = iter(names)
                while batch := list(itertools.islice(names, BATCH)):
                    yield from self.check_many(batch)
                    # Remembered results live as long as the run: keep the
                    # garbage collector from walking them again at every full
                    # collection (a third of a million-name run's time).
                    gc.freeze()
        finally:
            gc.unfreeze()

    def check_many(self, names: Iterable[object]) -> list[NameResult]:
        """Screen names in order; repeated names are scored once."""
        texts = [n if isinstance(n, str) else "" if n is None else str(n) for n in names]
        if self._index.exhaustive:
            new = {t for t in texts if t not in self._cache}
            self._index.prime(
                (text, j == i + 1)
                for t in new
                for name in _readings(t)
                for i, j, text in _spans([w.text for w in name.core])
            )
        get, check = self._cache.get, self.check
        return [get(t) or check(t) for t in texts]

    def _check(self, text: str) -> NameResult:
        if not text.strip():
            return NameResult(name=text, status="skipped", note="empty name")
        readings = _readings(text)
        if not readings:
            return NameResult(
                name=text, status="clear", note="nothing left to match once legal forms and punctuation are set aside"
            )
        best: dict[str, tuple[_Score, Name]] = {}
        for name in readings:
            for scored in self._scores(name, exhaustive=False, floor=self.thresholds.review):
                entity_id = scored.form.entity.id
                if entity_id not in best or scored.score > best[entity_id][0].score:
                    best[entity_id] = (scored, name)
        alerts, notes = [], []
        for scored, name in sorted(best.values(), key=lambda s: -s[0].score):
            level = self.thresholds.level(scored.score)
            if level == "clear":
                continue
            entity = scored.form.entity
            if entity.status != "active":
                notes.append(
                    f"formerly listed: {entity.name} ({'; '.join(entity.restriction_labels)}), "
                    f"matched '{scored.form.form.name}' with score {scored.score:.1f}"
                )
                continue
            explanation = scored.explanation.describe(scored.score, level, self.thresholds)
            if name is not readings[0]:
                explanation = f"read with look-alike letters as Latin ('{name.original}'): {explanation}"
            alerts.append(
                Alert(
                    entity_id=entity.id,
                    entity=entity.name,
                    matched_name=scored.form.form.name,
                    score=round(scored.score, 1),
                    level=level,
                    query_norm=name.normalized,
                    name_norm=scored.form.name.normalized,
                    restrictions=entity.restriction_labels,
                    sources=entity.sources,
                    explanation=explanation,
                )
            )
        status = alerts[0].level if alerts else "clear"
        return NameResult(
            name=text, status=status, normalized=readings[0].normalized, alerts=tuple(alerts), note="; ".join(notes)
        )

    def _scores(self, name: Name, *, exhaustive: bool, floor: float = 0.0) -> list[_Score]:
        """Scores of at least ``floor`` against the forms that hold a key word near a piece of the name.

        ``exhaustive`` scores every form instead. Both give the same scores:
        a form none of whose key words is within a quarter of its length of
        a piece of the name cannot score (see :mod:`screening.candidates`),
        and ``_score`` returns None for it.
        """
        words = [t.text for t in name.core]
        spans = _spans(words)
        if exhaustive:
            candidates: Iterable[int] = range(len(self._forms))
        else:
            near: dict[str, int] = {}
            for i, j, text in spans:
                for key, edits in self._index.near(text, whole_word=j == i + 1):
                    near[key] = min(edits, near.get(key, edits))
            found = {f for key in near for f in self._forms_of[key]}
            # Forms that share a common key word ("Ivanov") but whose other key
            # words are too far from the name to reach the floor are dropped
            # before scoring: extra words only lower a score.
            candidates = []
            for f in sorted(found):
                form = self._forms[f]
                fewest = form.fewest_edits(near)
                if fewest <= _allowed_edits(form.letters) and 100.0 * (1 - fewest / form.letters) >= floor:
                    candidates.append(f)
        closest: dict[str, tuple[float, tuple[int, int] | None]] = {}
        scores = []
        for f in candidates:
            scored = _score(name, words, spans, closest, self._forms[f], self._listed_words)
            if scored is not None and scored.score >= floor:
                scores.append(scored)
        return scores


def _spans(words: list[str]) -> list[tuple[int, int, str]]:
    """(first word, past the last word, the words joined) for every run of up to ``_MAX_SPAN`` words."""
    return [
        (i, j, "".join(words[i:j])) for i in range(len(words)) for j in range(i + 1, min(len(words), i + _MAX_SPAN) + 1)
    ]


def _readings(text: str) -> list[Name]:
    """The name as written, and, when it holds letters that only look Latin, read as those Latin letters.

    Unidecode reads the Cyrillic "Н" of "Нikvision" as the "N" it sounds
    like; an evader means the "H" it looks like. Both readings are scored
    and the better one wins.
    """
    readings = [n for n in (analyse(text),) if n is not None and n.core]
    if not text.isascii():
        lookalike = analyse(latin_lookalikes(text))
        if (
            lookalike is not None
            and lookalike.core
            and (not readings or lookalike.normalized != readings[0].normalized)
        ):
            readings.append(lookalike)
    return readings


@cache
def _default_list() -> EntityList:
    return EntityList.load()


def _score(
    name: Name,
    words: list[str],
    spans: list[tuple[int, int, str]],
    closest: dict[str, tuple[float, tuple[int, int] | None]],
    form: _Form,
    listed_words: frozenset[str],
) -> _Score | None:
    letters = form.letters
    best_edits = 0.0
    matched: list[tuple[str, str, int]] = []
    used: set[int] = set()
    contained: list[str] = []
    for key_word, weight in zip(form.key, form.weights, strict=True):
        edits, span = _closest(key_word, spans, closest)
        if span is None:
            best_edits += weight * len(key_word)
            continue
        best_edits += weight * edits
        got = "".join(words[span[0] : span[1]])
        if not key_word.isascii() and got != key_word and key_word in got:
            # A Chinese trade name written together with more characters
            # ("海康威视萤石"): the rest is a word the listed name lacks.
            contained.append(got.replace(key_word, "", 1))
        matched.append((" ".join(words[span[0] : span[1]]), key_word, int(edits)))
        used.update(range(span[0], span[1]))
    if len(form.key) > 1:
        # The whole key written as one word, or split elsewhere: "MeiyaPico".
        compact = form.compact
        edits, span = _closest(compact, spans, closest)
        if span is not None and edits * (letters / len(compact)) < best_edits:
            best_edits = edits * (letters / len(compact))
            matched = [(" ".join(words[span[0] : span[1]]), " ".join(form.key), int(edits))]
            used = set(range(span[0], span[1]))
    if not matched or best_edits > _allowed_edits(letters):
        return None
    core = name.core
    set_aside = [(t.text, t.kind.value) for t in name.tokens if t.kind in (Kind.LEGAL, Kind.STOPWORD) and t not in core]
    extra = []
    for i, token in enumerate(core):
        if i in used:
            continue
        if token.kind is not Kind.DISTINCTIVE:
            set_aside.append((token.text, token.kind.value))
        elif any(OSA.distance(token.text, c) <= len(c) // 4 for c in form.context):
            set_aside.append((token.text, "also in the listed name"))
        elif _misspelt_generic(token.text):
            set_aside.append((token.text, "generic, misspelt"))
        elif token.text in listed_words:
            set_aside.append((token.text, "another listed name"))
        else:
            extra.append(token.text)
    extra += contained
    score = 100.0 * (1 - best_edits / letters) * EXTRA_WORD_FACTOR ** len(extra)
    explanation = Explanation(tuple(matched), tuple(set_aside), tuple(extra), round(best_edits, 2), round(letters, 2))
    return _Score(score, explanation, form)


def _closest(
    key_word: str, spans: list[tuple[int, int, str]], known: dict[str, tuple[float, tuple[int, int] | None]]
) -> tuple[float, tuple[int, int] | None]:
    """The piece of the name nearest to ``key_word`` within a third of its length (the first, if several are as near).

    A key in Chinese script inside a single word ("海康威视萤石") is at 0 edits:
    Chinese names are written without spaces. ``known`` holds the answers
    already worked out for this name.
    """
    answer = known.get(key_word)
    if answer is None:
        limit = key_limit(key_word)
        answer = (float(len(key_word)), None)
        for i, j, text in spans:
            if j == i + 1 and not key_word.isascii() and key_word in text:
                edits = 0
            else:
                edits = OSA.distance(key_word, text, score_cutoff=limit)
            if edits <= limit and edits < answer[0]:
                answer = (float(edits), (i, j))
        known[key_word] = answer
    return answer
