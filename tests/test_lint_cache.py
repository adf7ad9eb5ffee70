"""`kb lint` keeps its slow results in the sealed cache: an unchanged base reuses them, an edit is judged afresh."""

from __future__ import annotations

import argparse
import re
import shutil
import textwrap
from pathlib import Path

import yaml

from bot.cli.kb import _curation_warnings, _lint_rules
from bot.core.cache import CacheDir
from bot.core.paths import KNOWLEDGE_DIR

QUESTIONS = ["座机的铃声规定到底怎么回事", *(f"复制条目的第{n}个测试问法" for n in "二三四五")]


def _copy_of_first_entry(entries: Path) -> tuple[str, str]:
    """The file's first entry again under a new id and other questions: a near-duplicate by construction."""
    first = yaml.safe_load(entries.read_text(encoding="utf-8"))["entries"][0]
    copy = {**first, "id": f"{first['id']}_copy", "questions": QUESTIONS}
    copy.pop("related", None)
    return first["id"], "\n" + textwrap.indent(yaml.safe_dump([copy], allow_unicode=True, sort_keys=False), "  ")


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
    original, copy = _copy_of_first_entry(entries)
    entries.write_text(entries.read_text(encoding="utf-8") + copy, encoding="utf-8")
    edited = _curation_warnings(args, cache)
    out_edited = capsys.readouterr().out
    assert f"{original}_copy looks like a near-duplicate of {original}" in out_edited
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
