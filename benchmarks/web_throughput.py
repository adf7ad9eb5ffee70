"""Web chat API throughput and latency, with `python -m bot serve` running the Telegram bot (against the
Bot API emulator) and the web page in one process, as deployed.

Run:  .venv/bin/python benchmarks/web_throughput.py [--requests 1500] [--seconds 15]

Measured in the same run, on the same questions:
1. the ask engine alone: Assistant.ask in this process, one core, questions/s;
2. a trivial Starlette endpoint (returns a constant) under uvicorn in its own process: requests/s,
   the HTTP stack's own ceiling on this machine;
3. the chat API: POST /api/send (session cookie, CSRF token, JSON) of the running `serve`: questions/s
   with 8 connections;
4. p50/p99 latency of the chat API at a steady half of the rate reached in 3.
Goals: 3 >= 0.5 x 1; p99 <= 200 ms at half rate.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT))

from emulator import emulator, node_missing_reason, start_bot, write_config  # noqa: E402

QUESTIONS = ["电话响几声要接？", "接电话第一句说什么", "客户投诉怎么办", "上班能不能嚼口香糖", "涉密文件能带回家吗",
             "客户骂人怎么办", "密级有哪几种", "让客户等多久要回电", "着装有什么要求", "离开办公室文件怎么放"]
PASSWORD = "benchmark password 1"
TRIVIAL = """
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
async def hello(request):
    await request.body()
    return JSONResponse({"messages": [{"text": "ok"}]})
app = Starlette(routes=[Route("/api/send", hello, methods=["POST"])])
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def engine_rate(n: int) -> float:
    from bot.core.chat.assistant import load_assistant
    from bot.core.chat.reply import Sender
    from bot.core.chat.store import MemoryStore

    assistant = load_assistant(MemoryStore())
    sender = Sender(user_id=1)
    start = time.perf_counter()
    for i in range(n):
        assistant.ask(sender, QUESTIONS[i % len(QUESTIONS)])
    return n / (time.perf_counter() - start)


async def session(url: str, name: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=url, timeout=30)
    page = await client.get("/login")
    csrf = re.search(r'name="csrf" content="([^"]+)"', page.text)
    if csrf:  # the trivial endpoint has no sign-in
        r = await client.post("/api/login", json={"username": name, "password": PASSWORD, "code": ""},
                              headers={"X-CSRF-Token": csrf.group(1)})
        r.raise_for_status()
        client.headers["X-CSRF-Token"] = r.json()["csrf"]
    return client


async def blast(clients: list[httpx.AsyncClient], n: int) -> float:
    counter = iter(range(n))

    async def worker(client: httpx.AsyncClient) -> None:
        for i in counter:
            r = await client.post("/api/send", json={"text": QUESTIONS[i % len(QUESTIONS)], "nonce": f"n{i:024d}"})
            r.raise_for_status()

    start = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in clients))
    return n / (time.perf_counter() - start)


async def steady(clients: list[httpx.AsyncClient], rate: float, seconds: float) -> list[float]:
    latencies: list[float] = []
    tasks = []

    async def one(i: int) -> None:
        t0 = time.perf_counter()
        r = await clients[i % len(clients)].post("/api/send", json={"text": QUESTIONS[i % len(QUESTIONS)],
                                                                    "nonce": f"s{i:024d}"})
        r.raise_for_status()
        latencies.append(time.perf_counter() - t0)

    start = time.perf_counter()
    for i in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    return latencies


async def measure(url: str, names: list[str], n: int) -> tuple[list[httpx.AsyncClient], float]:
    clients = [await session(url, name) for name in names]
    await blast(clients, 50)  # warm-up
    return clients, await blast(clients, n)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    reason = node_missing_reason()
    if reason:
        print("skipped:", reason)
        return 0
    engine = engine_rate(args.requests)
    print(f"ask engine alone: {engine:.0f} questions/s")
    names = [f"bench{i}" for i in range(8)]
    with tempfile.TemporaryDirectory() as tmp_name, emulator() as emu:
        tmp = Path(tmp_name)
        db = tmp / "libao.db"
        for name in names:
            subprocess.run([sys.executable, "-m", "bot", "user", "--db", str(db), "add", name, "--password-stdin"],
                           input=PASSWORD + "\n", text=True, check=True, capture_output=True, cwd=ROOT)
        port, trivial_port = 18480 + os.getpid() % 500, 18990 + os.getpid() % 500
        config = write_config(tmp / "config.yaml", emu.url, allowed=[100_001])
        with config.open("a", encoding="utf-8") as f:
            f.write(f"web:\n  enabled: true\n  port: {port}\n  login_attempts: 100\n")
        bot = start_bot(config, db, tmp / "bot.log")
        (tmp / "trivial.py").write_text(TRIVIAL, encoding="utf-8")
        trivial = subprocess.Popen([sys.executable, "-m", "uvicorn", "trivial:app", "--port", str(trivial_port),
                                    "--log-level", "warning", "--no-access-log"], cwd=tmp)
        try:
            for target in (f"http://127.0.0.1:{port}/login", f"http://127.0.0.1:{trivial_port}/login"):
                deadline = time.monotonic() + 60
                while True:
                    try:
                        httpx.get(target, timeout=1)
                        break
                    except httpx.HTTPError:
                        if time.monotonic() > deadline:
                            print((tmp / "bot.log").read_text()[-2000:])
                            raise
                        time.sleep(0.2)

            async def run() -> None:
                _, base = await measure(f"http://127.0.0.1:{trivial_port}", names, args.requests)
                print(f"trivial Starlette endpoint: {base:.0f} requests/s")
                clients, api = await measure(f"http://127.0.0.1:{port}", names, args.requests)
                print(f"chat API (serve with bot running): {api:.0f} questions/s = {api / engine:.2f} x engine "
                      f"(goal >= 0.5), {api / base:.2f} x trivial endpoint")
                lat = await steady(clients, api / 2, args.seconds)
                print(f"at {api / 2:.0f}/s for {args.seconds:.0f} s: p50 {percentile(lat, 0.5) * 1000:.1f} ms, "
                      f"p99 {percentile(lat, 0.99) * 1000:.1f} ms (goal <= 200 ms), {len(lat)} requests")
                for c in clients:
                    await c.aclose()

            asyncio.run(run())
        finally:
            trivial.terminate()
            trivial.wait(10)
            bot.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
