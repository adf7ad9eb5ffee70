"""The shipped rule files: schema, every rule's must-hit / must-not-hit examples, broken files."""

from __future__ import annotations

import gc
import itertools
from pathlib import Path

import pytest

from bot.core.check.checker import Checker, default_checker, example_problems
from bot.core.check.rules import CATEGORIES, Pattern, compile_pattern, load_rules
from bot.core.phrases.phrasebook import default_phrasebook
from bot.core.yamlfile import DataError

CHECKER = default_checker()
RS = CHECKER.ruleset
TOPICS = {t.id for t in RS.topics}
EXAMPLES = [(item.id, draft, True) for item in [*RS.rules, *RS.markers, *RS.topics] for draft in item.examples.hit]
EXAMPLES += [(item.id, draft, False) for item in [*RS.rules, *RS.markers, *RS.topics] for draft in item.examples.clean]


@pytest.mark.parametrize(("rule_id", "draft", "must_hit"), EXAMPLES, ids=[f"{r}:{d[:12]}" for r, d, _ in EXAMPLES])
def test_rule_example(rule_id, draft, must_hit):
    # A topic's examples are the rule grammar's: judged before the learned topic opinion (as example_problems does).
    rules = {f.rule for f in CHECKER.check(draft, opinion=rule_id not in TOPICS).findings}
    assert (rule_id in rules) is must_hit, (rule_id, draft, rules)


def test_every_rule_has_both_kinds_of_examples_and_a_source():
    for item in [*RS.rules, *RS.markers, *RS.topics]:
        assert item.examples.hit and item.examples.clean, item.id
        assert item.sources and all(s.doc and s.clause for s in item.sources), item.id


def test_example_problems_is_empty_for_shipped_rules():
    assert example_problems(CHECKER) == []


def test_categories_cover_the_issue():
    used = {r.category for r in RS.rules}
    assert {"服务禁语", "口头语", "反问/质问", "推诿", "称呼"} <= used <= set(CATEGORIES)


def test_rule_scenarios_exist_in_phrasebook():
    ids = {s.id for s in default_phrasebook().scenarios}
    assert all(r.scenario in ids for r in RS.rules if r.scenario)


def test_pattern_syntax():
    p = compile_pattern("^(已经|都)…告诉(了|)$", max_gap=4)
    assert p.clause_start and p.clause_end
    assert p.parts == (("已经", "都"), ("告诉了", "告诉"))
    assert compile_pattern("有 牌 子，", max_gap=0).parts == (("有牌子",),)
    for bad in ("", "^$", "a…", "(a|b", "(a(b))", "…"):
        with pytest.raises(ValueError):
            compile_pattern(bad, max_gap=3)


def _write(tmp_path: Path, text: str) -> Path:
    d = tmp_path / "rules"
    d.mkdir(exist_ok=True)
    (d / "bad.yaml").write_text(text, encoding="utf-8")
    return d


GOOD_RULE = """kind: forbidden
rules:
  - id: x.demo
    category: 口头语
    patterns: ["我晕"]
    why: 演示
    sources: [{doc: 某规范, clause: 一, file: "000"}]
    suggestion: 删去
    examples: {hit: ["我晕"], clean: ["您好"]}
"""


def test_minimal_rule_file_loads(tmp_path):
    rs = load_rules(_write(tmp_path, GOOD_RULE))
    assert [r.id for r in rs.rules] == ["x.demo"]
    assert Checker(rs).check("我晕了").findings[0].rule == "x.demo"


@pytest.mark.parametrize(("text", "line", "needle"), [
    ("kind: forbidden\nrules:\n  - id: [unclosed\n", 4, "malformed YAML"),
    (GOOD_RULE.replace("category: 口头语", "category: 随便"), 4, "category"),
    (GOOD_RULE.replace('patterns: ["我晕"]', 'patterns: ["(我晕"]'), 5, "patterns"),
    (GOOD_RULE.replace("    why: 演示\n", ""), 3, "why"),
    (GOOD_RULE.replace("kind: forbidden", "kind: other"), 1, "kind"),
    (GOOD_RULE + GOOD_RULE.split("rules:\n")[1], 10, "duplicate rule id"),
    (GOOD_RULE.replace('patterns: ["我晕"]', 'patterns: ["{NOPE}我晕"]'), 5, "unknown class"),
    ("kind: secret\nmarking:\n  id: s.x\n  levels: []\n  why: w\n  sources: [{doc: d, clause: c, file: f}]\n"
     "  suggestion: s\n  examples: {hit: [a], clean: [b]}\n", 4, "levels"),
])
def test_broken_rule_file_reports_file_and_line(tmp_path, text, line, needle):
    with pytest.raises(DataError) as err:
        load_rules(_write(tmp_path, text))
    problem = err.value.problems[0]
    assert problem.file.endswith("bad.yaml")
    assert problem.line == line, err.value
    assert needle in str(err.value)


def test_unknown_scenario_is_reported(tmp_path):
    d = _write(tmp_path, GOOD_RULE.replace("    suggestion: 删去\n", "    suggestion: 删去\n    scenario: nope\n"))
    with pytest.raises(DataError, match="unknown scenario 'nope'"):
        load_rules(d, scenarios={"apology"})


def test_empty_rule_directory(tmp_path):
    with pytest.raises(DataError, match="no rule files"):
        load_rules(tmp_path)


def test_pattern_parts_fold_like_drafts_piece_by_piece_or_whole(monkeypatch):
    """A part's alternatives are folded piece by piece where that equals folding each whole
    expansion as a draft is folded; checked on every part of every shipped pattern (classes
    expanded) and on joins that repeat, widen or read digits."""
    from bot.core.check import rules as rules_module
    from bot.core.text.fold import compact_of, fold_wide

    chunks = ["(谢|)谢您", "一(遍|次)", "(請|请)稍(候|等)", "(ＡＢ|ab)c", "(陆|6)(8|洞)", "(快|)快点", "(稍 等|稍等)"]
    real = rules_module._expand_folded
    product = rules_module._expand_product

    def recorded(chunk: str) -> tuple[list[str], tuple[tuple[str, ...], ...], tuple[str, ...]]:
        chunks.append(chunk)
        return product(chunk)

    def recorded_folded(chunk: str) -> list[str]:
        chunks.append(chunk)
        return real(chunk)

    monkeypatch.setattr(rules_module, "_expand_product", recorded)
    monkeypatch.setattr(rules_module, "_expand_folded", recorded_folded)
    load_rules()
    monkeypatch.undo()
    assert len(chunks) > 100
    chunks += ["(400|app)(电话|上)", "(app|ap)p"]  # a piece repeating a letter or digit, alone and where pieces meet
    for chunk in chunks:
        whole = [compact_of(fold_wide(a)).text for a in rules_module._expand(chunk)]
        assert real(chunk) == whole, chunk
        assert product(chunk)[0] == whole, chunk


def _joins(pieces: tuple[tuple[str, ...], ...]) -> set[str]:
    """Every join of one alternative per piece that repeats no character where two non-empty ones meet."""
    out = set()
    for combo in itertools.product(*pieces):
        chosen = [c for c in combo if c]
        if all(a[-1] != b[0] for a, b in itertools.pairwise(chosen)):
            out.add("".join(chosen))
    return out


def test_pattern_first_part_is_its_pieces_product_and_irregular_joins(monkeypatch):
    """`Pattern.pieces` and `irregular` describe the first part's literals exactly (what the pinyin
    matcher reads instead of the literals of the widest frames): checked on every shipped pattern and
    on joins that repeat a character where pieces meet."""
    from bot.core.check import rules as rules_module

    chunks = ["(快|)快点", "(快|慢)快点", "(好|)(好|)好", "(ab|b)(b|c)", "(陆|6)(8|洞)", "(看看|瞧)(看|吧)",
              "(400|app)(电话|上)", "(ap|app)(p|上)"]
    folded = rules_module._expand_folded

    def recorded(chunk: str) -> list[str]:
        chunks.append(chunk)
        return folded(chunk)

    monkeypatch.setattr(rules_module, "_expand_folded", recorded)
    patterns = [p for r in load_rules().rules for p in (*r.patterns, *r.exceptions)]
    monkeypatch.undo()
    # Only a first part of more expansions than the pinyin matcher reads as literals is given its pieces.
    assert all(p.pieces for p in patterns if len(p.parts[0]) > rules_module.WIDE_PART)
    wide = [p for p in patterns if p.pieces]
    assert len(wide) > 20 and max(len(p.parts[0]) for p in wide) > 50_000
    for p in wide:
        assert set(p.parts[0]) == _joins(p.pieces) | set(p.irregular), p.source
    # Every other part's pieces, as `_expand_product` would work them out, describe its literals too.
    for chunk in chunks:
        literals, pieces, irregular = rules_module._expand_product(chunk)
        if pieces:
            assert set(literals) == _joins(pieces) | set(irregular), chunk
    assert sum(bool(rules_module._expand_product(c)[1]) for c in chunks) > 100
    assert rules_module._expand_product("(快|)快点")[2] == ()  # 快点 is the join of "" and 快点 too
    assert rules_module._expand_product("(快|慢)快点")[2] == ("快点",)
    assert compile_pattern("(快|慢)快点", max_gap=3).pieces == ()  # two literals: read as literals


SLIM_RULE = """kind: forbidden
rules:
  - id: x.slim
    category: 口头语
    patterns: ["我晕", "不归我管", "(真|太)烦…(了|啦)"]
    exceptions: ["我晕车"]
    why: 演示
    sources: [{doc: 某规范, clause: 一, file: "000"}]
    suggestion: 删去
    examples: {hit: ["我晕"], clean: ["您好"]}
"""


def test_a_checker_keeps_its_rules_without_the_alternatives_and_still_matches_them(tmp_path):
    rs = load_rules(_write(tmp_path, SLIM_RULE))
    checker = Checker(rs)
    checker.prepare()
    # The caller's rule set stays whole; the checker's copy keeps each pattern's source and
    # conditions, not its expanded alternatives (read only while its matchers were built).
    assert rs.rules[0].patterns[2].parts == (("真烦", "太烦"), ("了", "啦"))
    kept = checker.ruleset.rules[0]
    assert [p.source for p in kept.patterns] == ["我晕", "不归我管", "(真|太)烦…(了|啦)"]
    assert all(p.parts == () for p in (*kept.patterns, *kept.exceptions))
    del rs
    gc.collect()
    sources = {"我晕", "不归我管", "(真|太)烦…(了|啦)", "我晕车"}
    assert not [o for o in gc.get_objects() if isinstance(o, Pattern) and o.source in sources and o.parts]
    # Every matcher built from the whole rules still finds them: a literal, one of several parts,
    # an exception, a pinyin spelling and a homophone.

    def found(draft: str) -> list[tuple[str, str]]:
        return [(f.rule, f.severity) for f in checker.check(draft).findings]

    assert found("我晕了") == [("x.slim", "error")]
    assert found("今天真是太烦人了") == [("x.slim", "error")]
    assert found("我晕车") == []
    assert found("woyun了") == [("x.slim", "warning")]
    assert found("这事不归窝管") == [("x.slim", "warning")]
