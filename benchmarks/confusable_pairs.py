"""List pairs of knowledge entries a question could confuse: near-duplicate answers or alternate
questions (e5 cosine of the answers as passages, the best cosine between their question texts —
title, alternate questions, answer sentences — and the best RapidFuzz ratio between their
questions), with their source clauses, whether they cite one clause in common, and whether they
point to each other (`related`). An audit tool for the knowledge, not a test; it reads the vectors
`kb build` stored (knowledge/vectors.npz) and embeds only what is missing.

    .venv/bin/python benchmarks/confusable_pairs.py [--top 80] [--shared-clause] [--unlinked]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.cli.common import cache_dir
from bot.core.ask.embed import load_embedder
from bot.core.ask.knowledge import load_knowledge
from bot.core.ask.semantic import SemanticTexts, fill_store


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", type=int, default=80)
    ap.add_argument("--shared-clause", action="store_true", help="only pairs citing one clause in common")
    ap.add_argument("--unlinked", action="store_true", help="only pairs not pointing to each other both ways")
    args = ap.parse_args()
    kb = load_knowledge()
    es = kb.entries
    emb, why = load_embedder()
    if emb is None:
        print(f"no embedder: {why}", file=sys.stderr)
        return 1
    texts = SemanticTexts.of(kb)
    store, _ = fill_store(kb, emb, texts=texts, cache=cache_dir().path)
    n = len(es)
    qv = store.matrix("query", texts.queries)
    own = np.asarray(texts.owners)
    keep = own < n  # decoys out
    qv, own = qv[keep], own[keep]
    ans = store.matrix("passage", texts.passages)
    acos = ans @ ans.T
    qcos = qv @ qv.T
    best_q = np.full((n, n), -1.0, dtype=np.float32)
    for i in range(n):
        rows = qcos[own == i]
        m = rows.max(axis=0)
        best_q[i] = np.array([m[own == j].max() for j in range(n)])
    rows_out = []
    for i in range(n):
        for j in range(i + 1, n):
            if args.unlinked and kb.one_rule(i, j):
                continue
            shared = {(s.doc, s.clause) for s in es[i].sources} & {(s.doc, s.clause) for s in es[j].sources}
            if args.shared_clause and not shared:
                continue
            score = 0.5 * acos[i, j] + 0.5 * best_q[i, j]
            rows_out.append((score, i, j))
    rows_out.sort(reverse=True)
    for score, i, j in rows_out[: args.top]:
        a, b = es[i], es[j]
        fz = max(fuzz.ratio(x, y) for x in (a.title, *a.questions) for y in (b.title, *b.questions))
        linked = ("<->" if b.id in a.related and a.id in b.related else
                  "->" if b.id in a.related else "<-" if a.id in b.related else "  ")
        print(f"{score:.3f} ans {acos[i, j]:.3f} q {best_q[i, j]:.3f} fz {fz:3.0f} {linked} {a.id} | {b.id}")
        print(f"      {a.title} [{a.source}]")
        print(f"      {b.title} [{b.source}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
