"""Escalation chain and statutory clocks on a virtual clock: each step fires exactly once, an
acknowledgement stops the chain, restarts and crashes in the middle neither lose nor repeat."""

from __future__ import annotations

from collections import Counter

import pytest
from support.clock import Clock
from support.reports import DEPUTY, HEAD, OFFICERS, Answers, button, make_service, officer, reporter, submit

from bot.core.reports.escalation import DAY, HOUR, MINUTE

pytestmark = pytest.mark.reliability


def _steps(service, ref: str) -> Counter:
    """(step, recipient) -> number of outbox rows."""
    return Counter((o["step"], o["recipient"]) for o in service.store.outbox(ref=ref))


def _by_step(service, ref: str) -> Counter:
    return Counter(o["step"] for o in service.store.outbox(ref=ref))


def _ack(service, ref: str) -> None:
    compact = ref.replace("-", "")
    view = service.handle_command(officer(0), "reports", ref)
    data = button(view, f":o:{compact}:ack:")
    assert "受理" in service.handle_callback(officer(0), data)[0].text


def test_chain_fires_each_step_once_and_ack_stops_it_across_restarts(tmp_path):
    clock = Clock()
    db = tmp_path / "r.db"
    service = make_service(db, clock=clock)
    unacked = submit(service, reporter(1001), Answers(category="outsider_asking", level="secret"))
    acked = submit(service, reporter(1002), Answers(category="public_talk", level="confidential"))
    # At once: every officer, in the same commit as the report.
    assert _by_step(service, unacked) == {"chain:0": len(OFFICERS)}

    fired_per_minute = []
    for minute in range(1, 3 * 60 + 1):
        clock.advance(MINUTE)
        if minute == 15:
            _ack(service, acked)
        if minute == 45:  # restart: a new process opens the same database
            service.store.db.close()
            service = make_service(db, clock=clock)
        fired_per_minute.append(service.tick())
        if minute in (10, 30):  # a second tick at the same instant must not fire again
            assert service.tick() == 0

    pid = {uid: f"staff:{service.sealer.pseudonym(uid)}" for uid in (*OFFICERS, *DEPUTY, *HEAD)}
    chain = {k: v for k, v in _steps(service, unacked).items() if k[0].startswith("chain:")}
    assert chain == {
        **{("chain:0", pid[o]): 1 for o in OFFICERS},
        **{("chain:1", pid[o]): 1 for o in OFFICERS},
        ("chain:2", pid[DEPUTY[0]]): 1,
        ("chain:3", pid[HEAD[0]]): 1,
    }
    # Acknowledged at minute 15: chain:0 and chain:1 (10 min) fired, deputy and head never.
    acked_steps = _by_step(service, acked)
    assert acked_steps["chain:0"] == len(OFFICERS) and acked_steps["chain:1"] == len(OFFICERS)
    assert "chain:2" not in acked_steps and "chain:3" not in acked_steps
    timers = {t["step"]: t for t in service.store.timers(acked)}
    assert timers["chain:2"]["cancelled_at"] is not None and timers["chain:2"]["fired_at"] is None
    # The reporter was told about the acknowledgement, once.
    assert _by_step(service, acked)["status:acknowledged"] == 1
    assert sum(fired_per_minute) == 3 + 1  # unacked: chain 1, 2, 3; acked: chain 1


def test_crash_inside_a_tick_neither_loses_nor_repeats(tmp_path, monkeypatch):
    clock = Clock()
    db = tmp_path / "r.db"
    service = make_service(db, clock=clock)
    refs = [submit(service, reporter(2000 + i), Answers(category="network_leak")) for i in range(3)]
    clock.advance(11 * MINUTE)
    calls = [0]
    original = service.store.enqueue

    def failing_enqueue(**kw):
        calls[0] += 1
        if calls[0] == 4:  # half-way through the tick's transaction
            raise OSError("simulated crash")
        return original(**kw)

    monkeypatch.setattr(service.store, "enqueue", failing_enqueue)
    with pytest.raises(OSError):
        service.tick()
    monkeypatch.undo()
    service.store.db.close()
    service = make_service(db, clock=clock)  # restart after the crash
    assert service.tick() == 3
    assert service.tick() == 0
    for ref in refs:
        assert _by_step(service, ref)["chain:1"] == len(OFFICERS)


def test_statutory_reminders_fire_once_each(tmp_path):
    clock = Clock()
    db = tmp_path / "r.db"
    service = make_service(db, clock=clock)
    top = submit(service, reporter(3001), Answers(category="lost_carrier", level="top_secret"))
    other = submit(service, reporter(3002), Answers(category="lost_carrier", level="confidential"))
    resolved = submit(service, reporter(3003), Answers(category="improper_copying", level="secret"))
    decided = submit(service, reporter(3004), Answers(category="lost_carrier", level="unknown"))
    for ref in (top, other, resolved, decided):
        _ack(service, ref)
    events: list[tuple[float, str, str]] = []
    start = clock.now
    for hour in range(1, 100 * 24 + 1):
        clock.advance(HOUR)
        if hour == 5 * 24:  # resolved on day 5: its feedback reminder is not needed any more
            data = button(service.handle_command(officer(1), "reports", resolved), ":resolve:")
            service.handle_callback(officer(1), data)
            service.handle_text(officer(1), "已核实，无泄密")
        if hour == 3 * 24:  # carrier found on day 3: no found / not-found prompt
            data = button(service.handle_command(officer(0), "reports", decided), ":found:")
            service.handle_callback(officer(0), data)
        if hour == 50 * 24:
            service.store.db.close()
            service = make_service(db, clock=clock)
        service.tick()
    for ref in (top, other, resolved, decided):
        for o in service.store.outbox(ref=ref):
            if not o["step"].startswith(("chain:", "status:", "acknowledged")):
                events.append((o["created_at"] - start, ref, o["step"]))
    per_ref = Counter((ref, step) for _, ref, step in events)
    n = len(OFFICERS)
    assert per_ref == {
        (top, "written_report"): n, (top, "carrier_decision"): n, (top, "feedback"): n,
        (other, "written_report"): n, (other, "carrier_decision"): n, (other, "feedback"): n,
        (resolved, "written_report"): n,
        (decided, "written_report"): n, (decided, "feedback"): n,
    }
    when = {(ref, step): at for at, ref, step in events}
    assert when[(top, "written_report")] == 20 * HOUR  # 24 h deadline, reminded 4 h before
    assert when[(top, "carrier_decision")] == 10 * DAY  # 绝密: 10 days
    assert when[(other, "carrier_decision")] == 60 * DAY  # 秘密: 60 days
    assert when[(top, "feedback")] == 76 * DAY  # 3 months, reminded 14 days before
    assert service.store.verify_audit() is None
