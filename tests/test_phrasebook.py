"""The phrasebook: shipped scenarios, fuzzy lookup, placeholder rendering, broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.phrases.phrasebook import Phrasebook, default_phrasebook, load_phrasebook
from bot.core.phrases.placeholders import BLANKS
from bot.core.yamlfile import DataError

BOOK = default_phrasebook()

REQUIRED = {"phone_open", "phone_close", "greeting", "ask_name", "please_wait", "specialist", "apology",
            "complaint_soothe", "callback_promise", "farewell", "visiting", "receive_visitor",
            "wrong_number_received", "wrong_number_dialed", "decline_politely", "thanks_reply"}


def test_scenarios_of_the_issue_are_present_with_sources():
    assert {s.id for s in BOOK.scenarios} >= REQUIRED
    for s in BOOK.scenarios:
        assert s.phrases and s.sources and s.source.startswith("《")


@pytest.mark.parametrize(("query", "scenario"), [
    ("道歉", "apology"),
    ("客户生气了", "complaint_soothe"),
    ("打错电话", "wrong_number_received"),
    ("客户说谢谢", "thanks_reply"),
    ("让客户等一下", "please_wait"),
    ("答不上来", "specialist"),
    ("上门拜访", "visiting"),
    ("送客", "farewell"),
    ("farewell", "farewell"),
    ("當場解決不了", "callback_promise"),
])
def test_fuzzy_lookup(query, scenario):
    found = BOOK.find(query)
    assert found and found[0][0].id == scenario, found


def test_find_returns_scores_best_first_with_limit_and_cutoff():
    found = BOOK.find("电话", limit=3)
    assert 1 <= len(found) <= 3
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 100 for s in scores)
    assert BOOK.find("量子力学黑洞", score_cutoff=80) == []
    assert BOOK.find("   ") == []


def test_render_fills_settings_and_defaults():
    filled = BOOK.render("phone_open", {"单位": "便民中心", "部门": "3号窗口", "姓名": "王芳"})
    assert filled[0] == "您好，便民中心3号窗口，请讲。"
    default = BOOK.render("phone_open", {})
    assert BLANKS["单位"] in default[0] and "{" not in "".join(default)
    blank = BOOK.render("phone_open", {"单位": "  "})
    assert BLANKS["单位"] in blank[0]
    with pytest.raises(KeyError):
        BOOK.render("nope", {})


def test_every_rendered_phrase_passes_the_checker():
    from bot.core.check.checker import default_checker

    checker = default_checker()
    for s in BOOK.scenarios:
        for phrase in BOOK.render(s.id, {"单位": "便民中心", "部门": "服务部", "姓名": "王芳"}):
            assert [f.rule for f in checker.check(phrase).findings] == [], (s.id, phrase)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenarios.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """scenarios:
  - id: demo
    title: 演示
    aliases: [示例]
    phrases: ["您好，{单位}"]
    sources: [{doc: 某规范, clause: 一, file: "000"}]
"""


def test_minimal_phrasebook(tmp_path):
    book = load_phrasebook(_write(tmp_path, GOOD))
    assert isinstance(book, Phrasebook) and book.render("demo", {"单位": "甲"}) == ["您好，甲"]


@pytest.mark.parametrize(("text", "line", "needle"), [
    (GOOD.replace("{单位}", "{公司}"), 5, "placeholder"),
    (GOOD.replace("    aliases: [示例]\n", ""), 2, "aliases"),
    (GOOD + GOOD.split("scenarios:\n")[1], 7, "duplicate scenario id"),
    ("scenarios: [\n", 2, "malformed YAML"),
    ("- just a list\n", 1, "scenarios"),
])
def test_broken_phrasebook_reports_line(tmp_path, text, line, needle):
    with pytest.raises(DataError) as err:
        load_phrasebook(_write(tmp_path, text))
    assert err.value.problems[0].line == line, err.value
    assert needle in str(err.value)
