"""Fuzzy matching of names against the entity list.

How a name is scored against one name form is the work of
:mod:`screening.scoring`; this module finds the forms worth scoring (with
:mod:`screening.candidates`) and turns scores into alerts.

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
from collections.abc import Iterable, Iterator
from functools import cache

from screening.candidates import KeyIndex
from screening.entities import EntityList, NameForm
from screening.keys import KeyBounds
from screening.names import HAN, Name, Token, analyse, pinyin
from screening.readings import Reading, readings
from screening.results import Alert, NameResult
from screening.scoring import (
    DEFAULT_THRESHOLDS,
    Explanation,
    Pieces,
    Scored,
    Thresholds,
    compile_form,
    find_key,
    score,
    set_aside,
)
from screening.workers import batches, can_fork, check_in_processes, frozen_run

__all__ = ["DEFAULT_THRESHOLDS", "Alert", "NameResult", "Screener", "Thresholds"]

# Names whose results are remembered, so that a repeated name is scored once.
_CACHE_SIZE = 2_000_000
# New names screened together: the index looks for all their pieces at
# once (numpy's calls cost the same for a few pieces as for many), while
# their readings are held (a caller may hand check_many a million names).
_GROUP = 500


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
        self._forms = [
            f
            for e in entities.entities
            for n, analysed in _with_pinyin(e.names)
            if (f := compile_form(e, n, analysed)) is not None
        ]
        # A word that is itself a listed name ("Hikvision & Dahua JV") is not
        # a sign of a different organisation: it is a second hit.
        self._listed_words = frozenset(w for f in self._forms if f.weights[0] == 1.0 for w in f.key)
        # Forms that share a key (its words and weights) are found in a name
        # together: an entity's "Hikvision" and "Hangzhou Hikvision Digital
        # Technology Co., Ltd.", or ten entities' "Ivanov & Haddad ...".
        keys: dict[tuple[tuple[str, ...], tuple[float, ...]], list[int]] = {}
        for i, f in enumerate(self._forms):
            keys.setdefault((f.key, f.weights), []).append(i)
        self._keys = list(keys.values())  # forms by key, in list order
        self._bounds = KeyBounds([self._forms[forms[0]] for forms in self._keys])
        self._index = KeyIndex(self._bounds.words, exhaustive=exhaustive)
        # What an alert says of each entity, worked out once: Entity builds
        # its labels and sources anew each time (1.3-2 µs), and a run on the
        # large list writes 35,000 alerts.
        self._listed = {e.id: (e.status == "active", e.restriction_labels, e.sources) for e in entities.entities}
        self._cache: dict[str, NameResult] = {}
        # "ACME Trading Ltd" and "Acme Trading GmbH" share their core words, and scores.
        self._by_core: dict[tuple[Token, ...], tuple[Scored, ...]] = {}

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
        return list(dict.fromkeys(n for n in names if n not in cache))

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
        for results in self.check_batches(batches(names), workers=workers):
            yield from results

    def check_batches(self, names: Iterable[list[str]], *, workers: int = 1) -> Iterator[list[NameResult]]:
        """The results of each batch of ``names`` in turn, as :meth:`check_stream` (a file's rows go in batches)."""
        # Remembered results live as long as the run: after each batch they
        # are kept out of the garbage collector's walks (the walks took a
        # third of a million-name run).
        with frozen_run() as freeze:
            if workers > 1 and can_fork():
                yield from check_in_processes(self, names, workers=workers, freeze=freeze)
            else:
                for batch in names:
                    yield self.check_many(batch)
                    if freeze:
                        gc.freeze()

    def check_many(self, names: Iterable[object]) -> list[NameResult]:
        """Screen names in order; repeated names are scored once."""
        texts = [n if isinstance(n, str) else "" if n is None else str(n) for n in names]
        results = [self._cache.get(t) for t in texts]
        new = list(dict.fromkeys(t for t, r in zip(texts, results, strict=True) if r is None))
        done: dict[str, NameResult] = {}
        for start in range(0, len(new), _GROUP):
            done.update(self._check_group(new[start : start + _GROUP]))
        if len(self._cache) < _CACHE_SIZE:
            self._cache.update(done)
        return [r if r is not None else done[t] for t, r in zip(texts, results, strict=True)]

    def _check_group(self, texts: list[str]) -> Iterator[tuple[str, NameResult]]:
        """Screen new names, the index looking for the pieces of them all at once (see KeyIndex.prime)."""
        ways = {t: readings(t) for t in texts if t.strip()}
        # Each new core's pieces, made once: looked for now, scored in _check.
        pieces_of: dict[tuple[Token, ...], Pieces] = {}
        for way in ways.values():
            for reading in way:
                core = reading.name.core
                if core not in self._by_core and core not in pieces_of:
                    pieces_of[core] = Pieces(reading.name)
        self._index.prime((text, j == i + 1) for p in pieces_of.values() for i, j, text in p.spans)
        # The keys each new core can reach, found for them all at once.
        keys = self._bounds.candidates(list(pieces_of.values()), self._index, self.thresholds.review)
        keys_of = dict(zip(pieces_of, keys, strict=True))
        for t in texts:
            yield t, self._check(t, ways.get(t), pieces_of, keys_of)

    def _check(
        self,
        text: str,
        ways: list[Reading] | None = None,
        pieces_of: dict[tuple[Token, ...], Pieces] | None = None,
        keys_of: dict[tuple[Token, ...], list[int]] | None = None,
    ) -> NameResult:
        """Screen one name, whose readings and new cores' pieces and candidate keys may have been worked out already."""
        if not text.strip():
            return NameResult(name=text, status="skipped", note="empty name")
        if ways is None:
            ways = readings(text)
        if not ways:
            return NameResult(
                name=text, status="clear", note="nothing left to match once legal forms and punctuation are set aside"
            )
        best: dict[str, tuple[Scored, Reading]] = {}
        for reading in ways:
            for scored in self._core_scores(reading.name, pieces_of, keys_of):
                entity_id = scored.form.entity.id
                if entity_id not in best or scored.score > best[entity_id][0].score:
                    best[entity_id] = (scored, reading)
        alerts, notes = [], []
        # What each reading sets aside, and each explanation in words, once:
        # a name sharing a common word with many listed ones ("Tonglong
        # Trading") can have 200 alerts, most explained alike (see score).
        asides: dict[Reading, tuple[str, tuple[tuple[str, str], ...]]] = {}  # (normalized, set aside)
        described: dict[tuple[Explanation, Reading], tuple[str, float]] = {}  # (explanation, score rounded)
        for scored, reading in sorted(best.values(), key=lambda s: -s[0].score):
            name, how = reading.name, reading.how
            level = self.thresholds.level(scored.score)
            if level == "clear":
                continue
            entity = scored.form.entity
            active, restrictions, sources = self._listed[entity.id]
            if not active:
                notes.append(
                    f"formerly listed: {entity.name} ({'; '.join(restrictions)}), "
                    f"matched '{scored.form.form.name}' with score {scored.score:.1f}"
                )
                continue
            if reading not in asides:
                asides[reading] = (name.normalized, set_aside(name))
            normalized, aside = asides[reading]
            said = described.get((scored.explanation, reading))
            if said is None:
                explanation = scored.explanation.describe(scored.score, level, self.thresholds, also_set_aside=aside)
                if how:
                    explanation = f"{how}: {explanation}"
                said = described[(scored.explanation, reading)] = (explanation, round(scored.score, 1))
            alerts.append(
                Alert(
                    entity_id=entity.id,
                    entity=entity.name,
                    matched_name=scored.form.form.name,
                    score=said[1],
                    level=level,
                    query_norm=normalized,
                    name_norm=scored.form.name.normalized,
                    restrictions=restrictions,
                    sources=sources,
                    explanation=said[0],
                )
            )
        status = alerts[0].level if alerts else "clear"
        normalized = ways[0].name.normalized
        return NameResult(text, status, normalized, tuple(alerts), "; ".join(notes))

    def _core_scores(
        self,
        name: Name,
        pieces_of: dict[tuple[Token, ...], Pieces] | None = None,
        keys_of: dict[tuple[Token, ...], list[int]] | None = None,
    ) -> tuple[Scored, ...]:
        """The alerting scores of a name's core words, worked out once for names that differ only in legal forms.

        ``pieces_of``, ``keys_of``: cores' pieces and candidate keys found
        already (the same whatever the name's legal forms).
        """
        scores = self._by_core.get(name.core)
        if scores is None:
            pieces = pieces_of.get(name.core) if pieces_of is not None else None
            if pieces is None:
                pieces = Pieces(name)
            keys = keys_of.get(name.core) if keys_of is not None else None
            scores = tuple(self._scores(pieces, exhaustive=False, floor=self.thresholds.review, keys=keys))
            if len(self._by_core) < _CACHE_SIZE:
                self._by_core[name.core] = scores
        return scores

    def _scores(
        self, pieces: Pieces, *, exhaustive: bool, floor: float = 0.0, keys: list[int] | None = None
    ) -> list[Scored]:
        """Scores of at least ``floor`` against the forms whose key has a word near a piece of the name.

        ``exhaustive`` looks for every key instead. Both give the same scores:
        a form none of whose key words is within a quarter of its length of
        a piece of the name cannot score (see :mod:`screening.candidates`),
        and :func:`screening.scoring.score` returns None for it. ``keys``:
        the candidate keys for ``floor``, when found already.
        """
        if exhaustive:
            keys = list(range(len(self._keys)))
        elif keys is None:
            keys = self._bounds.candidates([pieces], self._index, floor)[0]
        scores = []
        for k in keys:
            forms = self._keys[k]
            found = find_key(pieces, self._forms[forms[0]])
            if found is None or found.ceiling < floor:
                continue
            for f in forms:
                scored = score(pieces, self._forms[f], listed_words=self._listed_words, found=found)
                if scored is not None and scored.score >= floor:
                    scores.append((f, scored))
        # In list order, as an entity's first form of equal score is the one shown.
        return [scored for _, scored in sorted(scores, key=lambda s: s[0])]


def _with_pinyin(forms: Iterable[NameForm]) -> list[tuple[NameForm, Name | None]]:
    """The name forms, and each form in Chinese characters also in pinyin, as Chinese names are romanised.

    "杭州海康威视数字技术股份有限公司" is registered in English as "Hangzhou
    Haikang Weishi Shuzi Jishu Co., Ltd." as well as "Hangzhou Hikvision
    Digital Technology Co., Ltd.". The pinyin form's words keep the kinds of
    the Chinese words they spell ("shuzi jizhu", 数字技术, generic): pinyin
    alone cannot tell 中心 (centre, generic) from 中信 (CITIC), both
    "zhongxin". It cites the Chinese form's sources. A form comes with its
    analysis when this had to analyse it, else None (``compile_form`` does).
    """
    out: list[tuple[NameForm, Name | None]] = []
    for form in forms:
        name = analyse(form.name) if HAN.search(form.name) else None
        out.append((form, name))
        if name is not None:
            tokens = tuple(Token(pinyin(t.text), t.kind) for t in name.tokens)
            text = " ".join(t.text.capitalize() for t in tokens)
            out.append((NameForm(name=text, kind="pinyin", sources=form.sources), Name(original=text, tokens=tokens)))
    return out


@cache
def _default_list() -> EntityList:
    return EntityList.load()
