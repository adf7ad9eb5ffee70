"""Matching a question (an embedding: tens of milliseconds of CPU) runs off the event loop, so one
user's question never holds up another user's update."""

from __future__ import annotations

import asyncio
import threading

from support.tgbot import OFFICER, STAFF, make_bot

from bot.core.phrases.messages import t


class HeldMatcher:
    """The real matcher, whose `ask` waits until the test releases it (a question mid-embedding)."""

    def __init__(self, real):
        self.real = real
        self.entered = threading.Event()
        self.release = threading.Event()
        self.threads: list[str] = []

    def ask(self, query, *, limit=3):
        self.threads.append(threading.current_thread().name)
        self.entered.set()
        self.release.wait(120)
        return self.real.ask(query, limit=limit)

    def __getattr__(self, name):
        return getattr(self.real, name)


async def test_a_question_being_matched_does_not_block_other_users(matcher, clock):
    held = HeldMatcher(matcher)
    bot = await make_bot(held, clock)
    try:
        slow = asyncio.create_task(bot.send(bot.updates.text("电话响几声要接", user_id=STAFF)))
        assert await asyncio.to_thread(held.entered.wait, 120)
        # While STAFF's question is being matched, OFFICER is served.
        await asyncio.wait_for(bot.send(bot.updates.command("/help", user_id=OFFICER)), 120)
        assert [c.chat_id for c in bot.request.sent()] == [OFFICER]
        assert t("help.body").splitlines()[0] in bot.request.last().text
        held.release.set()
        await asyncio.wait_for(slow, 120)
        assert bot.request.last().chat_id == STAFF and "三声" in bot.request.last().text
        assert held.threads and held.threads[0] != threading.main_thread().name
    finally:
        held.release.set()
        await bot.app.shutdown()
    assert bot.errors == []
