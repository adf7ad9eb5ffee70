"""A canary string in a report and the reporter's user id never appear in the database files (raw
bytes, WAL included), the logs or any notification payload; only officers see the content."""

from __future__ import annotations

import logging

import pytest
from support.clock import Clock
from support.reports import OFFICERS, Answers, FakeBotApi, api_bot, button, make_service, officer, reporter

from bot.channels.telegram.outbox import OutboxSender
from bot.core.reports.escalation import DAY, MINUTE
from bot.core.reports.person import Person
from bot.logs import PayloadFilter

pytestmark = [pytest.mark.reliability, pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")]

CANARY = "金丝雀CANARY-7f3a9c"  # reporter content
OFFICER_CANARY = "保密员问题OFFICER-5d21"  # officer's question: may reach the reporter, nobody else
REPORTER_ID = 987654321987  # distinctive: cannot collide with times or counters
REPORTER_NAME = "李四NAME-CANARY"


def _forms(value: int) -> list[bytes]:
    """The byte forms an integer can take in a SQLite file: text and big-endian record integers."""
    forms = [str(value).encode()]
    forms += [value.to_bytes(n, "big") for n in (6, 8) if value < 2 ** (8 * n - 1)]
    return forms


def _canary_forms(text: str) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le"), text.encode("utf-16-be"), b"CANARY-7f3a9c"]


async def test_canary_and_reporter_id_never_stored_logged_or_notified(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)  # everything, including python-telegram-bot's own debug lines
    caplog.handler.addFilter(PayloadFilter())  # as on the process's root handler (bot.logs)
    clock = Clock()
    db = tmp_path / "r.db"
    service = make_service(db, clock=clock)
    person = Person(user_id=REPORTER_ID, chat_id=REPORTER_ID, private=True, name=REPORTER_NAME,
                    username="user_CANARY-7f3a9c")
    from support.reports import submit

    ref = submit(service, person, Answers(category="other", detail=f"说明 {CANARY}",
                                          when_where=f"地点 {CANARY}", containment=f"措施 {CANARY}"),
                 key_prefix="tg:1")
    # Officer side: view (content shown only here), note, ask (relayed), reveal identity, resolve.
    view = service.handle_command(officer(0), "reports", ref)
    assert CANARY in view[0].text and REPORTER_NAME not in view[0].text  # confidential reporter
    service.handle_callback(officer(0), button(view, ":note:"))
    service.handle_text(officer(0), f"备注 {CANARY}")
    service.handle_callback(officer(0), button(view, ":ask:"))
    service.handle_text(officer(0), f"请补充 {OFFICER_CANARY}")
    revealed = service.handle_callback(officer(1), button(view, ":reveal:"))
    assert REPORTER_NAME in revealed[0].text
    assert [a["action"] for a in service.store.audit_rows(ref=ref)].count("identity_revealed") == 1

    # Reporter answers the relayed question through the button of the relayed message.
    api = FakeBotApi(clock=clock)
    bot = await api_bot(api)
    sender = OutboxSender(bot=bot, service=service)
    await sender.send_due()
    relay = [o for o in service.due_notifications()] + []
    assert not relay  # all sent
    supplement = next(o for o in service.store.outbox(ref=ref) if o["step"].startswith("info_requested"))
    body = service.sealer.open_json(supplement["body"], context=f"outbox:{supplement['idem_key']}")
    r = service.handle_callback(person, body["buttons"][0][0][1])
    assert "补充" in r[0].text
    service.handle_text(person, f"补充 {CANARY}")
    service.handle_callback(officer(0), button(service.handle_command(officer(0), "reports", ref), ":resolve:"))
    service.handle_text(officer(0), f"结论 {OFFICER_CANARY}")
    for _ in range(30):  # escalation timers and reminders
        clock.advance(10 * MINUTE)
        service.tick()
        await sender.send_due()
    clock.advance(80 * DAY)
    service.tick()
    await sender.send_due()
    await bot.shutdown()

    # Not in the database files: main file, WAL and shared memory, read while the bot still runs.
    files = [p for p in tmp_path.iterdir() if p.name.startswith("r.db")]
    assert any(p.name.endswith("-wal") and p.stat().st_size > 0 for p in files)
    forbidden = _canary_forms(CANARY) + _canary_forms(OFFICER_CANARY) + _forms(REPORTER_ID)
    forbidden += [REPORTER_NAME.encode(), b"NAME-CANARY", b"OFFICER-5d21"]
    for path in files:
        raw = path.read_bytes()
        for needle in forbidden:
            assert needle not in raw, f"{needle!r} found in {path.name}"

    # Not in the logs.
    assert caplog.records
    for needle in (CANARY, OFFICER_CANARY, str(REPORTER_ID), REPORTER_NAME, "CANARY"):
        assert needle not in caplog.text

    # Not in any notification to officers; the reporter gets the officer's words, never their own.
    assert api.payloads
    reporter_texts = []
    for payload, delivered in zip(api.payloads, api.delivered, strict=True):
        if delivered["chat_id"] == REPORTER_ID:
            reporter_texts.append(delivered["text"])
            assert CANARY not in payload and "CANARY-7f3a9c" not in payload
        else:
            assert delivered["chat_id"] in OFFICERS or delivered["chat_id"] > 5550000
            for needle in (CANARY, "CANARY", OFFICER_CANARY, str(REPORTER_ID), REPORTER_NAME):
                assert needle not in payload
    assert any(OFFICER_CANARY in text for text in reporter_texts)  # the relay did reach the reporter
    officer_texts = [d["text"] for d in api.delivered if d["chat_id"] != REPORTER_ID]
    assert any("补充信息" in text for text in officer_texts)  # officers were told, without content

    # Not in the audit log either (it records every action, without content).
    for row in service.store.audit_rows():
        assert "CANARY" not in str(row) and str(REPORTER_ID) not in str(row)
    assert service.store.verify_audit() is None


def test_non_officers_never_see_content(tmp_path):
    service = make_service(tmp_path / "r.db", clock=Clock())
    from support.reports import submit

    ref = submit(service, reporter(555), Answers(when_where=f"地点 {CANARY}"))
    outsider = reporter(556)
    for replies in (service.handle_command(outsider, "reports", ref),
                    service.handle_command(outsider, "reports", ""),
                    service.handle_command(reporter(555), "reports", ref)):  # not even the reporter
        assert replies is not None
        assert all(CANARY not in r.text for r in replies)
        assert "仅限保密员" in replies[0].text
    group = Person(user_id=OFFICERS[0], chat_id=-100123, private=False)
    replies = service.handle_command(group, "reports", ref)
    assert replies is not None and CANARY not in replies[0].text
