"""`kb lint` with an empty cache (cold) and again with the cache it left (warm), CPU time of the
process, beside a peer measured in the same run.

Cases: the shipped knowledge (sound: every check runs, the curation check included) and a copy of
it whose userdict.txt is not UTF-8 (broken: the knowledge is refused, the rule files and their
examples are still judged). The peer is a fixed pure-Python workload in a child process (the
per-question peer of ask_latency.py, 2,000 times: about 2 CPU-s on an idle core), so a ratio means
the same on a busy machine; the goal, 5 s on an idle core, is a ratio of 2.5.

    .venv/bin/python benchmarks/lint_cold.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PEER = ("from ask_latency import peer_work\n"
        "for _ in range(2000):\n"
        "    peer_work()\n")
GOAL_RATIO = 2.5  # 5 s on an idle core, where the peer takes about 2 s


def child(args: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(CPU s, wall s, exit code) of one child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - t0, os.waitstatus_to_exitcode(status)


def lint(knowledge: Path, cache: Path, *, cold: bool) -> tuple[float, float, int]:
    if cold:
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir(mode=0o700)
    env = dict(os.environ, LIBAO_CACHE_DIR=str(cache))
    return child([sys.executable, "-m", "bot", "--knowledge", str(knowledge), "kb", "lint"], env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each case; the median is shown")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="libao-lint-bench-") as tmp:
        broken = Path(tmp) / "knowledge"
        shutil.copytree(ROOT / "knowledge", broken)
        with (broken / "userdict.txt").open("ab") as f:
            f.write(b"\xff\xfe not UTF-8\n")
        cases = {"sound": ROOT / "knowledge", "broken userdict": broken}
        rows: dict[str, list[tuple[float, float, int]]] = {}
        peers: list[float] = []
        for _ in range(max(1, args.runs)):  # interleaved: the peer sees the same load as the lints
            peers.append(child([sys.executable, "-c", PEER], dict(os.environ, PYTHONPATH=str(ROOT / "benchmarks")))[0])
            for name, knowledge in cases.items():
                cache = Path(tmp) / f"cache-{name.replace(' ', '-')}"
                rows.setdefault(f"{name}, cold", []).append(lint(knowledge, cache, cold=True))
                rows.setdefault(f"{name}, warm", []).append(lint(knowledge, cache, cold=False))
    peer = statistics.median(peers)
    print(f"peer (fixed pure-Python workload): {peer:.2f} CPU-s (median of {len(peers)})")
    for name, found in rows.items():
        cpu = statistics.median(r[0] for r in found)
        wall = statistics.median(r[1] for r in found)
        codes = sorted({r[2] for r in found})
        mark = "" if cpu / peer <= GOAL_RATIO else "  (over the goal)"
        print(f"kb lint, {name:<22} {cpu:5.2f} CPU-s, {wall:5.2f} s wall, exit {codes}: "
              f"{cpu / peer:.2f} x the peer{mark}")
    print(f"goal: cold ≤ {GOAL_RATIO} x the peer (5 s on an idle core)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
