"""The application under test: the real Application and Assistant with an offline recording request,
test users and config, a stand-in checker and a small phrasebook."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pydantic import SecretStr
from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.channels.telegram.app import BackgroundJobs, build_application
from bot.config import AccessConfig, ChannelsConfig, Config, FileConfig, PrivacyConfig, RateLimitConfig, TelegramConfig
from bot.core.ask.knowledge import Source
from bot.core.chat.assistant import Assistant, AssistantOptions
from bot.core.check.checker import CheckResult, Finding
from bot.core.phrases.phrasebook import Phrasebook, Scenario
from bot.storage import ChatStore, connect
from support.clock import Clock
from support.telegram import RecordingRequest, Updates

TOKEN = "123456789:AAH-test-token-aaaaaaaaaaaaaaaaaaaaaaaaaaa"
STAFF, OFFICER, ADMIN, GROUP_MEMBER, STRANGER = 1001, 1002, 1003, 2001, 6666
STAFF_GROUP, ADMIN_CHAT, WORK_GROUP = -100123, -500, -100777
BURST = 5

_SOURCE = (Source("客户服务人员行为规范", "三、服务用语", "000"),)
SCENARIOS = [
    Scenario("apology", "致歉", ("道歉", "对不起", "抱歉"),
             ("非常抱歉给您带来不便，我是{单位}{部门}的{姓名}，马上为您处理。", "对不起，让您久等了。"), "", _SOURCE),
    Scenario("greeting", "问候", ("打招呼", "你好", "欢迎"), ("您好，欢迎来到{单位}！",), "", _SOURCE),
    Scenario("farewell", "道别", ("再见", "送客"), ("请慢走，欢迎再来！",), "", _SOURCE),
]


class StubChecker:
    """A small stand-in for bot.core.check.checker.Checker with the same result types: 推诿 phrases and
    mobile numbers. The real checker has its own tests; these tests are about the chat."""

    ruleset = SimpleNamespace(rules=[SimpleNamespace(id="forbidden.shirk", scenario="apology")])

    def check(self, draft: str) -> CheckResult:
        findings = []
        for m in re.finditer("不归我管", draft):
            findings.append(Finding("forbidden", "推诿", "forbidden.shirk", m.start(), m.end(), m.group(),
                                    "推诿用语，会让客户觉得被踢皮球。", "改说：这件事我帮您联系负责的同事。"))
        for m in re.finditer(r"1[3-9]\d{9}", draft):
            masked = m.group()[:3] + "****" + m.group()[-4:]
            findings.append(Finding("pii", "mobile", "pii.mobile", m.start(), m.end(), masked,
                                    "草稿里有手机号码。", "不要在回复中写出完整号码。"))
        findings.sort(key=lambda f: f.start)
        return CheckResult.of(draft, findings)


def make_config(**privacy: Any) -> Config:
    access = AccessConfig(allowed_user_ids=[STAFF], officers=[OFFICER], admins=[ADMIN], staff_group_id=STAFF_GROUP,
                          admin_chat_id=ADMIN_CHAT)
    file = FileConfig(channels=ChannelsConfig(telegram=TelegramConfig(access=access)),
                      rate_limit=RateLimitConfig(burst=BURST, per_minute=6),
                      privacy=PrivacyConfig(**privacy))
    return Config(token=SecretStr(TOKEN), file=file, database=Path(":memory:"), source=Path("test.yaml"))


@dataclass
class Bot:
    """Everything a handler test touches."""

    app: Application
    request: RecordingRequest
    updates: Updates
    assistant: Assistant
    store: ChatStore
    clock: Clock
    errors: list[BaseException] = field(default_factory=list)

    async def send(self, update: Update) -> None:
        await self.app.process_update(update)


async def make_bot(matcher, clock: Clock, *, config: Config | None = None, checker: Any = None,
                   db_path: Path | str = ":memory:") -> Bot:
    """The real application over a fresh Assistant and SQLite store (in memory by default), initialised
    (getMe answered offline) with an error collector registered after the real error handler."""
    config = config or make_config(store_unanswered=True)
    store = ChatStore(connect(db_path))
    options = AssistantOptions(store_votes=config.privacy.store_votes,
                               store_unanswered=config.privacy.store_unanswered)
    assistant = Assistant(matcher, store, checker=checker or StubChecker(), phrasebook=Phrasebook(SCENARIOS),  # type: ignore[arg-type]
                          options=options)
    request = RecordingRequest(members={GROUP_MEMBER})
    app = build_application(config, assistant, request=request, clock=clock, jobs=BackgroundJobs())
    errors: list[BaseException] = []

    async def collect(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert context.error is not None
        errors.append(context.error)

    app.add_error_handler(collect)
    await app.initialize()
    request.clear()  # getMe
    return Bot(app, request, Updates(app.bot), assistant, store, clock, errors)
