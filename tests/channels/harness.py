"""The e2e stage: both fake servers, `libao serve` as a child process (killable with -9), and one
driver per platform that plays a user: say text, press a card button, read what the bot sent."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.channels import fakes
from tests.channels.conftest import DINGTALK_PORT

ROOT = Path(__file__).resolve().parents[2]
WECOM_SECRET = "wecom-test-secret-0123"
DINGTALK_SECRET = "dingtalk-test-secret-0123"


@dataclass(frozen=True)
class Msg:
    """What a user saw: text, buttons (label, key), and the card it came on (for pressing)."""

    text: str
    buttons: tuple[tuple[str, str], ...]
    card: str


class _PlatformUser:
    """A user talking to the bot through one fake server; subclasses say how a platform sends."""

    def __init__(self, server: Any, user: str, log: Any):
        self.server, self.user, self.log = server, user, log

    def messages(self, start: int = 0) -> list[Msg]:
        raise NotImplementedError

    async def _send(self, text: str) -> None:
        raise NotImplementedError

    async def _click(self, msg: Msg, key: str) -> None:
        raise NotImplementedError

    async def _wait(self, start: int, *, buttons: bool) -> list[Msg]:
        def ready(_: Any) -> bool:
            new = self.messages(start)
            return bool(new) and (not buttons or any(m.buttons for m in new))
        await self.log.wait(ready, start=0)
        return self.messages(start)

    async def say(self, text: str, *, buttons: bool = False) -> list[Msg]:
        start = len(self.messages())
        await self._send(text)
        return await self._wait(start, buttons=buttons)

    async def until(self, fragment: str, *, start: int = 0) -> list[Msg]:
        """Wait until a message from `start` on contains `fragment`."""
        await self.log.wait(lambda _: any(fragment in m.text for m in self.messages(start)), start=0)
        return self.messages(start)

    async def until_button(self, label: str, *, start: int = 0) -> list[Msg]:
        """Wait until a message from `start` on has a button labelled with `label`."""
        await self.log.wait(lambda _: any(label in lb for m in self.messages(start) for lb, _ in m.buttons), start=0)
        return self.messages(start)

    async def press(self, label: str, *, buttons: bool = False) -> list[Msg]:
        # The reply bearing the button may still be on its way (text first, then the card).
        with contextlib.suppress(TimeoutError):
            await self.log.wait(lambda _: self.shown(label) is not None, start=0)
        msg, key = self.find(label)
        start = len(self.messages())
        await self._click(msg, key)
        return await self._wait(start, buttons=buttons)

    def shown(self, label: str) -> tuple[Msg, str] | None:
        for msg in reversed(self.messages()):
            for lb, key in msg.buttons:
                if label in lb:
                    return msg, key
        return None

    def find(self, label: str) -> tuple[Msg, str]:
        found = self.shown(label)
        if found is None:
            raise AssertionError(f"no button {label!r} shown to {self.user}")
        return found


class WeComUser(_PlatformUser):
    """A WeCom user talking to the bot through the fake server."""

    def __init__(self, server: fakes.FakeWeCom, user: str):
        super().__init__(server, user, server.frames)

    def messages(self, start: int = 0) -> list[Msg]:
        out = []
        for f in self.server.to_user(self.user):
            card = (f.get("body") or {}).get("template_card") or {}
            out.append(Msg(fakes.wecom_text(f), tuple((lb, k) for lb, k in fakes.wecom_buttons(f)),
                           str(card.get("task_id", ""))))
        return out[start:]

    async def _send(self, text: str) -> None:
        await self.server.text(self.user, text)

    async def _click(self, msg: Msg, key: str) -> None:
        await self.server.click(self.user, task_id=msg.card, event_key=key)


class DingTalkUser(_PlatformUser):
    """A DingTalk user talking to the robot through the fake server."""

    def __init__(self, server: fakes.FakeDingTalk, user: str):
        super().__init__(server, user, server.requests)

    def messages(self, start: int = 0) -> list[Msg]:
        return [Msg(fakes.dingtalk_text(r), tuple(fakes.dingtalk_buttons(r)), str(r.get("outTrackId", "")))
                for r in self.server.to_user(self.user)][start:]

    async def _send(self, text: str) -> None:
        await self.server.ack(await self.server.text(self.user, text))

    async def _click(self, msg: Msg, key: str) -> None:
        await self.server.ack(await self.server.click(self.user, out_track_id=msg.card, action_id=key))


class Stage:
    """Both fake servers and the bot process over one database."""

    def __init__(self, tmp: Path, *, rate_limit: dict[str, float] | None = None):
        self.tmp = tmp
        # Scripted users type faster than people: generous unless a test is about the limit.
        self.rate_limit = rate_limit or {"burst": 1000, "per_minute": 6000}
        self.cert = fakes.self_signed_cert()
        self.wecom = fakes.FakeWeCom(bot_id="libao-bot", secret=WECOM_SECRET, cert=self.cert)
        self.dingtalk = fakes.FakeDingTalk(client_id="dinglibao", client_secret=DINGTALK_SECRET, port=DINGTALK_PORT)
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    async def __aenter__(self) -> Stage:
        await self.wecom.start()
        await self.dingtalk.start()
        (self.tmp / "ca.pem").write_bytes(self.cert[0])
        config = {
            "database": str(self.tmp / "libao.db"),
            "log_level": "INFO",
            "reports": {"tick_seconds": 1},
            "rate_limit": self.rate_limit,
            "channels": {
                "lease_seconds": 5,
                "wecom": {"bot_id": "libao-bot", "ws_url": self.wecom.url,
                          "access": {"allowed_users": ["wx-staff"], "officers": ["wx-officer"]}},
                "dingtalk": {"client_id": "dinglibao",
                             "access": {"allowed_users": ["dt-staff"], "officers": ["dt-officer"],
                                        "allowed_departments": ["42"], "departments": {"42": ["dt-dept-member"]}}},
            },
        }
        (self.tmp / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        return self

    async def __aexit__(self, *exc: object) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.to_thread(proc.wait, 10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        await self.wecom.stop()
        await self.dingtalk.stop()

    def start_bot(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ, WECOM_BOT_SECRET=WECOM_SECRET, DINGTALK_CLIENT_SECRET=DINGTALK_SECRET,
                   LIBAO_TEST_CA=str(self.tmp / "ca.pem"),
                   LIBAO_REPORT_KEY=base64.urlsafe_b64encode(bytes(range(32))).decode(),
                   PYTHONPATH=str(ROOT))
        env.pop("TELEGRAM_BOT_TOKEN", None)
        log = self.tmp / f"bot{len(self.logs)}.log"
        self.logs.append(log)
        command = [sys.executable, "-m", "tests.channels.run_bot", "--config", str(self.tmp / "config.yaml")]
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    async def up(self, *, count: int = 1) -> None:
        """Wait until the bot holds both connections (the `count`-th time)."""
        await self.wecom.connected(count=count, timeout=60)
        await self.dingtalk.connected(count=count, timeout=60)

    def log_text(self) -> str:
        return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in self.logs if p.exists())
