"""Measure matching on labelled names: misses and false alerts, per category.

A labelled file has the columns ``name``, ``expected`` and ``category``.
``expected`` holds a keyword, or several joined by ``+``, that the flagged
entity's names must contain (compared lower-case, letters and digits only);
empty means the name must stay clear.

A positive is *found* when flagged (match or review) with an entity whose
names hold every keyword, *wrong* when flagged with another entity, *missed*
when clear. A negative flagged is a false alert, counted by level.
``precision = found / (found + wrong + false alerts)``.

The baseline is what a plain fuzzy search gives: rapidfuzz WRatio of the
lower-cased name against every lower-cased name form of the listed (active)
entities, flagged at one threshold.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from screening.csvfiles import decode_text
from screening.entities import Entity, EntityList
from screening.errors import ScreeningError
from screening.matching import Screener

BASELINE_THRESHOLD = 88.0


@dataclass(frozen=True)
class Case:
    name: str
    expected: tuple[str, ...]  # keywords; empty: must stay clear
    category: str


@dataclass
class Tally:
    """Counts for one category (or all of them)."""

    category: str
    positives: int = 0
    found: int = 0
    missed: int = 0
    wrong: int = 0
    negatives: int = 0
    false_match: int = 0
    false_review: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.positives if self.positives else 1.0

    @property
    def precision(self) -> float:
        flagged = self.found + self.wrong + self.false_match + self.false_review
        return self.found / flagged if flagged else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, case: Case, level: str, entity: Entity | None) -> None:
        if case.expected:
            self.positives += 1
            if level == "clear" or entity is None:
                self.missed += 1
            elif has_keywords(entity, case.expected):
                self.found += 1
            else:
                self.wrong += 1
        else:
            self.negatives += 1
            if level == "match":
                self.false_match += 1
            elif level == "review":
                self.false_review += 1

    def to_json(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "positives": self.positives,
            "found": self.found,
            "missed": self.missed,
            "wrong": self.wrong,
            "negatives": self.negatives,
            "false_alerts": {"match": self.false_match, "review": self.false_review},
            "recall": round(self.recall, 4),
            "precision": round(self.precision, 4),
            "f1": round(self.f1, 4),
        }


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def has_keywords(entity: Entity, keywords: Iterable[str]) -> bool:
    """True when the entity's names, run together, contain every keyword."""
    names = _letters(" ".join(n.name for n in entity.names))
    return all(_letters(k) in names for k in keywords)


def load_cases(path: Path) -> list[Case]:
    """Read a labelled CSV file (see the module docstring)."""
    try:
        text = decode_text(Path(path).read_bytes())
    except OSError as exc:
        raise ScreeningError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    rows = list(csv.DictReader(text.splitlines()))
    if not rows or not {"name", "expected", "category"} <= set(rows[0]):
        raise ScreeningError(f"{Path(path).name}: a labelled file needs the columns name, expected, category")
    return [
        Case(
            name=r["name"] or "",
            expected=tuple(k for k in (r["expected"] or "").split("+") if k),
            category=r["category"] or "",
        )
        for r in rows
    ]


Judge = Callable[[str], tuple[str, Entity | None]]


def tally(cases: list[Case], judge: Judge) -> list[Tally]:
    """One :class:`Tally` per category in order of first appearance, then ``all``."""
    by_category: dict[str, Tally] = {}
    overall = Tally("all")
    for case in cases:
        level, entity = judge(case.name)
        by_category.setdefault(case.category, Tally(case.category)).add(case, level, entity)
        overall.add(case, level, entity)
    return [*by_category.values(), overall]


def screener_judge(screener: Screener) -> Judge:
    def judge(name: str) -> tuple[str, Entity | None]:
        result = screener.check(name)
        entity = screener.entities.get(result.entity_id) if result.entity_id else None
        return result.status if result.flagged else "clear", entity

    return judge


def baseline_judge(entities: EntityList, *, threshold: float = BASELINE_THRESHOLD) -> Judge:
    forms = [(n.name.lower(), e) for e in entities.entities if e.status == "active" for n in e.names]
    choices = [f for f, _ in forms]

    def judge(name: str) -> tuple[str, Entity | None]:
        best = process.extractOne(name.lower(), choices, scorer=fuzz.WRatio, score_cutoff=threshold)
        return ("match", forms[best[2]][1]) if best else ("clear", None)

    return judge


HEADER = ("category", "pos", "found", "missed", "wrong", "neg", "FA match", "FA review", "recall", "precision", "F1")


def format_table(tallies: list[Tally]) -> str:
    """A plain-text table, one line per category and ``all`` last."""
    width = max(len(t.category) for t in tallies) + 2
    lines = [f"{HEADER[0]:<{width}}" + "".join(f"{h:>10}" for h in HEADER[1:])]
    for t in tallies:
        counts = (t.positives, t.found, t.missed, t.wrong, t.negatives, t.false_match, t.false_review)
        rates = (t.recall, t.precision, t.f1)
        lines.append(
            f"{t.category:<{width}}" + "".join(f"{c:>10}" for c in counts) + "".join(f"{r:>10.1%}" for r in rates)
        )
    return "\n".join(lines)


def format_comparison(ours: list[Tally], baseline: list[Tally]) -> str:
    """Recall, precision and F1 of both, side by side."""
    width = max(len(t.category) for t in ours) + 2
    head = ("recall", "precision", "F1")
    lines = [f"{'category':<{width}}" + "".join(f"{'ours ' + h:>16}{'baseline ' + h:>20}" for h in head)]
    for a, b in zip(ours, baseline, strict=True):
        pairs = ((a.recall, b.recall), (a.precision, b.precision), (a.f1, b.f1))
        lines.append(f"{a.category:<{width}}" + "".join(f"{x:>16.1%}{y:>20.1%}" for x, y in pairs))
    return "\n".join(lines)
