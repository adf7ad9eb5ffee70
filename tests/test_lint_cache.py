"""`kb lint` keeps its slow results in the sealed cache: an unchanged base reuses them, an edit is judged afresh."""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

from bot.cli.kb import _curation_warnings, _lint_rules
from bot.core.cache import CacheDir
from bot.core.paths import KNOWLEDGE_DIR

COPY = """
  - id: phone.answer_rings_copy
    title: 电话铃响几声内接听
    answer: >-
      来电要及时接听：《客户服务人员行为规范》要求电话铃响不得超过三声就要接起。
      《客户服务人员日常行为规范》另提倡“电话响两声再接”——响一声就接显得不沉稳，
      久等又让对方不快（人等电话的耐心通常不超过17秒）。两份规定合起来：响第二声后、第三声前接起最稳妥。
    questions:
      - 座机的铃声规定到底怎么回事
      - 复制条目的第二个测试问法
      - 复制条目的第三个测试问法
      - 复制条目的第四个测试问法
      - 复制条目的第五个测试问法
    keywords: [铃声]
    tags: [etiquette, phone]
    sources:
      - {doc: 客户服务人员行为规范, clause: 一、通过电话与客户接触的行为规范·电话接听, file: "000"}
"""


def test_curation_warnings_are_reused_until_the_knowledge_changes(tmp_path, capsys):
    kdir = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, kdir)
    entries = kdir / "entries" / "etiquette_phone.yaml"
    for other in kdir.glob("entries/*.yaml"):  # one topic's entries: a small base, quick to score
        if other != entries:
            other.unlink()
    entries.write_text(re.sub(r"\n +related: .*", "", entries.read_text(encoding="utf-8")), encoding="utf-8")
    cache = CacheDir.open(tmp_path / "cache")
    args = argparse.Namespace(knowledge=str(kdir), strict=True, lexical_only=True)
    first = _curation_warnings(args, cache)
    out_first = capsys.readouterr().out
    assert len(list((tmp_path / "cache").glob("lint-curation-*"))) == 1
    assert _curation_warnings(args, cache) == first
    assert capsys.readouterr().out == out_first
    entries.write_text(entries.read_text(encoding="utf-8") + COPY, encoding="utf-8")
    edited = _curation_warnings(args, cache)
    out_edited = capsys.readouterr().out
    assert "phone.answer_rings_copy looks like a near-duplicate of phone.answer_rings" in out_edited
    assert edited > first and len(list((tmp_path / "cache").glob("lint-curation-*"))) == 2


def test_rule_results_follow_the_rule_files(tmp_path, monkeypatch):
    import bot.core.check.rules as rules

    cache = CacheDir.open(tmp_path / "cache")
    summary, problems = _lint_rules(cache)
    assert summary.startswith("ok:") and problems == []
    assert _lint_rules(cache) == (summary, problems)
    bad = tmp_path / "rules"
    shutil.copytree(Path(rules.DEFAULT_RULES_DIR), bad)
    target = sorted(bad.glob("*.yaml"))[0]
    target.write_text(target.read_text(encoding="utf-8") + "\nbroken: [\n", encoding="utf-8")
    monkeypatch.setattr(rules, "DEFAULT_RULES_DIR", bad)
    _, broken = _lint_rules(cache)
    assert broken and target.name in str(broken[0])
    assert len(list((tmp_path / "cache").glob("lint-rules-*"))) == 2
