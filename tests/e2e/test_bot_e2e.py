"""The real bot (`python -m bot serve`, unchanged but for base_url) against the telegram-test-api
emulator: what a user does in Telegram, end to end over HTTP."""

from __future__ import annotations

import pytest
from emulator import STAFF, STRANGER, TOKEN, Conversation, buttons

from bot.core.phrases.messages import t

pytestmark = pytest.mark.e2e

CLARIFY_CANDIDATES = ("电话", "礼仪", "保密", "着装", "客户", "接待", "规范", "服务", "邮件", "称呼",
                      "介绍", "名片", "会议")


def test_start_sets_menu_and_offers_examples(e2e):
    commands = e2e.client.calls("setMyCommands")[0]["params"]["commands"]
    assert [c["command"] for c in commands][:3] == ["start", "help", "check"]
    chat = Conversation(e2e.client, STAFF[0])
    reply = chat.say("/start")
    assert "礼保助手" in reply["text"]
    assert [b["callback_data"] for b in buttons(reply)] == ["1x:0", "1x:1", "1x:2"]
    chat.tap(reply, "1x:0")  # the first example asks a question
    assert "依据" in chat.reply()["text"]


def test_question_answer_and_vote(e2e):
    chat = Conversation(e2e.client, STAFF[1])
    reply = chat.say("电话响几声要接？")
    assert "三声" in reply["text"] and "依据" in reply["text"]
    vote = next(b for b in buttons(reply) if b["text"].startswith("👍"))
    chat.tap(reply, vote["callback_data"])
    chat.settle()
    edited = e2e.client.message(STAFF[1], reply["message_id"])
    assert edited["edited"] and t("vote.thanks_up") in edited["text"]
    assert not any(b["text"].startswith("👍") for b in buttons(edited))
    assert any(c["params"].get("text") == t("vote.toast") for c in e2e.client.calls("answerCallbackQuery"))


def test_clarify_button_edits_in_the_answer(e2e, matcher):
    question = next(q for q in CLARIFY_CANDIDATES if matcher.ask(q, limit=4).status == "clarify")
    chat = Conversation(e2e.client, STAFF[2])
    reply = chat.say(question)
    assert reply["text"] == t("ask.clarify")
    choice = next(b for b in buttons(reply) if b["callback_data"].startswith("1c:"))
    chat.tap(reply, choice["callback_data"])
    chat.settle()
    edited = e2e.client.message(STAFF[2], reply["message_id"])
    assert edited["edited"] and f"【{choice['text']}】" in edited["text"] and "依据" in edited["text"]


def test_check_marks_the_problem(e2e):
    chat = Conversation(e2e.client, STAFF[3])
    reply = chat.say("/check 这事不归我管，你找别人去。")
    assert t("check.label.draft") in reply["text"]
    assert "【不归我管】" in reply["text"]
    assert any(b["callback_data"].startswith("1p:") for b in buttons(reply))  # standard phrases offered


def test_phrase_menu_and_tap(e2e):
    chat = Conversation(e2e.client, STAFF[4])
    menu = chat.say("/phrase")
    scenario = buttons(menu)[0]
    assert scenario["callback_data"].startswith("1p:")
    chat.tap(menu, scenario["callback_data"])
    assert chat.reply()["text"].startswith(f"【{scenario['text']}】")


def test_stale_button_is_polite(e2e):
    chat = Conversation(e2e.client, STAFF[5])
    reply = chat.say("/start")
    chat.tap(reply, "1a:no.such_entry")
    assert chat.reply()["text"] == t("bot.expired")


def test_unknown_user_gets_one_refusal_only(e2e):
    stranger = Conversation(e2e.client, STRANGER)
    assert stranger.say("/start")["text"] == t("access.refused")
    stranger.send("电话响几声要接？")
    stranger.send("/check 不归我管")
    Conversation(e2e.client, STAFF[6]).settle()  # handled in order: the stranger's messages are done
    assert stranger.nothing_new()


def test_token_never_in_the_logs(e2e):
    Conversation(e2e.client, STAFF[7]).settle()
    log = e2e.bot.log()
    assert "Application started" in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
