"""At DEBUG level, with canary strings in questions, drafts, settings and leak reports and realistic
user ids, a whole session through the real Telegram application leaves no canary, no user id and
no full personal number in the log, the database file, its WAL or its shared-memory file."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from pydantic import SecretStr
from support.clock import Clock
from support.reports import KEY
from support.tgbot import TOKEN, make_bot

from bot.channels.telegram.app import api_method_names
from bot.channels.telegram.outbox import OutboxSender
from bot.config import AccessConfig, ChannelsConfig, Config, FileConfig, PrivacyConfig, RateLimitConfig, TelegramConfig
from bot.core.check.checker import default_checker
from bot.core.reports.escalation import ReportPolicy
from bot.core.reports.sealing import Sealer
from bot.core.reports.service import AssistantReportFlow, ReportService
from bot.logs import setup_logging
from bot.storage import ReportStore

pytestmark = [pytest.mark.reliability, pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")]

STAFF_ID = 7_301_234_567
OFFICER_ID = 7_309_876_543
ID_NUMBER = "11010119900307451" + "X"  # a resident ID (check digit computed below)
MOBILE = "13812349876"
CANARIES = {
    "question": "问题金丝雀QCAN4711",
    "draft": "草稿金丝雀DCAN4712",
    "setting": "设置金丝雀SCAN4713",
    "report": "报告金丝雀RCAN4714",
    "officer": "保密员金丝雀OCAN4715",
}
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _resident_id(body17: str) -> str:
    return body17 + "10X98765432"[sum(int(c) * w for c, w in zip(body17, _WEIGHTS, strict=True)) % 11]


def _config() -> Config:
    access = AccessConfig(allowed_user_ids=[STAFF_ID], officers=[OFFICER_ID])
    file = FileConfig(channels=ChannelsConfig(telegram=TelegramConfig(access=access)),
                      rate_limit=RateLimitConfig(burst=1000, per_minute=1000),
                      privacy=PrivacyConfig(store_unanswered=False), log_level="DEBUG")
    return Config(token=SecretStr(TOKEN), file=file, database=Path("unused.db"), source=Path("test.yaml"))


def _int_forms(value: int) -> list[bytes]:
    return [str(value).encode(), value.to_bytes(8, "big"), value.to_bytes(6, "big")]


async def test_debug_session_leaves_no_canary_id_or_number_anywhere(matcher, tmp_path):
    person_id = _resident_id("11010119900307451")
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    setup_logging("DEBUG", secrets=[TOKEN], safe_args=api_method_names(), stream=stream)
    db_path = tmp_path / "libao.db"
    try:
        bot = await make_bot(matcher, Clock(), config=_config(), checker=default_checker(), db_path=db_path)
        service = ReportService(store=ReportStore(bot.store.db), sealer=Sealer(KEY),
                                policy=ReportPolicy(officers=(OFFICER_ID,)), clock=bot.clock)
        bot.assistant.report_flow = AssistantReportFlow(service)
        u, req, c = bot.updates, bot.request, CANARIES

        def staff_says(text: str):
            update = u.command(text, user_id=STAFF_ID) if text.startswith("/") else u.text(text, user_id=STAFF_ID)
            return bot.send(update)

        async def tap(user_id: int, label: str) -> None:
            await bot.send(u.callback_on(req.last(), req.last().button(label)["callback_data"], user_id=user_id))

        await staff_says("/start")
        await staff_says(f"电话响几声要接？{c['question']} 我的手机{MOBILE}")
        await staff_says(f"{c['question']} 身份证{person_id}该怎么处理")
        await staff_says(f"/check 客户身份证{person_id}，电话{MOBILE}，{c['draft']}，不归我管")
        await staff_says(f"/settings 姓名 {c['setting']}")
        await staff_says("/settings")
        await tap(STAFF_ID, "清除")
        # A leak report with canaries, then the officer's side.
        await staff_says("/report")
        await tap(STAFF_ID, "其他")
        await staff_says(f"说明 {c['report']}")
        await staff_says("3小时前")  # when it was discovered
        await staff_says(f"今天上午，{c['report']}，客户手机{MOBILE}")
        await staff_says("4")
        await staff_says(f"已封存 {c['report']}")
        await staff_says("1")
        await tap(STAFF_ID, "提交")
        sender = OutboxSender(bot=bot.app.bot, service=service)
        await sender.send_due()
        ref = service.store.reports(open_only=True)[0]["ref"]
        await bot.send(u.command(f"/report {ref}", user_id=OFFICER_ID))
        await tap(OFFICER_ID, "受理")
        await bot.send(u.command(f"/report {ref}", user_id=OFFICER_ID))
        await tap(OFFICER_ID, "补充")
        await bot.send(u.text(f"请说明 {c['officer']}", user_id=OFFICER_ID))
        await sender.send_due()
        assert any(c["officer"] in call.text for call in req.sent() if call.chat_id == STAFF_ID)
        assert bot.errors == []
        await bot.app.shutdown()
        bot.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])

    log = stream.getvalue()
    assert "Calling Bot API endpoint `sendMessage` with parameters `<…>`" in log  # DEBUG lines were written
    text_needles = [*c.values(), MOBILE, person_id, str(STAFF_ID), str(OFFICER_ID), TOKEN]
    for needle in text_needles:
        assert needle not in log, f"{needle!r} in the log"
    files = [p for p in tmp_path.iterdir() if p.name.startswith("libao.db")]
    assert {p.name for p in files} >= {"libao.db", "libao.db-wal", "libao.db-shm"}
    byte_needles = [n.encode() for n in text_needles[:-1]] + [n.encode("utf-16-le") for n in c.values()]
    byte_needles += _int_forms(STAFF_ID) + _int_forms(OFFICER_ID)
    for path in files:
        raw = path.read_bytes()
        for needle in byte_needles:
            assert needle not in raw, f"{needle!r} in {path.name}"
