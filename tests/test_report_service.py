"""Leak-report service end to end: officer workflow, relay without revealing the officer, sealing,
audit chain, retention, the officer CLI and the Assistant's dispatch point."""

from __future__ import annotations

import base64
import csv
import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from support.cli import run_cli
from support.clock import Clock
from support.reports import KEY, OFFICERS, Answers, button, make_service, officer, reporter, submit

from bot.cli import exitcodes
from bot.core.phrases.messages import t
from bot.core.reports.escalation import DAY, HOUR
from bot.core.reports.sealing import (
    ReportKeyError,
    Sealer,
    SealError,
    generate_key_file,
    load_master_key,
    record_context,
)
from bot.core.reports.views import elapsed, format_time

ROOT = Path(__file__).resolve().parents[1]


def _outbox_texts(service, ref, recipient="reporter"):
    return [service.sealer.open_json(o["body"], context=f"outbox:{o['idem_key']}")["text"]
            for o in service.store.outbox(ref=ref) if o["recipient"] == recipient]


def test_officer_workflow_and_reporter_is_told_each_status(tmp_path):
    clock = Clock()
    service = make_service(tmp_path / "r.db", clock=clock)
    alice = reporter(8001, "王五")
    ref = submit(service, alice, Answers(category="outsider_asking", confidential=False))
    listing = service.handle_command(officer(0), "report", "list")  # officers: /report list
    assert ref in listing[0].text
    view = service.handle_callback(officer(0), button(listing, ":view:"))
    assert "王五" in view[0].text and "外部人员打听" in view[0].text
    service.handle_callback(officer(0), button(view, ":ack:"))
    service.handle_callback(officer(0), button(view, ":note:"))
    assert service.handle_text(officer(0), "已电话联系报告人")[0].text == "备注已保存。"
    service.handle_callback(officer(1), button(view, ":ask:"))
    service.handle_text(officer(1), "对方是否留下了联系方式？")
    # The reporter gets the question as from "保密员", never the officer's name or id.
    texts = _outbox_texts(service, ref)
    assert any("保密员需要您补充" in t and "联系方式" in t for t in texts)
    assert all(str(OFFICERS[1]) not in t and "保密员1" not in t for t in texts)
    relay = next(o for o in service.store.outbox(ref=ref) if o["step"].startswith("info_requested"))
    data = service.sealer.open_json(relay["body"], context=f"outbox:{relay['idem_key']}")["buttons"][0][0][1]
    assert "没有请您补充" in service.handle_callback(reporter(8002), data)[0].text  # someone else
    service.handle_callback(alice, data)
    assert "已转交" in service.handle_text(alice, "留了一个手机号")[0].text
    assert any(o["step"].startswith("supplement:") for o in service.store.outbox(ref=ref))
    service.handle_callback(officer(0), button(service.handle_command(officer(0), "reports", ref), ":resolve:"))
    service.handle_text(officer(0), "已向上级书面报告，经核查未造成泄密。")
    assert service.store.report(ref)["status"] == "resolved"
    steps = [o["step"] for o in service.store.outbox(ref=ref) if o["recipient"] == "reporter"]
    assert steps[0] == "status:acknowledged" and steps[-1] == "status:resolved"
    assert any(s.startswith("info_requested:") for s in steps)
    history = service.handle_command(officer(1), "reports", ref)[0].text
    assert "已电话联系报告人" in history and "留了一个手机号" in history and "办结结论" in history
    actions = [a["action"] for a in service.store.audit_rows(ref=ref)]
    for action in ("submitted", "viewed", "acknowledged", "commented", "info_requested", "info_provided",
                   "resolved"):
        assert action in actions
    # /cancel during an awaited input, and nothing to cancel afterwards.
    service.handle_command(alice, "report")
    assert service.cancel(alice) is True and service.cancel(alice) is False


def test_group_chat_and_retention(tmp_path):
    clock = Clock()
    service = make_service(tmp_path / "r.db", clock=clock)
    from bot.core.reports.person import Person

    group = Person(user_id=8100, chat_id=-100555, private=False)
    assert "私聊" in service.handle_command(group, "report")[0].text
    ref = submit(service, reporter(8101), Answers())
    kept = submit(service, reporter(8102), Answers())
    service.handle_callback(officer(0), button(service.handle_command(officer(0), "reports", ref), ":resolve:"))
    service.handle_text(officer(0), "结论")
    clock.advance(89 * DAY)
    assert service.purge() == []
    clock.advance(2 * DAY)
    assert service.purge() == [ref]
    assert service.store.report(ref) is None and service.store.outbox(ref=ref) == []
    assert service.store.report(kept) is not None  # open reports are never deleted
    assert [a["action"] for a in service.store.audit_rows(ref=ref)][-1] == "purged"
    assert service.store.verify_audit() is None


def test_audit_log_is_append_only_and_tamper_evident(tmp_path):
    db = tmp_path / "r.db"
    service = make_service(db, clock=Clock())
    submit(service, reporter(8201), Answers())
    with pytest.raises(sqlite3.IntegrityError):
        service.store.db.execute("DELETE FROM report_audit")
    service.store.db.close()
    raw = sqlite3.connect(db)
    raw.execute("DROP TRIGGER report_audit_no_update")
    raw.execute("UPDATE report_audit SET action = 'viewed' WHERE seq = 1")
    raw.commit()
    raw.close()
    assert make_service(db, clock=Clock()).store.verify_audit() == 1


def test_sealing_binds_key_and_context(tmp_path):
    sealer = Sealer(KEY)
    blob = sealer.seal("内容", context="content:A")
    assert sealer.open(blob, context="content:A") == "内容"
    with pytest.raises(SealError):
        sealer.open(blob, context="content:B")  # swapped between rows
    with pytest.raises(SealError):
        Sealer(bytes(32)).open(blob, context="content:A")
    assert sealer.pseudonym(1) != Sealer(bytes(32)).pseudonym(1)
    assert sealer.verify(sealer.sign("1r:o:X:ack")) == "1r:o:X:ack"
    key_file = tmp_path / "keys" / "report.key"
    generate_key_file(key_file)
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert len(load_master_key(key_file=key_file)) == 32
    with pytest.raises(FileExistsError):
        generate_key_file(key_file)
    os.chmod(key_file, 0o644)
    with pytest.raises(ReportKeyError, match="chmod 600"):
        load_master_key(key_file=key_file)
    with pytest.raises(ReportKeyError, match="outside the database"):
        load_master_key(key_file=tmp_path / "r.db", db_path=tmp_path / "r.db")
    with pytest.raises(ReportKeyError):
        load_master_key()
    env_key = base64.urlsafe_b64encode(KEY).decode()
    assert load_master_key(key=env_key, key_file=key_file) == KEY  # the variable wins over the file


def _cli(*args: str, key_file: Path | None, db: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBAO_")}
    extra = ["--key-file", str(key_file)] if key_file else []
    proc = run_cli("report", "--db", str(db), *extra, *args, env=env)
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def test_officer_cli_list_show_export_audit(tmp_path):
    key_file = tmp_path / "report.key"
    key_file.write_text(base64.urlsafe_b64encode(KEY).decode() + "\n")
    key_file.chmod(0o600)
    db = tmp_path / "r.db"
    service = make_service(db, clock=Clock())
    open_ref = submit(service, reporter(8301, "赵六"), Answers(when_where="CLI测试地点", confidential=True,
                                                               discovered="2小时前"))
    service.store.db.close()

    assert _cli("list", key_file=None, db=db).returncode == exitcodes.CONFIG_ERROR  # the key is required
    listed = _cli("list", key_file=key_file, db=db)
    assert listed.returncode == 0 and open_ref in listed.stdout and "2 条通知尚未送达" in listed.stdout
    shown = _cli("show", open_ref.lower(), key_file=key_file, db=db)
    assert shown.returncode == 0 and "CLI测试地点" in shown.stdout and "赵六" not in shown.stdout
    found = format_time(Clock().now - 2 * HOUR)
    assert t("report.summary.discovered", at=found, said="2小时前") in shown.stdout
    revealed = _cli("show", open_ref, "--reveal-identity", key_file=key_file, db=db)
    assert "赵六" in revealed.stdout
    assert _cli("show", "AAAA", key_file=key_file, db=db).returncode == exitcodes.BAD_INPUT
    out = tmp_path / "export.csv"
    exported = _cli("export", "--csv", "--out", str(out), key_file=key_file, db=db)
    assert exported.returncode == 0 and out.stat().st_mode & 0o777 == 0o600
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["ref"] for r in rows] == [open_ref] and rows[0]["when_where"] == "CLI测试地点"
    assert rows[0]["discovered_at"] == found
    assert rows[0]["reporter"] == ""  # confidential: not exported
    audit = _cli("audit", key_file=key_file, db=db)
    assert audit.returncode == 0 and "校验通过" in audit.stdout
    actions = [a["action"] for a in make_service(db, clock=Clock()).store.audit_rows()]
    assert actions.count("identity_revealed") == 1 and "listed" in actions
    assert _cli("list", key_file=key_file, db=tmp_path / "none.db").returncode == exitcodes.CONFIG_ERROR
    keygen = subprocess.run([sys.executable, "-m", "bot", "report", "keygen", str(tmp_path / "k2")],
                            capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert keygen.returncode == 0 and (tmp_path / "k2").stat().st_mode & 0o777 == 0o600


def test_assistant_dispatch_point_runs_the_same_flow(tmp_path):
    """The Assistant's ReportFlow protocol: /report, typed answers, numbered buttons, /cancel."""
    from bot.core.chat.callbacks import decode
    from bot.core.chat.reply import Sender
    from bot.core.reports.service import AssistantReportFlow

    service = make_service(tmp_path / "r.db", clock=Clock())
    flow = AssistantReportFlow(service)
    me = Sender(user_id=8401, first_name="钱七")
    reply = flow.start(me, "")
    assert "发生了什么情况" in reply.text
    for row in reply.buttons:
        for b in row:
            assert decode(b.data) is not None and decode(b.data)[0] == "r"  # routed to us by the Assistant
    kind_payload = reply.buttons[0][0].data.split(":", 1)[1]
    reply = flow.on_tap(me, kind_payload)
    assert "时间" in reply.text
    assert flow.on_text(Sender(user_id=8402), "不相关的问题") is None  # not in a conversation
    for answer in ("1", "上午，二楼", "4", "已上报", "2"):  # 1: discovered just now
        reply = flow.on_text(me, answer)
    assert "请核对" in reply.text
    update = Sender(user_id=8401, first_name="钱七", chat_id=8401, update_key="tg:77")
    done = flow.on_tap(update, reply.buttons[0][0].data.split(":", 1)[1])
    again = flow.on_tap(update, reply.buttons[0][0].data.split(":", 1)[1])  # redelivered update
    assert "报告已提交" in done.text and "已经提交" in again.text
    assert service.store.count_reports() == 1
    flow.start(me, "")
    assert flow.cancel(me) is True and flow.cancel(me) is False
    assert "私聊" in flow.start(Sender(user_id=8401, chat_id=-1, private=False), "").text


def _staff_texts(service, ref):
    return {o["step"]: service.sealer.open_json(o["body"], context=f"outbox:{o['idem_key']}")["text"]
            for o in service.store.outbox(ref=ref) if o["recipient"].startswith("staff:")}


def test_a_leak_discovered_yesterday_is_already_late_and_the_officers_are_told_plainly(tmp_path):
    clock = Clock()
    service = make_service(tmp_path / "r.db", clock=clock)
    ref = submit(service, reporter(8401), Answers(discovered="30小时前"))
    found = clock.now - 30 * HOUR
    due = found + 24 * HOUR
    assert service.deadlines(service.store.report(ref))["written_report"] == due
    texts = _staff_texts(service, ref)
    # The first notice and the written-report reminder go out at once, both saying the time is up.
    category = t("report.choice.category.lost_carrier")
    assert texts["chain:0"] == t("report.notify.new_overdue", ref=ref, category=category,
                                 urgency=t("report.urgency.high"), deadline=format_time(due), late=elapsed(6 * HOUR))
    assert texts["written_report"] == t("report.notify.written_report_overdue", ref=ref, deadline=format_time(due),
                                        late=elapsed(6 * HOUR))
    # Stored sealed with the rest of the content: no plain discovery time in the report row.
    row = service.store.report(ref)
    assert service.sealer.open_json(row["content"], context=record_context("content", row))["discovered_at"] == found
    assert b"30" not in bytes(row["content"])[:1] and "discovered" not in row
    # The officer's chat view says when it was discovered, through the same summary.
    view = service.handle_command(officer(0), "reports", ref)[0].text
    assert t("report.summary.discovered", at=format_time(found), said="30小时前") in view


def test_a_recent_discovery_keeps_the_ordinary_notice_and_reminds_before_the_deadline(tmp_path):
    clock = Clock()
    service = make_service(tmp_path / "r.db", clock=clock)
    ref = submit(service, reporter(8402), Answers(discovered="3小时前"))
    due = clock.now - 3 * HOUR + 24 * HOUR
    texts = _staff_texts(service, ref)
    assert texts["chain:0"] == t("report.notify.new", ref=ref, category=t("report.choice.category.lost_carrier"),
                                 urgency=t("report.urgency.high"), deadline=format_time(due))
    assert "written_report" not in texts
    clock.advance(17 * HOUR - 1)
    service.tick()
    assert "written_report" not in _staff_texts(service, ref)
    clock.advance(1)
    service.tick()
    assert _staff_texts(service, ref)["written_report"] == t("report.notify.written_report", ref=ref,
                                                             deadline=format_time(due))
