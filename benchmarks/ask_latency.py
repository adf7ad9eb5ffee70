"""Ask latency, start-up time, build times and peak memory, each beside a peer measured in the same run.

Run:  .venv/bin/python benchmarks/ask_latency.py [--entries 10000] [--queries 2000] [--fused-queries 300]

Prints, on the shipped knowledge base and on a synthetic one of --entries entries:
- p50/p99 of Matcher.ask per question, lexical only and lexical + semantic (one embedding thread; the
  synthetic knowledge base gets random unit vectors for its texts: the cost of scoring them is real,
  the question's embedding is the real model's). Questions are distinct: perturbed alternate questions;
- start to first answer of `python -m bot ask` as a new process: warm (the index cache filled) and
  cold (an empty cache directory; the shipped vocabulary and vectors are used, as on a fresh
  install), with each process's peak RSS; and of `python -m bot chat` answering 100 questions
  (peak RSS while serving the shipped knowledge base);
- index build time (YAML -> lexical index), semantic index build time (from the shipped vectors),
  the embedding rate and the projected time to embed every text (`kb build` from nothing);
- the peak RSS of this process.

The machine may be shared, so every figure comes with a peer measured in the same run: for start
times a bare `python -c pass`, for per-question times a fixed pure-Python workload (`peer_work`).
Goals (issue): shipped p50 <= 30 ms, p99 <= 100 ms; p50 <= 60 ms at 10,000 entries; warm start
<= 0.5 s, cold start <= 1.0 s; peak RSS <= 250 MB serving the shipped knowledge base.
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bot  # noqa: E402, F401  (before NumPy, as in every libao process: it fixes NumPy's BLAS threads)

# isort: split
import numpy as np  # noqa: E402

from bot.core.ask.knowledge import KnowledgeBase, load_knowledge  # noqa: E402
from bot.core.ask.matcher import Matcher  # noqa: E402

QUESTION = "电话响几声要接"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def peer_work() -> None:
    """A fixed pure-Python workload (about a millisecond on an idle core): the per-question peer."""
    data = [(i * 7919) % 10007 for i in range(6000)]
    data.sort()
    "".join(str(x) for x in data[:2000])


def time_calls(fn, items: list) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(p50, p99) in ms of fn(item) over `items` (each once: distinct questions, no cache flatters)."""
    samples = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), percentile(samples, 0.99)


def peer_ms(n: int = 300) -> float:
    return time_calls(lambda _: peer_work(), list(range(n)))[0]


def synthetic_kb(kb: KnowledgeBase, n: int, rng: random.Random) -> KnowledgeBase:
    """N entries whose questions recombine fragments of the real alternate questions."""
    fragments = [q[i:i + 3] for e in kb.entries for q in e.questions for i in range(0, max(1, len(q) - 2), 2)]
    entries = []
    for i in range(n):
        base = kb.entries[i % len(kb.entries)]
        questions = tuple("".join(rng.sample(fragments, rng.randint(3, 6))) for _ in range(6))
        entries.append(replace(base, id=f"synthetic.e{i}", questions=questions, related=(),
                               keywords=tuple(rng.sample(fragments, 3))))
    return KnowledgeBase(entries, kb.synonyms, kb.decoys, kb.userdict, kb.directory, kb.language, kb.fillers,
                         kb.english, kb.standard)


def perturb(q: str, rng: random.Random) -> str:
    """A real user's variation: drop a character, add a particle."""
    if len(q) > 4:
        i = rng.randrange(len(q))
        q = q[:i] + q[i + 1:]
    return q + rng.choice(["", "啊", "呢", "吗", "？"])


def distinct_questions(kb: KnowledgeBase, n: int, rng: random.Random) -> list[str]:
    out: dict[str, None] = {}
    pool = [q for e in kb.entries for q in e.questions]
    while len(out) < min(n, len(pool)):
        out.setdefault(perturb(rng.choice(pool), rng))
    return list(out)


def bot_process(args: Sequence[str | bytes], env: dict[str, str], stdin: bytes = b"", *, cwd: Path = ROOT,
                preexec_fn: Callable[[], None] | None = None) -> tuple[int, float, resource.struct_rusage]:
    """(exit code, wall s, resource usage) of one `python -m bot ...` process fed `stdin`, started in
    `cwd` (so that `python -m bot` imports that tree's `bot`); its usage is its own, from wait4, not
    the benchmark's. The one child runner of the benchmarks that time or weigh a process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bot", *args], cwd=cwd, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=preexec_fn)
    assert proc.stdin is not None
    proc.stdin.write(stdin)
    proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, wall, usage


def run_child(args: list[str], env: dict[str, str], stdin: bytes = b"", *, cwd: Path = ROOT
              ) -> tuple[float, float, int]:
    """(wall s, CPU s, peak RSS KiB) of one `python -m bot ...` process that must succeed."""
    code, wall, usage = bot_process(args, env, stdin, cwd=cwd)
    if code != 0:
        raise SystemExit(f"python -m bot {' '.join(args)} failed ({code}) in {cwd}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def serving(questions: list[str], *, cwd: Path = ROOT) -> tuple[float, int]:
    """(wall s, peak RSS KiB) of `chat` answering `questions` then /quit, in a fresh cache directory
    filled first by one `ask`, as a served install has it."""
    with tempfile.TemporaryDirectory(prefix="libao-bench-cache-") as cache:
        env = dict(os.environ, LIBAO_CACHE_DIR=cache)
        run_child(["ask", QUESTION], env, cwd=cwd)
        wall, _, rss = run_child(["chat"], env, ("\n".join(questions) + "\n/quit\n").encode(), cwd=cwd)
    return wall, rss


def bare_start(runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def start_times(runs: int, lexical_only: bool) -> None:
    flags = ["--lexical-only"] if lexical_only else []
    label = "lexical only" if lexical_only else "lexical + semantic"
    cache = tempfile.mkdtemp(prefix="libao-bench-cache-")
    env = dict(os.environ, LIBAO_CACHE_DIR=cache)
    cold = []
    for _ in range(max(1, runs // 2)):
        for p in Path(cache).iterdir():
            p.unlink()
        cold.append(run_child([*flags, "ask", QUESTION], env))
    warm = [run_child([*flags, "ask", QUESTION], env) for _ in range(runs)]
    peer = bare_start(runs)
    for name, rows in (("warm", warm), ("cold", cold)):
        wall = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[1] for r in rows)
        rss = max(r[2] for r in rows) / 1024
        print(f"  start to first answer, {label}, {name} cache: {wall:.3f} s wall, {cpu:.3f} s CPU, "
              f"peak RSS {rss:.0f} MiB (peer `python -c pass` {peer:.3f} s: ratio {wall / peer:.1f}x)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=2_000)
    ap.add_argument("--fused-queries", type=int, default=300)
    ap.add_argument("--starts", type=int, default=5, help="processes per start-time figure")
    args = ap.parse_args()
    rng = random.Random(7)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    # An installed libao has its bytecode compiled (pip does it); a work tree run with
    # PYTHONDONTWRITEBYTECODE would compile every module of every start instead.
    compileall.compile_dir(ROOT / "bot", quiet=1)

    print("start-up (new processes):")
    start_times(args.starts, lexical_only=False)
    start_times(args.starts, lexical_only=True)
    kb = load_knowledge()
    wall, rss = serving(distinct_questions(kb, 100, random.Random(3)))
    print(f"  serving the shipped knowledge base (`python -m bot chat`, 100 questions, checker and "
          f"phrasebook loaded): peak RSS {rss / 1024:.0f} MiB, {wall:.1f} s")

    print("build:")
    t0 = time.perf_counter()
    kb = load_knowledge()
    matcher = Matcher(kb)
    build = time.perf_counter() - t0
    print(f"  lexical index of the shipped knowledge base (YAML -> index, shipped vocabulary: "
          f"{matcher.seg.shipped}): {build * 1000:.0f} ms")
    from bot.core.ask.embed import load_embedder
    from bot.core.ask.semantic import SemanticIndex, SemanticTexts, pooled_directions

    embedder, why_not = load_embedder(threads=1)
    if embedder is not None:
        t0 = time.perf_counter()
        semantic = SemanticIndex.build(kb, embedder)
        print(f"  semantic index from the shipped vectors: {(time.perf_counter() - t0) * 1000:.0f} ms")
        texts = SemanticTexts.of(kb)
        sample = texts.queries[:128]
        t0 = time.perf_counter()
        for i in range(0, len(sample), 32):
            embedder.embed(sample[i:i + 32], kind="query")
        rate = len(sample) / (time.perf_counter() - t0)
        total = len(set(texts.queries)) + len(set(texts.passages))
        print(f"  embedding: {rate:.0f} texts/s (1 thread): every text of the shipped knowledge base "
              f"({total}) from nothing ≈ {total / rate:.0f} s")
    else:
        semantic = None
        print(f"  semantic signal off here ({why_not})")

    print("per question (distinct questions, one thread):")
    queries = distinct_questions(kb, args.queries, rng)
    for q in queries[:50]:
        matcher.ask(q)
    peer = peer_ms()
    p50, p99 = time_calls(matcher.ask, queries)
    print(f"  shipped ({len(kb)} entries), lexical: p50 {p50:.2f} ms, p99 {p99:.2f} ms over {len(queries)} "
          f"(peer {peer:.2f} ms: p50 {p50 / peer:.1f}x)")
    if semantic is not None:
        matcher.attach(semantic)
        fq = queries[: args.fused_queries]
        peer = peer_ms()
        p50, p99 = time_calls(matcher.ask, fq)
        print(f"  shipped, lexical + semantic: p50 {p50:.1f} ms, p99 {p99:.1f} ms over {len(fq)} "
              f"(peer {peer:.2f} ms: p50 {p50 / peer:.1f}x)")

    big = synthetic_kb(kb, args.entries, rng)
    t0 = time.perf_counter()
    big_matcher = Matcher(big)
    build = time.perf_counter() - t0
    big_queries = [perturb(rng.choice(e.questions), rng) for e in rng.sample(big.entries, min(1000, len(big)))]
    big_queries = list(dict.fromkeys(big_queries + queries[:1000]))
    peer = peer_ms()
    p50, p99 = time_calls(big_matcher.ask, big_queries)
    print(f"  synthetic ({len(big)} entries, index built in {build:.1f} s incl. deriving its vocabulary), "
          f"lexical: p50 {p50:.2f} ms, p99 {p99:.2f} ms over {len(big_queries)} (peer {peer:.2f} ms: "
          f"p50 {p50 / peer:.1f}x)")
    if embedder is not None:
        texts = SemanticTexts.of(big)
        vectors = np.random.default_rng(1).standard_normal((len(texts.queries), embedder.dim), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        passages = vectors[: len(big.entries)].copy()
        owners = np.asarray(texts.owners, dtype=np.int64)
        starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
        n_docs = len(big.entries) + len(big.decoys)
        big_matcher.attach(SemanticIndex.from_arrays(embedder, {
            "queries": vectors, "passages": passages, "starts": starts, "docs": owners[starts],
            "n_docs": np.asarray(n_docs), "pooled": pooled_directions(vectors, owners, texts.pooled, n_docs)}, texts))
        fq = big_queries[: args.fused_queries]
        peer = peer_ms()
        p50, p99 = time_calls(big_matcher.ask, fq)
        print(f"  synthetic, lexical + semantic ({len(vectors)} vectors): p50 {p50:.1f} ms, p99 {p99:.1f} ms "
              f"over {len(fq)} (peer {peer:.2f} ms: p50 {p50 / peer:.1f}x)")
    print(f"peak RSS of this benchmark process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
