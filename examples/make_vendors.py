"""Generate examples/vendors.xlsx: a realistic vendor master to demonstrate and test screening.

A title row and a blank row above the header, then vendor id, name, country,
address, category and annual spend. Among a few hundred ordinary vendors sit
listed parties under the spellings real files contain, lookalikes that must
stay clear, and a few rows with no name. Seeded, so every run writes the same
rows. Run: ``python examples/make_vendors.py [PATH]``.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

PREFIXES = [
    "Acme",
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Vandelay",
    "Wonka",
    "Gringotts",
    "Oceanic",
    "Pinnacle",
    "Summit",
    "Harbor",
    "Evergreen",
    "Bluewater",
    "Redwood",
    "Silverline",
    "Ironbridge",
    "Maple",
    "Cedar",
    "Lakeside",
    "Riverbend",
    "Kingsway",
    "Orion",
    "Polaris",
    "Atlas",
    "Nimbus",
    "Vertex",
    "Zenith",
    "Keystone",
    "Beacon",
    "Crescent",
    "Falcon",
    "Granite",
    "Meridian",
    "Sterling",
    "Trident",
    "Aurora",
    "Brightwell",
    "Hollis",
    "Mercer",
    "Whitfield",
    "Ashford",
    "Bramley",
    "Kessler",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Quintero",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Van Dijk",
    "Weber",
    "Yamamoto",
    "Zhang",
    "Chen",
    "Wang",
    "Li",
    "Liu",
    "Sun",
    "Zhou",
    "Wu",
    "Xu",
    "Guo",
    "Lin",
    "He",
    "Gao",
    "Ma",
    "Luo",
]
TRADES = [
    "Office Supplies",
    "Logistics",
    "Industrial Parts",
    "Packaging",
    "Facility Services",
    "IT Consulting",
    "Electronics",
    "Chemicals",
    "Freight",
    "Catering",
    "Cleaning Services",
    "Printing",
    "Steel Works",
    "Plastics",
    "Tooling",
    "Software",
    "Security Services",
    "Engineering",
    "Textiles",
    "Medical Supplies",
    "Furniture",
    "Energy Solutions",
    "Data Systems",
    "Components",
    "Fasteners",
    "Lighting",
    "Trading",
]
FORMS = ["Inc", "Ltd", "LLC", "GmbH", "Co., Ltd.", "S.A.", "PLC", "Corp.", "AG", "B.V.", "Pty Ltd", "", "Limited"]
COUNTRIES = [
    ("US", "Chicago, IL"),
    ("DE", "Hamburg"),
    ("GB", "Leeds"),
    ("CN", "Shenzhen, Guangdong"),
    ("FR", "Lyon"),
    ("NL", "Rotterdam"),
    ("JP", "Osaka"),
    ("IN", "Pune"),
    ("MX", "Monterrey"),
    ("CN", "Suzhou, Jiangsu"),
    ("US", "Austin, TX"),
    ("PL", "Wroclaw"),
]
CATEGORIES = ["MRO", "IT hardware", "Services", "Raw materials", "Logistics", "Facilities", "Electronics"]

# Listed parties as vendor masters write them: legal names, article spellings,
# typos, spacing, word order, a subsidiary, full-width letters, a homoglyph.
LISTED = [
    ("Hangzhou Hikvision Digital Technology Co., Ltd.", "CN", "Hangzhou, Zhejiang"),
    ("Hikivision", "CN", "Hangzhou"),
    ("Hikvision USA Inc.", "US", "City of Industry, CA"),
    ("Zhejiang Dahua Technology Co Ltd", "CN", "Hangzhou, Zhejiang"),
    ("Dahua Tecnology", "CN", "Hangzhou"),
    ("Sensetime Group Limited", "HK", "Hong Kong"),
    ("Beijing SenseTime Technology Development Co., Ltd.", "CN", "Beijing"),
    ("MEGVII TECHNOLOGY LTD", "CN", "Beijing"),
    ("Iflytec", "CN", "Hefei, Anhui"),
    ("Xiamen Meiya Pico Information Co., Ltd.", "CN", "Xiamen, Fujian"),
    ("Huawei Technologies Co. Ltd.", "CN", "Shenzhen, Guangdong"),
    ("Yitu Technology", "CN", "Shanghai"),
    ("Public Security Bureau, Xinjiang Uighur Autonomous Region", "CN", "Urumqi"),
    ("Ｓｅｎｓｅｔｉｍｅ", "CN", "Shanghai"),
    ("Hik Vision", "CN", "Hangzhou"),
    ("Megvi Technology", "CN", "Beijing"),
]
LOOKALIKES = [
    ("Sensata Technologies", "US", "Attleboro, MA"),
    ("Hikma Pharmaceuticals PLC", "GB", "London"),
    ("Pico Technology", "GB", "St Neots"),
    ("Xiamen Airlines", "CN", "Xiamen, Fujian"),
    ("Vision Systems Ltd", "GB", "Glasgow"),
    ("Xinjiang Goldwind Science & Technology", "CN", "Urumqi"),
    ("Digital Technology Co. Ltd.", "CN", "Shenzhen"),
    ("Intel Corporation", "US", "Santa Clara, CA"),
    ("Western Digital", "US", "San Jose, CA"),
    ("ZTE Corporation", "CN", "Shenzhen, Guangdong"),
]


def ordinary_name(rng: random.Random) -> str:
    """A plausible, unlisted vendor name."""
    name = f"{rng.choice(PREFIXES)} {rng.choice(TRADES)}"
    form = rng.choice(FORMS)
    return f"{name} {form}" if form else name


def vendor_rows(rng: random.Random, count: int) -> list[tuple[str | None, str, str]]:
    """(name, country, city) rows: listed parties and lookalikes spread among ordinary vendors."""
    rows: list[tuple[str | None, str, str]] = []
    for _ in range(count - len(LISTED) - len(LOOKALIKES) - 3):
        country, city = rng.choice(COUNTRIES)
        rows.append((ordinary_name(rng), country, city))
    special: list[tuple[str | None, str, str]] = [
        *LISTED,
        *LOOKALIKES,
        (None, "US", ""),
        ("", "DE", ""),
        ("   ", "", ""),
    ]
    for row in special:
        rows.insert(rng.randrange(len(rows) + 1), row)
    return rows


def write_workbook(path: Path, count: int = 320, seed: int = 2019) -> None:
    rng = random.Random(seed)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Vendors"
    sheet.append(["Vendor master export - Procurement (all company codes)"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(["Vendor ID", "Vendor Name", "Country", "Address", "Category", "Annual Spend (USD)"])
    for i, (name, country, city) in enumerate(vendor_rows(rng, count), start=1):
        street = f"{rng.randint(1, 999)} {rng.choice(['Industrial Rd', 'Main St', 'Harbour Ave', 'Science Park'])}"
        sheet.append(
            [
                f"V{100000 + i}",
                name,
                country,
                f"{street}, {city}" if city else None,
                rng.choice(CATEGORIES),
                round(rng.uniform(500, 2_500_000), 2),
            ]
        )
    book.save(path)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("vendors.xlsx")
    write_workbook(target)
    print(target)
