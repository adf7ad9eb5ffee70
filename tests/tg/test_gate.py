"""The gate fails closed: whichever Bot API call it makes while admitting or refusing a user fails,
and however it fails, the update never reaches a feature handler and the stranger gets no answer."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from support.telegram import FAULTS, Updates
from support.tgbot import BURST, GROUP_MEMBER, STAFF, STRANGER, WORK_GROUP, Bot, make_bot
from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from bot.core.phrases.messages import t

# Who sends what: each case is one update the gate has to decide about.
CASES: dict[str, Callable[[Updates], Update]] = {
    "stranger message": lambda u: u.command("/start", user_id=STRANGER),
    "stranger question": lambda u: u.text("电话响几声要接？", user_id=STRANGER),
    "stranger in a group": lambda u: u.command("/check 不归我管", user_id=STRANGER, chat_id=WORK_GROUP,
                                               chat_type="supergroup"),
    "stranger button": lambda u: u.callback("1x:0", user_id=STRANGER),
    "stranger inline": lambda u: u.inline("道歉", user_id=STRANGER),
    "group member": lambda u: u.text("电话响几声要接？", user_id=GROUP_MEMBER),
}
_OWN_TEXTS = {t("access.refused"), t("access.unverified"), t("bot.rate_limited")}
_GATE_METHODS = {"getChatMember", "sendMessage", "answerCallbackQuery", "answerInlineQuery"}


async def _bot_with_probe(matcher, clock) -> tuple[Bot, list[int]]:
    bot = await make_bot(matcher, clock)
    reached: list[int] = []

    async def probe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        reached.append(update.update_id)

    bot.app.add_handler(TypeHandler(Update, probe), group=50)  # after every feature handler
    return bot, reached


async def _gate_calls(matcher, clock, case: str) -> list[str]:
    """The Bot API methods the gate calls for this case when nothing fails."""
    bot, reached = await _bot_with_probe(matcher, clock)
    try:
        await bot.send(CASES[case](bot.updates))
        assert (case == "group member") == bool(reached)
        if case == "group member":  # admitted: the gate's own call is the membership lookup
            return ["getChatMember"]
        return sorted({c.method for c in bot.request.calls})
    finally:
        await bot.app.shutdown()


def _cases() -> list[str]:
    return list(CASES)


@pytest.mark.parametrize("case", _cases())
async def test_no_failure_of_a_gate_call_lets_the_update_through(matcher, clock, case):
    methods = await _gate_calls(matcher, clock, case)
    assert methods, case
    for method in methods:
        for fault in FAULTS:
            bot, reached = await _bot_with_probe(matcher, clock)
            try:
                bot.request.faults[method] = fault
                await bot.send(CASES[case](bot.updates))
                where = f"{case}: {method} -> {fault}"
                assert reached == [], where
                assert bot.errors == [], where
                texts = {c.text for c in bot.request.sent()}
                assert texts <= _OWN_TEXTS, where  # no answer, no apology
                assert {c.method for c in bot.request.calls} <= _GATE_METHODS, where
                toasts = {c.params.get("text") for c in bot.request.sent("answerCallbackQuery")}
                assert toasts <= {*_OWN_TEXTS, None}, where
            finally:
                await bot.app.shutdown()


async def test_a_failed_rate_limit_notice_still_stops_the_flood(matcher, clock):
    for fault in FAULTS:
        bot, reached = await _bot_with_probe(matcher, clock)
        try:
            for _ in range(BURST):
                await bot.send(bot.updates.text("你好", user_id=STAFF))
            assert len(reached) == BURST
            bot.request.faults["sendMessage"] = fault
            await bot.send(bot.updates.text("你好", user_id=STAFF))
            assert len(reached) == BURST, fault
            assert bot.errors == []
        finally:
            await bot.app.shutdown()


async def test_an_error_in_a_feature_handler_of_an_admitted_user_is_still_apologised_for(matcher, clock):
    bot, reached = await _bot_with_probe(matcher, clock)
    try:
        bot.request.faults["sendMessage"] = "500"
        await bot.send(bot.updates.text("电话响几声要接？", user_id=STAFF))
        assert reached  # admitted; the failing answer went to the error handler
        assert len(bot.errors) == 1
        bot.errors.clear()
    finally:
        await bot.app.shutdown()


# A failed membership lookup says nothing about the user: Telegram's own "no" (400 user not found,
# 403 bot not in the group) is a refusal; trouble on the way (5xx, 429, time-outs) is "try later".
_UNVERIFIED_FAULTS = {f for f in FAULTS if f not in ("400", "403")}


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_group_member_whose_check_fails_is_asked_to_try_later_not_refused(matcher, clock, fault):
    bot, reached = await _bot_with_probe(matcher, clock)
    try:
        bot.request.faults["getChatMember"] = fault
        expected = t("access.unverified") if fault in _UNVERIFIED_FAULTS else t("access.refused")
        await bot.send(bot.updates.text("电话响几声要接？", user_id=GROUP_MEMBER))
        assert reached == [] and bot.errors == [], fault  # still closed: no feature reached
        assert [c.text for c in bot.request.sent()] == [expected], fault
        # A button in the meantime: the same answer as a toast, nothing reached.
        bot.request.calls.clear()
        await bot.send(bot.updates.callback("1x:0", user_id=GROUP_MEMBER))
        assert reached == [], fault
        toasts = [c.params.get("text") for c in bot.request.sent("answerCallbackQuery")]
        assert toasts == [expected], fault
        if fault not in _UNVERIFIED_FAULTS:
            return
        # Telegram recovers; once the short wait is over the member is admitted as usual.
        del bot.request.faults["getChatMember"]
        clock.advance(31)
        await bot.send(bot.updates.text("电话响几声要接？", user_id=GROUP_MEMBER))
        assert len(reached) == 1, fault
        assert t("access.refused") not in {c.text for c in bot.request.sent()}, fault
    finally:
        await bot.app.shutdown()
