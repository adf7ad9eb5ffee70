"""What kind of fact a question asks for, and what an entry states (bot/core/ask/facts.py)."""

from __future__ import annotations

import pytest
import yaml

from bot.core.ask.calibration import FACT_CANDIDATE_FEATURES, FEATURES, candidate_features, features
from bot.core.ask.facts import FACT_FEATURES, FACT_FILE, KINDS, fact_features, parse_fact_kinds
from bot.core.paths import KNOWLEDGE_DIR


@pytest.fixture(scope="module")
def kinds():
    return parse_fact_kinds(yaml.safe_load((KNOWLEDGE_DIR / FACT_FILE).read_text(encoding="utf-8")), str.lower)


@pytest.mark.parametrize(("question", "kind"), [
    ("开会要提前多少分钟到", "number"),
    ("这个东西能放几天", "number"),
    ("材料什么时候交", "time"),
    ("明天几点上班", "time"),
    ("这项费用要交多少钱", "money"),
    ("资料应该放在哪里", "place"),
    ("这种事情该找谁", "person"),
    ("要报给哪个部门", "person"),
    ("how long should the greeting take", "number"),
    ("when should i reply", "time"),
    ("where do i sign in", "place"),
    ("who do i report to", "person"),
])
def test_a_question_asks_for_its_kind_of_fact(kinds, question, kind):
    assert kind in kinds.asked(question)


@pytest.mark.parametrize("question", ["上班可以穿拖鞋吗", "接待客人要注意什么", "这样说合适吗", "somewhere nice"])
def test_a_judgement_or_a_how_asks_for_no_fact(kinds, question):
    assert not kinds.asked(question) - {"money"}


def test_english_cues_are_whole_words(kinds):
    assert "time" not in kinds.asked("whenever it suits")  # "when" inside another word
    assert "person" not in kinds.asked("whole team")


def test_what_an_entry_states(kinds):
    assert {"number", "time"} <= kinds.stated("电话铃响三声之内接听，15分钟内回复")
    assert "money" in kinds.stated("费用由个人承担，每次50元")
    assert "place" in kinds.stated("工牌佩戴在左胸")
    assert "person" in kinds.stated("应及时向上级报告")
    # "一个问题", "一位客户" count nothing
    assert "number" not in kinds.stated("对待每一位客户都要有耐心，遇到一个问题先道歉")


def test_fact_features():
    assert fact_features(frozenset(), frozenset({"number"})) == dict.fromkeys(FACT_FEATURES, 0.0)
    assert fact_features(frozenset({"number"}), frozenset({"number", "place"}))["fact_unmet"] == 0.0
    f = fact_features(frozenset({"number", "money"}), frozenset({"place"}))
    assert f == {"fact_asked": 1.0, "fact_unmet": 1.0}
    # One of the kinds asked stated is enough (unmet is "none of them")
    assert fact_features(frozenset({"number", "money"}), frozenset({"number"}))["fact_unmet"] == 0.0
    assert set(FEATURES) >= FACT_FEATURES


def test_calibration_features_carry_the_facts_and_default_to_none_asked():
    rows = [(0, 80.0, 0.95, 0.9), (1, 40.0, 0.90, 0.85)]
    fused = {0: 80.0, 1: 50.0}
    plain = features(rows, fused, 0, 2, words=3, unknown_share=0.0)
    assert all(plain[k] == 0.0 for k in FACT_FEATURES)
    told = features(rows, fused, 0, 2, words=3, unknown_share=0.0,
                    facts=fact_features(frozenset({"time"}), frozenset()))
    assert told["fact_unmet"] == 1.0 and told["fact_asked"] == 1.0


def test_the_candidate_feature_is_read_only_when_given():
    rows = [(0, 80.0, 0.95, 0.9), (1, 40.0, 0.90, 0.85)]
    assert set(FACT_CANDIDATE_FEATURES).isdisjoint(candidate_features(rows)[0])
    f0, f1 = candidate_features(rows, unmet={1: 1.0})
    assert (f0["fact_unmet"], f1["fact_unmet"]) == (0.0, 1.0)


def test_every_kind_is_described(kinds):
    assert [k for k, *_ in kinds.asks] == list(KINDS) == [k for k, _ in kinds.states]


def test_malformed_data_is_refused():
    with pytest.raises(ValueError, match="kinds"):
        parse_fact_kinds({"kinds": {}}, str.lower)
    with pytest.raises(ValueError, match="list of words"):
        parse_fact_kinds({"kinds": {k: {"asks": "多少"} for k in KINDS}, "states": {}}, str.lower)


def test_the_matcher_reads_the_shipped_fact_kinds(matcher):
    assert matcher.fact_kinds() is not None
    assert "place" in matcher.asked_facts("这份文件应该交到哪里")
    assert matcher.asked_facts("这样做合适吗") == frozenset()
    # a long message is read in its asking sentence: a figure in the story is not what it asks
    story = "上周我们部门来了三个新同事，大家一起吃了饭，聊了很多。接待访客的时候应该注意什么"
    assert "number" not in matcher.asked_facts(story)
    unmet = matcher.unmet_facts("这份文件应该交到哪里", range(len(matcher.kb.entries)))
    assert set(unmet.values()) == {0.0, 1.0}
    assert all(unmet[i] == 0.0 for i in range(len(matcher.kb.entries)) if "place" in matcher.stated_facts(i))


@pytest.mark.parametrize(("question", "kind"), [
    ("这种情况应该如何处理", "place"),  # 如何处理 holds 何处
    ("规定里提到哪些时候可以做", "place"),  # 在哪些 holds 在哪
    ("项目现在进展到哪一步了", "place"),
])
def test_a_longer_word_holding_a_cue_asks_nothing(kinds, question, kind):
    assert kind not in kinds.asked(question)


def test_a_masked_word_leaves_the_other_cues_of_the_question(kinds):
    assert "place" in kinds.asked("如何处理完以后材料交到哪里")


def test_sequences_enumerations_and_parties_are_stated(kinds):
    assert "time" in kinds.stated("等介绍完对方和自己后再递上名片")
    assert "time" in kinds.stated("离职后继续保密，直到资料已经公开为止")
    assert "number" in kinds.stated("程序如下：（一）提出申请；（二）参加考核")
    assert "person" in kinds.stated("先把男士介绍给女士")


def test_an_entry_states_what_its_alternate_questions_ask(kinds):
    from bot.core.ask.facts import entry_facts

    title, answer = "递名片", "双手递上，文字正面朝向对方"
    assert "time" not in entry_facts(kinds, title, answer, str.lower)
    assert kinds.questions_share is not None
    asking = ["名片什么时候递", "名片怎么递", "见面先递名片吗"]
    assert "time" in entry_facts(kinds, title, answer, str.lower, asking)
    many = ["名片什么时候递", *(f"名片要双手递吗{i}" for i in range(20))]  # one of 21: under the share
    assert "time" not in entry_facts(kinds, title, answer, str.lower, many)


def test_the_share_of_questions_is_checked():
    data = yaml.safe_load((KNOWLEDGE_DIR / FACT_FILE).read_text(encoding="utf-8"))
    with pytest.raises(ValueError, match="questions_share"):
        parse_fact_kinds({**data, "questions_share": 2}, str.lower)
    plain = {k: v for k, v in data.items() if k != "questions_share"}
    assert parse_fact_kinds(plain, str.lower).questions_share is None
