"""Shared helpers of the leak-report tests: a virtual clock, a service on a file database, a
scripted reporter, and a fake Bot API (a BaseRequest that can fail on purpose)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core.chat.reply import Reply
from bot.core.reports.escalation import ReportPolicy
from bot.core.reports.person import Person
from bot.core.reports.sealing import Sealer
from bot.core.reports.service import ReportService
from bot.storage import ReportStore, connect

KEY = bytes(range(32))  # tests only
OFFICERS = (5550001, 5550002)
DEPUTY = (5550003,)
HEAD = (5550004,)
REF_RE = re.compile(r"编号：([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")


def policy() -> ReportPolicy:
    return ReportPolicy(officers=OFFICERS, deputy=DEPUTY, head=HEAD)


def make_service(db_path: Path | str, *, clock: Callable[[], float], key: bytes = KEY,
                 pol: ReportPolicy | None = None) -> ReportService:
    return ReportService(store=ReportStore(connect(db_path)), sealer=Sealer(key), policy=pol or policy(),
                         clock=clock)


def reporter(user_id: int, name: str = "测试员") -> Person:
    return Person(user_id=user_id, chat_id=user_id, private=True, name=name)


def officer(index: int = 0) -> Person:
    uid = OFFICERS[index]
    return Person(user_id=uid, chat_id=uid, private=True, name=f"保密员{index}")


def button(replies: list[Reply] | None, needle: str) -> str:
    """The callback data of the first button whose data contains `needle`."""
    for reply in replies or []:
        for row in reply.buttons:
            for b in row:
                if needle in b.data:
                    return b.data
    raise AssertionError(f"no button with {needle!r} in {replies!r}")


def shown_ref(replies: list[Reply] | None) -> str | None:
    for reply in replies or []:
        m = REF_RE.search(reply.text)
        if m:
            return m.group(1)
    return None


@dataclass
class Answers:
    category: str = "lost_carrier"
    detail: str = "情况说明"
    discovered: str = "now"  # a button value (now / today / yesterday), else typed text
    when_where: str = "今天上午十点，三楼会议室"
    level: str = "secret"
    containment: str = "已通知部门负责人"
    confidential: bool = True


def submit(service: ReportService, person: Person, answers: Answers, *, key_prefix: str | None = None) -> str:
    """Run the whole conversation; returns the reference shown to the reporter."""
    n = [0]

    def key() -> str | None:
        n[0] += 1
        return f"{key_prefix}:{n[0]}" if key_prefix else None

    r = service.handle_command(person, "report", update_key=key())
    r = service.handle_callback(person, button(r, f":category:{answers.category}:"), update_key=key())
    if answers.category == "other":
        r = service.handle_text(person, answers.detail, update_key=key())
    if answers.discovered in ("now", "today", "yesterday"):
        r = service.handle_callback(person, button(r, f":discovered:{answers.discovered}:"), update_key=key())
    else:
        r = service.handle_text(person, answers.discovered, update_key=key())
    r = service.handle_text(person, answers.when_where, update_key=key())
    r = service.handle_callback(person, button(r, f":level:{answers.level}:"), update_key=key())
    r = service.handle_text(person, answers.containment, update_key=key())
    choice = "yes" if answers.confidential else "no"
    r = service.handle_callback(person, button(r, f":confidential:{choice}:"), update_key=key())
    r = service.handle_callback(person, button(r, ":confirm:submit:"), update_key=key())
    ref = shown_ref(r)
    assert ref, r
    return ref


# ----------------------------------------------------------------------------- fake Bot API


@dataclass
class FakeBotApi:
    """A BaseRequest stand-in for api.telegram.org. `plan(call_no, chat_id)` returns None (ok) or a
    failure: "429:<seconds>", "500", "502", "timeout-before" (never reached Telegram) or
    "timeout-after" (delivered, but the answer was lost)."""

    plan: Callable[[int, int], str | None] = lambda n, chat: None
    clock: Callable[[], float] = lambda: 0.0
    delivered: list[dict[str, Any]] = field(default_factory=list)
    calls: list[tuple[float, int, str]] = field(default_factory=list)  # (time, chat, outcome)
    payloads: list[str] = field(default_factory=list)

    def request(self) -> Any:
        from support.telegram import OfflineRequest

        api = self

        class _Request(OfflineRequest):
            async def answer(self, api_method: str, params: dict[str, Any]) -> tuple[int, bytes]:
                return api.handle(api_method, params)

        return _Request()

    def handle(self, endpoint: str, params: dict[str, Any]) -> tuple[int, bytes]:
        import httpx
        from telegram.error import TimedOut

        if endpoint == "getMe":
            return 200, json.dumps({"ok": True, "result": {"id": 42, "is_bot": True, "first_name": "libao",
                                                           "username": "libao_test_bot"}}).encode()
        assert endpoint == "sendMessage", endpoint
        self.payloads.append(json.dumps(params, ensure_ascii=False, default=str))
        chat_id = int(params["chat_id"])
        outcome = self.plan(len(self.calls), chat_id)
        self.calls.append((self.clock(), chat_id, outcome or "ok"))
        if outcome and outcome.startswith("429"):
            wait = int(outcome.split(":")[1])
            return 429, json.dumps({"ok": False, "error_code": 429, "description": "Too Many Requests",
                                    "parameters": {"retry_after": wait}}).encode()
        if outcome in ("500", "502"):
            return int(outcome), json.dumps({"ok": False, "error_code": int(outcome),
                                             "description": "Bad Gateway"}).encode()
        if outcome == "timeout-before":
            try:
                raise httpx.ConnectTimeout("connect timed out")
            except httpx.ConnectTimeout as exc:
                raise TimedOut() from exc
        self.delivered.append({"chat_id": chat_id, "text": params["text"]})
        if outcome == "timeout-after":
            try:
                raise httpx.ReadTimeout("read timed out")
            except httpx.ReadTimeout as exc:
                raise TimedOut() from exc
        message = {"message_id": len(self.delivered), "date": int(self.clock()),
                   "chat": {"id": chat_id, "type": "private"}, "text": params["text"]}
        return 200, json.dumps({"ok": True, "result": message}).encode()


async def api_bot(api: FakeBotApi) -> Any:
    from telegram import Bot

    request = api.request()
    bot = Bot("123456:" + "A" * 35, request=request, get_updates_request=api.request())
    await bot.initialize()
    return bot
