"""WeCom and DingTalk end to end: `libao serve` against loopback servers speaking the platforms'
frames, driven through the vendors' real SDK clients."""

from __future__ import annotations

import asyncio
import re
import sqlite3

import pytest

from bot.core.phrases.messages import t
from tests.channels.harness import DingTalkUser, Msg, Stage, WeComUser

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

REF = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


def joined(msgs: list[Msg]) -> str:
    return "\n".join(m.text for m in msgs)


def users(stage: Stage, reporter_on: str) -> tuple[WeComUser | DingTalkUser, WeComUser | DingTalkUser]:
    if reporter_on == "wecom":
        return WeComUser(stage.wecom, "wx-staff"), DingTalkUser(stage.dingtalk, "dt-officer")
    return DingTalkUser(stage.dingtalk, "dt-staff"), WeComUser(stage.wecom, "wx-officer")


async def file_report(staff: WeComUser | DingTalkUser) -> str:
    """The /report conversation through cards; returns the reference shown to the reporter. Each step
    waits for what comes next (a card may arrive after its text, or after an earlier reply's card)."""
    steps = [("say", "/report", "涉密载体丢失"), ("press", "涉密载体丢失", "刚刚"),
             ("say", "3小时前", "什么时间、什么地点"),  # when it was discovered, typed
             ("say", "今天上午十点，三楼会议室", "不清楚"), ("press", "不清楚", "尚未采取措施"),
             ("press", "尚未采取措施", "否，可以告知"), ("press", "否，可以告知", "提交报告")]
    for how, what, then in steps:
        start = len(staff.messages())
        await (staff.say(what) if how == "say" else staff.press(what))
        if how == "say" and what == "3小时前":
            await staff.until(then, start=start)
        else:
            await staff.until_button(then, start=start)
    done = await staff.press("提交报告")
    refs = [m for msg in done for m in REF.findall(msg.text)]
    assert refs, done
    return refs[0]


GENERIC_TOPICS = ("投诉", "保密", "着装", "接待", "微笑", "客户", "文件", "密级", "电话")


@pytest.fixture(scope="module")
def topic() -> str:
    """A one-word topic the served engine answers with candidates (whatever the knowledge base says)."""
    from bot.core.chat.assistant import load_assistant
    from bot.core.chat.store import MemoryStore

    matcher = load_assistant(MemoryStore()).matcher
    return next(q for q in GENERIC_TOPICS if matcher.ask(q, limit=4).status == "clarify")


@pytest.mark.parametrize("reporter_on", ["wecom", "dingtalk"])
async def test_everything_a_user_does_works_and_the_officer_elsewhere_is_told(tmp_path, reporter_on, topic):
    async with Stage(tmp_path) as stage:
        stage.start_bot()
        await stage.up()
        staff, officer = users(stage, reporter_on)

        # A reply with buttons may come as text then card (WeCom): waiting for the buttons waits for all of it.
        answer = await staff.say("电话响几声要接？", buttons=True)
        assert "依据" in joined(answer) and "【" in joined(answer)

        candidates = await staff.say(topic, buttons=True)
        assert len([b for m in candidates for b in m.buttons]) >= 2
        first = next(b for m in candidates for b in m.buttons)[0]
        chosen = await staff.press(first, buttons=True)
        assert "依据" in joined(chosen)

        checked = await staff.say("/check 这事不归我管，你找别人去，他电话13812345678", buttons=True)
        text = joined(checked)
        assert "138****5678" in text and "13812345678" not in text

        scenes = await staff.say("/phrase", buttons=True)
        label = next(b for m in scenes for b in m.buttons)[0]
        phrases = await staff.press(label)
        assert "1." in joined(phrases)

        ref = await file_report(staff)
        notice = await officer._wait(0, buttons=True)
        assert any(ref in m.text or ref.replace("-", "") in m.text.replace("-", "") for m in notice), notice
        before = len(staff.messages())
        labels = [lb for m in notice for lb, _ in m.buttons]
        assert labels, notice
        ack_label = next((lb for lb in labels if "受理" in lb or "收到" in lb or "确认" in lb), labels[0])
        await officer.press(ack_label)
        told = await staff._wait(before, buttons=False)
        assert any(ref in m.text for m in told), told
        assert "13812345678" not in stage.log_text() and "三楼会议室" not in stage.log_text()


async def redeliver_last(stage: Stage, platform: str, user: str, text: str) -> None:
    """The platform delivers a user's message again (as after a late ack)."""
    if platform == "wecom":
        msgid = stage.wecom.last_msgid[user]
        await stage.wecom.text(user, text, msgid=msgid)
    else:
        mid = stage.dingtalk.last_message_id[user]
        await stage.dingtalk.redeliver(mid)
        await stage.dingtalk.ack(mid)


@pytest.mark.parametrize("platform", ["wecom", "dingtalk"])
async def test_dropped_connection_redelivery_and_kill9_lose_nothing_and_answer_once(tmp_path, platform):
    async with Stage(tmp_path) as stage:
        server = stage.wecom if platform == "wecom" else stage.dingtalk
        staff = WeComUser(stage.wecom, "wx-staff") if platform == "wecom" else DingTalkUser(stage.dingtalk, "dt-staff")
        proc = stage.start_bot()
        await stage.up()

        # Mid-flow the server drops the connection: the bot reconnects and the flow goes on.
        await staff.say("/report", buttons=True)
        await server.drop()
        await server.connected(count=2, timeout=60)
        start = len(staff.messages())
        await staff.press("涉密载体丢失")
        await staff.until_button("刚刚", start=start)
        start = len(staff.messages())
        await staff.press("刚刚")
        await staff.until("什么时间、什么地点", start=start)

        # A redelivered message is not answered again: the next thing the user sees answers the next message.
        await staff.say("电话响几声要接？")
        seen = len(staff.messages())
        await redeliver_last(stage, platform, staff.user, "电话响几声要接？")
        after = await staff.say("今天上午十点，三楼会议室", buttons=True)
        assert len(staff.messages()) - seen == len(after)
        assert not any("依据" in m.text for m in after)

        # Killed with -9 while its reply is being handed over (the platform has not taken it yet);
        # restarted, the platform redelivers the message. At least once: a message counts as handled
        # only after its reply was taken, so the redelivery is answered.
        start = len(staff.messages())
        server.hold.add(staff.user)
        await server.text(staff.user, "/check 你找别人去")
        await server.held.wait(lambda item: item["user"] == staff.user)
        proc.kill()
        proc.wait()
        server.hold.clear()
        assert staff.messages(start) == []
        stage.start_bot()
        await server.connected(count=3, timeout=60)
        await redeliver_last(stage, platform, staff.user, "/check 你找别人去")
        await staff.until("找别人去", start=start)  # answered once, by whichever process had it
        cancelled = await staff.say("/cancel")
        answers = [m for m in staff.messages(start) if "找别人去" in m.text]
        assert len(answers) == 1, staff.messages(start)

        # The report conversation survived the crash: /cancel found it to cancel.
        assert "已取消" in cancelled[-1].text


def _handled(stage: Stage, platform: str) -> int:
    """How many messages of `platform` the bot has finished handling (its exactly-once inbox)."""
    db = sqlite3.connect(stage.tmp / "libao.db")
    try:
        return int(db.execute("SELECT count(*) FROM channel_inbox WHERE state = 'done' AND key LIKE ?",
                              [f"{platform}:%"]).fetchone()[0])
    finally:
        db.close()


async def _until_handled(stage: Stage, platform: str, count: int) -> None:
    for _ in range(1200):  # a wait for the bot, not a timed assertion
        if _handled(stage, platform) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{platform}: {count} messages not handled")


@pytest.mark.parametrize("platform", ["wecom", "dingtalk"])
async def test_a_flood_from_one_user_is_limited_like_telegram_and_others_are_not(tmp_path, platform):
    # Three at once and practically no refill: the count does not depend on how fast the machine is.
    async with Stage(tmp_path, rate_limit={"burst": 3, "per_minute": 0.01}) as stage:
        stage.start_bot()
        await stage.up()
        if platform == "wecom":
            staff, other = WeComUser(stage.wecom, "wx-staff"), WeComUser(stage.wecom, "wx-officer")
        else:
            staff, other = DingTalkUser(stage.dingtalk, "dt-staff"), DingTalkUser(stage.dingtalk, "dt-officer")
        question = "电话响几声要接？"
        for _ in range(6):
            if platform == "dingtalk":
                await stage.dingtalk.ack(await stage.dingtalk.text(staff.user, question))
            else:
                await stage.wecom.text(staff.user, question)
        await _until_handled(stage, platform, 6)
        # Another user on the same channel is answered as usual (the bucket is per user).
        assert any("依据" in m.text for m in await other.say(question))
        await staff.until(t("bot.rate_limited"))
        texts = [m.text for m in staff.messages()]
        assert sum("依据" in x for x in texts) == 3, texts  # the burst is answered
        assert texts.count(t("bot.rate_limited")) == 1, texts  # one notice, then silence
        assert stage.log_text().count("over the rate limit") == 3
        assert question not in stage.log_text()
