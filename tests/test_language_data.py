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
