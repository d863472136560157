"""What screening a name gives: a :class:`NameResult`, with an :class:`Alert` for each listed entity it matches.

>>> result = NameResult("Acme GmbH", "clear", normalized="acme gmbh")
>>> result.flagged, result.best, result.score
(False, None, None)
"""

from __future__ import annotations

from dataclasses import dataclass

from mypy_extensions import mypyc_attr

from screening.entities import Source


# The results are frozen dataclasses (their users must not change them), kept
# plain Python classes with __init__ and __reduce__ methods of their own,
# which are compiled: a dataclass compiled by mypyc (see build_native.py)
# keeps the __init__ the dataclass module writes, run by the interpreter, and
# its pickling would set the frozen fields, which it refuses.
@mypyc_attr(native_class=False)
@dataclass(frozen=True, init=False, slots=True)
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

    # Compiled, as NameResult's: 0.7 µs against the dataclass's 1.6 (a name
    # on the large list can have 200 alerts).
    def __init__(
        self,
        entity_id: str,
        entity: str,
        matched_name: str,
        score: float,
        level: str,
        query_norm: str,
        name_norm: str,
        restrictions: tuple[str, ...],
        sources: tuple[Source, ...],
        explanation: str,
    ) -> None:
        _SET_ENTITY_ID(self, entity_id)
        _SET_ENTITY(self, entity)
        _SET_MATCHED_NAME(self, matched_name)
        _SET_SCORE(self, score)
        _SET_LEVEL(self, level)
        _SET_QUERY_NORM(self, query_norm)
        _SET_NAME_NORM(self, name_norm)
        _SET_RESTRICTIONS(self, restrictions)
        _SET_SOURCES(self, sources)
        _SET_EXPLANATION(self, explanation)

    # Pickled (from a worker process) as a call of the class with its
    # fields: a slots dataclass's own way runs dataclasses.fields() in the
    # interpreter for each object.
    def __reduce__(self) -> tuple[type[Alert], tuple[object, ...]]:
        return Alert, (
            self.entity_id,
            self.entity,
            self.matched_name,
            self.score,
            self.level,
            self.query_norm,
            self.name_norm,
            self.restrictions,
            self.sources,
            self.explanation,
        )


@mypyc_attr(native_class=False)
@dataclass(frozen=True, init=False, slots=True)
class NameResult:
    """The outcome of screening one name."""

    name: str
    status: str  # "match", "review", "clear" or "skipped"
    normalized: str = ""
    alerts: tuple[Alert, ...] = ()
    note: str = ""  # e.g. that the name matches a formerly listed party

    # Its own __init__, compiled: the one a dataclass writes is run by the
    # interpreter, and took a tenth of the time to screen a new name.
    def __init__(
        self, name: str, status: str, normalized: str = "", alerts: tuple[Alert, ...] = (), note: str = ""
    ) -> None:
        _SET_NAME(self, name)
        _SET_STATUS(self, status)
        _SET_NORMALIZED(self, normalized)
        _SET_ALERTS(self, alerts)
        _SET_NOTE(self, note)

    def __reduce__(self) -> tuple[type[NameResult], tuple[object, ...]]:  # as Alert's
        return NameResult, (self.name, self.status, self.normalized, self.alerts, self.note)

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


# A frozen dataclass's fields are set past its __setattr__: by each slot's
# own setter, which takes half the time of object.__setattr__.
_SET_NAME, _SET_STATUS, _SET_NORMALIZED, _SET_ALERTS, _SET_NOTE = (
    NameResult.__dict__[field].__set__ for field in ("name", "status", "normalized", "alerts", "note")
)
(
    _SET_ENTITY_ID,
    _SET_ENTITY,
    _SET_MATCHED_NAME,
    _SET_SCORE,
    _SET_LEVEL,
    _SET_QUERY_NORM,
    _SET_NAME_NORM,
    _SET_RESTRICTIONS,
    _SET_SOURCES,
    _SET_EXPLANATION,
) = (
    Alert.__dict__[field].__set__
    for field in (
        "entity_id",
        "entity",
        "matched_name",
        "score",
        "level",
        "query_norm",
        "name_norm",
        "restrictions",
        "sources",
        "explanation",
    )
)
