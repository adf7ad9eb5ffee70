"""/report through the real Telegram application (offline): handlers, the Assistant's dispatch point,
update ids for replay protection, and the outbox sender on the same bot."""

from __future__ import annotations

from support.clock import Clock
from support.reports import KEY
from support.tgbot import OFFICER, STAFF, make_bot

from bot.channels.telegram.outbox import OutboxSender
from bot.core.phrases.messages import t
from bot.core.reports.escalation import ReportPolicy
from bot.core.reports.sealing import Sealer
from bot.core.reports.service import AssistantReportFlow, ReportService
from bot.storage import ReportStore, connect


async def test_report_over_telegram_with_replayed_updates(matcher, tmp_path):
    bot = await make_bot(matcher, Clock())
    service = ReportService(store=ReportStore(connect(tmp_path / "r.db")), sealer=Sealer(KEY),
                            policy=ReportPolicy(officers=(OFFICER,)))
    bot.assistant.report_flow = AssistantReportFlow(service)
    u, req = bot.updates, bot.request
    send = bot.send

    async def paced(update):  # stay under the per-user rate limit of the test config
        bot.clock.now += 60
        await send(update)

    bot.send = paced  # type: ignore[method-assign]

    await bot.send(u.command("/report", user_id=STAFF))
    await bot.send(u.callback_on(req.last(), req.last().button("外部人员").get("callback_data"), user_id=STAFF))
    await bot.send(u.callback_on(req.last(), req.last().button("刚刚").get("callback_data"), user_id=STAFF))
    await bot.send(u.text("今天上午，营业厅", user_id=STAFF))
    await bot.send(u.text("3", user_id=STAFF))  # 秘密
    await bot.send(u.text("已提醒同事", user_id=STAFF))
    await bot.send(u.text("2", user_id=STAFF))  # not confidential
    assert "请核对" in req.last().text
    confirm = u.callback_on(req.last(), req.last().button("提交").get("callback_data"), user_id=STAFF)
    await bot.send(confirm)
    assert "报告已提交" in req.last().text
    await bot.send(confirm)  # Telegram redelivers the same update after a crash
    assert "已经提交" in req.last().text
    assert service.store.count_reports() == 1
    ref = service.store.reports(open_only=True)[0]["ref"]

    # Officers are notified through the outbox: reference, category, urgency only.
    req.clear()
    assert await OutboxSender(bot=bot.app.bot, service=service).send_due() == 2
    note, received = req.sent()
    assert note.chat_id == OFFICER and ref in note.text and "营业厅" not in note.text
    # Only once the officer's notice went out is the reporter told that it arrived.
    assert received.chat_id == STAFF and received.text == t("report.notify.to_reporter.received", ref=ref)
    # The officer acknowledges from the notification; the reporter is told.
    await bot.send(u.callback_on(note, note.button("受理").get("callback_data"), user_id=OFFICER))
    assert service.store.report(ref)["status"] == "acknowledged"
    # A staff member tapping the officer's button changes nothing.
    await bot.send(u.callback_on(note, note.button("查看").get("callback_data"), user_id=STAFF))
    assert "仅限保密员" in req.last().text
    await bot.send(u.command("/report list", user_id=OFFICER))
    assert ref in req.last().text
    assert not bot.errors
