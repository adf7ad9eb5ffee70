"""Questions through Telegram against the ask engine alone, in the same run, on distinct questions.

Run:  .venv/bin/python benchmarks/bot_throughput.py [--messages 400] [--rate 20] [--seconds 15] [--echo]

Starts tests/e2e/launcher.js (telegram-test-api 4.2.1, quirks corrected on its side) on 127.0.0.1 and
`python -m bot serve` against it, unchanged but for its base_url, then:

1. engine alone: this process loads the same engine as the bot (lexical + semantic, one embedding
   thread) and answers the --messages questions one after another: questions/s;
2. throughput: the same questions from 200 users sent as fast as possible; msg/s = replies / (last
   bot reply - first user message), both stamped by the emulator; the ratio to the engine alone
   (goal >= 0.8: the channel adds little, and the embedding runs off the event loop);
3. latency: a steady --rate messages/s for --seconds, other distinct questions; each reply's latency
   is the emulator's time of the bot's sendMessage minus the time the user's message reached it. When
   --rate exceeds what the engine alone manages on this (possibly shared) machine, queues only grow,
   so latency is also measured at --engine-fraction of the engine's rate.

Every question is distinct (alternate questions of the knowledge base, each perturbed: a character
dropped, a particle added; no two alike), so no cache flatters either side. The per-user rate limit
is raised for the run (the limiter still runs); --echo measures a bare python-telegram-bot echo bot,
the emulator's own ceiling on this machine. Goals: >= 0.8x the engine's questions/s, p99 <= 200 ms at
20 msg/s. The machine may be shared: the engine alone is the peer, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from emulator import TOKEN, BotProcess, Client, emulator, node_missing_reason, start_bot, write_config  # noqa: E402

USERS = list(range(100_001, 100_201))
QUESTIONS: list[str] = []  # filled in main(): distinct questions, index = message number


def distinct_questions(n: int) -> list[str]:
    """`n` distinct questions: perturbed alternate questions of the shipped knowledge base."""
    from bot.core.ask.knowledge import load_knowledge

    rng = random.Random(11)
    pool = [q for e in load_knowledge().entries for q in e.questions]
    out: dict[str, None] = {}
    while len(out) < n:
        q = rng.choice(pool)
        if len(q) > 4:
            i = rng.randrange(len(q))
            q = q[:i] + q[i + 1:]
        out.setdefault(q + rng.choice(["", "啊", "呢", "吗", "？", "呀"]))
    return list(out)


def workload(i: int) -> str:
    return QUESTIONS[i]


def engine_alone(questions: list[str]) -> float:
    """Questions/s of the bot's engine (same loader, same signals) answering one after another."""
    from bot.core.ask.index_cache import load_matcher
    from bot.core.cache import CacheDir

    with tempfile.TemporaryDirectory() as cache:
        matcher = load_matcher(cache=CacheDir.open(Path(cache)), threads=1)
        print(f"engine: signals {' + '.join(matcher.signals)}")
        for q in questions[:10]:
            matcher.ask(q + "嘛")  # warm-up on questions not in the measured set
        t0 = time.perf_counter()
        for q in questions:
            matcher.ask(q, limit=4)
        return len(questions) / (time.perf_counter() - t0)


def body(i: int, text: str) -> tuple[str, dict[str, Any]]:
    user = USERS[i % len(USERS)]
    message: dict[str, Any] = {
        "botToken": TOKEN, "from": {"id": user, "is_bot": False, "first_name": "压测"},
        "chat": {"id": user, "type": "private", "first_name": "压测"}, "date": int(time.time()), "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
        return "/sendCommand", message
    return "/sendMessage", message


async def send_all(url: str, start: int, count: int, *, rate: float | None, concurrency: int = 16) -> None:
    """Send `count` messages: as fast as possible (rate None) or paced at `rate` per second."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        if rate is None:
            queue: asyncio.Queue[int] = asyncio.Queue()
            for i in range(start, start + count):
                queue.put_nowait(i)

            async def worker() -> None:
                while not queue.empty():
                    i = queue.get_nowait()
                    path, data = body(i, workload(i))
                    (await http.post(path, json=data)).raise_for_status()

            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return
        t0 = time.perf_counter()
        pending = set()
        for n, i in enumerate(range(start, start + count)):
            delay = t0 + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            path, data = body(i, workload(i))
            pending.add(asyncio.create_task(http.post(path, json=data)))
            pending = {p for p in pending if not p.done()}
        await asyncio.gather(*pending)


def wait_for_replies(client: Client, expected: int, timeout: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        events = client.timeline()
        if sum(e["kind"] == "bot" for e in events) >= expected or time.monotonic() > deadline:
            return events
        time.sleep(0.2)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def latencies(events: list[dict[str, Any]]) -> list[float]:
    """Per chat, pair each user message with the next bot reply (one message in flight per chat)."""
    waiting: dict[int, list[float]] = {}
    out = []
    for e in sorted(events, key=lambda e: e["t"]):
        if e["kind"] == "user":
            waiting.setdefault(e["chat"], []).append(e["t"])
        elif waiting.get(e["chat"]):
            out.append(e["t"] - waiting[e["chat"]].pop(0))
    return out


ECHO_BOT = """
import sys
from telegram.ext import Application, MessageHandler, filters
async def echo(update, context):
    await update.effective_message.reply_text(update.effective_message.text)
app = (Application.builder().token(sys.argv[1]).base_url(sys.argv[2] + "/bot").concurrent_updates(16).build())
app.add_handler(MessageHandler(filters.TEXT, echo))
async def ready(app):
    await app.bot.set_my_commands([("start", "start")])
app.post_init = ready
app.run_polling(timeout=10)
"""


def start_echo_bot(url: str, log_path: Path) -> BotProcess:
    log = log_path.open("wb")
    proc = subprocess.Popen([sys.executable, "-c", ECHO_BOT, TOKEN, url], cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True, env=dict(os.environ))
    return BotProcess(proc, log_path, log)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--engine-fraction", type=float, default=0.5,
                        help="when --rate exceeds what the engine alone manages here, also measure latency "
                             "at this fraction of the engine's rate")
    parser.add_argument("--echo", action="store_true", help="measure a bare echo bot instead of libao")
    args = parser.parse_args()
    reason = node_missing_reason()
    if reason:
        print(f"skipped: {reason}")
        return 0
    warmup = 50
    steady = 2 * int(args.rate * args.seconds)
    QUESTIONS.extend(distinct_questions(warmup + args.messages + steady))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    engine_qps = 0.0
    if not args.echo:
        engine_qps = engine_alone(QUESTIONS[warmup:warmup + args.messages])
        print(f"engine alone: {engine_qps:.1f} questions/s over {args.messages} distinct questions")
    with tempfile.TemporaryDirectory() as tmp_dir, emulator() as emu:
        tmp = Path(tmp_dir)
        if args.echo:
            bot = start_echo_bot(emu.url, tmp / "bot.log")
        else:
            config = write_config(tmp / "config.yaml", emu.url, allowed=USERS, concurrent_updates=16,
                                  rate_limit={"burst": 1000, "per_minute": 6000})
            bot = start_bot(config, tmp / "libao.db", tmp / "bot.log")
        client = Client(emu.url)
        try:
            client.wait_until_ready(bot)
            label = "echo bot" if args.echo else "libao"
            # warm-up (first answers load caches)
            asyncio.run(send_all(emu.url, 0, warmup, rate=None))
            wait_for_replies(client, warmup, 120)
            client.reset()

            asyncio.run(send_all(emu.url, warmup, args.messages, rate=None))
            events = wait_for_replies(client, args.messages, 600)
            users = [e["t"] for e in events if e["kind"] == "user"]
            bots = [e["t"] for e in events if e["kind"] == "bot"]
            elapsed = (max(bots) - min(users)) / 1000
            rate = len(bots) / elapsed
            versus = f" = {rate / engine_qps:.2f}x the engine alone" if engine_qps else ""
            print(f"{label}: throughput {len(bots)}/{args.messages} replies in {elapsed:.2f} s = "
                  f"{rate:.1f} msg/s{versus}")
            client.reset()

            rates = [args.rate]
            if engine_qps and engine_qps * args.engine_fraction < args.rate:
                rates.append(round(engine_qps * args.engine_fraction, 1))  # a loaded machine: also below capacity
            start = warmup + args.messages
            for paced in rates:
                count = int(paced * args.seconds)
                asyncio.run(send_all(emu.url, start, count, rate=paced))
                start += count
                events = wait_for_replies(client, count, 600)
                lat = latencies(events)
                print(f"{label}: latency at {paced:.1f} msg/s over {args.seconds:.0f} s ({len(lat)} replies): "
                      f"p50 {percentile(lat, 0.50):.1f} ms, p99 {percentile(lat, 0.99):.1f} ms, "
                      f"mean {statistics.fmean(lat):.1f} ms, max {max(lat):.1f} ms")
                client.reset()
        finally:
            client.close()
            bot.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
