"""The real bot (`python -m bot serve`, unchanged but for base_url) against the telegram-test-api
emulator: what a user does in Telegram, end to end over HTTP."""

from __future__ import annotations

import pytest
from emulator import STAFF, STAFF2, STRANGER, TOKEN, buttons

from bot.core.texts import t

pytestmark = pytest.mark.e2e

CLARIFY_CANDIDATES = ("电话", "礼仪", "保密", "着装", "客户", "接待", "规范", "服务", "邮件", "称呼")


def test_start_sets_menu_and_offers_examples(e2e):
    commands = e2e.client.calls("setMyCommands")[0]["params"]["commands"]
    assert [c["command"] for c in commands][:3] == ["start", "help", "check"]
    e2e.client.send_command("/start", user_id=STAFF)
    reply = e2e.client.next_reply(STAFF, after=0)
    assert "礼保助手" in reply["text"]
    assert [b["callback_data"] for b in buttons(reply)] == ["1x:0", "1x:1", "1x:2"]


def test_question_gets_answer_with_source_and_vote_buttons(e2e):
    e2e.client.send_text("电话响几声要接？", user_id=STAFF2)
    reply = e2e.client.next_reply(STAFF2, after=0)
    assert "三声" in reply["text"] and "依据" in reply["text"]
    vote = next(b for b in buttons(reply) if b["text"].startswith("👍"))
    e2e.client.tap(reply, vote["callback_data"], user_id=STAFF2)
    # the vote edits the answer (the emulator stores the edit) and is acknowledged
    for _ in range(300):
        edited = e2e.client.message(STAFF2, reply["message_id"])
        if edited["edited"]:
            break
        e2e.client.bot_messages(STAFF2, after=reply["message_id"], timeout=0.05)
    assert t("vote.thanks_up") in edited["text"]
    assert any(c["params"].get("text") == t("vote.toast") for c in e2e.client.calls("answerCallbackQuery"))


def test_clarify_button_edits_in_the_answer(e2e, matcher):
    question = next(q for q in CLARIFY_CANDIDATES if matcher.ask(q, limit=4).status == "clarify")
    e2e.client.send_text(question, user_id=STAFF)
    last = max(m["message_id"] for m in e2e.client.bot_messages(STAFF, after=0, timeout=0))
    e2e.client.send_text(question, user_id=STAFF)
    reply = e2e.client.next_reply(STAFF, after=last)
    assert reply["text"] == t("ask.clarify")
    choice = next(b for b in buttons(reply) if b["callback_data"].startswith("1c:"))
    e2e.client.tap(reply, choice["callback_data"], user_id=STAFF)
    # Sequential processing (concurrent_updates: 1): once a later reply exists, the edit happened.
    e2e.client.send_command("/help", user_id=STAFF)
    e2e.client.next_reply(STAFF, after=reply["message_id"])
    edited = e2e.client.message(STAFF, reply["message_id"])
    assert edited["edited"] and f"【{choice['text']}】" in edited["text"] and "依据" in edited["text"]


def test_check_marks_the_problem(e2e):
    e2e.client.send_command("/check 这事不归我管，你找别人去。", user_id=STAFF2)
    last = 0
    while True:
        messages = e2e.client.bot_messages(STAFF2, after=last)
        match = [m for m in messages if "【" in m["text"] and "不归我管" in m["text"]]
        if match:
            break
        last = max(m["message_id"] for m in messages)
    assert "发现" in match[0]["text"]


def test_phrase_menu_and_tap(e2e):
    e2e.client.send_command("/phrase", user_id=5003 if False else STAFF)
    last = max((m["message_id"] for m in e2e.client.bot_messages(STAFF, after=0, timeout=0)), default=0)
    e2e.client.send_command("/phrase", user_id=STAFF)
    menu = e2e.client.next_reply(STAFF, after=last)
    scenario = buttons(menu)[0]
    assert scenario["callback_data"].startswith("1p:")
    e2e.client.tap(menu, scenario["callback_data"], user_id=STAFF)
    phrase = e2e.client.next_reply(STAFF, after=menu["message_id"])
    assert phrase["text"].startswith(f"【{scenario['text']}】")


def test_unknown_user_gets_one_refusal_only(e2e):
    e2e.client.send_command("/start", user_id=STRANGER)
    first = e2e.client.next_reply(STRANGER, after=0)
    assert first["text"] == t("access.refused")
    e2e.client.send_text("电话响几声要接？", user_id=STRANGER)
    # updates are processed in order: when STAFF's later message is answered, the stranger's was too
    before = max((m["message_id"] for m in e2e.client.bot_messages(STAFF, after=0, timeout=0)), default=0)
    e2e.client.send_command("/help", user_id=STAFF)
    e2e.client.next_reply(STAFF, after=before)
    assert e2e.client.bot_messages(STRANGER, after=first["message_id"], timeout=0) == []


def test_token_never_in_the_logs(e2e):
    e2e.client.send_command("/help", user_id=STAFF)
    assert TOKEN not in e2e.bot.log()
    assert TOKEN.split(":")[1] not in e2e.bot.log()
