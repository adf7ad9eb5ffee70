"""Forged or replayed callback data, and users who are not officers, change nothing."""

from __future__ import annotations

import pytest
from support.clock import Clock
from support.reports import Answers, button, make_service, officer, reporter, submit

from bot.core.phrases.messages import t
from bot.core.reports.person import Person

pytestmark = pytest.mark.reliability

_TABLES = ("reports", "report_events", "report_outbox", "report_timers", "report_audit", "report_drafts",
           "report_pending")


def snapshot(service) -> dict[str, list]:
    """Every row of every report table except the processed-update markers (bookkeeping only)."""
    db = service.store.db
    return {t: [tuple(r.values()) for r in db.query(f"select * from {t} order by rowid")] for t in _TABLES}


@pytest.fixture
def world(tmp_path):
    clock = Clock()
    service = make_service(tmp_path / "r.db", clock=clock)
    ref = submit(service, reporter(6001), Answers(category="lost_carrier"))
    other = submit(service, reporter(6002), Answers(category="outsider_asking"))
    view = service.handle_command(officer(0), "reports", ref)
    return service, ref, other, view


def _flip(data: str) -> str:
    """The same data with one MAC character changed."""
    last = data[-1]
    return data[:-1] + ("A" if last != "A" else "B")


def test_non_officers_cannot_act_even_with_genuine_buttons(world):
    service, ref, _, view = world
    before = snapshot(service)
    outsider, the_reporter = reporter(6999), reporter(6001)
    for person in (outsider, the_reporter):
        listing = service.handle_command(officer(0), "reports")
        taps = [button(view, f":{a}:") for a in ("ack", "note", "ask", "resolve", "reveal", "found", "not_found")]
        for data in [*taps, button(listing, ":view:")]:
            replies = service.handle_callback(person, data)
            assert replies and "仅限保密员" in replies[0].text
        assert "仅限保密员" in service.handle_command(person, "reports", ref)[0].text
    # An officer in a group chat gets nothing confidential and changes nothing either.
    in_group = Person(user_id=officer(0).user_id, chat_id=-1001, private=False)
    assert "私聊" in service.handle_callback(in_group, button(view, ":ack:"))[0].text
    assert snapshot(service) == before


def test_forged_callback_data_changes_nothing(world):
    service, ref, other, view = world
    before = snapshot(service)
    ack = button(view, ":ack:")
    compact, other_compact = ref.replace("-", ""), other.replace("-", "")
    forged = [
        _flip(ack),  # wrong MAC
        ack.replace(compact, other_compact),  # genuine MAC, another report
        ack.replace(":ack:", ":resolve:"),  # genuine MAC, another action
        ack.rsplit(":", 1)[0],  # MAC stripped
        "1r:o:" + compact + ":ack",  # never signed
        "1r:o:" + compact + ":delete:AAAAAAAAAAAA",
        "1r:f:00000000:confirm:submit:AAAAAAAAAAAA",
        "1r:",
        "1r:" + "x" * 200,
    ]
    for data in forged:
        replies = service.handle_callback(officer(0), data)
        assert replies and "无效" in replies[0].text, data
    assert service.handle_callback(officer(0), "1a:phone.ring") is None  # not ours at all
    assert snapshot(service) == before


def test_replayed_callbacks_change_nothing(world):
    service, _, _, view = world
    ack = button(view, ":ack:")
    assert "已受理" in service.handle_callback(officer(0), ack, update_key="tg:900")[0].text
    after_ack = snapshot(service)
    # Telegram redelivers the same update; the officer taps the same (old) button again; the second
    # officer taps it too: no second acknowledgement, notification or audit entry.
    service.handle_callback(officer(0), ack, update_key="tg:900")
    assert "无需重复" in service.handle_callback(officer(0), ack, update_key="tg:901")[0].text
    assert "无需重复" in service.handle_callback(officer(1), ack)[0].text
    assert snapshot(service) == after_ack
    # Found / not found: the first decision stands.
    found = button(view, ":found:")
    service.handle_callback(officer(0), found)
    decided = snapshot(service)
    service.handle_callback(officer(1), button(view, ":not_found:"))
    service.handle_callback(officer(0), found)
    assert snapshot(service) == decided


def test_stale_and_foreign_flow_buttons_change_nothing(tmp_path):
    service = make_service(tmp_path / "r.db", clock=Clock())
    alice, bob = reporter(7001), reporter(7002)
    first = service.handle_command(alice, "report")
    old_category = button(first, ":category:lost_carrier:")
    assert service.handle_command(alice, "report")[0].text == t("report.draft_exists")  # kept, not replaced
    service.handle_command(alice, "cancel")
    service.handle_command(alice, "report")  # starts over: the first draft's buttons are stale
    current = service.handle_callback(alice, button(service.handle_command(bob, "report"), ":category:other:"))
    before = snapshot(service)
    assert "失效" in service.handle_callback(alice, old_category)[0].text  # earlier draft
    assert "失效" in service.handle_callback(alice, button(first, ":category:other:"))[0].text
    assert current  # bob's button pressed by alice: alice's own draft does not move
    replay = service.handle_callback(alice, button(service.handle_command(bob, "report"), ":category:other:"))
    assert "失效" in replay[0].text
    # Submitting twice (double tap on "提交报告") makes one report.
    ref = submit(service, reporter(7003), Answers())
    assert service.store.count_reports() == 1 and ref
    assert snapshot(service)["reports"] != before["reports"]
