"""Card-click acknowledgement time on WeCom and DingTalk, through `libao serve` and the real SDKs.

Run:  .venv/bin/python benchmarks/card_ack.py [--clicks 200]

Starts the loopback WeCom and DingTalk servers of the e2e tests and `libao serve` against them, shows
a user a card (the /phrase scenario list), then presses its buttons --clicks times on each platform,
one after another. The ack time of a press is measured by the server: from the moment it sent the
click frame to the moment the acknowledgement arrived (WeCom: the aibot_respond_update_msg that
updates the card, which WeCom accepts only within 5 s; DingTalk: the stream ack frame of the card
callback). The peer measured in the same run is the server's heartbeat round trip (WeCom ping), the
floor of any acknowledgement. Goal: p99 well inside the 5-second window.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.channels.harness import DingTalkUser, Stage, WeComUser  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def presses(user: WeComUser | DingTalkUser, n: int, press: Callable[[str, str], Awaitable[float]]
                  ) -> list[float]:
    """The ack times of `n` presses of the buttons of the card `user` is shown (round robin): the
    same card and sequence on both platforms, so that only `press` (card id, button key -> ack time) differs."""
    await user.say("/phrase", buttons=True)
    card = next(m for m in reversed(user.messages()) if m.buttons)
    return [await press(card.card, card.buttons[i % len(card.buttons)][1]) for i in range(n)]


async def wecom_clicks(stage: Stage, n: int) -> list[float]:
    async def press(card: str, key: str) -> float:
        start = len(stage.wecom.frames.items)
        req = await stage.wecom.click("wx-staff", task_id=card, event_key=key)
        frame = await stage.wecom.frames.wait(
            lambda f: f.get("cmd") == "aibot_respond_update_msg" and f["headers"]["req_id"] == req, start=start)
        assert frame["errcode"] == 0, frame
        return frame["_at"] - stage.wecom.pushed_at(req)

    return await presses(WeComUser(stage.wecom, "wx-staff"), n, press)


async def dingtalk_clicks(stage: Stage, n: int) -> list[float]:
    async def press(card: str, key: str) -> float:
        mid = await stage.dingtalk.click("dt-staff", out_track_id=card, action_id=key)
        ack = await stage.dingtalk.ack(mid)
        return ack["_at"] - stage.dingtalk.pushed_at(mid)

    return await presses(DingTalkUser(stage.dingtalk, "dt-staff"), n, press)


async def ping_rtt(stage: Stage, n: int) -> list[float]:
    """Round trip of a websocket frame the bot's SDK answers at once (DingTalk SYSTEM ping)."""
    out = []
    for _ in range(n):
        mid = await stage.dingtalk.ping()
        ack = await stage.dingtalk.ack(mid)
        out.append(ack["_at"] - stage.dingtalk.pushed_at(mid))
    return out


async def main(clicks: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with Stage(Path(tmp)) as stage:
            stage.start_bot()
            await stage.up()
            t0 = time.perf_counter()
            wc = await wecom_clicks(stage, clicks)
            dt = await dingtalk_clicks(stage, clicks)
            peer = await ping_rtt(stage, clicks)
            elapsed = time.perf_counter() - t0
    print(f"{clicks} presses per platform in {elapsed:.1f} s")
    for name, values in (("wecom card ack", wc), ("dingtalk card ack", dt), ("peer: stream ping rtt", peer)):
        print(f"{name:22s} p50 {statistics.median(values) * 1000:7.1f} ms   p99 {pct(values, 99) * 1000:7.1f} ms"
              f"   max {max(values) * 1000:7.1f} ms")
    ratio = pct(wc + dt, 99) / max(1e-6, pct(peer, 99))
    print(f"p99 ack / p99 ping: {ratio:.1f}x;  p99 ack / 5 s window: {pct(wc + dt, 99) / 5:.3%}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=200)
    asyncio.run(main(parser.parse_args().clicks))
