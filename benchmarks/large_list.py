"""Generate a large entity list: 20,000 entities with 60,000 name forms, the article-built list planted among them.

Official lists (the US Consolidated Screening List, OpenSanctions) hold
companies of many countries, each under several names: a registered name, a
short name, a former or translated name. The generator writes names in those
styles from seeded random syllables, surnames, places and trades, so that
every run builds the same list, with tens of thousands of distinct words.

    python benchmarks/large_list.py      # prints a few generated entities
"""

from __future__ import annotations

import random
import string
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from screening.entities import Entity, EntityList, NameForm, Restriction, Source  # noqa: E402

ONSETS = ["b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "ch", "gr", "kr", "st", "tr"]
VOWELS = ["a", "e", "i", "o", "u", "ia", "ei", "ou"]
CODAS = ["", "", "", "n", "r", "s", "x", "l", "m"]
PINYIN = ["hua", "xin", "zhong", "tian", "long", "feng", "kang", "sheng", "da", "jin", "rui", "tong", "hai", "yuan"]
PLACES = ["Shenzhen", "Shanghai", "Moscow", "Dubai", "Tehran", "Minsk", "Karachi", "Istanbul", "Almaty", "Guangzhou"]
SURNAMES = ["Karimov", "Petrenko", "Rahimi", "Haddad", "Volkov", "Nasser", "Sokolov", "Tariq", "Morozov", "Farouk"]
SURNAMES += ["Ivanov", "Hosseini", "Yilmaz", "Demir", "Qureshi", "Saleh", "Abbasi", "Lebedev", "Kuznetsov", "Jafari"]
TRADES = ["Machinery", "Chemicals", "Shipping", "Aviation Parts", "Petroleum", "Metals", "Optics", "Drones"]
GENERIC = ["Technology", "Industries", "Trading", "Electronics", "Engineering", "Holding", "Group", "Systems"]
LEGAL = ["Co., Ltd.", "LLC", "Ltd", "JSC", "GmbH", "FZE", "Inc.", "OOO", "PJSC", "S.A.", "Limited", ""]
REFERENCE = Source(reference="generated for benchmarks/large_list.py")
RESTRICTION = Restriction("generated", "Generated list entry", "benchmark", "active", (REFERENCE,))


def coined(rng: random.Random) -> str:
    """A made-up brand word: "Trelivax", "Zoumar"."""
    syllables = rng.randint(2, 4)
    word = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(syllables)) + rng.choice(CODAS)
    return word.capitalize()


def names_of(rng: random.Random) -> list[str]:
    """Three name forms of one generated entity, in one of several styles."""
    style = rng.randrange(5)
    brand, other = coined(rng), coined(rng)
    legal = rng.choice(LEGAL)
    if style == 0:  # Chinese company, romanised: place + brand + trade + legal form
        brand = "".join(rng.sample(PINYIN, 2)).capitalize()
        full = f"{rng.choice(PLACES)} {brand} {rng.choice(GENERIC)} Co., Ltd."
        return [full, f"{brand} {rng.choice(GENERIC)}", f"{brand} {other} Group"]
    if style == 1:  # Russian-style: legal form first
        return [f"OOO {brand}", f"{brand}{rng.choice(['prom', 'tekh', 'servis', 'stroy'])}", f"JSC {brand} {other}"]
    if style == 2:  # Gulf trading house
        return [f"Al {brand} {rng.choice(GENERIC)} {legal}".strip(), f"{brand} Est.", f"{brand} {other} FZE"]
    if style == 3:  # surnames and trades
        a, b = rng.sample(SURNAMES, 2)
        return [f"{a} & {b} {rng.choice(TRADES)} {legal}".strip(), f"{a} {b} {brand}", f"{brand} {rng.choice(TRADES)}"]
    initials = "".join(rng.choices(string.ascii_uppercase, k=rng.randint(3, 4)))
    return [f"{brand} {other} {rng.choice(GENERIC)} {legal}".strip(), f"{initials} {brand}", f"{brand}-{other}"]


def generate(*, entities: int = 20_000, seed: int = 11, planted: EntityList | None = None) -> EntityList:
    """The generated list; the entities of ``planted`` (the article-built list by default) are among them."""
    rng = random.Random(seed)
    planted = planted if planted is not None else EntityList.load()
    made = []
    for i in range(entities - len(planted.entities)):
        forms = names_of(rng)
        made.append(
            Entity(
                id=f"gen-{i:05d}",
                name=forms[0],
                type="company",
                country=rng.choice(["CN", "RU", "AE", "IR", "BY", "PK", "TR", "KZ"]),
                restrictions=(RESTRICTION,),
                names=tuple(NameForm(f, "registered", (REFERENCE,)) for f in dict.fromkeys(forms)),
            )
        )
    everything = made + list(planted.entities)
    rng.shuffle(everything)
    return EntityList("Generated large list", date(2026, 1, 1), "0" * 64, tuple(everything))


def main() -> None:
    generated = generate()
    forms = sum(len(e.names) for e in generated.entities)
    print(f"{len(generated.entities):,} entities, {forms:,} name forms; for example:")
    for entity in generated.entities[:8]:
        print("  " + " | ".join(n.name for n in entity.names))


if __name__ == "__main__":
    main()
