"""Classified findings per category of the documents' 保密范围: precision and recall of each topic
category (pay, customers, costs, …) and of the secrecy markings, over evaluation files.

`check eval` scores the classified finding per draft as one category (confidential_topic); the
evaluation files do not say which topic a leak draft discloses. Here a draft is attributed to the
topic its finding cites (`rule` of the confidential_topic finding) when it is flagged, and to the
first topic word of the draft (the detector's own vocabulary) when it is missed; a draft holding no
topic word at all is attributed to "(no topic word)", which is what a vocabulary gap looks like.
A false alarm is the flagged category's. Markings are reported as one row.

    .venv/bin/python benchmarks/classified_categories.py FILE [FILE ...] [--join] [--misses]
    .venv/bin/python benchmarks/classified_categories.py --prose

`--prose` counts personal-data and classified findings per 1,000 sentences of real prose that holds
no disclosure: the knowledge base's answers and the source documents (../shared/sources/*.txt), cut
at 。！？； and line ends.

`--join` scores the files as one (a fit/final pair by the same writers); `--misses` prints each
missed or falsely flagged draft under its category (only on files whose misses may be read).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.check import classified as classified_mod  # noqa: E402
from bot.core.check.checker import Checker, default_checker  # noqa: E402

TOPIC = "confidential_topic"
MARKER = "secret_marker"
NO_TERM = "(no topic word)"


def _term_categories(checker: Checker) -> dict[str, list[str]]:
    """Record, per draft checked, the topic categories whose words the detector saw (in order)."""
    seen: dict[str, list[str]] = {"last": []}
    original = classified_mod.Classified._topics

    def spy(self: Any, f: Any, hits: list[tuple[int, int, str, str]], *args: Any, **kwargs: Any) -> Any:
        seen["last"] = [tag for _, _, role, tag in sorted(hits) if role == "term"]
        return original(self, f, hits, *args, **kwargs)

    classified_mod.Classified._topics = spy  # type: ignore[method-assign]
    return seen


def _short(rule: str) -> str:
    return rule.removeprefix("secret.topic.").removeprefix("secret.")


def score(checker: Checker, items: list[tuple[str, set[str]]], seen: dict[str, list[str]]
          ) -> tuple[dict[str, list[int]], list[tuple[str, str, str, str]]]:
    """Per category [tp, fp, fn] and the misses (category, outcome, draft, what was found)."""
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    misses: list[tuple[str, str, str, str]] = []
    for draft, kinds in items:
        seen["last"] = []
        result = checker.check(draft)
        secret = [f for f in result.findings if f.kind == "secret"]
        topic_rules = [_short(f.rule) for f in secret if f.category == TOPIC]
        got = ", ".join(f"{_short(f.rule)}:{f.text}" for f in secret)
        words = [_short(t) for t in seen["last"]]
        if TOPIC in kinds:
            if topic_rules:
                table[topic_rules[0]][0] += 1
            else:
                cat = words[0] if words else NO_TERM
                table[cat][2] += 1
                misses.append((cat, "missed", result.masked_draft(), " ".join(dict.fromkeys(words))))
        elif topic_rules:
            for cat in dict.fromkeys(topic_rules):
                table[cat][1] += 1
                misses.append((cat, "false-alarm", result.masked_draft(), got))
        marked = any(f.category == MARKER for f in secret)
        row = table["(marking)"]
        if MARKER in kinds:
            row[0 if marked else 2] += 1
            if not marked:
                misses.append(("(marking)", "missed", result.masked_draft(), got))
        elif marked:
            row[1] += 1
            misses.append(("(marking)", "false-alarm", result.masked_draft(), got))
    return table, misses


def load_items(path: Path) -> list[tuple[str, set[str]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items: list[tuple[str, set[str]]] = [(str(i.get("draft", "")), set()) for i in data.get("check") or []]
    items += [(str(i.get("draft", "")), {str(k) for k in i.get("kinds") or []}) for i in data.get("leak") or []]
    return items


def lines(table: dict[str, list[int]]) -> list[str]:
    out = []
    for cat in sorted(table, key=lambda c: -sum(table[c])):
        tp, fp, fn = table[cat]
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        out.append(f"  {cat:<18} P {p:.3f}  R {r:.3f}  (tp {tp}, fp {fp}, fn {fn})")
    return out


def prose_sentences() -> dict[str, list[str]]:
    """The knowledge answers' and the source documents' sentences (of at least 6 characters)."""
    cut = re.compile(r"(?<=[。！？；!?;])|\n")

    def sentences(text: str) -> list[str]:
        return [s.strip() for s in cut.split(text) if len(s.strip()) >= 6]

    answers: list[str] = []
    for path in sorted((ROOT / "knowledge" / "entries").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in data.get("entries") or []:
            answers += sentences(str(entry.get("answer", "")))
    sources: list[str] = []
    for path in sorted((ROOT.parent / "shared" / "sources").glob("*.txt")):
        sources += sentences(path.read_text(encoding="utf-8"))
    return {"knowledge answers": answers, "sources": sources}


def prose(checker: Checker, show: bool) -> None:
    for name, sents in prose_sentences().items():
        flagged = []
        for sent in sents:
            found = [f for f in checker.check(sent).findings if f.kind in ("pii", "secret")]
            if found:
                flagged.append((sent, ", ".join(f"{_short(f.rule)}:{f.text}" for f in found)))
        print(f"{name}: {len(flagged)} findings in {len(sents)} sentences "
              f"({1000 * len(flagged) / max(1, len(sents)):.2f} per 1,000)")
        if show:
            for sent, got in flagged:
                print(f"    {sent}  <{got}>")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--prose", action="store_true", help="findings per 1,000 sentences of real prose")
    ap.add_argument("--join", action="store_true", help="score the files as one")
    ap.add_argument("--misses", action="store_true", help="print the misses and false alarms by category")
    args = ap.parse_args()
    checker = default_checker()
    seen = _term_categories(checker)
    if args.prose:
        prose(checker, args.misses)
    groups = [args.files] if args.join else [[f] for f in args.files]
    pooled: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for group in groups:
        items = [it for f in group for it in load_items(f)]
        table, misses = score(checker, items, seen)
        print(" + ".join(str(f) for f in group))
        print("\n".join(lines(table)))
        for cat, row in table.items():
            pooled[cat] = [a + b for a, b in zip(pooled[cat], row, strict=True)]
        if args.misses:
            for cat, outcome, draft, got in sorted(misses):
                print(f"    [{cat}] {outcome}: {draft}  <{got}>")
    if len(groups) > 1:
        print("pooled")
        print("\n".join(lines(pooled)))


if __name__ == "__main__":
    main()
