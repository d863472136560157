"""The candidate search returns exactly what scoring every name form returns."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.make_variants import LOOKALIKES
from examples.make_vendors import LISTED, ordinary_name
from screening import Screener
from screening.readings import readings

SCREENER = Screener.default()


def same_scores(text: str) -> bool:
    """Every score, down to 0 and at the review threshold (where forms are dropped before scoring)."""
    for name, _ in readings(text):
        for floor in (0.0, SCREENER.thresholds.review):
            blocked = {
                (s.form.form.name, s.score, s.explanation)
                for s in SCREENER._scores(name, exhaustive=False, floor=floor)
            }
            exhaustive = {
                (s.form.form.name, s.score, s.explanation) for s in SCREENER._scores(name, exhaustive=True, floor=floor)
            }
            if blocked != exhaustive:
                return False
    return True


def generated_names(count: int) -> list[str]:
    rng = random.Random(5)
    listed = [name for name, _, _ in LISTED] + LOOKALIKES
    names = []
    for _ in range(count):
        name = rng.choice(listed) if rng.random() < 0.3 else ordinary_name(rng)
        if rng.random() < 0.3:  # a random typo anywhere
            i = rng.randrange(len(name))
            name = name[:i] + rng.choice("aeiouxyz ") + name[i + 1 :]
        names.append(name)
    return names


def test_blocked_search_equals_exhaustive_on_generated_names() -> None:
    names = generated_names(3000)
    differing = [n for n in names if not same_scores(n)]
    assert differing == []


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from("hikvsondaumegt 海康威视大华-."), max_size=24))
def test_blocked_search_equals_exhaustive_on_random_text(text: str) -> None:
    assert same_scores(text)
