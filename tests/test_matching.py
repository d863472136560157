import gc
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening import Screener, Thresholds
from screening.evaluation import has_keywords
from screening.results import NameResult

from .conftest import read_cases


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.default()


def assert_labelled(screener: Screener, name: str, expected: str) -> NameResult:
    result = screener.check(name)
    if expected:
        assert result.flagged, f"{name!r} missed: {result.note}"
        assert result.entity_id is not None
        entity = screener.entities.get(result.entity_id)
        assert has_keywords(entity, expected.split("+")), f"{name!r} attributed to {result.entity_id}"
    else:
        assert not result.flagged, f"{name!r} false alert: {result.best}"
    return result


@pytest.mark.parametrize("case", read_cases("names_dev.csv"), ids=lambda c: f"{c['category']}:{c['name']}")
def test_dev_set(screener: Screener, case: dict[str, str]) -> None:
    assert_labelled(screener, case["name"], case["expected"])


@pytest.mark.parametrize("case", read_cases("names_more.csv"), ids=lambda c: f"{c['category']}:{c['name']}")
def test_own_cases(screener: Screener, case: dict[str, str]) -> None:
    assert_labelled(screener, case["name"], case["expected"])


def test_alert_explains_itself(screener: Screener) -> None:
    result = screener.check("Hangzhou Hikvsion Digital Technology Co., Ltd.")
    alert = result.best
    assert alert is not None
    assert alert.matched_name and alert.query_norm == "hangzhou hikvsion digital technology co ltd"
    assert "'hikvsion' ~ 'hikvision' (1 edit)" in alert.explanation
    assert "'co' (legal form)" in alert.explanation and "'hangzhou' (place)" in alert.explanation
    assert alert.sources and all(s.article for s in alert.sources)


def test_names_that_differ_in_legal_forms_each_explain_their_own() -> None:
    # Their scores are worked out once, from the words they share; what was
    # set aside is each name's own.
    screener = Screener.default()
    first = screener.check("Hikvsion Digital Technology Co., Ltd.").best
    second = screener.check("HIKVSION Digital Technology GmbH").best
    assert first is not None and second is not None
    assert (first.score, first.entity_id) == (second.score, second.entity_id)
    assert "'co' (legal form)" in first.explanation and "gmbh" not in first.explanation
    assert "'gmbh' (legal form)" in second.explanation and "'co'" not in second.explanation
    assert second.query_norm == "hikvsion digital technology gmbh"


def test_levels_follow_thresholds() -> None:
    strict = Screener.default(thresholds=Thresholds(match=99, review=95))
    assert strict.check("Hikivision").status == "match"
    assert strict.check("Hikvsion").status == "clear"  # 88.9: below both
    assert Screener.default().check("Hikvsion").status == "review"


def test_bad_thresholds_are_refused() -> None:
    with pytest.raises(ValueError, match="review <= match"):
        Thresholds(match=70, review=80)


def test_formerly_listed_party_is_clear_with_a_note(screener: Screener) -> None:
    result = screener.check("ZTE Corporation")
    assert result.status == "clear" and not result.alerts
    assert "formerly listed: ZTE Corporation" in result.note


def test_empty_name_is_skipped(screener: Screener) -> None:
    assert screener.check("  ").status == "skipped"
    assert screener.check(None).status == "skipped"


def test_two_listed_names_in_one_give_two_alerts(screener: Screener) -> None:
    result = screener.check("Hikvision & Dahua JV")
    assert {a.entity_id for a in result.alerts} == {"hikvision", "dahua"}


@given(st.text(max_size=80))
def test_any_text_gets_a_status(text: str) -> None:
    result = Screener.default().check(text)
    assert result.status in ("match", "review", "clear", "skipped")
    assert all(a.score >= 75 for a in result.alerts)


def test_worker_processes_give_the_results_one_process_gives() -> None:
    # Workers send a plain clear result back as its normalised name alone.
    names = ["Hikvision", "Acme Trading", "", "Hikvsion Digital", "ZTE Corporation", "Sensata Technologies", "  "]
    names = [f"{n} {i % 997}" if n.strip() else n for i, n in enumerate(names * 1500)]  # 10,500 names, 4,987 distinct
    one = list(Screener.default().check_stream(names, workers=1))
    two = list(Screener.default().check_stream(names, workers=2))
    assert one == two
    assert {r.status for r in two} == {"match", "review", "clear", "skipped"}
    assert any("formerly listed" in r.note for r in two)


def test_screening_a_stream_leaves_the_callers_garbage_collector_as_it_was() -> None:
    """Results are frozen out of the collector's sight during a run, and only the run's own freeze is undone."""
    screener = Screener.default()
    assert gc.get_freeze_count() == 0
    assert [r.status for r in screener.check_stream(["Hikvision", "Acme"] * 3000)][:2] == ["match", "clear"]
    assert gc.get_freeze_count() == 0
    kept = [[] for _ in range(10)]  # a caller that freezes objects of its own, as forking servers do
    gc.freeze()
    try:
        list(screener.check_stream(["Dahua"] * 5000, workers=2))
        assert gc.get_freeze_count() >= len(kept)  # still frozen: unfreeze would have emptied it
    finally:
        gc.unfreeze()
    assert kept


def test_pinyin_of_a_generic_chinese_word_does_not_make_a_trade_name_generic() -> None:
    # 中心 (centre) and 中信 (CITIC) are both "zhongxin" in pinyin: the pinyin
    # forms keep the kinds of the Chinese words, and the word lists stay as
    # written, so a romanised trade name is still distinctive.
    from benchmarks.large_list import REFERENCE, RESTRICTION
    from screening.entities import Entity, EntityList, NameForm

    def entity(id_: str, *names: str) -> Entity:
        forms = tuple(NameForm(n, "registered", (REFERENCE,)) for n in names)
        return Entity(id_, names[0], "company", "CN", (RESTRICTION,), forms)

    listed = EntityList(
        "test", date(2026, 1, 1), "0" * 64, (entity("zx", "Zhongxin Electronics"), entity("hk", "海康威视"))
    )
    screener = Screener(listed)
    assert screener.check("Zhongxin Electronics Co").status == "match"
    assert screener.check("Zhang Electronics").status == "clear"
    assert screener.check("Haikang Weishi").entity_id == "hk"


def test_forms_that_share_a_key_are_each_scored_on_their_own_words() -> None:
    # The forms share the key "longfeng" and are scored from one look at the
    # name, but a word of the name that one form holds (misspelt) and the
    # other lacks sets them apart: each scores as it does on a list alone.
    from benchmarks.large_list import REFERENCE, RESTRICTION
    from screening.entities import Entity, EntityList, NameForm

    def listing(*names: str) -> EntityList:
        entities = tuple(
            Entity(f"e{i}", name, "company", "CN", (RESTRICTION,), (NameForm(name, "registered", (REFERENCE,)),))
            for i, name in enumerate(names)
        )
        return EntityList("test", date(2026, 1, 1), "0" * 64, entities)

    names = ("Moscow Longfeng Electronics Co., Ltd.", "Shenzhen Longfeng Group Co., Ltd.")
    together = Screener(listing(*names)).check("Shenzen Longfeng")
    apart = [Screener(listing(name)).check("Shenzen Longfeng").alerts for name in names]
    scores = {a.matched_name: (a.score, a.explanation) for a in together.alerts}
    assert scores == {alerts[0].matched_name: (alerts[0].score, alerts[0].explanation) for alerts in apart}
    assert scores[names[1]][0] == 100.0 and scores[names[0]][0] < 100.0
    assert "'shenzen' (also in the listed name)" in scores[names[1]][1]
