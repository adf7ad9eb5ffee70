"""The scored forbidden-sentence detector (bot/core/check/scored.py) and its fitted model file."""

from __future__ import annotations

import json
import math
import re

import pytest

from bot.core.check.checker import Checker, default_checker, uncovered_pieces
from bot.core.check.scored import (
    CLASS_BASE,
    MODEL_PATH,
    class_automaton,
    class_text,
    load_model,
    ngrams,
    sentence_grams,
    sentence_units,
)
from bot.core.phrases.phrasebook import load_phrasebook
from bot.core.text.fold import fold_draft
from tests.conftest import DEV_SET, SOURCES


@pytest.fixture(scope="module")
def patterns_only() -> Checker:
    return Checker.load(phrasebook=load_phrasebook(), scored=False)


def _forbidden(checker: Checker, draft: str):
    return [f for f in checker.check(draft).findings if f.kind == "forbidden"]


@pytest.mark.parametrize("draft", ["这个我们也弄不了，您另请高明。", "您就别在这儿磨叽了，后边还有人呢。"])
def test_reworded_sentence_the_patterns_miss_is_a_warning_citing_a_rule(patterns_only, draft):
    assert not _forbidden(patterns_only, draft)
    found = _forbidden(default_checker(), draft)
    assert len(found) == 1
    f = found[0]
    rule = next(r for r in default_checker().ruleset.rules if r.id == f.rule)
    assert f.severity == "warning" and f.category == rule.category
    assert rule.why in f.message and rule.source in f.message  # why and source clause
    assert f.suggestion  # and a rewrite
    assert draft[f.start:f.end] == f.text and f.end - f.start >= len(draft) - 2  # the sentence


def test_sentences_the_patterns_flag_are_not_scored_again(patterns_only):
    draft = "下班了，明天再来吧。"
    assert [f.rule for f in _forbidden(default_checker(), draft)] == [f.rule for f in _forbidden(patterns_only, draft)]


def test_a_sentence_whose_match_its_context_cleared_is_not_scored_again(patterns_only):
    # Every rule with `unless` words: its must-not-hit examples are cleared by their context, and the
    # scored detector does not overrule that judgement of the same sentence.
    checker = default_checker()
    examples = [x for r in checker.ruleset.rules if r.unless for x in r.examples.clean]
    assert examples
    assert [x for x in examples if _forbidden(checker, x)] == []


def test_standard_phrases_and_polite_replies_stay_clean():
    checker = default_checker()
    pb = load_phrasebook()
    drafts = [p for s in pb.scenarios for p in pb.render(s.id, {})]
    drafts += ["您先别着急，我马上帮您联系维修师傅。", "麻烦您稍等，我查一下库存。", "您好，请问有什么可以帮您？"]
    flagged = [d for d in drafts if any(f.severity == "warning" and "禁语同类" in f.message
                                        for f in _forbidden(checker, d))]
    assert not flagged


def test_ngrams_are_every_1_to_3_gram_with_ends_and_punctuation():
    def naive(s: str) -> set[str]:
        t = "^" + s + "$"
        return {t[i:i + n] for n in (1, 2, 3) for i in range(len(t) - n + 1)}

    for s in ("", "吗", "您没瞧见吗", "abc您好"):
        assert ngrams(s) == naive(s)
    assert ngrams("您没瞧见吗", "?") == naive("您没瞧见吗") | {"#?"}
    assert ngrams("走", "!!") == naive("走") | {"#!"}


def test_sentence_units_carry_their_ending_as_typed():
    view = fold_draft("您看不见吗？ 我说了好多遍！好的").compact
    units = [(view.text[a:b], ending) for a, b, ending in sentence_units(view)]
    assert [u[0] for u in units] == ["您看不见吗", "我说了好多遍", "好的"]
    assert "?" in units[0][1] and "!" in units[1][1] and units[2][1] == ""


def test_model_file_is_sound_and_fitted_on_fit_sets_only():
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert 0 < data["threshold"] <= 100
    # v9 measures the round's final figures: never fitted on (v8, the last round's step measure, is a fit set now).
    assert data["fitted_on"] and not any("/v9/" in f for f in data["fitted_on"])
    rule_ids = {r.id for r in default_checker().ruleset.rules}
    assert set(data["rules"]) <= rule_ids
    values = [*data["weights"].values(), *(w for r in data["rules"].values() for w in r["weights"].values())]
    assert values and all(math.isfinite(v) for v in values)
    model = load_model()
    assert model is not None and 0 <= model.score(ngrams("您好")) <= 100




def _scored_findings(draft: str) -> int:
    return sum(f.kind == "forbidden" and "禁语同类" in f.message for f in default_checker().check(draft).findings)


@pytest.mark.skipif(not SOURCES.is_dir(), reason="shared/sources not available")
def test_the_source_documents_prose_is_not_flagged():
    # Not fitted on: the documents quote banned phrases and state rules in imperatives (不得…, 禁止说“…”).
    sentences = [s for p in sorted(SOURCES.glob("*.txt")) for line in p.read_text(encoding="utf-8").splitlines()
                 for s in re.split(r"(?<=[。！？!?；;])", line) if len(s.strip()) >= 4]
    assert len(sentences) > 500
    assert sum(map(_scored_findings, sentences)) <= 2 * len(sentences) / 1000


def test_the_knowledge_base_answers_are_not_flagged():
    from bot.core.ask.knowledge import load_knowledge

    answers = [e.answer for e in load_knowledge().entries]
    assert sum(map(_scored_findings, answers)) <= 2


def test_a_model_citing_a_rule_that_is_gone_is_left_out_and_reported():
    from dataclasses import replace

    from bot.core.check.checker import example_problems
    from bot.core.check.rules import load_rules

    shipped = load_rules()
    cited = load_model().rules  # type: ignore[union-attr]
    rules = replace(shipped, rules=[r for r in shipped.rules if r.id != cited[0]])
    checker = Checker(rules, phrasebook=load_phrasebook())
    assert checker._model is None
    assert any(cited[0] in p.message and "fit_forbidden" in p.message for p in example_problems(checker))


def test_rows_found_by_the_automaton_are_the_weighted_ngrams():
    model = load_model()
    assert model is not None
    drafts = ["您没瞧见通知吗？", "下班了！明天再来吧", "^$#?#! 你好$^", "😀走😀", "a", "你自己看吧吧吧吧"]
    drafts += [d for r in default_checker().ruleset.rules for d in (*r.examples.hit, *r.examples.clean)]
    for draft in drafts:
        view = fold_draft(draft).compact
        for a, b, ending in sentence_units(view):
            grams = sentence_grams(view.text[a:b], ending, model.classes)
            expected = {i for g in grams if (i := model.index.get(g, None)) is not None}
            assert model.rows(view.text[a:b], ending) == expected
            assert model.score_rows(model.rows(view.text[a:b], ending)) == pytest.approx(model.score(grams))


def test_class_reading_replaces_the_longest_word_of_each_class():
    classes = class_automaton({"CLOSE": ["下班", "下班时间", "打烊"], "LATER": ["明天", "明天上午"]})
    close, later = chr(CLASS_BASE), chr(CLASS_BASE + 1)
    assert class_text(classes, "都下班了明天再来") == f"都{close}了{later}再来"
    assert class_text(classes, "下班时间到了明天上午来") == f"{close}到了{later}来"
    assert class_text(classes, "您好") == "您好" and class_text(None, "下班了") == "下班了"
    # What the fit learnt of one member counts for another: the class n-grams are the same.
    shared = sentence_grams("打烊了", "", classes) & sentence_grams("下班了", "", classes)
    assert {close + "了", "^" + close, close + "了$"} <= shared


def test_the_model_reads_the_rule_files_classes():
    model = load_model()
    assert model is not None and model.classes is not None
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert "CLOSE" in data["classes"] and "THIRD" in data["classes"]
    # Some weighted n-grams are class readings (a private-use character stands for the class).
    assert any(any(ord(ch) >= CLASS_BASE and ord(ch) < CLASS_BASE + 64 for ch in g) for g in data["weights"])


EXAMPLES = MODEL_PATH.parent / "forbidden_examples.yaml"


def _written_examples() -> dict:
    import yaml

    return yaml.safe_load(EXAMPLES.read_text(encoding="utf-8"))


def test_written_examples_cite_loaded_rules_and_copy_no_evaluation_item():
    import yaml

    data = _written_examples()
    rule_ids = {r.id for r in default_checker().ruleset.rules}
    assert data["forbidden"] and data["clean"]
    assert set(data["forbidden"]) <= rule_ids
    written = [str(x) for xs in data["forbidden"].values() for x in xs] + [str(x) for x in data["clean"]]
    assert all(x.strip() for x in written) and len(set(written)) == len(written)
    # Written for the detector, never taken from a fit set or dev (the held-out v9 is not opened here either).
    blind = EXAMPLES.parents[1] / "benchmarks" / "blind"
    files = [f for f in blind.rglob("*.yaml") if "v9" not in f.parts]
    files.append(DEV_SET)
    drafts = set()
    for f in files:
        data = yaml.safe_load(f.read_text(encoding="utf-8")) if f.is_file() else None
        for key in ("check", "leak"):
            drafts |= {str(it.get("draft", "")).strip() for it in (data or {}).get(key) or [] if isinstance(it, dict)}
    assert not [x for x in written if x.strip() in drafts]


def test_written_examples_are_judged_as_written():
    # The shipped checker (patterns and the model fitted with them): the polite counterparts stay
    # clean, the forbidden sentences are nearly all caught.
    data = _written_examples()
    checker = default_checker()
    assert [x for x in data["clean"] if _forbidden(checker, str(x))] == []
    bad = [str(x) for xs in data["forbidden"].values() for x in xs]
    missed = [x for x in bad if not _forbidden(checker, x)]
    assert len(missed) <= len(bad) // 20, missed


def test_a_remembered_verdict_is_the_verdict_scoring_gives(monkeypatch):
    # The same sentences, ending in ? or not, checked with the verdicts remembered and forgotten
    # before every draft: the same findings; the memory stays within its bound.
    import bot.core.check.checker as checker_module

    checker = default_checker()
    sentences = ["这个我们也弄不了，您另请高明。", "您就别在这儿磨叽了，后边还有人呢？", "麻烦您稍等，我查一下库存。",
                 "您好，请问有什么可以帮您？", "这个我们也弄不了，您另请高明！"]
    drafts = [a + b for a in sentences for b in sentences]
    remembered = [checker.check(d) for d in drafts + drafts]
    assert checker._verdicts
    forgotten = []
    for d in drafts + drafts:
        checker._verdicts.clear()
        forgotten.append(checker.check(d))
    assert remembered == forgotten
    assert any(f.severity == "warning" for r in remembered for f in r.findings)
    monkeypatch.setattr(checker_module, "_MEMO_SENTENCES", 3)
    for d in drafts:
        checker.check(d)
        assert len(checker._verdicts) <= 3
    checker._verdicts.clear()


@pytest.mark.parametrize("draft, first", [("我晕，这个我们也弄不了，您另请高明。", "我晕"),
                                          ("天啊，这表又填错了，您别在这儿磨叽了，后边还有人呢。", "天啊")])
def test_the_clauses_a_finding_leaves_in_its_sentence_are_scored_on_their_own(patterns_only, draft, first):
    # The patterns find the tic; the act after it in the same sentence, said in new words, is not
    # hidden by that finding: the clauses no finding touches are read as a sentence of their own.
    assert [f.text for f in _forbidden(patterns_only, draft)] == [first]
    found = _forbidden(default_checker(), draft)
    assert found[0].text == first
    rest = found[1:]
    assert len(rest) == 1 and rest[0].severity == "warning"
    assert rest[0].start > draft.index(first) + len(first) and draft[rest[0].start:rest[0].end] == rest[0].text


def test_uncovered_pieces_are_runs_of_clauses_no_finding_touches():
    view = fold_draft("天啊，这表又填错了，您别磨叽了，后边有人呢？").compact
    a, b, ending = next(iter(sentence_units(view)))
    first = (0, 2)  # the original span of 天啊

    def overlapping(x: int, y: int) -> list[tuple[int, int]]:
        return [first] if x < first[1] and first[0] < y else []

    pieces = uncovered_pieces(view, a, b, ending, overlapping)
    assert [(view.text[x:y], end) for x, y, end in pieces] == [("这表又填错了您别磨叽了后边有人呢", ending)]
    assert "?" in ending
    # A sentence of one clause has no pieces; nor has a run shorter than a word and its object.
    one = fold_draft("天啊。").compact
    assert uncovered_pieces(one, 0, len(one.text), "", overlapping) == []
    short = fold_draft("这表填错了，天啊，好吧").compact
    last = (6, 8)
    assert [short.text[x:y] for x, y, _ in uncovered_pieces(
        short, 0, len(short.text), "", lambda x, y: [last] if x < last[1] and last[0] < y else [])] == ["这表填错了"]
