"""Topic misses of the rule grammar (`check(..., opinion=False)`) by category and by why they were missed,
and the grammar's and the opinion's topic precision / recall per group.

Why a leak with a confidential topic was missed, one class a draft, first that applies:
  - no_word: no topic word of any category in the draft (the grammar cannot reach it at all);
  - suppressed: a topic word with disclosure evidence, cleared by a negative context (a refusal, a rule, the
    customer's own matter …: the predicate's name is counted too) or not a disclosure by `_disclosed`;
  - merged: the grammar found the topic but it was reported as the personal data or the marking beside it;
  - split: no evidence in the topic word's sentence, but the draft read as one sentence has it (the word in
    one sentence, its figure, hush or hand-over in another);
  - no_evidence: a topic word, and no evidence anywhere in the draft.
The category of a draft with a topic word is its first mention's (for suppressed, its first with evidence);
of a draft with none, the category whose broad seed word (SEEDS: 客户, 计划, 配方 …) comes first in it.

    .venv/bin/python benchmarks/topic_misses.py                      # v26–v36: table of misses
    .venv/bin/python benchmarks/topic_misses.py --groups v35,v36 --show 5
    .venv/bin/python benchmarks/topic_misses.py --all --scores       # every group's P/R, grammar and opinion
    .venv/bin/python benchmarks/topic_misses.py --all --write /tmp/a.json ; ... --compare /tmp/a.json
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import yaml  # noqa: E402
from fit_topics import groups as fit_groups  # noqa: E402

from bot.core.check.checker import Checker  # noqa: E402
from bot.core.check.evaluation import Score  # noqa: E402

TOPIC = "confidential_topic"
# Broad seed words by category, only to name the category of a missed draft with no topic word (reporting).
SEEDS = {
    "plans": ("计划", "方案", "开会", "会议", "决定", "定了", "打算", "准备", "关门", "搬", "合并", "上市",
              "涨", "降", "停", "撤"),
    "customers": ("客户", "会员", "顾客", "客人", "名单", "通讯录", "联系方式", "业主", "家长", "住户", "学员",
                  "病人", "患者"),
    "technology": ("配方", "工艺", "代码", "图纸", "参数", "技术", "比例", "数据", "模型", "设计", "做法", "秘"),
    "pay": ("工资", "奖金", "薪", "提成", "绩效"),
    "costs": ("进价", "成本", "供应商", "价", "折扣", "返点"),
    "finance": ("营业", "流水", "利润", "亏", "预算", "营收", "业绩", "销量"),
    "tender": ("标", "报价", "竞标"),
    "personnel": ("调岗", "升", "辞", "裁", "开除", "离职", "经理", "主管", "店长"),
    "staff_private": ("病", "医院", "离婚", "怀孕", "住院", "家里"),
    "credentials": ("密码", "账号", "钥匙", "口令"),
    "security": ("监控", "保安", "门禁", "巡逻", "库房", "现金"),
}
_ENDERS = re.compile(r"[。！？!?；;\n]+")


def items(files: list[Path]) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for it in data.get("check") or []:
            out.append((str(it.get("draft", "")), []))
        for it in data.get("leak") or []:
            out.append((str(it.get("draft", "")), sorted(str(k) for k in it.get("kinds") or [])))
    return out


def has_topic(checker: Checker, draft: str, *, opinion: bool) -> bool:
    return any(f.category == TOPIC for f in checker.check(draft, opinion=opinion).findings)


class Tracer:
    """Runs the classified detector with every negative-context predicate recorded, not applied."""

    def __init__(self, checker: Checker):
        self.checker = checker
        cls = checker.classified
        self.cls = cls
        self.before = cls._cleared_before_evidence
        self.after = cls._cleared_after_evidence
        self.mentions: list[dict[str, Any]] = []
        self.current: dict[str, Any] | None = None
        self.topics_out: list[Any] = []

    def _wrap_pred(self, pred: Any, stage: str) -> Any:
        def run(d: Any, m: Any) -> bool:
            if pred(d, m) and self.current is not None:
                self.current[stage].append(getattr(pred, "__name__", str(pred)))
            return False
        return run

    def trace(self, draft: str) -> tuple[list[dict[str, Any]], bool]:
        cls = self.cls
        orig_mention, orig_evidence, orig_disclosed, orig_topics = (
            cls._mention, cls._evidence, cls._disclosed, cls._topics)
        self.mentions = []
        self.topics_out = []

        def mention(d: Any, s: int, e: int, cat_id: str, *a: Any, **kw: Any) -> Any:
            m = orig_mention(d, s, e, cat_id, *a, **kw)
            self.current = {"cat": cat_id.rsplit(".", 1)[-1], "word": d.text[s:e], "before": [], "after": [],
                            "ev": None, "disclosed": None}
            self.mentions.append(self.current)
            return m

        def evidence(*a: Any, **kw: Any) -> Any:
            ev = orig_evidence(*a, **kw)
            if self.current is not None and self.current["ev"] is None and ev is not None:
                self.current["ev"] = ev[0]
            return ev

        def disclosed(d: Any, m: Any, budget: Any) -> bool:
            r = orig_disclosed(d, m, budget)
            if self.current is not None:
                self.current["disclosed"] = r
            return r

        def topics(*a: Any, **kw: Any) -> Any:
            out = orig_topics(*a, **kw)
            self.topics_out += [h for h in out if h.category == TOPIC]
            return out

        cls._mention, cls._evidence, cls._disclosed, cls._topics = mention, evidence, disclosed, topics  # type: ignore
        cls._cleared_before_evidence = tuple(self._wrap_pred(p, "before") for p in self.before)
        cls._cleared_after_evidence = tuple(self._wrap_pred(p, "after") for p in self.after)
        try:
            self.checker.check(draft, opinion=False)
        finally:
            del cls._mention, cls._evidence, cls._disclosed, cls._topics
            cls._cleared_before_evidence, cls._cleared_after_evidence = self.before, self.after
            self.current = None
        return self.mentions, bool(self.topics_out)


def seed_category(draft: str) -> str:
    best, at = "none", len(draft) + 1
    for cat, words in SEEDS.items():
        for w in words:
            i = draft.find(w)
            if 0 <= i < at:
                best, at = cat, i
    return best


def classify(checker: Checker, tracer: Tracer, draft: str) -> tuple[str, str, str]:
    """(class, category, detail) of a missed leak."""
    mentions, _ = tracer.trace(draft)
    if not mentions:
        return "no_word", seed_category(draft), ""
    with_ev = [m for m in mentions if m["ev"] is not None]
    blocked = [m for m in with_ev if m["before"] or m["after"] or m["disclosed"] is False]
    if blocked:
        m = blocked[0]
        why = (m["before"] + m["after"])[:1] or ["not_disclosed"]
        return "suppressed", m["cat"], f"{why[0]} [{m['word']}/{m['ev']}]"
    if with_ev:
        return "merged", with_ev[0]["cat"], f"[{with_ev[0]['word']}/{with_ev[0]['ev']}]"
    joined = _ENDERS.sub("，", draft)
    if joined != draft and has_topic(checker, joined, opinion=False):
        return "split", mentions[0]["cat"], f"[{mentions[0]['word']}]"
    return "no_evidence", mentions[0]["cat"], f"[{mentions[0]['word']}]"


def pr(s: Score) -> str:
    return f"{s.precision:.3f}/{s.recall:.3f} (fp {s.fp}, fn {s.fn})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--groups", default=",".join(f"v{n}" for n in range(26, 37)))
    ap.add_argument("--all", action="store_true", help="every fit group (fit_topics.py's)")
    ap.add_argument("--scores", action="store_true", help="per-group topic P/R, grammar and opinion")
    ap.add_argument("--show", type=int, default=0, help="print up to N missed drafts per class")
    ap.add_argument("--write", type=Path)
    ap.add_argument("--compare", type=Path)
    args = ap.parse_args()
    checker = Checker.load()
    all_groups = fit_groups()
    chosen = all_groups if args.all else {g: all_groups[g] for g in args.groups.split(",")}
    seen: set[str] = set()
    rows: dict[str, list[dict[str, Any]]] = {}
    for g, files in chosen.items():
        out = []
        for draft, kinds in items(files):
            if draft in seen:
                continue  # a draft in two groups counts in the first (fit_topics.py's rule)
            seen.add(draft)
            row = {"want": TOPIC in kinds, "grammar": has_topic(checker, draft, opinion=False)}
            if args.scores:
                row["opinion"] = has_topic(checker, draft, opinion=True)
            out.append(row | {"draft": draft})
        rows[g] = out
    base = json.loads(args.compare.read_text(encoding="utf-8")) if args.compare else None
    if args.scores:
        for key in ("grammar", "opinion"):
            print(f"\ntopics, {key}")
            pooled, pooled_old = Score(), Score()
            for g, out in rows.items():
                s = Score()
                for r in out:
                    s.tp += r[key] and r["want"]
                    s.fp += r[key] and not r["want"]
                    s.fn += r["want"] and not r[key]
                pooled.tp, pooled.fp, pooled.fn = pooled.tp + s.tp, pooled.fp + s.fp, pooled.fn + s.fn
                cell = pr(s)
                if base is not None and g in base:
                    o = Score()
                    for r in base[g]:
                        o.tp += r[key] and r["want"]
                        o.fp += r[key] and not r["want"]
                        o.fn += r["want"] and not r[key]
                    pooled_old.tp, pooled_old.fp, pooled_old.fn = (
                        pooled_old.tp + o.tp, pooled_old.fp + o.fp, pooled_old.fn + o.fn)
                    cell = f"{pr(o)} → {cell}"
                print(f"  {g:10} {cell}")
            print(f"  {'pooled':10} {pr(pooled_old) + ' → ' if base else ''}{pr(pooled)}")
    if base is not None:
        for g, out in rows.items():
            old = {r["draft"]: r for r in base.get(g, [])}
            moved = [(old[r["draft"]], r) for r in out
                     if r["draft"] in old and old[r["draft"]]["grammar"] != r["grammar"]]
            if moved:
                print(f"\n{g}: {len(moved)} drafts moved (grammar)")
                for o, n in moved[:args.show]:
                    print(f"  want {n['want']}: {o['grammar']} → {n['grammar']}  {n['draft'][:100]}")
    if args.write:
        args.write.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    if args.scores or args.compare:
        return
    tracer = Tracer(checker)
    table: Counter[tuple[str, str]] = Counter()
    details: Counter[str] = Counter()
    shown: dict[str, list[str]] = {}
    for g, out in rows.items():
        for r in out:
            if not r["want"] or r["grammar"]:
                continue
            klass, cat, detail = classify(checker, tracer, r["draft"])
            table[(cat, klass)] += 1
            if klass == "suppressed":
                details[detail.split(" ")[0]] += 1
            shown.setdefault(klass, []).append(f"{g} {cat} {detail} {r['draft'][:120]}")
    classes = ("no_word", "no_evidence", "suppressed", "split", "merged")
    cats = sorted({c for c, _ in table}, key=lambda c: -sum(table[(c, k)] for k in classes))
    print(f"\nmisses of the grammar (opinion=False), groups {', '.join(rows)}")
    print(f"{'category':14}" + "".join(f"{k:>12}" for k in classes) + f"{'total':>8}")
    for c in cats:
        total = sum(table[(c, k)] for k in classes)
        print(f"{c:14}" + "".join(f"{table[(c, k)]:>12}" for k in classes) + f"{total:>8}")
    print(f"{'total':14}" + "".join(f"{sum(table[(c, k)] for c in cats):>12}" for k in classes)
          + f"{sum(table.values()):>8}")
    print("\nsuppressed by:", ", ".join(f"{k} {v}" for k, v in details.most_common()))
    for klass in classes:
        for line in shown.get(klass, [])[:args.show]:
            print(f"  {klass}: {line}")


if __name__ == "__main__":
    main()
