import shutil
from pathlib import Path

import pytest

from screening import EntityList, ScreeningError
from screening.entities import default_list_path, default_seeds_dir

REQUIRED = {
    "hikvision": "Hikvision",
    "dahua": "Dahua",
    "sensetime": "SenseTime",
    "megvii": "Megvii",
    "yitu": "Yitu",
    "iflytek": "iFlytek",
    "meiya-pico": "Meiya Pico",
    "yixin": "Yixin Science and Technology",
    "xinjiang-psb": "Public Security Bureau",
    "huawei": "Huawei",
}
# Organisations the articles only mention: suppliers, investors, customers,
# universities, NGOs, media.
MENTIONED_ONLY = [
    "Intel",
    "Nvidia",
    "Ambarella",
    "Western Digital",
    "Seagate",
    "Alibaba",
    "Xiaomi",
    "Ant Financial",
    "Massachusetts Institute",
    "Rutgers",
    "Human Rights Watch",
    "Freedom House",
    "Reuters",
    "Xinhua",
    "Google",
    "Qualcomm",
    "HiSilicon",
    "IPVM",
    "Akismet",
]


@pytest.fixture(scope="module")
def entities() -> EntityList:
    return EntityList.load()


@pytest.mark.parametrize(("entity_id", "word"), REQUIRED.items())
def test_every_listed_party_is_active_with_a_quoted_source(entities: EntityList, entity_id: str, word: str) -> None:
    entity = entities.get(entity_id)
    assert entity.status == "active"
    assert any(word.lower() in n.name.lower() for n in entity.names)
    assert entity.sources and all(s.article and s.quote for s in entity.sources)


@pytest.mark.parametrize("name", MENTIONED_ONLY)
def test_organisations_only_mentioned_are_not_listed(entities: EntityList, name: str) -> None:
    for entity in entities.entities:
        assert all(name.lower() not in n.name.lower() for n in entity.names), entity.id


def test_zte_is_formerly_listed_with_the_removal_quoted(entities: EntityList) -> None:
    zte = entities.get("zte")
    assert zte.status == "removed"
    assert any("taken off the blacklist" in (s.quote or "") for s in zte.sources)


def test_article_name_forms_are_quoted_and_registered_names_cite_a_reference(entities: EntityList) -> None:
    for entity in entities.entities:
        for form in entity.names:
            if form.kind == "article":
                assert all(s.article and s.quote for s in form.sources), form.name
            else:
                assert all(s.reference for s in form.sources), form.name


def test_article_spellings_are_name_forms(entities: EntityList) -> None:
    names = {n.name for e in entities.entities for n in e.names}
    assert {"Hikivision", "Sensetime", "Zhejiang Dahua Technology", "Hangzhou Hikvision"} <= names


def test_version_has_date_and_content_hash(entities: EntityList) -> None:
    date, digest = entities.version.split("+")
    assert date == entities.updated.isoformat()
    assert len(digest) == 12 and digest == entities.content_hash[:12]


def test_a_quote_missing_from_its_article_is_refused(tmp_path: Path) -> None:
    text = default_list_path().read_text(encoding="utf-8")
    bad = text.replace("ZTE has subsequently been taken off the blacklist.", "ZTE was never on any list.", 1)
    assert bad != text
    (tmp_path / "entities.toml").write_text(bad, encoding="utf-8")
    with pytest.raises(ScreeningError, match=r"entity zte: quote not found in 004_90ee84662eca269a\.txt"):
        EntityList.load(tmp_path / "entities.toml")


def test_quotes_may_differ_in_spacing_and_quote_characters(tmp_path: Path) -> None:
    text = default_list_path().read_text(encoding="utf-8")
    relaxed = text.replace("Beijing’s alleged treatment", "Beijing's  alleged\\ntreatment")
    (tmp_path / "entities.toml").write_text(relaxed, encoding="utf-8")
    assert EntityList.load(tmp_path / "entities.toml").get("hikvision")


def test_a_missing_article_is_refused(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(default_seeds_dir(), seeds)
    (seeds / "001_f0e788f3f01ebb89.txt").unlink()
    with pytest.raises(ScreeningError, match=r"entity \w+: cited article 001_f0e788f3f01ebb89\.txt is not in"):
        EntityList.load(seeds=seeds)


def test_seeds_are_the_shared_articles_unchanged() -> None:
    shared = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("shared/ is not beside this checkout")
    for article in shared.glob("*.txt"):
        assert (default_seeds_dir() / article.name).read_bytes() == article.read_bytes()
