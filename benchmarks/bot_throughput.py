"""Bot throughput and reply latency through the Telegram Bot API emulator, with libao's real handlers.

Run:  .venv/bin/python benchmarks/bot_throughput.py [--messages 2000] [--rate 50] [--seconds 20] [--echo]

Starts tests/e2e/launcher.js (telegram-test-api 4.2.1, quirks corrected on its side) on 127.0.0.1 and
`python -m bot serve` against it, unchanged but for its base_url, then:

1. throughput: --messages messages from 200 users sent as fast as possible; msg/s = messages /
   (last bot reply - first user message), both stamped by the emulator;
2. latency: a steady --rate messages/s for --seconds; each reply's latency is the emulator's time
   of the bot's sendMessage minus the time the user's message reached it; p50 and p99.

The mix is libao's real work: 80 % questions (matcher), 10 % /check (draft checker), 10 % /phrase.
The per-user rate limit is raised for the run (the limiter still runs); --echo measures a bare
python-telegram-bot echo bot instead, the emulator's own ceiling on this machine.
Goals: >= 200 msg/s, p99 <= 100 ms at 50 msg/s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
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
QUESTIONS = ["电话响几声要接？", "接电话第一句说什么", "客户投诉怎么办", "上班能不能嚼口香糖", "涉密文件能带回家吗",
             "名片怎么递", "电梯里怎么站", "来访客人怎么接待", "邮件怎么写称呼", "绝密文件保密期限多久"]
CHECKS = ["/check 这事不归我管，你找别人去。", "/check 您好，请稍等，我帮您查询。"]
PHRASES = ["/phrase 道歉", "/phrase 请稍等"]


def workload(i: int) -> str:
    if i % 10 == 3:
        return CHECKS[(i // 10) % len(CHECKS)]
    if i % 10 == 7:
        return PHRASES[(i // 10) % len(PHRASES)]
    return QUESTIONS[i % len(QUESTIONS)]


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
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--echo", action="store_true", help="measure a bare echo bot instead of libao")
    args = parser.parse_args()
    reason = node_missing_reason()
    if reason:
        print(f"skipped: {reason}")
        return 0
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
            asyncio.run(send_all(emu.url, 0, 50, rate=None))
            wait_for_replies(client, 50, 60)
            client.reset()

            asyncio.run(send_all(emu.url, 50, args.messages, rate=None))
            events = wait_for_replies(client, args.messages, 120)
            users = [e["t"] for e in events if e["kind"] == "user"]
            bots = [e["t"] for e in events if e["kind"] == "bot"]
            elapsed = (max(bots) - min(users)) / 1000
            print(f"{label}: throughput {len(bots)}/{args.messages} replies in {elapsed:.2f} s = "
                  f"{len(bots) / elapsed:.0f} msg/s")
            client.reset()

            count = int(args.rate * args.seconds)
            asyncio.run(send_all(emu.url, 10_000, count, rate=args.rate))
            events = wait_for_replies(client, count, 60)
            lat = latencies(events)
            print(f"{label}: latency at {args.rate:.0f} msg/s over {args.seconds:.0f} s ({len(lat)} replies): "
                  f"p50 {percentile(lat, 0.50):.1f} ms, p99 {percentile(lat, 0.99):.1f} ms, "
                  f"mean {statistics.fmean(lat):.1f} ms, max {max(lat):.1f} ms")
        finally:
            client.close()
            bot.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
