"""Several `libao serve` instances on one PostgreSQL (or SQLite) database behind the fake WeCom
server, with users who behave as people do when a bot goes quiet: wait, then send again (the
platform's redelivery keeps the message id), and start over if a step stays unanswered.

Used by tests/cluster (kill -9 of the leader every few seconds) and benchmarks/bench_cluster.py.
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.channels import fakes

ROOT = Path(__file__).resolve().parents[2]
SECRET = "wecom-test-secret-0123"
KEY = bytes(range(32))
REF = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")
BOT = "libao-bot"
# What a reporter presses / types, and what must be on screen afterwards (a button label, "~" and
# a piece of text, "@ref" for the confirmation, "@any" for any answer).
STEPS: tuple[tuple[str, str, str], ...] = (
    ("text", "/report", "涉密载体丢失"),
    ("press", "涉密载体丢失", "刚刚"),
    ("text", "昨天下午", "~什么时间、什么地点"),  # when it was discovered, typed
    ("text", "今天上午十点，三楼会议室", "不清楚"),
    ("press", "不清楚", "尚未采取措施"),
    ("press", "尚未采取措施", "否，可以告知"),
    ("press", "否，可以告知", "提交报告"),
    ("press", "提交报告", "@ref"),
)


def _confirmations() -> tuple[str, ...]:
    """How the bot's confirmation of a submitted report begins (new, or a replayed submission)."""
    from bot.core.phrases.messages import t

    marker = "@@REF@@"
    return tuple(t(key, ref=marker, ref_spoken=marker).split(marker)[0]
                 for key in ("report.submitted", "report.already_submitted"))


def frame_text(frame: dict[str, Any]) -> str:
    return fakes.wecom_text(frame)


@dataclass
class Cluster:
    """The fake WeCom server and `count` instances sharing `database`."""

    tmp: Path
    database: str
    count: int = 3
    reporters: int = 20
    officers: tuple[str, ...] = ("wx-officer-0", "wx-officer-1")
    chain: tuple[float, ...] = (0.0, 3.0, 6.0)
    wecom: fakes.FakeWeCom | None = None
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    kills: list[float] = field(default_factory=list)  # perf_counter of each kill -9
    failovers: list[float] = field(default_factory=list)  # seconds from a kill to the next subscription
    killed_connections: set[int] = field(default_factory=set)  # WeCom subscriptions whose holder was killed
    _logs: int = 0
    _scanned: int = 0
    _by_user: dict[str, list[tuple[str, tuple[tuple[str, str], ...], str]]] = field(default_factory=dict)

    @property
    def staff(self) -> list[str]:
        return [f"wx-staff-{i:02d}" for i in range(self.reporters)]

    async def start(self) -> Cluster:
        cert = fakes.self_signed_cert()
        self.wecom = fakes.FakeWeCom(bot_id=BOT, secret=SECRET, cert=cert)
        await self.wecom.start()
        (self.tmp / "ca.pem").write_bytes(cert[0])
        config = {
            "database": self.database,
            # Each simulated user files report after report as fast as the bot answers; the per-user
            # limit (still running) must not be what the test measures.
            "rate_limit": {"burst": 1000, "per_minute": 6000},
            "log_level": "WARNING",
            "reports": {"tick_seconds": 1, "lease_seconds": 10,
                        "chain": [{"after": f"{s}s", "notify": "officers"} for s in self.chain]},
            # Followers look every second; the leader renews every 1.3 s and may stall up to 4 s
            # (a busy event loop waiting for SQLite's write lock) before it loses the bot.
            "channels": {"lease_seconds": 4,
                         "wecom": {"bot_id": BOT, "ws_url": self.wecom.url,
                                   "access": {"allowed_users": self.staff, "officers": list(self.officers)}}},
        }
        (self.tmp / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        for _ in range(self.count):
            self.spawn()
        await self.wecom.connected(timeout=60)
        return self

    def spawn(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ, WECOM_BOT_SECRET=SECRET, LIBAO_TEST_CA=str(self.tmp / "ca.pem"),
                   LIBAO_REPORT_KEY=base64.urlsafe_b64encode(KEY).decode(), PYTHONPATH=str(ROOT))
        for name in ("TELEGRAM_BOT_TOKEN", "LIBAO_DB", "LIBAO_CONFIG"):
            env.pop(name, None)
        log = self.tmp / f"instance{self._logs}.log"
        self._logs += 1
        proc = subprocess.Popen([sys.executable, "-m", "tests.channels.run_bot", "--config",
                                 str(self.tmp / "config.yaml")], cwd=ROOT, env=env,
                                stdout=log.open("wb"), stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def leader(self) -> subprocess.Popen[bytes] | None:
        """The live instance holding the WeCom lease (by the pid in the lease row's owner)."""
        from bot.storage.channels import ChannelStore
        from bot.storage.engine import open_database

        db = open_database(self.database)
        try:
            row = ChannelStore(db).lease(f"wecom:{BOT}")
        finally:
            db.close()
        if row is None:
            return None
        pid = int(str(row["owner"]).split(":")[1])
        return next((p for p in self.procs if p.pid == pid and p.poll() is None), None)

    def _standby_ready(self, leader: subprocess.Popen[bytes]) -> bool:
        """Whether another live instance has started and waits for the lease: a kill before that
        would measure how long an instance takes to start (long on a loaded machine), not failover."""
        for i, proc in enumerate(self.procs):  # procs[i] writes instance{i}.log
            if proc is not leader and proc.poll() is None and \
                    b"is held by another process; waiting" in (self.tmp / f"instance{i}.log").read_bytes():
                return True
        return False

    async def kill_leader(self) -> bool:
        """kill -9 the leader, start a replacement, and measure the time until another instance
        has subscribed to the WeCom server (the new leader holds the connection)."""
        assert self.wecom is not None
        proc = await asyncio.to_thread(self.leader)
        if proc is None or self.wecom.current is None or not self._standby_ready(proc):
            return False
        before = self.wecom.connections
        self.killed_connections.add(before)  # the leader holds the newest subscription
        killed = time.perf_counter()
        proc.send_signal(signal.SIGKILL)
        self.kills.append(killed)
        await asyncio.to_thread(proc.wait)
        self.spawn()
        deadline = time.monotonic() + 60
        while self.wecom.connections == before or self.wecom.current is None:
            if time.monotonic() > deadline:
                raise TimeoutError("no instance took the WeCom connection over")
            await asyncio.sleep(0.01)
        self.failovers.append(time.perf_counter() - killed)
        return True

    async def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                await asyncio.to_thread(proc.wait, 15)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self.wecom is not None:
            await self.wecom.stop()

    def log_text(self) -> str:
        return "\n".join((self.tmp / f"instance{i}.log").read_text(encoding="utf-8", errors="replace")
                         for i in range(self._logs))

    # -- what users see -----------------------------------------------------------------------------
    def seen(self, user: str, start: int = 0) -> list[tuple[str, tuple[tuple[str, str], ...], str]]:
        """(text, buttons, card task id) of every message `user` received (indexed as frames arrive)."""
        assert self.wecom is not None
        frames = self.wecom.frames.items
        for f in frames[self._scanned:]:
            if f.get("errcode") == 0 and f.get("cmd") in ("aibot_respond_msg", "aibot_send_msg"):
                to = self.wecom._addressee(f)
                if to is not None:
                    card = (f.get("body") or {}).get("template_card") or {}
                    self._by_user.setdefault(to, []).append(
                        (frame_text(f), tuple(fakes.wecom_buttons(f)), str(card.get("task_id", ""))))
        self._scanned = len(frames)
        return self._by_user.get(user, [])[start:]

    def notices(self) -> list[dict[str, Any]]:
        """Proactive text messages (notifications) the bot sent, with their time."""
        assert self.wecom is not None
        return [f for f in self.wecom.frames.items if f.get("cmd") == "aibot_send_msg" and f.get("errcode") == 0
                and (f.get("body") or {}).get("msgtype") == "markdown"]


class Person:
    """One user of the bot: acts, waits for the answer, sends again when the bot stays quiet."""

    def __init__(self, cluster: Cluster, user: str, *, patience: float = 8.0):
        self.cluster, self.user, self.patience = cluster, user, patience
        self.redeliveries = 0

    async def _leader_up(self) -> None:
        assert self.cluster.wecom is not None
        await self.cluster.wecom.connected(timeout=60)

    def _find(self, label: str) -> tuple[str, str] | None:
        for _, buttons, card in reversed(self.cluster.seen(self.user)):
            for lb, key in buttons:
                if label in lb:
                    return card, key
        return None

    async def _send(self, kind: str, value: str, msgid: str) -> bool:
        assert self.cluster.wecom is not None
        await self._leader_up()
        try:
            if kind == "text":
                await self.cluster.wecom.text(self.user, value, msgid=msgid)
            else:
                target = self._find(value)
                if target is None:
                    return False
                await self.cluster.wecom.click(self.user, task_id=target[0], event_key=target[1], msgid=msgid)
        except (AssertionError, ConnectionError, RuntimeError):
            return False  # the connection went away under us: the caller sends again
        return True

    def _shows(self, expected: str, start: int) -> str | None:
        for text, buttons, _ in self.cluster.seen(self.user, start):
            if expected == "@ref":  # the confirmation, not a notice about an earlier report
                m = REF.search(text)
                if m and text.startswith(_confirmations()):
                    return m.group(0)
            elif expected == "@any":
                return text
            elif expected.startswith("~"):
                if expected[1:] in text:
                    return text
            elif any(expected in lb for lb, _ in buttons):
                return expected
        return None

    async def act(self, kind: str, value: str, expected: str) -> str | None:
        """Do one step; what was expected, or None when the bot never answered it."""
        msgid = uuid.uuid4().hex
        start = len(self.cluster.seen(self.user))
        for attempt in range(3):
            if attempt:
                self.redeliveries += 1
            if not await self._send(kind, value, msgid):
                await asyncio.sleep(0.3)
                continue
            deadline = time.monotonic() + self.patience
            while time.monotonic() < deadline:
                found = self._shows(expected, start)
                if found is not None:
                    return found
                await asyncio.sleep(0.02)
        return None

    async def file_report(self) -> str | None:
        """The whole /report conversation; the reference the bot confirmed, or None."""
        for attempt in range(10):
            result: str | None = None
            if attempt:  # start over: an unfinished draft would otherwise be shown again
                await self.act("text", "/cancel", "@any")
            for kind, value, expected in STEPS:
                result = await self.act(kind, value, expected)
                if result is None:
                    break
            if result is not None:
                return result
        return None

    async def acknowledge(self, ref: str) -> bool:
        """An officer presses 受理 on the notice of `ref` (True once the bot confirmed it)."""
        from bot.core.phrases.messages import t

        assert self.cluster.wecom is not None
        confirmations = (t("report.ack.done", ref=ref)[:12], t("report.ack.already", ref=ref)[:12])
        for _ in range(3):
            msgid = uuid.uuid4().hex
            start = len(self.cluster.seen(self.user))
            card = None
            for text, buttons, task in reversed(self.cluster.seen(self.user)):
                key = next((k for lb, k in buttons if "受理" in lb), None)
                if (key and ref.replace("-", "") in key.replace("-", "")) or (key and ref in text):
                    card = (task, key)
                    break
            if card is None:
                return False
            for _attempt in range(3):
                await self._leader_up()
                try:
                    await self.cluster.wecom.click(self.user, task_id=card[0], event_key=card[1], msgid=msgid)
                except (AssertionError, ConnectionError, RuntimeError):
                    await asyncio.sleep(0.3)
                    continue
                deadline = time.monotonic() + self.patience
                while time.monotonic() < deadline:
                    if any(text.startswith(confirmations) for text, _, _ in self.cluster.seen(self.user, start)):
                        return True
                    await asyncio.sleep(0.02)
                self.redeliveries += 1
        return False
