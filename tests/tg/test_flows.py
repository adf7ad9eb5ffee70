"""Conversation state is persisted and scoped per conversation: a settings prompt survives a
restart, is never answered by a question or by a message in another chat, and switching between
a settings prompt and a leak report asks "continue or cancel" instead of dropping either."""

from __future__ import annotations

from support.clock import Clock
from support.reports import KEY
from support.telegram import BOT_USERNAME
from support.tgbot import OFFICER, STAFF, WORK_GROUP, make_bot

from bot.core.phrases.messages import t
from bot.core.reports.escalation import ReportPolicy
from bot.core.reports.sealing import Sealer
from bot.core.reports.service import AssistantReportFlow, ReportService
from bot.storage import ReportStore


async def _bot(matcher, db_path, *, reports: bool = False):
    bot = await make_bot(matcher, Clock(), db_path=db_path)
    if reports:
        service = ReportService(store=ReportStore(bot.store.db), sealer=Sealer(KEY),
                                policy=ReportPolicy(officers=(OFFICER,)))
        bot.assistant.report_flow = AssistantReportFlow(service)
    send = bot.send

    async def paced(update):  # stay under the per-user rate limit of the test config
        bot.clock.now += 60
        await send(update)

    bot.send = paced
    return bot


async def _tap(bot, label: str, user_id: int = STAFF) -> None:
    call = next(c for c in reversed(bot.request.sent()) if any(label in b["text"] for b in c.buttons))
    await bot.send(bot.updates.callback_on(call, call.button(label)["callback_data"], user_id=user_id))


async def test_a_settings_prompt_survives_a_restart(matcher, tmp_path):
    bot = await _bot(matcher, tmp_path / "c.db")
    await bot.send(bot.updates.command("/settings", user_id=STAFF))
    await _tap(bot, "设置部门")
    assert bot.request.last().text == t("settings.prompt", field="部门")
    await bot.app.shutdown()
    bot = await _bot(matcher, tmp_path / "c.db")  # the process restarted
    try:
        await bot.send(bot.updates.text("客服部", user_id=STAFF))
        assert t("settings.saved", field="部门", value="客服部") in bot.request.last().text
    finally:
        await bot.app.shutdown()


async def test_a_question_after_a_settings_prompt_is_answered_not_saved(matcher, tmp_path):
    bot = await _bot(matcher, tmp_path / "c.db")
    try:
        await bot.send(bot.updates.command("/settings 部门", user_id=STAFF))
        await bot.send(bot.updates.text("电话响几声要接？", user_id=STAFF))
        reply = bot.request.last().text
        assert reply.startswith(t("settings.not_saved_question", field="部门", value="电话响几声要接？"))
        assert "依据" in reply and bot.store.get_settings(STAFF) == {}
    finally:
        await bot.app.shutdown()


async def test_a_settings_prompt_takes_no_input_from_another_chat(matcher, tmp_path):
    bot = await _bot(matcher, tmp_path / "c.db")
    try:
        await bot.send(bot.updates.command("/settings 单位", user_id=STAFF))
        await bot.send(bot.updates.text(f"@{BOT_USERNAME} 城西营业厅", user_id=STAFF, chat_id=WORK_GROUP,
                                        chat_type="supergroup"))
        assert bot.store.get_settings(STAFF) == {}
        await bot.send(bot.updates.text("城东营业厅", user_id=STAFF))
        assert bot.store.get_settings(STAFF) == {"单位": "城东营业厅"}
    finally:
        await bot.app.shutdown()


async def test_settings_during_a_report_draft_asks_continue_or_cancel(matcher, tmp_path):
    bot = await _bot(matcher, tmp_path / "c.db", reports=True)
    try:
        await bot.send(bot.updates.command("/report", user_id=STAFF))
        await _tap(bot, "外部人员")
        step = bot.request.last().text
        await bot.send(bot.updates.command("/settings 姓名", user_id=STAFF))
        busy = bot.request.last()
        draft = t("report.flow_name.draft")
        assert busy.text == t("flow.busy", current=draft, target=t("settings.flow_name", field="姓名"))
        await _tap(bot, t("flow.continue", current=draft))
        assert bot.request.last().text == step  # the report continues where it was
        await bot.send(bot.updates.text("3小时前", user_id=STAFF))  # still the report's answer
        assert bot.store.get_settings(STAFF) == {} and "在什么时间、什么地点" in bot.request.last().text
        await bot.send(bot.updates.command("/settings 姓名", user_id=STAFF))
        await _tap(bot, "取消并")
        assert bot.request.last().text == t("settings.prompt", field="姓名")
        await bot.send(bot.updates.text("王芳", user_id=STAFF))
        assert bot.store.get_settings(STAFF) == {"姓名": "王芳"}
    finally:
        await bot.app.shutdown()


async def test_report_during_a_settings_prompt_asks_continue_or_cancel(matcher, tmp_path):
    bot = await _bot(matcher, tmp_path / "c.db", reports=True)
    try:
        await bot.send(bot.updates.command("/settings 单位", user_id=STAFF))
        await bot.send(bot.updates.command("/report", user_id=STAFF))
        current = t("settings.flow_name", field="单位")
        assert bot.request.last().text == t("flow.busy", current=current, target=t("report.flow_name.new"))
        await _tap(bot, "取消并")
        assert "发生了什么情况" in bot.request.last().text  # the report started
        await bot.send(bot.updates.text("城东营业厅", user_id=STAFF))
        assert bot.store.get_settings(STAFF) == {}  # the prompt was cancelled, not answered
    finally:
        await bot.app.shutdown()


async def test_officers_see_their_commands_in_help(matcher, tmp_path):
    bot = await _bot(matcher, tmp_path / "c.db", reports=True)
    try:
        await bot.send(bot.updates.command("/help", user_id=OFFICER))
        assert t("help.officer") in bot.request.last().text
        await bot.send(bot.updates.command("/help", user_id=STAFF))
        assert t("help.officer") not in bot.request.last().text and "/report mine" in bot.request.last().text
        await bot.send(bot.updates.command("/reports", user_id=OFFICER))
        assert bot.request.last().text == t("report.list.empty")
    finally:
        await bot.app.shutdown()


async def test_a_photo_during_a_report_gets_a_warning_and_the_step(matcher, tmp_path):
    bot = await _bot(matcher, tmp_path / "c.db", reports=True)
    try:
        await bot.send(bot.updates.command("/report", user_id=STAFF))
        await _tap(bot, "外部人员")
        step = bot.request.last().text
        await bot.send(bot.updates.photo(user_id=STAFF))
        assert bot.request.last().text == t("report.not_text") + "\n\n" + step
        await bot.send(bot.updates.sticker(user_id=STAFF))
        assert bot.request.last().text.startswith(t("report.not_text"))
        await bot.send(bot.updates.command("/cancel", user_id=STAFF))
        await bot.send(bot.updates.photo(user_id=STAFF))
        assert bot.request.last().text == t("bot.text_only")
    finally:
        await bot.app.shutdown()
