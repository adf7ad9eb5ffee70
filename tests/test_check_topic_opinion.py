"""The topic opinion (bot/core/check/scored.py `TopicOpinion`): a learned second opinion on disclosed-topic
findings, and its fitted model file. Drafts written for the test, not evaluation items."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

from bot.core.check.checker import default_checker, example_problems
from bot.core.check.classified import SecretHit
from bot.core.check.rules import load_rules
from bot.core.check.scored import OPINION_FEATURES, OPINION_PATH, TopicOpinion, load_opinion, topic_features
from bot.core.text.fold import fold_draft

ROOT = Path(__file__).resolve().parents[1]


def _data() -> dict:
    return json.loads(OPINION_PATH.read_text(encoding="utf-8"))


def test_model_file_is_sound_current_and_fitted_on_fit_sets_only():
    data = _data()
    assert data["features"] == OPINION_FEATURES, "refit with benchmarks/fit_topics.py --write"
    assert 0 < data["threshold"] < 100
    # Fitted on the repository's fit sets only (the held-out sets never are in the repository).
    assert data["fitted_on"] and all(f.startswith("benchmarks/blind/") for f in data["fitted_on"])
    # Stale when a fit set changed since the fit: its digest is the digest of the files as they are now.
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from fit_topics import data_digest, groups

    files = [f for fs in groups().values() for f in fs]
    assert sorted(data["fitted_on"]) == sorted(f.relative_to(ROOT).as_posix() for f in files)
    assert data["data_digest"] == data_digest(files), "a fit set changed: refit with benchmarks/fit_topics.py --write"
    assert set(data["categories"]) == {t.id for t in load_rules().topics}, "topic categories changed: refit"
    assert data["weights"] and all(math.isfinite(w) for w in data["weights"].values())
    model = load_opinion()
    assert model is not None and model.threshold == data["threshold"]


def test_a_model_for_other_features_is_not_used():
    data = {**_data(), "features": OPINION_FEATURES + 1}
    assert TopicOpinion.from_json(data) is None


def _topics(draft: str, *, opinion: bool = True) -> set[str]:
    return {f.rule for f in default_checker().check(draft, opinion=opinion).findings
            if f.category == "confidential_topic"}


@pytest.mark.parametrize("draft", [
    "跟你说个内部消息，公司下个月全员工资上调百分之八，先别外传。",
    "客户名单我导出来发你邮箱了，一共三百多个客户，别往外发。",
    "我们这批货的进货价是每箱四十二块，你知道就行，别告诉客户。",
])
def test_a_plain_disclosure_stays_a_finding(draft):
    assert _topics(draft, opinion=False)
    assert _topics(draft) == _topics(draft, opinion=False)


def test_the_opinion_only_ever_drops_topics():
    # Markings and personal data are never touched; a topic is only ever dropped, never added.
    drafts = [x for t in load_rules().topics for x in (*t.examples.hit, *t.examples.clean)]
    drafts += ["这份机密文件里写着下季度调价方案，客户王先生电话13912345678，别外传。",
               "您好，您的快递单号已发到手机，工作人员下午送达。"]
    for d in drafts:
        before = {(f.kind, f.category, f.rule, f.start, f.end)
                  for f in default_checker().check(d, opinion=False).findings}
        after = {(f.kind, f.category, f.rule, f.start, f.end) for f in default_checker().check(d).findings}
        assert after <= before
        assert {x for x in before - after if x[1] != "confidential_topic"} == set()


def test_the_rules_examples_still_behave_with_the_opinion():
    assert [p for p in example_problems(default_checker()) if "secret.topic" in p.message] == []


def test_features_read_category_evidence_signals_and_the_words_around():
    view = fold_draft("今天开会了。下个月工资上调百分之八，别外传。谢谢").compact
    s = view.text.index("工资")
    hit = SecretHit("confidential_topic", "secret.topic.pay", s, s + 8, "quantity", ("cue", "future"), (s, s + 2))
    got = topic_features(view, hit)
    assert {"c=secret.topic.pay", "k=quantity", "s=cue", "s=future", "t=工资"} <= got
    assert "S上调" in got and "L^下个" in got and "R上调" in got  # its sentence, just before and just after
    assert "P开会" in got and "N^谢" in got  # the sentences either side (谢谢 is one 谢 in the compact view)
    assert not any(g.startswith("S") and len(g) == 2 for g in got)  # single characters are not read


def test_scores_are_probabilities_and_the_threshold_decides():
    model = TopicOpinion(50.0, 0.0, {"k=quantity": 3.0, "s=neg_customer": -3.0}, frozenset({"secret.topic.pay"}))
    assert model.score({"k=quantity"}) > 90 and model.score({"s=neg_customer"}) < 10
    view = fold_draft("工资是八千").compact
    hit = SecretHit("confidential_topic", "secret.topic.pay", 0, 5, "quantity", ("neg_customer",), (0, 2))
    assert model.score(topic_features(view, hit)) == pytest.approx(50.0)
    assert not model.clean(view, hit)  # at the threshold: kept
    other = SecretHit("confidential_topic", "secret.topic.other", 0, 5, "person", ("neg_customer",), (0, 2))
    assert not model.clean(view, other)  # a category it was not fitted on is never judged


def test_an_evidence_kind_kept_is_never_judged():
    model = TopicOpinion(50.0, -5.0, {}, frozenset({"secret.topic.pay"}), frozenset({"quantity"}))
    view = fold_draft("工资是八千").compact
    told = SecretHit("confidential_topic", "secret.topic.pay", 0, 5, "quantity", (), (0, 2))
    cue = SecretHit("confidential_topic", "secret.topic.pay", 0, 5, "cue", (), (0, 2))
    assert not model.clean(view, told) and model.clean(view, cue)


def _topic_units() -> list[tuple[object, object]]:
    """(view, hit) of every disclosed-topic finding the grammar makes on the rules' examples and on a
    few drafts of several sentences and several findings (spans shared, sentences either side)."""
    checker = default_checker()
    drafts = [x for t in checker.ruleset.topics for x in (*t.examples.hit, *t.examples.clean)]
    drafts += ["今天开会了。下个月工资上调百分之八，别外传。客户名单我导出来发你邮箱了。谢谢",
               "工资",  # the topic word is the whole draft: empty windows, no sentence either side
               "进货价每箱四十二块，工资八千，客户名单三百个。进货价别告诉客户！工资的事也别说？",
               "这份机密文件里写着下季度调价方案，客户王先生电话13912345678，别外传。" * 3]
    units = []
    for d in drafts:
        view, hits = checker.topic_hits(d)
        units += [(view, h) for h in hits if h.category == "confidential_topic"]
    return units


def test_the_fast_score_agrees_with_the_features_score():
    # `clean` scores by one automaton pass per span (and a per-draft memo), not by `topic_features`:
    # the shipped model and a model weighing every feature seen (random weights, so that each span
    # and prefix counts) must score every finding alike, and so keep or drop it alike.
    import random

    units = _topic_units()
    assert len(units) > 50
    rng = random.Random(43)
    seen = sorted({f for view, h in units for f in topic_features(view, h)})
    dense = TopicOpinion(50.0, -0.3, {f: rng.uniform(-1.0, 1.0) for f in seen if rng.random() < 0.7},
                         frozenset(h.rule for _, h in units))
    shipped = load_opinion()
    assert shipped is not None
    for model in (shipped, dense):
        memos: dict[int, dict] = {}
        for view, h in units:
            want = model.score(topic_features(view, h))
            assert model.fast_score(view, h) == pytest.approx(want, abs=1e-9)
            memo = memos.setdefault(id(view), {})  # one memo per draft, shared by its findings
            assert model.fast_score(view, h, memo) == pytest.approx(want, abs=1e-9)
            assert model.clean(view, h, memo) == (h.rule in model.categories and h.evidence not in model.keep
                                                  and want < model.threshold)
