"""Harness of the end-to-end tests and the benchmark: the telegram-test-api emulator (through
launcher.js, which corrects its quirks on its side), the real bot as a `python -m bot serve`
process pointed at it, and a small client that plays Telegram users.

Everything binds 127.0.0.1; every process started here is stopped by the same object.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TOKEN = "123456789:AAE2e-emulator-token-aaaaaaaaaaaaaaaaaaaa"
STAFF = tuple(range(5001, 5011))  # allowed users: each e2e test talks as its own user
STRANGER = 6666
STARTUP_SECONDS = 90  # generous: a cold CI machine loads jieba and the knowledge base first


def node_missing_reason() -> str | None:
    """Why the emulator cannot run here, or None. Only a missing node/npm is a reason to skip."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            return f"{tool} not found on PATH: the e2e tests need Node.js and npm for telegram-test-api"
    return None


def ensure_emulator_installed() -> None:
    """`npm ci` from the lock file when node_modules lacks the pinned emulator; one install at a time
    (pytest-xdist workers may reach here together, and two `npm ci` in one folder break each other)."""
    marker = HERE / "node_modules" / "telegram-test-api" / "package.json"
    if marker.exists():
        return
    lock = Path(tempfile.gettempdir()) / f"libao-npm-{hashlib.sha1(str(HERE).encode()).hexdigest()[:12]}.lock"
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        if not marker.exists():
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True,
                           timeout=600, stdout=subprocess.DEVNULL)


@dataclass
class Emulator:
    """The launcher process; `url` is its base (http://127.0.0.1:PORT)."""

    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        _stop(self.process, signal.SIGTERM, grace=5)


@contextmanager
def emulator(*, env: dict[str, str] | None = None) -> Iterator[Emulator]:
    """`env`: extra environment of the node process (NODE_EXTRA_CA_CERTS for an https webhook)."""
    ensure_emulator_installed()
    proc = subprocess.Popen(["node", str(HERE / "launcher.js"), "--port", "0"], cwd=HERE,
                            env=dict(os.environ, **(env or {})),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"emulator did not start (exit code {proc.wait(timeout=10)})")
        emu = Emulator(proc, int(json.loads(line)["port"]))
        yield emu
    finally:
        _stop(proc, signal.SIGTERM, grace=5)


def _stop(proc: subprocess.Popen[Any], sig: int, *, grace: float) -> None:
    """Ask the process (group) to stop, then kill it; never leaves it running."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def write_config(path: Path, emulator_url: str, *, allowed: list[int], concurrent_updates: int = 1,
                 rate_limit: dict[str, Any] | None = None) -> Path:
    """A config file for the real bot: the emulator as Bot API server, these users allowed."""
    lines = [
        "channels:",
        "  telegram:",
        f"    base_url: {emulator_url}",
        "    poll_timeout: 10",
        f"    concurrent_updates: {concurrent_updates}",
        "    access:",
        f"      allowed_user_ids: [{', '.join(map(str, allowed))}]",
        "privacy:",
        "  store_unanswered: true",
        "reports:",  # the leak-report workflow has its own tests (it needs a key file and officers)
        "  enabled: false",
        "log_level: INFO",
    ]
    if rate_limit:
        lines += ["rate_limit:"] + [f"  {k}: {v}" for k, v in rate_limit.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class BotProcess:
    """`python -m bot serve`, unchanged: only its config (base_url) points at the emulator."""

    process: subprocess.Popen[bytes]
    log_path: Path
    _log: IO[bytes] = field(repr=False)

    def stop(self) -> int:
        _stop(self.process, signal.SIGINT, grace=20)  # PTB stops gracefully on SIGINT
        self._log.close()
        return self.process.returncode

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def start_bot(config_path: Path, db_path: Path, log_path: Path) -> BotProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "LIBAO_"))}
    env.update({"TELEGRAM_BOT_TOKEN": TOKEN, "LIBAO_CONFIG": str(config_path), "LIBAO_DB": str(db_path),
                "PYTHONUNBUFFERED": "1"})
    log = log_path.open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return BotProcess(proc, log_path, log)


class Client:
    """Plays Telegram users against the emulator and reads what the bot did."""

    def __init__(self, url: str):
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=httpx.Timeout(70.0))
        self._message_ids = iter(range(1, 10**9))

    def close(self) -> None:
        self.http.close()

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        response = self.http.post(path, json=body)
        response.raise_for_status()
        return response.json().get("result")

    @staticmethod
    def user(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"用户{user_id}", "username": f"u{user_id}"}

    def _message(self, text: str, user_id: int, chat_id: int | None) -> dict[str, Any]:
        chat_id = user_id if chat_id is None else chat_id
        chat = ({"id": chat_id, "type": "private", "first_name": f"用户{user_id}"} if chat_id > 0
                else {"id": chat_id, "type": "supergroup", "title": "工作群"})
        return {"botToken": TOKEN, "from": self.user(user_id), "chat": chat, "date": int(time.time()), "text": text}

    def send_text(self, text: str, *, user_id: int, chat_id: int | None = None) -> None:
        self._post("/sendMessage", self._message(text, user_id, chat_id))

    def send_command(self, text: str, *, user_id: int, chat_id: int | None = None) -> None:
        message = self._message(text, user_id, chat_id)
        message["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
        self._post("/sendCommand", message)

    def tap(self, message: dict[str, Any], data: str, *, user_id: int) -> None:
        """Press the button with callback data `data` under the bot's `message`."""
        self._post("/sendCallback", {"botToken": TOKEN, "from": self.user(user_id), "data": data,
                                     "message": {k: message[k] for k in ("message_id", "date", "chat", "text")}
                                     | {"from": message.get("from")}})

    def inline(self, query: str, *, user_id: int) -> None:
        """An inline query (@bot QUERY typed in any chat)."""
        update = {"inline_query": {"id": f"iq{next(self._message_ids)}", "from": self.user(user_id),
                                   "query": query, "offset": ""}}
        self._post("/_libao/sendRaw", {"botToken": TOKEN, "update": update})

    def send_message(self, message: dict[str, Any], *, user_id: int) -> None:
        """Any message (a photo, a sticker…): `message` adds to the sender and chat fields."""
        base = self._message("", user_id, None)
        del base["text"]
        self._post("/sendMessage", base | message)

    def fault(self, method: str, fault: str, *, times: int = 1, chat_id: int | None = None) -> None:
        """The next `times` calls of `method` (to `chat_id`) fail: "500", "429", "403", "400", or
        "lost" (the call takes effect, the answer never comes)."""
        body: dict[str, Any] = {"method": method, "fault": fault, "times": times}
        if chat_id is not None:
            body["chatId"] = chat_id
        self._post("/_libao/faults", body)

    def bot_messages(self, chat_id: int, *, after: int = 0, timeout: float = 30) -> list[dict[str, Any]]:
        """The bot's messages to `chat_id` newer than message id `after` (waits for the first)."""
        return list(self._post("/_libao/botMessages", {"chatId": chat_id, "after": after, "timeout": timeout}))

    def next_reply(self, chat_id: int, *, after: int, timeout: float = 30) -> dict[str, Any]:
        messages = self.bot_messages(chat_id, after=after, timeout=timeout)
        assert messages, f"no reply in chat {chat_id} within {timeout} s"
        return messages[0]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        return dict(self._post("/_libao/message", {"chatId": chat_id, "messageId": message_id}))

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        response = self.http.get("/_libao/calls")
        response.raise_for_status()
        calls = response.json()["result"]
        return [c for c in calls if method is None or c["method"] == method]

    def timeline(self) -> list[dict[str, Any]]:
        response = self.http.get("/_libao/timeline")
        response.raise_for_status()
        return list(response.json()["result"])

    def reset(self) -> None:
        self._post("/_libao/reset", {})

    def wait_until_ready(self, bot: BotProcess, *, timeout: float = STARTUP_SECONDS,
                         instance: str | None = None) -> None:
        """Until the bot finished post_init (its setMyCommands reached the emulator); `instance`:
        the name in its base URL when several bots share the emulator."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(instance is None or c.get("instance") == instance for c in self.calls("setMyCommands")):
                return
            if bot.process.poll() is not None:
                raise RuntimeError(f"bot exited with {bot.process.returncode}:\n{bot.log()[-3000:]}")
            time.sleep(0.1)
        raise RuntimeError(f"bot not ready after {timeout} s:\n{bot.log()[-3000:]}")


class Conversation:
    """One user's private chat with the bot; `last` is the newest bot message seen so far.

    The e2e bot runs with concurrent_updates: 1, so updates are handled in the order sent: when the
    reply to a later message has arrived, everything sent before it has been handled."""

    def __init__(self, client: Client, user_id: int):
        self.client, self.user_id, self.last = client, user_id, 0

    def send(self, text: str) -> None:
        if text.startswith("/"):
            self.client.send_command(text, user_id=self.user_id)
        else:
            self.client.send_text(text, user_id=self.user_id)

    def reply(self, timeout: float = 30) -> dict[str, Any]:
        """The next bot message in this chat (waiting for it)."""
        message = self.client.next_reply(self.user_id, after=self.last, timeout=timeout)
        self.last = message["message_id"]
        return message

    def say(self, text: str) -> dict[str, Any]:
        self.send(text)
        return self.reply()

    def tap(self, message: dict[str, Any], data: str) -> None:
        self.client.tap(message, data, user_id=self.user_id)

    def settle(self) -> None:
        """Wait until everything sent so far has been handled (a /help round trip)."""
        self.say("/help")

    def nothing_new(self) -> bool:
        return self.client.bot_messages(self.user_id, after=self.last, timeout=0) == []


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]
