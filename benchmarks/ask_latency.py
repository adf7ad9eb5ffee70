"""Ask latency, start-up time and peak memory (issue: knowledge base and ask engine).

Run:  .venv/bin/python benchmarks/ask_latency.py [--entries 10000] [--queries 2000]

Prints p50/p99 of Matcher.ask with the shipped knowledge base and with a synthetic one of
N entries (built from the shipped vocabulary), the wall time from process start to the first
answer of `python -m bot ask` (warm cache and cold cache), and peak RSS of each.
Goals: p50 <= 1 ms and p99 <= 5 ms at 10,000 entries; first answer <= 1.0 s.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.ask.knowledge import KnowledgeBase, load_knowledge  # noqa: E402
from bot.core.ask.matcher import Matcher  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def time_queries(matcher: Matcher, queries: list[str]) -> tuple[float, float]:
    for q in queries[:50]:  # warm caches
        matcher.ask(q)
    samples = []
    for q in queries:
        t0 = time.perf_counter()
        matcher.ask(q)
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), percentile(samples, 0.99)


def synthetic_kb(kb: KnowledgeBase, n: int, rng: random.Random) -> KnowledgeBase:
    """N entries whose questions recombine fragments of the real alternate questions."""
    fragments = [q[i:i + 3] for e in kb.entries for q in e.questions for i in range(0, max(1, len(q) - 2), 2)]
    entries = []
    for i in range(n):
        base = kb.entries[i % len(kb.entries)]
        questions = tuple("".join(rng.sample(fragments, rng.randint(3, 6))) for _ in range(6))
        entries.append(replace(base, id=f"synthetic.e{i}", questions=questions, related=(),
                               keywords=tuple(rng.sample(fragments, 3))))
    return KnowledgeBase(entries, kb.synonyms, kb.decoys, kb.userdict, kb.directory)


def perturb(q: str, rng: random.Random) -> str:
    """A real user's variation: drop a character, add a particle."""
    if len(q) > 4:
        i = rng.randrange(len(q))
        q = q[:i] + q[i + 1:]
    return q + rng.choice(["", "啊", "呢", "吗", "？"])


def first_answer_seconds(env: dict[str, str], runs: int) -> tuple[float, int]:
    """Median wall time of `python -m bot ask` and peak RSS (KiB) of the child."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "ask", "电话响几声要接"], cwd=ROOT, env=env,
                       capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return statistics.median(times), rss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=2_000)
    args = ap.parse_args()
    rng = random.Random(7)

    env = dict(os.environ)
    cold_env = dict(env, LIBAO_CACHE_DIR=tempfile.mkdtemp(prefix="libao-cold-"))
    cold, _ = first_answer_seconds(cold_env, 1)
    warm, child_rss = first_answer_seconds(env, 5)
    print(f"start to first answer (python -m bot ask): warm {warm:.3f} s, cold cache {cold:.3f} s")
    print(f"peak RSS of that process: {child_rss / 1024:.0f} MiB")

    kb = load_knowledge()
    t0 = time.perf_counter()
    matcher = Matcher(kb)
    build = time.perf_counter() - t0
    queries = [perturb(q, rng) for e in kb.entries for q in e.questions]
    rng.shuffle(queries)
    queries = (queries * (args.queries // max(1, len(queries)) + 1))[: args.queries]
    p50, p99 = time_queries(matcher, queries)
    print(f"shipped KB ({len(kb)} entries, index {build * 1000:.0f} ms): ask p50 {p50:.3f} ms, p99 {p99:.3f} ms")

    from bot.core.ask.index_cache import load_matcher

    t0 = time.perf_counter()
    fused = load_matcher()
    load = time.perf_counter() - t0
    if fused.signals == ("lexical", "semantic"):
        fq = queries[: min(300, len(queries))]
        p50, p99 = time_queries(fused, fq)
        print(f"shipped KB, lexical + semantic (load {load * 1000:.0f} ms, 1 embedding thread): "
              f"ask p50 {p50:.1f} ms, p99 {p99:.1f} ms over {len(fq)} questions")
    else:
        print(f"semantic signal off here ({fused.semantic_off})")

    big = synthetic_kb(kb, args.entries, rng)
    t0 = time.perf_counter()
    big_matcher = Matcher(big)
    build = time.perf_counter() - t0
    big_queries = [perturb(rng.choice(e.questions), rng) for e in rng.sample(big.entries, min(1000, len(big)))]
    big_queries += queries[:1000]
    p50, p99 = time_queries(big_matcher, big_queries)
    print(f"synthetic KB ({len(big)} entries, index {build:.1f} s): ask p50 {p50:.3f} ms, p99 {p99:.3f} ms")
    print(f"peak RSS of this benchmark process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
