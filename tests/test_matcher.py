"""Behaviour of the question matcher on the shipped knowledge base."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from bot.core.ask import index_cache
from bot.core.ask.knowledge import load_knowledge
from bot.core.ask.matcher import LEXICAL_RULE, Matcher, MatcherConfig
from bot.core.cache import CacheDir


def test_search_is_best_first_with_scores_0_to_100_and_respects_limit_and_cutoff(matcher):
    found = matcher.search("客户投诉了怎么处理", limit=4)
    assert 0 < len(found) <= 4
    scores = [m.score for m in found]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)
    cut = matcher.search("客户投诉了怎么处理", limit=10, score_cutoff=scores[0])
    assert [m.entry.id for m in cut] == [found[0].entry.id]


def test_options_are_keyword_only(matcher):
    with pytest.raises(TypeError):
        matcher.search("电话响几声", 3)  # type: ignore[misc]


@pytest.mark.parametrize("question", ["電話響幾聲要接", "电话 响几声 要接？？😂", "ＤＩＡＮＨＵＡ 电话响几声要接"])
def test_normalisation_variants_reach_the_same_rule(matcher, question):
    result = matcher.ask(question)
    assert result.status == "answer"
    assert "三声" in result.matches[0].entry.answer


@pytest.mark.parametrize("level, other", [("机密", "绝密"), ("绝密", "机密")])
def test_secrecy_levels_are_never_conflated(matcher, level, other):
    result = matcher.ask(f"{level}级的文件是什么意思")
    assert result.status != "unknown"
    top = result.matches[0].entry
    assert level in top.title + " ".join(top.keywords)
    if result.status == "answer":
        assert not (other in top.title and level not in top.title)


def test_declassification_period_is_not_the_secrecy_term(matcher):
    top = matcher.ask("一般涉密人员的脱密期是几年").matches[0].entry
    assert "脱密期" in top.title and "1年" in top.answer


@pytest.mark.parametrize("question", ["今天会下雨吗", "年假一年几天", "帮我写个python脚本", "茅台股票能买吗"])
def test_out_of_scope_questions_are_refused(matcher, question):
    assert matcher.ask(question).status == "unknown"


def test_every_entry_is_found_by_its_own_title(kb, matcher):
    misses = [e.id for e in kb.entries if e.id not in {m.entry.id for m in matcher.search(e.title, limit=3)}]
    assert len(misses) <= len(kb.entries) * 0.02, misses


def test_index_cache_roundtrip_and_invalidation(tmp_path, kb):
    assert kb.directory is not None
    kdir = tmp_path / "knowledge"
    shutil.copytree(kb.directory, kdir, ignore=shutil.ignore_patterns(index_cache.SHIPPED_INDEX))
    cache = CacheDir.open(tmp_path / "cache")
    first = index_cache.load_matcher(kdir, cache=cache, semantic=False)
    again = index_cache.load_matcher(kdir, cache=cache, semantic=False)
    assert len(list((tmp_path / "cache").glob("index-*"))) == 1
    assert again.ask("电话响几声要接").matches[0].entry.id == first.ask("电话响几声要接").matches[0].entry.id
    (kdir / "entries" / "etiquette_phone.yaml").write_text("entries: [", encoding="utf-8")
    from bot.core.yamlfile import DataError

    with pytest.raises(DataError):
        index_cache.load_matcher(kdir, cache=cache, semantic=False)


def test_config_changes_the_decision_not_the_ranking(kb):
    rule = replace(LEXICAL_RULE, answer_cutoff=101, clarify_cutoff=0)
    strict = Matcher(load_knowledge(kb.directory), config=MatcherConfig(lexical=rule))
    result = strict.ask("电话响几声要接")
    assert result.status == "clarify"
    assert "三声" in result.matches[0].entry.answer


def test_key_terms_credit_the_entry_holding_the_questions_rarest_word(kb, matcher):
    """A question about eye shadow shares 化妆 with the general make-up rule; only the colour rule
    holds its key term 眼影, which is what the reranker's key-term features read."""
    ids = {e.id: i for i, e in enumerate(kb.entries)}
    colors, general = ids["appearance.makeup_colors"], ids["appearance.makeup"]
    keys = matcher.key_terms("女员工化妆时眼影有什么限制", docs=[colors, general])
    assert keys[colors] == pytest.approx(1.0) and 0.0 <= keys[general] < keys[colors]
    assert matcher.key_terms("", docs=[colors]) == {colors: 0.0}
