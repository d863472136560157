"""Generate benchmarks/names_variants.csv: labelled name variants for `screening evaluate`.

    python benchmarks/make_variants.py [--seed 11] [--per-rule 3]

Positives apply general transformations to the list's own name forms (the
ways vendor masters and evaders change a name): legal forms and places added,
case, spacing, one typo, Unicode tricks, abbreviations, traditional Chinese
script. Negatives are names that share words or a prefix with listed names,
names made only of places, generic words and legal forms, and ordinary vendor
names. Seeded: the same file every run.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from examples.make_vendors import ordinary_name  # noqa: E402
from screening import EntityList  # noqa: E402
from screening.names import analyse  # noqa: E402

LEGAL = ["Co., Ltd.", "Limited", "Inc.", "GmbH", "S.A.", "Corp.", "LLC", "Co", "PLC", "B.V.", "Pte. Ltd."]
PLACES = ["Shenzhen", "Beijing", "Shanghai", "USA", "(Hong Kong)", "Europe", "Deutschland", "Singapore"]
HOMOGLYPHS = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "i": "і", "y": "у", "H": "Н", "M": "М"}
ABBREVIATIONS = [
    ("Science and Technology", "Sci & Tech"),
    ("Technology", "Tech"),
    ("Information", "Info"),
    ("Technologies", "Techs"),
    ("International", "Intl"),
]

# Real organisations that share a word, a prefix or a place with a listed
# party and are not listed (from general knowledge of company registers).
LOOKALIKES = [
    "Hikari Tsushin Inc",
    "Hikma Pharmaceuticals",
    "Dahon Bikes",
    "Da Hua Seafood Restaurant",
    "Sensata Technologies",
    "SenseTek Systems",
    "Sense Networks Inc",
    "Time Inc",
    "Megaport Limited",
    "Megger Group",
    "MegaChips Corporation",
    "Yitai Coal",
    "Yili Group",
    "Flytech Technology",
    "iFLY Indoor Skydiving",
    "Meiyume Holdings",
    "Pico Technology",
    "Pico Interactive",
    "Picoquant GmbH",
    "Xiamen Airlines",
    "Xiamen Tungsten",
    "Xiamen C&D Inc",
    "Yixing Ceramics",
    "Yixin Group (auto finance)",
    "Huawen Media",
    "Huatai Securities",
    "Huaxin Cement",
    "Hua Nan Bank",
    "Xinjiang Goldwind Science & Technology",
    "Xinjiang Tianshan Cement",
    "Xinjiang Zhongtai Chemical",
    "Zhejiang Geely Holding",
    "Zhejiang Longsheng Group",
    "Hangzhou Wahaha Group",
    "Hangzhou Steam Turbine",
    "Shanghai Electric",
    "Beijing Enterprises Holdings",
    "Vision Systems Ltd",
    "Digital China Holdings",
    "China Security & Surveillance",
    "Ambarella Inc",
    "Public Security Technologies Ltd",
    "Autonomous Region Trading Co",
    "Uighur Cuisine Restaurant",
    "科大国创软件股份有限公司",
    "合肥美亚光电技术股份有限公司",
    "杭州娃哈哈集团有限公司",
    "浙江吉利控股集团有限公司",
    "厦门航空有限公司",
    "新疆金风科技股份有限公司",
    "华夏银行股份有限公司",
    "商汇集团",
    "海康药业有限公司",
]
GENERIC_WORDS = [
    "Digital",
    "Technology",
    "Science",
    "Information",
    "Network",
    "Intelligent",
    "Security",
    "Vision",
    "Systems",
    "Electronics",
    "Data",
    "Smart",
    "Video",
    "Surveillance",
    "Development",
    "Industrial",
]


def typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "double", "replace"])
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeiouy" if word[i] in "aeiouy" else "bcdfgklmnprstvz") + word[i + 1 :]


def distinctive_word(name: str) -> str | None:
    analysed = analyse(name)
    words = [w for w in re.findall(r"[A-Za-z]+", name) if analysed and w.lower() in analysed.distinctive]
    return max(words, key=len) if words else None


def positives(rng: random.Random, entities: EntityList, per_rule: int) -> list[tuple[str, str, str]]:
    to_traditional = opencc.OpenCC("s2t")
    rows = []
    for entity in entities.entities:
        if entity.status != "active":
            continue
        latin = [n.name for n in entity.names if n.name.isascii()]
        chinese = [n.name for n in entity.names if not n.name.isascii()]
        keyword = re.sub(r"[^a-z]", "", (distinctive_word(entity.name) or entity.name).lower()) or entity.id
        if entity.id == "xinjiang-psb":
            keyword = "xinjiang+publicsecurity"
        for _ in range(per_rule):
            name = rng.choice(latin)
            word = distinctive_word(name)
            rows.append((f"{name} {rng.choice(LEGAL)}", keyword, "legal-form"))
            rows.append(
                (
                    f"{rng.choice(PLACES)} {name}" if rng.random() < 0.5 else f"{name} {rng.choice(PLACES)}",
                    keyword,
                    "place",
                )
            )
            rows.append((name.upper() if rng.random() < 0.5 else name.lower(), keyword, "case"))
            if word and len(word) >= 6:
                cut = rng.randrange(2, len(word) - 1)
                spaced = rng.choice(
                    [
                        word[:cut] + " " + word[cut:],
                        " ".join(word.upper()),
                        ".".join(word),
                        word[:cut] + "-" + word[cut:],
                    ]
                )
                rows.append((name.replace(word, spaced), keyword, "spacing"))
                rows.append((name.replace(word, typo(rng, word)), keyword, "typo"))
            chars = list(name)
            spots = [i for i, c in enumerate(chars) if c in HOMOGLYPHS]
            trick = rng.choice(["fullwidth", "zero-width", "soft-hyphen", "homoglyph", "accent"])
            if trick == "fullwidth":
                text = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in name)
            elif trick in ("zero-width", "soft-hyphen"):
                at = rng.randrange(1, len(name))
                text = name[:at] + ("\u200b" if trick == "zero-width" else "\u00ad") + name[at:]
            elif trick == "homoglyph" and spots:
                for i in rng.sample(spots, min(2, len(spots))):
                    chars[i] = HOMOGLYPHS[chars[i]]
                text = "".join(chars)
            else:
                text = name.replace("e", "é", 1).replace("a", "à", 1)
            rows.append((text, keyword, "unicode"))
            for long, short in ABBREVIATIONS:
                if long in name:
                    rows.append((name.replace(long, short), keyword, "abbreviation"))
                    break
        for name in chinese:
            rows.append((to_traditional.convert(name), keyword, "chinese-traditional"))
            rows.append(
                (
                    name.replace("股份有限公司", "有限公司") if "股份" in name else name + "有限公司",
                    keyword,
                    "chinese-legal-form",
                )
            )
    return list(dict.fromkeys(rows))


def negatives(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    rows = [(name, "", "lookalike") for name in LOOKALIKES]
    for _ in range(count):
        words = rng.sample(GENERIC_WORDS, rng.randint(1, 3))
        place = rng.choice([*PLACES, "Hangzhou", "Xiamen", "Zhejiang", "Xinjiang", "Anhui", ""])
        rows.append((f"{place} {' '.join(words)} {rng.choice(LEGAL)}".strip(), "", "generic"))
        rows.append((ordinary_name(rng), "", "unrelated"))
    return list(dict.fromkeys(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--per-rule", type=int, default=3)
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "benchmarks" / "names_variants.csv")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rows = positives(rng, EntityList.load(), args.per_rule) + negatives(rng, 60)
    with open(args.output, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["name", "expected", "category"])
        writer.writerows(rows)
    print(f"{len(rows)} names -> {args.output}")


if __name__ == "__main__":
    main()
