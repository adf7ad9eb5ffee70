"""Personal data inside another finding (a confidential-topic span around a phone number, an ID or an
e-mail address) is masked in every output: Telegram chat, console chat, CLI text and CLI JSON."""

from __future__ import annotations

import json

import pytest
from support.tgbot import STAFF, make_bot

from bot.channels.console.app import ConsoleChat
from bot.cli import exitcodes
from bot.cli.main import main
from bot.core.chat.assistant import Assistant
from bot.core.chat.store import MemoryStore
from bot.core.check.checker import default_checker
from bot.core.check.pii import is_resident_id
from bot.core.phrases.phrasebook import default_phrasebook

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(body17: str) -> str:
    """`body17` completed with its GB 11643 check digit."""
    return body17 + "10X98765432"[sum(int(c) * w for c, w in zip(body17, _WEIGHTS, strict=True)) % 11]


ID = resident_id("11010119900307451")
MOBILE = "13812345678"
LOCAL = "zhangsan.hr"
DRAFTS = {
    # A supplier's contact and purchase price in one span: the topic finding holds the mobile.
    MOBILE: f"供应商联系人张三手机{MOBILE}进货价三十一箱，别外传",
    # A customer list beside one value keeps its topic (a list is content of its own); 这是客户资料 beside
    # the ID alone is the ID's finding only (one thing, one finding: tests/test_check_one_finding.py).
    ID: f"这是客户名单，身份证{ID}，别外传",
    LOCAL: f"这是客户名单，邮箱{LOCAL}@example.com，别外传",
}


def test_the_drafts_nest_personal_data_inside_a_topic_finding():
    assert is_resident_id(ID)
    nested = set()
    for secret, draft in DRAFTS.items():
        result = default_checker().check(draft)
        topic = [f for f in result.findings if f.kind == "secret"]
        pii = [f for f in result.findings if f.kind == "pii"]
        assert topic and pii, draft
        if any(t.start < p.end and p.start < t.end for t in topic for p in pii):
            nested.add(secret)
        assert all(secret not in f.text for f in result.findings)
        assert secret not in result.marked() and secret not in result.masked_draft()
    # The contact's own data beside a customer-list word is reported as personal data alone; the
    # supplier line's topic span holds the mobile, so the nested masking is exercised.
    assert MOBILE in nested


@pytest.mark.parametrize("secret", list(DRAFTS))
async def test_telegram_chat_masks_nested_personal_data(matcher, clock, secret):
    bot = await make_bot(matcher, clock, checker=default_checker())
    try:
        await bot.send(bot.updates.command(f"/check {DRAFTS[secret]}", user_id=STAFF))
        calls = bot.request.sent()
        assert calls and "【" in calls[-1].text
        assert all(secret not in json.dumps(c.params, ensure_ascii=False) for c in calls)
    finally:
        await bot.app.shutdown()
    assert bot.errors == []


@pytest.mark.parametrize("secret", list(DRAFTS))
def test_console_chat_masks_nested_personal_data(matcher, secret):
    assistant = Assistant(matcher, MemoryStore(), checker=default_checker(), phrasebook=default_phrasebook())
    out = ConsoleChat(assistant).handle(f"/check {DRAFTS[secret]}")
    assert out is not None and "【" in out
    assert secret not in out


@pytest.mark.parametrize("secret", list(DRAFTS))
def test_cli_text_and_json_mask_nested_personal_data(capsys, secret):
    assert main(["check", DRAFTS[secret]]) == exitcodes.FINDINGS
    text = capsys.readouterr().out
    assert main(["check", "--json", DRAFTS[secret]]) == exitcodes.FINDINGS
    data = json.loads(capsys.readouterr().out)
    assert {f["kind"] for f in data["findings"]} >= {"pii", "secret"}
    assert secret not in text
    assert secret not in json.dumps(data, ensure_ascii=False)
