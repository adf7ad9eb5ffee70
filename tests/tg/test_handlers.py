"""Every handler of the Telegram bot, driven through Application.process_update, offline.

The `bot` fixture (conftest.py) collects handler errors and asserts after each test that there were
none; tests about the error path say explicitly which error they expect.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from support.telegram import BOT_USERNAME
from support.tgbot import (
    ADMIN,
    ADMIN_CHAT,
    BURST,
    GROUP_MEMBER,
    OFFICER,
    STAFF,
    STRANGER,
    WORK_GROUP,
    make_bot,
    make_config,
)

from bot.core.phrases.messages import t

CLARIFY_CANDIDATES = ("电话", "礼仪", "保密", "着装", "客户", "接待", "规范", "服务", "邮件", "称呼",
                      "介绍", "名片", "会议")


def callback_data(call, label_part: str) -> str:
    return call.button(label_part)["callback_data"]


def clarify_question(matcher) -> str:
    for q in CLARIFY_CANDIDATES:
        result = matcher.ask(q, limit=4)
        if result.status == "clarify" and len(result.matches) >= 2:
            return q
    pytest.fail("no clarify question among the candidates; extend CLARIFY_CANDIDATES")


# ----------------------------------------------------------------------------- /start, /help, menu


async def test_start_explains_and_offers_three_tappable_examples(bot):
    await bot.send(bot.updates.command("/start", user_id=STAFF))
    call = bot.request.last()
    assert call.chat_id == STAFF
    assert "小王" in call.text and "/check" in call.text and "/phrase" in call.text
    data = [b["callback_data"] for b in call.buttons]
    assert data == ["1x:0", "1x:1", "1x:2"]


async def test_start_examples_run_ask_check_and_phrase(bot):
    await bot.send(bot.updates.callback("1x:0", user_id=STAFF))
    assert "依据" in bot.request.last().text
    await bot.send(bot.updates.callback("1x:1", user_id=STAFF))
    assert "【不归我管】" in bot.request.last().text
    await bot.send(bot.updates.callback("1x:2", user_id=STAFF))
    assert "【致歉】" in bot.request.last().text
    # every tap is answered (the spinner stops)
    assert len(bot.request.sent("answerCallbackQuery")) == 3


async def test_help_lists_commands_and_inline_mode(bot):
    await bot.send(bot.updates.command("/help", user_id=STAFF))
    text = bot.request.last().text
    assert "/settings" in text and "/report" in text and f"@{BOT_USERNAME}" in text
    assert "/stats" not in text  # staff do not see admin commands


async def test_post_init_sets_the_command_menu_and_starts_jobs(matcher, clock):
    from bot.channels.telegram.app import BackgroundJobs

    ran = []

    async def job(app):
        ran.append(app.bot.username)

    b = await make_bot(matcher, clock)
    jobs: BackgroundJobs = b.app.bot_data["libao"]["jobs"]
    jobs.factories.append(job)
    assert b.app.post_init is not None
    await b.app.post_init(b.app)
    menus = b.request.sent("setMyCommands")
    everyone = ["start", "help", "check", "phrase", "settings", "report", "cancel"]
    assert [c["command"] for c in menus[0].params["commands"]] == everyone and "scope" not in menus[0].params
    by_chat = {m.params["scope"]["chat_id"]: [c["command"] for c in m.params["commands"]] for m in menus[1:]}
    assert by_chat == {OFFICER: [*everyone, "reports"], ADMIN: [*everyone, "stats", "inbox"]}
    assert all(c["description"] for m in menus for c in m.params["commands"])
    await asyncio.sleep(0)  # let the job start
    await jobs.stop()
    assert ran == [BOT_USERNAME]
    await b.app.shutdown()
    assert b.errors == []


# ----------------------------------------------------------------------------- questions


async def test_question_gets_answer_with_source_related_and_vote_buttons(bot):
    await bot.send(bot.updates.text("电话响几声要接？", user_id=STAFF))
    call = bot.request.last()
    assert "三声" in call.text and "依据：《" in call.text
    up = callback_data(call, "👍")
    down = callback_data(call, "👎")
    assert up.startswith("1v:") and up.endswith(":+") and down.endswith(":-")
    assert up.split(":")[1] == down.split(":")[1]


async def test_related_button_sends_that_answer(bot, matcher):
    entry = next(e for e in matcher.kb.entries if e.related)
    await bot.send(bot.updates.callback(f"1a:{entry.id}", user_id=STAFF))
    call = bot.request.last()
    related = matcher.kb.get(entry.related[0])
    assert related is not None
    data = callback_data(call, related.title)
    await bot.send(bot.updates.callback_on(call, data, user_id=STAFF))
    assert f"【{related.title}】" in bot.request.last().text


async def test_clarify_shows_candidates_and_a_tap_edits_in_the_answer(bot, matcher):
    question = clarify_question(matcher)
    await bot.send(bot.updates.text(question, user_id=STAFF))
    call = bot.request.last()
    assert call.text == t("ask.clarify")
    candidates = [b for b in call.buttons if b["callback_data"].startswith("1c:")]
    assert len(candidates) >= 2
    assert call.button(t("bot.none_of_these"))["callback_data"] == "1n"
    chosen = candidates[1]
    await bot.send(bot.updates.callback_on(call, chosen["callback_data"], user_id=STAFF))
    edit = bot.request.last("editMessageText")
    assert f"【{chosen['text']}】" in edit.text and "依据" in edit.text
    # "none of these" asks to rephrase
    await bot.send(bot.updates.callback_on(call, "1n", user_id=STAFF))
    assert bot.request.last("editMessageText").text == t("bot.rephrase")


async def test_unknown_question_is_honest_and_kept_for_curation_when_enabled(bot):
    await bot.send(bot.updates.text("茅台股票现在能买吗", user_id=STAFF))
    assert bot.request.last().text == t("ask.unknown")
    assert [q["question"] for q in bot.store.unanswered()] == ["茅台股票现在能买吗"]


async def test_questions_are_not_stored_by_default(matcher, clock):
    b = await make_bot(matcher, clock, config=make_config())
    await b.send(b.updates.text("茅台股票现在能买吗", user_id=STAFF))
    await b.send(b.updates.text("电话响几声要接？", user_id=STAFF))
    assert b.store.unanswered() == []
    rows = b.store.db.query("select name from sqlite_master where type='table'")
    for row in rows:  # no table holds the question text
        assert not any("茅台" in str(v) for r in b.store.db.table(row["name"]).rows for v in r.values())
    await b.app.shutdown()
    assert b.errors == []


# ----------------------------------------------------------------------------- votes


async def test_votes_are_stored_once_per_user_and_the_buttons_go(bot):
    await bot.send(bot.updates.text("电话响几声要接？", user_id=STAFF))
    answer = bot.request.last()
    up = callback_data(answer, "👍")
    entry_id = up.split(":")[1]
    await bot.send(bot.updates.callback_on(answer, up, user_id=STAFF))
    assert bot.request.last("answerCallbackQuery").params["text"] == t("vote.toast")
    edit = bot.request.last("editMessageText")
    assert t("vote.thanks_up") in edit.text
    assert not any(b["text"].startswith(("👍", "👎")) for b in edit.buttons)
    # changing one's mind replaces the vote; another user adds one
    await bot.send(bot.updates.callback_on(answer, callback_data(answer, "👎"), user_id=STAFF))
    await bot.send(bot.updates.callback_on(answer, up, user_id=OFFICER))
    assert bot.store.vote_summary() == [{"entry_id": entry_id, "up": 1, "down": 1}]


async def test_votes_not_stored_when_disabled(matcher, clock):
    b = await make_bot(matcher, clock, config=make_config(store_votes=False))
    entry = matcher.kb.entries[0]
    await b.send(b.updates.callback(f"1v:{entry.id}:+", user_id=STAFF))
    assert t("vote.thanks_up") in b.request.last("editMessageText").text
    assert b.store.vote_summary() == []
    await b.app.shutdown()
    assert b.errors == []


# ----------------------------------------------------------------------------- forged / stale buttons


@pytest.mark.parametrize("data", [
    "1a:no.such_entry",       # stale: entry removed from the knowledge base
    "0a:phone.ring",          # another version of the data format
    "1v:{entry}:*",           # forged vote value
    "1v:{entry}",             # missing part
    "1p:no_such_scenario",
    "1s:password",
    "1x:9",
    "1z:whatever",            # unknown kind
    "garbage",
    "1a:../../etc/passwd",
    "",
    "1a:" + "x" * 70,
])
async def test_forged_or_stale_callback_data_gets_polite_expired(bot, matcher, data):
    data = data.replace("{entry}", matcher.kb.entries[0].id)
    await bot.send(bot.updates.callback(data, user_id=STAFF))
    assert bot.request.last("answerCallbackQuery").params["text"] == t("bot.expired_short")
    assert bot.request.last().text == t("bot.expired")


async def test_callback_without_data_is_expired_too(bot):
    await bot.send(bot.updates.callback(None, user_id=STAFF))
    assert bot.request.last().text == t("bot.expired")


# ----------------------------------------------------------------------------- /check


async def test_check_marks_spans_and_offers_rewrites(bot):
    await bot.send(bot.updates.command("/check 您好，这事不归我管，请打13812345678找别人。", user_id=STAFF))
    call = bot.request.last()
    assert "【不归我管】" in call.text and "推诿" in call.text
    assert "这件事我帮您联系负责的同事" in call.text  # the suggestion
    assert "13812345678" not in call.text and "138****5678" in call.text  # personal data never echoed
    assert callback_data(call, "致歉") == "1p:apology"
    assert any(b.get("copy_text", {}).get("text", "").count("138****5678") for b in call.buttons)
    await bot.send(bot.updates.callback_on(call, "1p:apology", user_id=STAFF))
    assert "非常抱歉" in bot.request.last().text


async def test_check_as_reply_to_a_message(bot):
    draft = bot.updates.message_dict("不归我管", user_id=STAFF)
    await bot.send(bot.updates.command("/check", user_id=STAFF, reply_to_message=draft))
    assert "【不归我管】" in bot.request.last().text


async def test_check_clean_and_check_usage(bot):
    await bot.send(bot.updates.command("/check 您好，请稍等，我帮您查询。", user_id=STAFF))
    assert bot.request.last().text == t("check.ok")
    await bot.send(bot.updates.command("/check", user_id=STAFF))
    assert bot.request.last().text == t("bot.check_usage")


# ----------------------------------------------------------------------------- /phrase, inline, /settings


async def test_phrase_menu_and_scenario(bot):
    await bot.send(bot.updates.command("/phrase", user_id=STAFF))
    menu = bot.request.last()
    assert [b["callback_data"] for b in menu.buttons] == ["1p:apology", "1p:greeting", "1p:farewell"]
    await bot.send(bot.updates.callback_on(menu, "1p:greeting", user_id=STAFF))
    call = bot.request.last()
    assert "您好，欢迎来到××单位！" in call.text
    assert t("settings.hint_missing", fields="单位") in call.text
    assert call.button("复制")["copy_text"]["text"] == "您好，欢迎来到××单位！"
    assert call.button("其他聊天")["switch_inline_query"] == "问候"


async def test_phrase_with_query_renders_settings(bot):
    await bot.send(bot.updates.command("/settings 单位 城东服务中心", user_id=STAFF))
    assert t("settings.saved", field="单位", value="城东服务中心") in bot.request.last().text
    await bot.send(bot.updates.command("/phrase 欢迎", user_id=STAFF))
    assert "您好，欢迎来到城东服务中心！" in bot.request.last().text
    await bot.send(bot.updates.command("/phrase 天气预报", user_id=STAFF))
    assert bot.request.last().text.startswith("没有找到")


async def test_inline_mode_offers_filled_phrases(bot):
    await bot.send(bot.updates.command("/settings 姓名 王芳", user_id=STAFF))
    await bot.send(bot.updates.inline("道歉", user_id=STAFF))
    call = bot.request.last("answerInlineQuery")
    results = call.params["results"]
    assert results and results[0]["title"] == "致歉"
    assert "王芳" in results[0]["input_message_content"]["message_text"]
    assert call.params["is_personal"] is True


async def test_settings_buttons_prompt_save_and_clear(bot):
    await bot.send(bot.updates.command("/settings", user_id=STAFF))
    view = bot.request.last()
    assert t("settings.unset") in view.text
    await bot.send(bot.updates.callback_on(view, callback_data(view, "姓名"), user_id=STAFF))
    assert bot.request.last().text == t("settings.prompt", field="姓名")
    await bot.send(bot.updates.text("王芳", user_id=STAFF))
    assert t("settings.saved", field="姓名", value="王芳") in bot.request.last().text
    assert bot.store.get_settings(STAFF) == {"姓名": "王芳"}
    # the next text is a question again
    await bot.send(bot.updates.text("电话响几声要接？", user_id=STAFF))
    assert "依据" in bot.request.last().text
    await bot.send(bot.updates.callback_on(view, callback_data(view, "清除"), user_id=STAFF))
    assert t("settings.cleared") in bot.request.last("editMessageText").text
    assert bot.store.get_settings(STAFF) == {}


async def test_settings_rejects_bad_values_and_cancel_works(bot):
    await bot.send(bot.updates.command("/settings 单位 " + "长" * 80, user_id=STAFF))
    assert bot.request.last().text == t("settings.invalid", field="单位", limit=40)
    await bot.send(bot.updates.command("/settings 部门", user_id=STAFF))
    assert bot.request.last().text == t("settings.prompt", field="部门")
    await bot.send(bot.updates.command("/cancel", user_id=STAFF))
    assert bot.request.last().text == t("bot.cancelled")
    await bot.send(bot.updates.command("/cancel", user_id=STAFF))
    assert bot.request.last().text == t("bot.nothing_to_cancel")
    await bot.send(bot.updates.command("/settings 血型 A", user_id=STAFF))
    assert bot.request.last().text == t("settings.usage")


# ----------------------------------------------------------------------------- /report, /stats, unknown commands


async def test_report_without_a_report_service_points_to_the_officer(bot):
    await bot.send(bot.updates.command("/report", user_id=STAFF))
    assert bot.request.last().text == t("report.disabled")


async def test_stats_only_for_admins(bot):
    await bot.send(bot.updates.command("/stats", user_id=STAFF))
    assert bot.request.last().text == t("access.admin_only")
    await bot.send(bot.updates.text("茅台股票现在能买吗", user_id=STAFF))
    await bot.send(bot.updates.command("/stats", user_id=ADMIN))
    text = bot.request.last().text
    assert t("bot.stats_unanswered_title") in text and "茅台股票现在能买吗" in text


async def test_unknown_command(bot):
    await bot.send(bot.updates.command("/frobnicate now", user_id=STAFF))
    assert bot.request.last().text == t("bot.unknown_command")


# ----------------------------------------------------------------------------- access control


async def test_unknown_user_gets_one_polite_refusal_and_nothing_else(bot):
    await bot.send(bot.updates.command("/start", user_id=STRANGER))
    assert [c.text for c in bot.request.sent()] == [t("access.refused")]
    await bot.send(bot.updates.text("电话响几声要接？", user_id=STRANGER))
    await bot.send(bot.updates.command("/check 不归我管", user_id=STRANGER))
    await bot.send(bot.updates.inline("道歉", user_id=STRANGER))
    await bot.send(bot.updates.callback("1x:0", user_id=STRANGER))
    assert len(bot.request.sent()) == 1
    inline = bot.request.last("answerInlineQuery").params
    assert inline["results"] == [] and inline["button"]["text"] == t("access.refused_short")
    assert bot.request.last("answerCallbackQuery").params["text"] == t("access.refused")


async def test_a_stranger_s_refusal_is_not_used_up_by_a_toast_or_inline_hint(bot):
    await bot.send(bot.updates.callback("1x:0", user_id=STRANGER))
    tapped = bot.request.last("answerCallbackQuery").params
    assert tapped["text"] == t("access.refused") and tapped["show_alert"] is True
    await bot.send(bot.updates.inline("道歉", user_id=STRANGER))
    assert bot.request.sent() == []
    await bot.send(bot.updates.command("/start", user_id=STRANGER))
    assert [c.text for c in bot.request.sent()] == [t("access.refused")]


async def test_a_refusal_that_telegram_did_not_take_is_tried_again(bot):
    bot.request.fail["sendMessage"] = "Forbidden: bot was blocked by the user"
    await bot.send(bot.updates.command("/start", user_id=STRANGER))
    del bot.request.fail["sendMessage"]
    await bot.send(bot.updates.command("/start", user_id=STRANGER))
    assert [c.text for c in bot.request.sent()] == [t("access.refused")] * 2


async def test_staff_group_members_are_staff(bot):
    await bot.send(bot.updates.text("电话响几声要接？", user_id=GROUP_MEMBER))
    assert "依据" in bot.request.last().text
    member_checks = bot.request.sent("getChatMember")
    assert len(member_checks) == 1 and member_checks[0].params["chat_id"] == -100123
    await bot.send(bot.updates.text("电话响几声要接？", user_id=GROUP_MEMBER))
    assert len(bot.request.sent("getChatMember")) == 1  # cached


async def test_membership_lookup_failure_refuses_politely(bot):
    bot.request.fail["getChatMember"] = "Bad Request: chat not found"
    await bot.send(bot.updates.text("你好", user_id=GROUP_MEMBER))
    assert bot.request.last().text == t("access.refused")


async def test_roles_come_from_config(bot):
    await bot.send(bot.updates.command("/help", user_id=ADMIN))
    assert "/stats" in bot.request.last().text
    await bot.send(bot.updates.command("/help", user_id=OFFICER))
    assert "/stats" not in bot.request.last().text


# ----------------------------------------------------------------------------- groups


async def test_group_answers_only_commands_and_mentions(bot):
    await bot.send(bot.updates.text("电话响几声要接？", user_id=STAFF, chat_id=WORK_GROUP, chat_type="supergroup"))
    await bot.send(bot.updates.text("随便聊聊", user_id=STRANGER, chat_id=WORK_GROUP, chat_type="supergroup"))
    await bot.send(bot.updates.sticker(user_id=STAFF, chat_type="supergroup"))
    await bot.send(bot.updates.edited("改了", user_id=STAFF, chat_type="supergroup"))
    await bot.send(bot.updates.command("/start@other_bot", user_id=STAFF, chat_id=WORK_GROUP, chat_type="supergroup"))
    assert bot.request.calls == []
    await bot.send(bot.updates.text(f"@{BOT_USERNAME} 电话响几声要接？", user_id=STAFF, chat_id=WORK_GROUP,
                                    chat_type="supergroup"))
    call = bot.request.last()
    assert call.chat_id == WORK_GROUP and "三声" in call.text
    assert call.params["reply_parameters"]["message_id"]  # answers as a reply in groups
    await bot.send(bot.updates.command(f"/check@{BOT_USERNAME} 不归我管", user_id=STAFF, chat_id=WORK_GROUP,
                                       chat_type="supergroup"))
    assert "【不归我管】" in bot.request.last().text


# ----------------------------------------------------------------------------- bad input


async def test_stickers_and_photos_get_a_text_please(bot):
    await bot.send(bot.updates.sticker(user_id=STAFF))
    assert bot.request.last().text == t("bot.text_only")
    await bot.send(bot.updates.photo(user_id=STAFF, caption="电话响几声要接"))
    assert bot.request.last().text == t("bot.text_only")


async def test_edited_messages_are_not_reprocessed(bot):
    await bot.send(bot.updates.edited("电话响几声要接？", user_id=STAFF))
    assert [c.text for c in bot.request.sent()] == [t("bot.edited")]


async def test_4096_character_messages(bot):
    long_question = ("电话响几声要接" * 600)[:4096]
    await bot.send(bot.updates.text(long_question, user_id=STAFF))
    assert bot.request.last().text.startswith(t("input.truncated", limit=500))
    await bot.send(bot.updates.command("/check " + ("不归我管，" * 900)[:4089], user_id=STAFF))
    sent = bot.request.sent()
    assert all(len(c.text.encode("utf-16-le")) // 2 <= 4096 for c in sent)
    assert len(sent) > 2  # the long check result was split, not refused by Telegram


async def test_emoji_only_and_blank_text(bot):
    await bot.send(bot.updates.text("😂😂🙏", user_id=STAFF))
    assert bot.request.last().text == t("input.no_text")


async def test_a_flood_from_one_user_gets_one_polite_warning(bot):
    for _ in range(BURST + 10):
        await bot.send(bot.updates.text("电话响几声要接？", user_id=STAFF))
    texts = [c.text for c in bot.request.sent()]
    assert len(texts) == BURST + 1
    assert texts[-1] == t("bot.rate_limited")
    # others are not affected
    await bot.send(bot.updates.text("电话响几声要接？", user_id=OFFICER))
    assert "依据" in bot.request.last().text
    # after a quiet minute the user is served again
    bot.clock.now += 60
    await bot.send(bot.updates.text("电话响几声要接？", user_id=STAFF))
    assert "依据" in bot.request.last().text


# ----------------------------------------------------------------------------- the error handler


async def test_error_handler_apologises_and_tells_admins_without_content(bot, monkeypatch):
    async def boom(sender, text):
        raise ValueError(f"cannot handle {text}")

    monkeypatch.setattr(bot.assistant, "text_async", boom)
    await bot.send(bot.updates.text("机密文件放哪里了", user_id=STAFF))
    assert [type(e) for e in bot.errors] == [ValueError]
    bot.errors.clear()
    to_user = [c for c in bot.request.sent() if c.chat_id == STAFF]
    to_admin = [c for c in bot.request.sent() if c.chat_id == ADMIN_CHAT]
    assert [c.text for c in to_user] == [t("bot.error")]
    assert len(to_admin) == 1 and "ValueError" in to_admin[0].text
    assert "机密" not in to_admin[0].text and "cannot handle" not in to_admin[0].text


async def test_error_while_apologising_does_not_loop(bot, monkeypatch):
    async def boom(sender, text):
        raise RuntimeError("x")

    monkeypatch.setattr(bot.assistant, "text_async", boom)
    bot.request.fail["sendMessage"] = "Forbidden: bot was blocked by the user"
    await bot.send(bot.updates.text("你好", user_id=STAFF))
    assert [type(e) for e in bot.errors] == [RuntimeError]
    bot.errors.clear()


async def test_tap_on_an_inaccessible_old_message_answers_privately(bot):
    old = {"chat": {"id": STAFF, "type": "private"}, "message_id": 1, "date": 0}  # InaccessibleMessage
    await bot.send(bot.updates.callback("1x:0", user_id=STAFF, message=old))
    call = bot.request.last()
    assert call.chat_id == STAFF and "依据" in call.text


async def test_retention_job_purges_on_start(matcher, clock):
    from bot.channels.hub import retention_job

    purged = []

    class Store:
        def purge(self, *, retention_days, settings_retention_days):
            purged.append((retention_days, settings_retention_days))
            return 0

    b = await make_bot(matcher, clock)
    task = asyncio.create_task(retention_job(Store(), make_config(retention_days=30))(b.app))
    await asyncio.sleep(0)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert purged == [(30, 365)]
    await b.app.shutdown()
    assert b.errors == []
