"""Two `libao serve` instances of one Telegram bot over one database, against the emulator.

Long polling: one getUpdates consumer per bot (Telegram answers a second one with 409 Conflict, and
so does the emulator), so the instance holding the bot's lease polls and the other waits; killed
with -9, the holder is replaced by the other. Webhook mode: both instances serve the updates a load
balancer hands them, and one dying leaves the other serving everything.
"""

from __future__ import annotations

import contextlib
import http.server
import itertools
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from emulator import STAFF, BotProcess, Client, Conversation, emulator, node_missing_reason, start_bot

from tests.channels.fakes import self_signed_cert

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

QUESTION = "电话响几声要接？"
NAMES = ("a", "b")


@pytest.fixture(autouse=True)
def _node() -> None:
    reason = node_missing_reason()
    if reason:
        pytest.skip(reason)


def _config(path: Path, base_url: str, **telegram: Any) -> Path:
    config = {"channels": {"lease_seconds": 4,
                           "telegram": {"base_url": base_url, "poll_timeout": 10, "concurrent_updates": 1,
                                        "access": {"allowed_user_ids": list(STAFF)}, **telegram}},
              "reports": {"enabled": False}, "log_level": "INFO"}
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@contextlib.contextmanager
def _instances(tmp: Path, emu_url: str, **telegram: Any) -> Iterator[dict[str, BotProcess]]:
    """Both instances started at once over one SQLite database, each with its own base URL."""
    bots: dict[str, BotProcess] = {}
    try:
        for name in NAMES:
            telegram_of = {k: (v(name) if callable(v) else v) for k, v in telegram.items()}
            config = _config(tmp / f"{name}.yaml", f"{emu_url}/i/{name}", **telegram_of)
            bots[name] = start_bot(config, tmp / "libao.db", tmp / f"{name}.log")
        yield bots
    finally:
        for bot in bots.values():
            bot.stop()


def _kill(bot: BotProcess) -> None:
    bot.process.kill()
    bot.process.wait()


def test_polling_instances_never_both_call_getupdates_and_the_other_takes_over(tmp_path):
    with emulator() as emu, _instances(tmp_path, emu.url) as bots:
        client = Client(emu.url)
        try:
            for name, bot in bots.items():
                client.wait_until_ready(bot, instance=name)
            chat = Conversation(client, STAFF[0])
            assert "依据" in chat.say(QUESTION)["text"]

            # One instance polls; the other waits for the lease without ever calling getUpdates.
            pollers = {c["instance"] for c in client.calls("getUpdates")}
            assert len(pollers) == 1, pollers
            leader = pollers.pop()
            standby = next(n for n in NAMES if n != leader)
            assert "is held by another process; waiting" in bots[standby].log()

            # The holder is killed: the other takes the lease, polls, and answers.
            _kill(bots[leader])
            killed = len(client.calls("getUpdates"))
            assert "依据" in chat.say(QUESTION)["text"]
            calls = client.calls("getUpdates")
            assert {c["instance"] for c in calls[killed:]} == {standby}
            assert "this instance leads" in bots[standby].log()

            # Never two consumers: no getUpdates was cut short by another, none overlapped another's.
            assert not any(c.get("conflict") for c in calls)
            ordered = sorted(calls, key=lambda c: c["t"])
            for before, after in itertools.pairwise(ordered):
                if before["instance"] != after["instance"]:
                    assert before["end"] <= after["t"], (before, after)
            first = next(c for c in calls[killed:])
            print(f"failover: {first['t'] - calls[killed - 1]['end']:.0f} ms from the holder's last poll "
                  "ending (its death) to the other's first")
        finally:
            client.close()


class Balancer:
    """An https load balancer: each POST goes to the next backend in turn, and to the other when
    that one does not answer (as a health-checked balancer fails over); `served` counts per backend."""

    def __init__(self, tmp: Path):
        cert, key = self_signed_cert()
        self.cert = tmp / "lb-cert.pem"
        self.cert.write_bytes(cert)
        (tmp / "lb-key.pem").write_bytes(key)
        self.backends: list[str] = []
        self.served: dict[str, int] = {}
        self._turn = itertools.count()
        balancer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                status, answer = balancer.forward(self.path, body, headers)
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, tmp / "lb-key.pem")
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def forward(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        start = next(self._turn)
        for i in range(len(self.backends)):
            backend = self.backends[(start + i) % len(self.backends)]
            try:
                r = httpx.post(backend + path, content=body, headers=headers, timeout=30)
            except httpx.TransportError:
                continue
            self.served[backend] = self.served.get(backend, 0) + 1
            return r.status_code, r.content
        return 502, b"no backend"

    def __enter__(self) -> Balancer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(port: int, bot: BotProcess) -> None:
    for _ in range(1800):  # a wait for the process, not a timed assertion
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        if bot.process.poll() is not None:
            raise RuntimeError(f"bot exited:\n{bot.log()[-3000:]}")
        time.sleep(0.05)
    raise RuntimeError(f"webhook port {port} not listening:\n{bot.log()[-3000:]}")


def test_webhook_instances_behind_a_load_balancer_both_serve_and_one_survives_the_other(tmp_path):
    with Balancer(tmp_path) as lb, emulator(env={"NODE_EXTRA_CA_CERTS": str(lb.cert)}) as emu:
        ports = {name: _free_port() for name in NAMES}
        lb.backends = [f"http://127.0.0.1:{ports[name]}" for name in NAMES]
        webhook = {"url": lb.url, "listen": "127.0.0.1", "path": "telegram"}
        with _instances(tmp_path, emu.url, mode="webhook",
                        webhook=lambda name: dict(webhook, port=ports[name])) as bots:
            client = Client(emu.url)
            try:
                for name, bot in bots.items():
                    _listening(ports[name], bot)
                chats = [Conversation(client, user) for user in STAFF[:6]]
                for chat in chats:
                    assert "依据" in chat.say(QUESTION)["text"]
                assert set(lb.served) == set(lb.backends)  # both instances served updates
                assert not client.calls("getUpdates")

                _kill(bots["a"])
                for chat in chats:
                    assert "依据" in chat.say(QUESTION)["text"]
                for chat in chats:  # one reply per message: nothing more came
                    assert chat.nothing_new()
            finally:
                client.close()
