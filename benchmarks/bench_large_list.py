"""Screen names against a large generated list (20,000 entities, 60,000 name forms) and check nothing is lost.

    python benchmarks/bench_large_list.py [--names 100000] [--sample 20000]

Prints, from one run: how fast the indexed search screens a vendor master's
names; how fast the naive approach (rapidfuzz ``process.extractOne`` with
WRatio against every name form, row by row) goes on a sample; and whether an
exhaustive search (every piece of every name against every key word of the
list) gives exactly the same alerts on a sample of names. Any difference is
a bug, and the script exits with status 1.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_screen import vendor_name  # noqa: E402
from benchmarks.large_list import generate  # noqa: E402
from screening import EntityList, NameResult, Screener  # noqa: E402


def vendor_names(count: int, listed: EntityList, seed: int) -> list[str]:
    """A vendor master's names; one in fifty is a list name with a typo or another legal form."""
    rng = random.Random(seed)
    forms = [n.name for e in listed.entities for n in e.names]
    names = []
    for _ in range(count):
        if rng.random() < 0.02:
            name = rng.choice(forms)
            if rng.random() < 0.5 and len(name) > 6:
                i = rng.randrange(len(name))
                name = name[:i] + rng.choice("aeiourst") + name[i + 1 :]
            else:
                name = f"{name} {rng.choice(['Ltd', 'LLC', 'GmbH', 'Co.'])}"
        else:
            name = vendor_name(rng)
        names.append(name)
    return names


def alerts(result: NameResult) -> tuple[object, ...]:
    return (result.status, tuple((a.entity_id, a.level, a.score, a.matched_name) for a in result.alerts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--naive-sample", type=int, default=300)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    t0 = time.perf_counter()
    listed = generate()
    forms = [n.name for e in listed.entities for n in e.names]
    t1 = time.perf_counter()
    screener = Screener(listed)
    t2 = time.perf_counter()
    names = vendor_names(args.names, listed, args.seed)
    distinct = len(set(names))

    t3 = time.perf_counter()
    results = list(screener.check_stream(names))  # as `screening screen` does, a batch at a time
    t4 = time.perf_counter()
    flagged = sum(r.flagged for r in results)
    both = Screener(listed)
    t4b = time.perf_counter()
    list(both.check_stream(names, workers=2))
    t4c = time.perf_counter()

    naive = names[: args.naive_sample]
    t5 = time.perf_counter()
    for name in naive:
        process.extractOne(name, forms, scorer=fuzz.WRatio, score_cutoff=88)
    t6 = time.perf_counter()

    sample = names[: args.sample]
    reference = Screener(listed, exhaustive=True)
    t7 = time.perf_counter()
    expected = reference.check_many(sample)
    t8 = time.perf_counter()
    differing = [
        (n, alerts(r), alerts(e)) for n, r, e in zip(sample, results, expected, strict=False) if alerts(r) != alerts(e)
    ]

    print(f"list: {len(listed.entities):,} entities, {len(forms):,} name forms (generated in {t1 - t0:.1f} s)")
    print(f"index built in {t2 - t1:.1f} s: {len(screener._index.keys):,} key words")
    print(f"names: {len(names):,} ({distinct:,} distinct), {flagged:,} flagged\n")
    print(f"{'search':<46}{'names':>10}{'seconds':>10}{'names/s':>12}")
    for label, count, seconds in [
        ("indexed (screening), 1 process", len(names), t4 - t3),
        ("indexed (screening), 2 processes", len(names), t4c - t4b),
        ("naive extractOne/WRatio, row by row", len(naive), t6 - t5),
        ("exhaustive (every piece x every key word)", len(sample), t8 - t7),
    ]:
        print(f"{label:<46}{count:>10,}{seconds:>10.2f}{count / seconds:>12,.0f}")
    naive_rate = len(naive) / (t6 - t5)
    print(f"\nspeed-up over naive: {len(names) / (t4 - t3) / naive_rate:,.0f}x (1 process)")
    print(f"indexed vs exhaustive on {len(sample):,} names: {len(differing)} differ")
    for name, got, want in differing[:10]:
        print(f"  {name!r}: indexed {got} exhaustive {want}")
    if differing:
        sys.exit(1)


if __name__ == "__main__":
    main()
