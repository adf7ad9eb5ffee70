"""Telegram failing for a while (429 with retry_after, 5xx, time-outs), with a restart in the
middle: after recovery every notification is delivered, none twice, and flood control is obeyed.
The fake Bot API is a BaseRequest, so python-telegram-bot's own error mapping is exercised."""

from __future__ import annotations

from collections import Counter

import pytest
from support.clock import Clock
from support.reports import OFFICERS, Answers, FakeBotApi, api_bot, button, make_service, officer, reporter, submit

from bot.channels.telegram.outbox import OutboxSender
from bot.core.reports.escalation import ReportPolicy

pytestmark = [pytest.mark.reliability,
              # PTB 22 itself reads RetryAfter.retry_after when building the exception.
              pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")]

FAILURES = ("429:7", "500", "502", "timeout-before", "429:30", "500", "timeout-before", "502")


async def _drain(service, sender, clock, *, until: float) -> None:
    """Run sender rounds, jumping the virtual clock to the next due time, until nothing is pending."""
    while service.store.outbox_next_at() is not None:
        await sender.send_due()
        wake = service.next_wakeup()
        assert clock.now < until, "notifications still pending long after recovery"
        clock.now = max(clock.now + 0.5, wake or clock.now)


async def test_outage_then_recovery_delivers_everything_exactly_once(tmp_path):
    clock = Clock()
    recover_at = clock.now + 20 * 60  # Telegram misbehaves for 20 minutes
    api = FakeBotApi(clock=clock,
                     plan=lambda n, chat: FAILURES[n % len(FAILURES)] if clock.now < recover_at else None)
    db = tmp_path / "r.db"
    pol = ReportPolicy(officers=OFFICERS)  # no escalation beyond officers: a fixed set of rows
    service = make_service(db, clock=clock, pol=pol)
    refs = [submit(service, reporter(4000 + i), Answers(category="network_leak")) for i in range(25)]
    for ref in refs[:10]:  # status changes for reporters go through the outbox too
        data = button(service.handle_command(officer(0), "reports", ref), ":ack:")
        service.handle_callback(officer(0), data)
    bot = await api_bot(api)
    sender = OutboxSender(bot=bot, service=service)

    # Part of the outage with one process, then a restart, then the rest and the recovery.
    for _ in range(15):
        await sender.send_due()
        clock.now = max(clock.now + 0.5, service.next_wakeup() or clock.now)
        service.tick()
    service.store.db.close()
    service = make_service(db, clock=clock, pol=pol)
    sender = OutboxSender(bot=bot, service=service)
    await _drain(service, sender, clock, until=recover_at + 3600)

    rows = service.store.outbox()
    assert rows and all(r["status"] == "sent" for r in rows)
    outcomes = Counter(outcome for _, _, outcome in api.calls)
    assert outcomes["429:7"] and outcomes["500"] and outcomes["502"] and outcomes["timeout-before"]
    # Exactly one delivery per outbox row: none lost, none twice.
    delivered = Counter((d["chat_id"], d["text"]) for d in api.delivered)
    assert sum(delivered.values()) == len(rows)
    assert max(delivered.values()) == 1
    # Flood control: after a 429 nothing was sent before retry_after had passed.
    for i, (at, _, outcome) in enumerate(api.calls):
        if outcome.startswith("429"):
            wait = int(outcome.split(":")[1])
            later = [t for t, _, _ in api.calls[i + 1:]]
            assert not later or min(later) >= at + wait
    print(f"outage: {len(rows)} notifications, {len(api.calls)} attempts, failures {dict(outcomes)}")
    await bot.shutdown()


async def test_ambiguous_timeout_prefers_a_repeat_over_a_loss(tmp_path):
    """A read time-out after Telegram accepted the message cannot be told from a lost one; the row
    is sent again (at least once), never dropped."""
    clock = Clock()
    api = FakeBotApi(clock=clock, plan=lambda n, chat: "timeout-after" if n == 0 else None)
    service = make_service(tmp_path / "r.db", clock=clock, pol=ReportPolicy(officers=OFFICERS[:1]))
    submit(service, reporter(4100), Answers())
    bot = await api_bot(api)
    sender = OutboxSender(bot=bot, service=service)
    await _drain(service, sender, clock, until=clock.now + 3600)
    assert [r["status"] for r in service.store.outbox() if r["recipient"] != "reporter"] == ["sent"]
    assert len([d for d in api.delivered if d["chat_id"] == OFFICERS[0]]) == 2  # the documented at-least-once case
    await bot.shutdown()


async def test_unreachable_recipient_is_kept_not_dropped(tmp_path):
    """An officer who blocked the bot (403) keeps the row pending for a later retry."""
    clock = Clock()
    api = FakeBotApi(clock=clock)
    service = make_service(tmp_path / "r.db", clock=clock, pol=ReportPolicy(officers=OFFICERS))

    def plan(n: int, chat: int) -> str | None:
        return "403" if chat == OFFICERS[1] else None

    api.plan = plan
    original = api.handle

    def handle(endpoint, params):
        if endpoint == "sendMessage" and int(params["chat_id"]) == OFFICERS[1]:
            api.calls.append((clock.now, OFFICERS[1], "403"))
            return 403, b'{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}'
        return original(endpoint, params)

    api.handle = handle  # type: ignore[method-assign]
    submit(service, reporter(4200), Answers())
    bot = await api_bot(api)
    sender = OutboxSender(bot=bot, service=service)
    assert await sender.send_due() == 2  # the reachable officer, then the reporter ("received")
    rows = {r["recipient"]: r for r in service.store.outbox()}
    assert rows["reporter"]["step"] == "status:received" and rows["reporter"]["status"] == "sent"
    blocked = rows[f"staff:{service.sealer.pseudonym(OFFICERS[1])}"]
    assert blocked["status"] == "pending" and blocked["last_error"] == "Forbidden"
    assert blocked["next_attempt_at"] >= clock.now + 3600
    await bot.shutdown()
