"""Which entries are confused: every in-scope question of FILES whose first entry (the shipped reranker,
knowledge/decision.yaml) is wrong, with the right entries' ranks, then the confused pairs by count.

Run:  .venv/bin/python benchmarks/confusions.py CACHE.json FILE [FILE ...]
CACHE.json is what `benchmarks/fit_decision.py FILES --questions CACHE.json` stored for the same FILES
in the same order. Fit sets only (never a held-out set): it lists their items.
"""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from fit_decision import _unmet, load_questions  # noqa: E402

from bot.core.ask.calibration import load_calibration  # noqa: E402
from bot.core.ask.evaluation import load_eval_file  # noqa: E402
from bot.core.ask.facts import FACT_FILE, entry_facts, load_fact_kinds  # noqa: E402
from bot.core.ask.knowledge import load_knowledge  # noqa: E402


def main() -> int:
    cache, files = Path(sys.argv[1]), [Path(f) for f in sys.argv[2:]]
    questions = load_questions(cache, json.loads(cache.read_text(encoding="utf-8"))["key"])
    kb = load_knowledge(ROOT / "knowledge")
    cal = load_calibration(ROOT / "knowledge" / "decision.yaml")
    if questions is None or cal is None or cal.rerank is None:
        print("no cached questions or no reranker", file=sys.stderr)
        return 1
    texts = []
    for f in files:
        data = load_eval_file(f)
        texts += [(f.name, str(i["q"]), i.get("style", "")) for i in data.get("ask", [])]
        texts += [(f.name, str(i["q"]), i.get("style", "")) for i in data.get("out_of_scope", [])]
    if len(texts) != len(questions):
        print("the cache holds other files", file=sys.stderr)
        return 1
    ids = [e.id for e in kb.entries]
    n = len(ids)
    topics, kin = [e.topic for e in kb.entries], [kb.kin(i) for i in range(n)]
    kinds = load_fact_kinds(kb.directory / FACT_FILE, kb.fold) if kb.directory is not None else None
    stated = [entry_facts(kinds, e.title, e.answer, kb.fold) for e in kb.entries]
    pairs: collections.Counter[tuple[str, str]] = collections.Counter()
    for (source, text, style), q in zip(texts, questions, strict=True):
        if q.oos or not q.rows:
            continue
        probs, _ = cal.rerank.probabilities(q.rows, n, words=q.words, unknown_share=q.unknown_share,
                                            coverage=q.coverage, topics=topics, kin=kin, keys=q.keys,
                                            unmet=_unmet(q, n, stated), fact_asked=float(bool(q.asked)))
        if not probs or probs[0][0] in q.right:
            continue
        first, p = probs[0]
        rights = [f"{ids[i]}#{k}:{pr:.2f}" for k, (i, pr) in enumerate(probs) if i in q.right][:2]
        pairs[(ids[first], rights[0].split("#")[0] if rights else "-")] += 1
        print(f"{p:.2f}\t{source}\t{style}\tfirst={ids[first]}\tright={' '.join(rights) or '-'}\t{text}")
    print("\n# confused pairs: wrong first <- right entry")
    for (wrong, right), count in pairs.most_common():
        print(count, wrong, "<-", right)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
