"""Language data lives in YAML (knowledge/language.yaml, phrasebook/language.yaml): validated with
file:line problems, used by the matcher and the checker, part of the index-cache key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.ask import index_cache
from bot.core.ask.knowledge import load_knowledge
from bot.core.ask.matcher import MatcherConfig
from bot.core.check.checker import default_checker
from bot.core.paths import KNOWLEDGE_DIR, PHRASEBOOK_DIR
from bot.core.text.language import load_ask_language, load_check_language
from bot.core.text.normalize import normalize_query
from bot.core.yamlfile import DataError


def test_shipped_language_files_load():
    ask = load_ask_language()
    check = load_check_language()
    assert ask.stopwords and ask.exclusive and ask.typos
    assert check.greetings and check.farewells and check.forbidden_categories
    assert all(len(group) >= 2 for group in ask.exclusive)


def test_typos_of_the_file_are_fixed_in_questions():
    wrong, right = load_ask_language().typos[0]
    assert right in normalize_query(f"这个{wrong}办")


def test_stopwords_of_the_knowledge_base_reach_the_matcher(matcher):
    assert load_ask_language(KNOWLEDGE_DIR).stopwords <= matcher.stopwords
    assert matcher.kb.fillers <= matcher.stopwords  # voices.yaml: other voices' function words


def test_greetings_of_the_file_silence_the_greeting_hint():
    check = load_check_language()
    bare = default_checker().check("这个业务需要您本人带证件来办理一下")
    greeted = default_checker().check(check.greetings[0] + "，这个业务需要您本人带证件来办理一下")
    assert len(greeted.hints) == len(bare.hints) - 1


def test_conditions_of_the_file_keep_a_promise_from_taking_the_act_back():
    check = load_check_language()
    # Closing time, whose next-sentence promise may sit anywhere in that sentence (a hand-off's must open it:
    # answer_opens, tested in test_check_long.py).
    handed = "我们已经下班了。"
    plain = "小区里的路灯损坏了，欢迎随时报修，我们会在当天处理。"
    conditional = f"小区里的路灯{check.conditions[0]}损坏，欢迎随时报修，我们会在当天处理。"
    assert not [f for f in default_checker().check(handed + plain).findings if f.kind == "forbidden"]
    assert [f for f in default_checker().check(handed + conditional).findings if f.kind == "forbidden"]


def test_new_matter_of_the_file_keeps_a_commitment_from_answering_the_act():
    check = load_check_language()
    handed = "这个是厂家负责的，您打厂家电话问吧。"
    answer = "我们会帮您跟进结果。"
    assert not [f for f in default_checker().check(handed + answer).findings if f.kind == "forbidden"]
    assert [f for f in default_checker().check(handed + check.new_matter_openers[0] + answer).findings
            if f.kind == "forbidden"]


def test_words_of_the_file_said_between_dictated_groups_keep_a_number_whole():
    check = load_check_language()
    words = (*check.number_sequence_words, *check.number_separator_words, *check.number_fillers)
    assert words
    for word in words:
        findings = default_checker().check(f"客户手机139，{word}，1234，{word}，5678").findings
        assert [(f.kind, f.text) for f in findings] == [("pii", "139****5678")], word
    # A sequence word may be followed by 是.
    said = check.number_sequence_words[0]
    assert [f.text for f in default_checker().check(f"客户手机139{said}是1234{said}是5678").findings] == ["139****5678"]


_ENTRIES = ("new_matter_openers", "conditions", "number_sequence_words", "number_separator_words", "number_fillers")


@pytest.mark.parametrize("key", _ENTRIES)
@pytest.mark.parametrize("bad", ["如有", "['']", "[嗯, [对]]"])
def test_malformed_check_language_entry_is_a_problem_with_its_line(tmp_path, key, bad):
    lines = [line for line in (PHRASEBOOK_DIR / "language.yaml").read_text(encoding="utf-8").splitlines()
             if not line.startswith(f"{key}:")]
    assert len(lines) < len((PHRASEBOOK_DIR / "language.yaml").read_text(encoding="utf-8").splitlines())
    broken = tmp_path / "language.yaml"
    broken.write_text("\n".join([*lines, f"{key}: {bad}"]) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_check_language(broken)
    [problem] = err.value.problems
    assert problem.line == len(lines) + 1 and problem.message.startswith(key)


def _copy_knowledge(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target


def test_broken_language_file_is_a_problem_with_its_line(tmp_path):
    kdir = _copy_knowledge(tmp_path)
    (kdir / "language.yaml").write_text("stopwords: [我]\nexclusive:\n  - [绝密]\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_knowledge(kdir)
    [problem] = err.value.problems
    assert problem.file.endswith("language.yaml") and problem.line == 3
    broken = tmp_path / "language.yaml"
    broken.write_text((PHRASEBOOK_DIR / "language.yaml").read_text(encoding="utf-8") + "colour: 1\n", encoding="utf-8")
    with pytest.raises(DataError):
        load_check_language(broken)


def test_language_file_is_part_of_the_index_cache_key(tmp_path):
    kdir = _copy_knowledge(tmp_path)
    before = index_cache.knowledge_digest(kdir, MatcherConfig())
    with (kdir / "language.yaml").open("a", encoding="utf-8") as f:
        f.write("\n# edited\n")
    assert index_cache.knowledge_digest(kdir, MatcherConfig()) != before
