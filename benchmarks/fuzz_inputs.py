"""Fuzz run: ≥ 100,000 hostile inputs through ask, check, phrase, the assistant and report conversations.

The inputs come from the fuzz suite's generator (tests/support/fuzz.py: characters outside the basic
plane, lone surrogates, line separators, the rules' own words repeated, very long runs...). Every
exception is a crash; the figures are the inputs per entry point, the crashes (with the first few
inputs that crashed, shortened) and the slowest input of each entry point: by wall time, and by CPU
time of the calling thread (on a shared machine the wall time also holds other jobs' turns; the
embedder's worker threads, if more than one, are not counted).

    .venv/bin/python benchmarks/fuzz_inputs.py [--inputs 100000] [--seed 1] [--save slowest.json]
        [--only ENTRY_POINT]    # e.g. --only ask+semantic --inputs 3000: every input through that one
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from support.fuzz import hostile_text  # noqa: E402

from bot.core.ask.index_cache import load_matcher  # noqa: E402
from bot.core.chat.assistant import Assistant, AssistantOptions  # noqa: E402
from bot.core.chat.reply import Sender  # noqa: E402
from bot.core.chat.store import MemoryStore  # noqa: E402
from bot.core.check.checker import default_checker  # noqa: E402
from bot.core.check.rules import Marker, Rule, Topic  # noqa: E402
from bot.core.phrases.phrasebook import default_phrasebook  # noqa: E402
from bot.core.reports.service import AssistantReportFlow  # noqa: E402
from bot.core.text.inputs import MAX_DRAFT_CHARS  # noqa: E402
from bot.wiring import console_report_service  # noqa: E402

# Share of the inputs per entry point. "ask" is the lexical engine; "ask+semantic" the shipped default
# with the embedding signal attached (the embedder dominates: a small share).
SHARES = {"ask": 0.295, "ask+semantic": 0.005, "check": 0.3, "phrase": 0.15, "assistant": 0.15, "report": 0.1}


def _show(text: str, width: int = 48) -> str:
    escaped = text[:width].encode("unicode_escape").decode("ascii")
    return escaped[:width] + ("…" if len(escaped) > width or len(text) > width else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--save", type=Path, help="write the slowest input of each entry point (by CPU time) "
                        "here as JSON, to profile it")
    parser.add_argument("--only", choices=sorted(SHARES), help="send every input through this entry point")
    args = parser.parse_args()
    shares = {args.only: 1.0} if args.only else SHARES
    rng = random.Random(args.seed)

    semantic = load_matcher()
    matcher = load_matcher(semantic=False)
    checker = default_checker()
    book = default_phrasebook()
    assistant = Assistant(matcher, MemoryStore(), checker=checker, phrasebook=book, options=AssistantOptions())
    assistant.report_flow = AssistantReportFlow(console_report_service(user_id=1))
    me = Sender(user_id=1, first_name="测试", role="staff")

    def assistant_call(text: str) -> None:
        how = rng.choice(("text", "check", "phrase", "tap", "inline", "settings"))
        if how == "text":
            assistant.text(me, text)
        elif how == "tap":
            assistant.tap(me, text)
        elif how == "inline":
            assistant.inline(me, text)
        else:
            assistant.command(me, how, text)
        assistant.cancel(me)

    conversation: dict[str, object] = {"last": None, "user": 2}

    def report_step(text: str) -> None:
        user = Sender(user_id=int(str(conversation["user"])), first_name="报告人")
        last = conversation["last"]
        roll = rng.random()
        if last is None or roll < 0.08:
            conversation["user"] = rng.randint(2, 10**6)
            last = assistant.command(Sender(user_id=int(str(conversation["user"]))), "report", "")
        elif roll < 0.5 and getattr(last, "buttons", None):
            data = [b.data for row in last.buttons for b in row if b.data]  # type: ignore[attr-defined]
            last = assistant.tap(user, rng.choice(data)) if data else assistant.text(user, text)
        elif roll < 0.55:
            last = assistant.tap(user, text)
        else:
            last = assistant.text(user, text)
        conversation["last"] = last

    targets: dict[str, Callable[[str], object]] = {
        "ask": lambda s: matcher.ask(s, limit=3),
        "ask+semantic": lambda s: semantic.ask(s, limit=3),
        "check": lambda s: checker.check(s[:MAX_DRAFT_CHARS]),
        "phrase": lambda s: book.find(s, limit=3),
        "assistant": assistant_call,
        "report": report_step,
    }
    counts: Counter[str] = Counter()
    crashes: Counter[str] = Counter()
    examples: list[str] = []
    slowest: dict[str, tuple[float, str]] = {}  # by wall time (includes waiting for the CPU on a shared machine)
    heaviest: dict[str, tuple[float, str]] = {}  # by CPU time of this thread
    # Warm-up: every rule's examples once (the checker builds its homophone table on its first draft, ~0.8 s) and
    # one call of each engine, so that one-off start-up costs are not reported as an input's time.
    rs = checker.ruleset
    items: list[Rule | Marker | Topic] = [*rs.rules, *rs.markers, *rs.topics]
    for item in items:
        for draft in (*item.examples.hit, *item.examples.clean):
            checker.check(draft)
    checker.check("ni zi ji kan ba")  # the pinyin reading table
    for warm in (matcher.ask, semantic.ask, book.find):
        warm("电话响几声要接", limit=3)
    # The loaded engines are over a million objects: a full garbage collection walks them all
    # (about 160 ms CPU) and is charged to whichever input happens to trigger it. Frozen, they are
    # left out of collections, and an input's time is its own.
    gc.freeze()
    plan = [name for name, share in shares.items() for _ in range(round(args.inputs * share))]
    rng.shuffle(plan)
    started = time.perf_counter()
    for name in plan:
        text = hostile_text(rng)
        t0, c0 = time.perf_counter(), time.thread_time()
        try:
            targets[name](text)
        except Exception as exc:
            crashes[f"{name}: {type(exc).__name__}"] += 1
            if len(examples) < 5:
                examples.append(f"{name}: {type(exc).__name__}: {_show(text)}")
        elapsed, cpu = time.perf_counter() - t0, time.thread_time() - c0
        counts[name] += 1
        if elapsed > slowest.get(name, (0.0, ""))[0]:
            slowest[name] = (elapsed, text)
        if cpu > heaviest.get(name, (0.0, ""))[0]:
            heaviest[name] = (cpu, text)
    total = time.perf_counter() - started

    print(f"fuzz run: {sum(counts.values()):,} inputs in {total:.0f} s (seed {args.seed})")
    print(f"{'entry point':<13} {'inputs':>8} {'crashes':>8}  slowest input by wall time | by CPU time (length, start)")
    for name in shares:
        t, text = slowest.get(name, (0.0, ""))
        c, heavy = heaviest.get(name, (0.0, ""))
        n_crash = sum(v for k, v in crashes.items() if k.startswith(name + ":"))
        print(f"{name:<13} {counts[name]:>8,} {n_crash:>8}  {t * 1000:.1f} ms wall ({len(text):,} chars) | "
              f"{c * 1000:.1f} ms CPU ({len(heavy):,} chars, {_show(heavy)})")
    if args.save:
        args.save.write_text(json.dumps({name: {"cpu_ms": round(c * 1000, 1), "text": text}
                                         for name, (c, text) in heaviest.items()}, ensure_ascii=True), encoding="ascii")
    print(f"crashes: {sum(crashes.values())} / {sum(counts.values()):,}")
    for kind, n in crashes.most_common():
        print(f"  {kind}: {n}")
    for line in examples:
        print(f"  e.g. {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
