"""Staff, officers, an admin and strangers use the real bot (`python -m bot serve` at DEBUG) through
the emulator, with Bot API failures injected on the emulator's side (500, 429, 403, "query is too
old", and calls that take effect but whose answer is lost). Written from the users' side: what
they send, what they see. Each test follows one numbered finding of the safety review."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from emulator import TOKEN, BotProcess, Client, Conversation, buttons, emulator, node_missing_reason, start_bot

from bot.core.phrases.messages import t

pytestmark = [pytest.mark.e2e, pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")]

# Realistic (9-10 digit) ids, so that an id in a log line or file would be found.
STAFF = tuple(710_000_001 + i for i in range(8))
OFFICERS = (720_000_001, 720_000_002)
ADMIN = 730_000_001
STRANGERS = tuple(790_000_001 + i for i in range(4))
GROUP = -1_001_234_567_890
MOBILE = "13987651234"
CANARY = "安全金丝雀E2E7731"


@dataclass
class Session:
    client: Client
    bot: BotProcess
    db: Path
    pacer: Conversation | None = None

    def settle(self) -> None:
        """Every update sent so far has been handled (one update at a time, in order)."""
        if self.pacer is None:
            self.pacer = Conversation(self.client, STAFF[-1])
        self.pacer.settle()


def _config(path: Path, url: str, key_file: Path) -> Path:
    path.write_text("\n".join([
        "channels:", "  telegram:", f"    base_url: {url}", "    poll_timeout: 10", "    concurrent_updates: 1",
        "    access:", f"      allowed_user_ids: [{', '.join(map(str, STAFF))}]",
        f"      officers: [{', '.join(map(str, OFFICERS))}]", f"      admins: [{ADMIN}]",
        "rate_limit:", "  burst: 200", "  per_minute: 600",
        "privacy:", "  store_unanswered: true",
        "reports:", "  enabled: true", f"  key_file: {key_file}", "  tick_seconds: 1",
        "log_level: DEBUG",
    ]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> Iterator[Session]:
    reason = node_missing_reason()
    if reason:
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("safety")
    key = tmp / "report.key"
    key.write_text(base64.urlsafe_b64encode(os.urandom(32)).decode(), encoding="ascii")
    key.chmod(0o600)
    with emulator() as emu:
        bot = start_bot(_config(tmp / "config.yaml", emu.url, key), tmp / "libao.db", tmp / "bot.log")
        client = Client(emu.url)
        try:
            client.wait_until_ready(bot)
            yield Session(client, bot, tmp / "libao.db")
        finally:
            client.close()
            bot.stop()


def _texts(client: Client, chat_id: int) -> list[str]:
    return [m["text"] for m in client.bot_messages(chat_id, timeout=0)]


# ----------------------------------------------------------------------------- 1. the gate fails closed


def test_1_a_failing_refusal_never_lets_a_stranger_through(session):
    c = session.client
    stranger = STRANGERS[0]
    c.fault("sendMessage", "500", chat_id=stranger)  # the refusal itself fails
    c.send_command("/start", user_id=stranger)
    c.send_text("电话响几声要接？", user_id=stranger)
    session.settle()
    assert _texts(c, stranger) == [t("access.refused")]  # the second message got the refusal; no answer
    c.fault("answerCallbackQuery", "400")  # "query is too old" after downtime
    c.tap({"message_id": 1, "date": 0, "chat": {"id": stranger, "type": "private"}, "text": "…"}, "1x:0",
          user_id=stranger)
    c.fault("sendMessage", "lost", chat_id=stranger)
    c.send_text("客户投诉怎么处理", user_id=stranger)
    session.settle()
    assert _texts(c, stranger) == [t("access.refused")]  # nothing else, no apology


# ----------------------------------------------------------------------------- 4. a refusal is not used up invisibly


def test_4_inline_and_button_first_contacts_do_not_use_up_the_refusal(session):
    c = session.client
    stranger = STRANGERS[1]
    c.inline("道歉", user_id=stranger)
    c.tap({"message_id": 1, "date": 0, "chat": {"id": stranger, "type": "private"}, "text": "…"}, "1x:0",
          user_id=stranger)
    session.settle()
    inline = [x for x in c.calls("answerInlineQuery") if x["params"].get("button")]
    assert inline and inline[-1]["params"]["results"] in ([], "[]")
    alerts = [x["params"] for x in c.calls("answerCallbackQuery") if x["params"].get("text") == t("access.refused")]
    assert alerts and str(alerts[-1].get("show_alert")).lower() == "true"
    assert _texts(c, stranger) == []
    assert Conversation(c, stranger).say("/start")["text"] == t("access.refused")


# ----------------------------------------------------------------------------- 3. stored questions are masked


def test_3_unanswered_questions_are_stored_and_shown_masked(session):
    c = session.client
    Conversation(c, STAFF[0]).say(f"同事手机{MOBILE}的量子纠缠问题{CANARY}")
    stats = Conversation(c, ADMIN).say("/stats")["text"]
    assert MOBILE not in stats and "139****1234" in stats


# ----------------------------------------------------------------------------- 8. groups


def test_8_groups_never_see_settings_or_a_draft_s_personal_data(session):
    c = session.client
    me = Conversation(c, STAFF[1])
    assert "已保存" in me.say("/settings 姓名 王小明")["text"]
    c.send_command("/settings", user_id=STAFF[1], chat_id=GROUP)
    c.send_command(f"/check 客户电话{MOBILE}，不归我管", user_id=STAFF[1], chat_id=GROUP)
    session.settle()
    group = _texts(c, GROUP)
    assert group[0] == t("settings.private_only")
    assert all("王小明" not in text and MOBILE not in text for text in group)
    assert "139****1234" in group[1]


# ----------------------------------------------------------------------------- 2. DEBUG logs carry no payload


def test_2_debug_log_and_database_carry_no_payload(session):
    c = session.client
    me = Conversation(c, STAFF[2])
    me.say(f"/check 身份证号和{CANARY}")
    me.say(f"/settings 部门 {CANARY}")
    settings = me.say("/settings")
    me.tap(settings, next(b["callback_data"] for b in buttons(settings) if "清除" in b["text"]))
    session.settle()
    log = session.bot.log()
    assert "Processing update" in log and "Calling Bot API endpoint `sendMessage`" in log  # DEBUG is on
    for needle in (CANARY, MOBILE, "王小明", TOKEN, *map(str, (*STAFF, *OFFICERS, ADMIN, *STRANGERS))):
        assert needle not in log, needle
    for path in session.db.parent.glob("libao.db*"):
        raw = path.read_bytes()
        for needle in (MOBILE, *map(str, (*STAFF, *OFFICERS, ADMIN))):
            assert needle.encode() not in raw, (needle, path.name)


# ----------------------------------------------------------------------------- 5-7. reports


def _chat(client: Client, user_id: int) -> Conversation:
    """A conversation that starts after everything the bot already said in this chat."""
    chat = Conversation(client, user_id)
    chat.last = max((m["message_id"] for m in client.bot_messages(user_id, timeout=0)), default=0)
    return chat


def _tap_label(chat: Conversation, message: dict, label: str) -> dict:
    chat.tap(message, next(b["callback_data"] for b in buttons(message) if label in b["text"]))
    return chat.reply()


def _report(chat: Conversation) -> str:
    """A whole report through the buttons and text answers; returns the reference shown."""
    step = _tap_label(chat, chat.say("/report"), "外部人员")
    assert "什么时候发现" in step["text"]
    chat.say("前天晚上")
    chat.say("今天上午，营业厅")
    chat.say("3")
    chat.say("已提醒同事")
    confirm = chat.say("2")
    done = _tap_label(chat, confirm, "提交")
    assert "正在通知保密员" in done["text"] and "保密员已收到" not in done["text"]
    return done["text"].split("编号：")[1][:19]


def test_5_6_7_reports_say_only_what_happened_and_lose_nothing(session):
    c = session.client
    me, officer = _chat(c, STAFF[3]), _chat(c, OFFICERS[0])
    assert t("help.officer") in officer.say("/help")["text"]
    scopes = [x["params"]["scope"] for x in c.calls("setMyCommands") if x["params"].get("scope")]
    per_chat = {(json.loads(s) if isinstance(s, str) else s)["chat_id"] for s in scopes}
    assert {*OFFICERS, ADMIN} <= {int(v) for v in per_chat}
    # The admin's "/report list" starts nothing.
    assert _chat(c, ADMIN).say("/report list")["text"] == t("report.args_not_officer")

    # One officer's chat answers 500 once, then takes a notice but its answer is lost; the other
    # officer has blocked the bot (403): "received" is said only once a notice really went out.
    c.fault("sendMessage", "500", chat_id=OFFICERS[0])
    c.fault("sendMessage", "lost", chat_id=OFFICERS[0])
    c.fault("sendMessage", "403", times=50, chat_id=OFFICERS[1])
    ref = _report(me)
    notice = officer.reply(timeout=60)
    assert notice["text"].startswith("【泄密报告】") and ref in notice["text"]  # the notice first, then reminders
    received = me.reply(timeout=30)
    assert received["text"] == t("report.notify.to_reporter.received", ref=ref)
    assert me.say("/report mine")["text"].count(ref) == 1
    # The lost answer made the notice go out again: at least once, never lost.
    notices = [x for x in _texts(c, OFFICERS[0]) if x.startswith("【泄密报告】") and ref in x]
    assert len(notices) == 2
    officer = _chat(c, OFFICERS[0])

    # A new draft, then the officer asks first: the report is acknowledged and the reporter told;
    # the supplement button does not delete the draft.
    _tap_label(me, me.say("/report"), "外部人员")
    view = officer.say(f"/report {ref}")
    _tap_label(officer, view, "请报告人补充")
    officer.say("请说明当时还有谁在场")
    acknowledged = me.reply(timeout=30)
    assert acknowledged["text"] == t("report.notify.to_reporter.acknowledged", ref=ref)
    question = me.reply(timeout=30)
    kept = _tap_label(me, question, "补充信息")
    assert kept["text"].startswith(t("report.draft_in_the_way"))
    history = officer.say(f"/report {ref}")["text"]
    assert "已受理" in history and t("report.status.info_requested") in history

    # A photo during the draft: a warning and the step; a typo in the check character is named.
    c.send_message({"photo": [{"file_id": "AgAD", "file_unique_id": "p1", "width": 90, "height": 90}]},
                   user_id=STAFF[3])
    assert me.reply()["text"].startswith(t("report.not_text"))
    typo = ref[:-1] + ("0" if ref[-1] != "0" else "1")
    assert officer.say(f"/report {typo}")["text"] == t("report.bad_ref_check")
    blocked = [x for x in c.calls("sendMessage") if str(x["params"].get("chat_id")) == str(OFFICERS[1])]
    assert blocked and all(x.get("fault") == "403" for x in blocked) and _texts(c, OFFICERS[1]) == []
