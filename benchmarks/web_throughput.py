"""Web chat API throughput and latency, measured with wrk, with `python -m bot serve` running the
Telegram bot (against the Bot API emulator) and the web page in one process, as deployed.

Needs wrk (a C load generator; a Python client caps long before the server does):
    apt-get install wrk            (Debian; as root)
Run:  .venv/bin/python benchmarks/web_throughput.py [--seconds 10] [--connections 8]

Measured in the same run, on the same questions:
1. the ask engine alone: Assistant.ask in this process, one core, questions/s;
2. a trivial Starlette endpoint (reads the body, returns a constant) under uvicorn in its own
   process, driven by the same wrk script: the HTTP stack's own ceiling on this machine;
3. the chat API: POST /api/send (session cookie, CSRF token, JSON) of the running `serve`, every
   request a question answered by the assistant: questions/s;
4. p50/p99 latency of the chat API with wrk pacing each connection to half the rate reached in 3.
Goals: 3 >= 0.5 x 1; p99 <= 200 ms at half rate. wrk and the server share the machine's cores.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

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
# Each request a question of the list with a fresh nonce; args: cookie, CSRF token, pause (ms) per connection.
LUA = """
local questions = {%s}
local counter = 0
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if args[1] ~= "" then wrk.headers["Cookie"] = args[1] end
  if args[2] ~= "" then wrk.headers["X-CSRF-Token"] = args[2] end
  pause = tonumber(args[3])
end
function request()
  counter = counter + 1
  local q = questions[(counter %% #questions) + 1]
  local body = string.format('{"text":"%%s","nonce":"n%%03d%%016d"}', q, tid, counter)
  return wrk.format(nil, "/api/send", nil, body)
end
function delay()
  return pause
end
function response(status, headers, body)
  if status ~= 200 then errors = (errors or 0) + 1 end
end
"""
_UNIT = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def engine_rate(seconds: float) -> float:
    from bot.core.chat.assistant import load_assistant
    from bot.core.chat.reply import Sender
    from bot.core.chat.store import MemoryStore

    assistant = load_assistant(MemoryStore())
    sender = Sender(user_id=1)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        assistant.ask(sender, QUESTIONS[n % len(QUESTIONS)])
        n += 1
    return n / (time.perf_counter() - start)


def signed_in(url: str, name: str) -> tuple[str, str]:
    """(Cookie header, CSRF token) of a fresh session of account `name`."""
    with httpx.Client(base_url=url, timeout=30) as client:
        page = client.get("/login")
        csrf = re.search(r'name="csrf" content="([^"]+)"', page.text)
        assert csrf, page.text[:200]
        r = client.post("/api/login", json={"username": name, "password": PASSWORD, "code": ""},
                        headers={"X-CSRF-Token": csrf.group(1)})
        r.raise_for_status()
        cookie = "; ".join(f"{c.name}={c.value}" for c in client.cookies.jar)
        return cookie, str(r.json()["csrf"])


def wrk(url: str, script: Path, *, seconds: float, connections: int, cookie: str = "", csrf: str = "",
        pause_ms: float = 0) -> tuple[float, float, float, str]:
    """(requests/s, p50 ms, p99 ms, wrk's output) of one wrk run."""
    # One wrk thread: it keeps 8 connections busy and leaves the other core to the server.
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-s", str(script),
                          url, "--", cookie, csrf, f"{pause_ms:.0f}"],
                         capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def pct(p: str) -> float:
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * _UNIT[m.group(2)] if m else float("nan")

    if "Non-2xx" in out or "Socket errors" in out:
        print(out)
        raise RuntimeError("wrk saw errors")
    return rate, pct("50"), pct("99"), out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    no_wrk = None if shutil.which("wrk") else "wrk is not installed (apt-get install wrk)"
    for reason in (node_missing_reason(), no_wrk):
        if reason:
            print("skipped:", reason)
            return 0
    engine = engine_rate(args.seconds)
    print(f"ask engine alone (one core, in process): {engine:.0f} questions/s")
    with tempfile.TemporaryDirectory() as tmp_name, emulator() as emu:
        tmp = Path(tmp_name)
        script = tmp / "send.lua"
        script.write_text(LUA % ", ".join(f'"{q}"' for q in QUESTIONS), encoding="utf-8")
        db = tmp / "libao.db"
        subprocess.run([sys.executable, "-m", "bot", "user", "--db", str(db), "add", "bench", "--password-stdin"],
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True, cwd=ROOT)
        port, trivial_port = 18480 + os.getpid() % 500, 18990 + os.getpid() % 500
        config = write_config(tmp / "config.yaml", emu.url, allowed=[100_001])
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        data["channels"]["web"] = {"port": port, "login_attempts": 100}
        data["privacy"]["store_unanswered"] = False  # the shipped default (the e2e config turns it on)
        config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        bot = start_bot(config, db, tmp / "bot.log")
        (tmp / "trivial.py").write_text(TRIVIAL, encoding="utf-8")
        trivial = subprocess.Popen([sys.executable, "-m", "uvicorn", "trivial:app", "--port", str(trivial_port),
                                    "--log-level", "warning", "--no-access-log"], cwd=tmp)
        try:
            for target in (f"http://127.0.0.1:{port}/login", f"http://127.0.0.1:{trivial_port}/api/send"):
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
            base, _, _, _ = wrk(f"http://127.0.0.1:{trivial_port}", script, seconds=args.seconds,
                                connections=args.connections)
            print(f"trivial Starlette endpoint: {base:.0f} requests/s")
            cookie, csrf = signed_in(f"http://127.0.0.1:{port}", "bench")
            url = f"http://127.0.0.1:{port}"
            wrk(url, script, seconds=2, connections=args.connections, cookie=cookie, csrf=csrf)  # warm-up
            api, p50, p99, _ = wrk(url, script, seconds=args.seconds, connections=args.connections,
                                   cookie=cookie, csrf=csrf)
            print(f"chat API (serve with the bot running): {api:.0f} questions/s = {api / engine:.2f} x engine "
                  f"(goal >= 0.5), {api / base:.2f} x trivial endpoint; saturated p50 {p50:.1f} ms, p99 {p99:.1f} ms")
            half = api / 2
            # Each connection waits `pause` after a response: its cycle is pause + latency.
            pause = max(0.0, args.connections / half * 1000 - p50 / 2)
            rate, p50, p99, _ = wrk(url, script, seconds=args.seconds, connections=args.connections,
                                    cookie=cookie, csrf=csrf, pause_ms=pause)
            print(f"paced to {half:.0f}/s (reached {rate:.0f}/s): p50 {p50:.1f} ms, p99 {p99:.1f} ms "
                  "(goal <= 200 ms)")
        finally:
            trivial.terminate()
            trivial.wait(10)
            bot.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
