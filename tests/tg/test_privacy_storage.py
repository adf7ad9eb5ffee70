"""What may be stored is decided on the way in: questions and settings keep no full personal
number, cleared settings are gone from the database file and its WAL, and groups never see a
user's settings or a draft's personal data."""

from __future__ import annotations

import json

from support.tgbot import ADMIN, STAFF, WORK_GROUP, make_bot

from bot.core.check.checker import default_checker
from bot.core.phrases.messages import t
from bot.storage import ChatStore, connect

MOBILE = "13987654321"
LANDLINE = "010-6655-4433"
UNANSWERED = f"同事的手机{MOBILE}和座机{LANDLINE}能不能给客户？量子纠缠"


def _all_text(bot) -> str:
    return "\n".join(json.dumps(c.params, ensure_ascii=False) for c in bot.request.calls)


async def test_unanswered_questions_are_stored_and_shown_masked(matcher, clock):
    bot = await make_bot(matcher, clock)
    try:
        assert matcher.ask(UNANSWERED, limit=4).status == "unknown"  # only unanswered questions are kept
        await bot.send(bot.updates.text(UNANSWERED, user_id=STAFF))
        stored = [str(q["question"]) for q in bot.store.unanswered()]
        assert stored and all(MOBILE not in q and "66554433" not in q.replace("-", "") for q in stored)
        assert "138" not in stored[0] and "139****4321" in stored[0]
        bot.request.clear()
        await bot.send(bot.updates.command("/stats", user_id=ADMIN))
        shown = bot.request.last().text
        assert "139****4321" in shown and MOBILE not in shown
    finally:
        await bot.app.shutdown()


def test_settings_keep_no_full_number_and_no_raw_user_id(tmp_path):
    db = connect(tmp_path / "c.db")
    store = ChatStore(db)
    store.set_setting(987654321, "姓名", f"张三 {MOBILE}")
    assert store.get_settings(987654321) == {"姓名": "张三 139****4321"}
    rows = list(db.query("select * from chat_user_settings"))
    assert "987654321" not in json.dumps(rows)


def test_cleared_settings_leave_no_trace_in_the_database_or_its_wal(tmp_path):
    path = tmp_path / "c.db"
    store = ChatStore(connect(path))
    canary = "清除金丝雀甲乙丙"
    for user in range(100, 140):  # enough writes that the WAL holds several page versions
        store.set_setting(user, "单位", f"{canary}{user}")
    store.set_setting(7, "部门", canary)
    store.clear_settings(7)
    for user in range(100, 140):
        store.clear_settings(user)
    needle = canary.encode()
    files = [p for p in tmp_path.iterdir() if p.name.startswith("c.db")]
    assert any(p.name == "c.db-wal" for p in files)
    for p in files:
        assert needle not in p.read_bytes(), p.name
    assert store.get_settings(7) == {}


async def test_settings_are_never_shown_or_set_in_a_group(matcher, clock):
    bot = await make_bot(matcher, clock)
    try:
        bot.store.set_setting(STAFF, "姓名", "王小明")
        await bot.send(bot.updates.command("/settings", user_id=STAFF, chat_id=WORK_GROUP, chat_type="supergroup"))
        await bot.send(bot.updates.command("/settings 部门 客服部", user_id=STAFF, chat_id=WORK_GROUP,
                                           chat_type="supergroup"))
        texts = [c.text for c in bot.request.sent()]
        assert texts == [t("settings.private_only")] * 2
        assert "王小明" not in _all_text(bot) and bot.store.get_settings(STAFF) == {"姓名": "王小明"}
        await bot.send(bot.updates.command("/settings", user_id=STAFF))
        assert "王小明" in bot.request.last().text  # privately, as before
    finally:
        await bot.app.shutdown()


async def test_check_in_a_group_never_quotes_personal_data(matcher, clock):
    bot = await make_bot(matcher, clock, checker=default_checker())
    try:
        draft = f"您好，您的快递员电话是{MOBILE}，不归我管"
        await bot.send(bot.updates.command(f"/check {draft}", user_id=STAFF, chat_id=WORK_GROUP,
                                           chat_type="supergroup"))
        assert bot.request.sent() and MOBILE not in _all_text(bot)
        assert "139****4321" in bot.request.last().text
    finally:
        await bot.app.shutdown()
