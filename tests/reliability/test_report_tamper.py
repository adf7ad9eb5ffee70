"""Tampering with the report database behind libao's back: every kind of edit is reported by `report audit`.

Each case starts from the same real history (three reports: acknowledged with a note and sent
notices, resolved, new with timers running), copies the database and its anchor, applies one edit
with plain SQLite or file operations — as someone with the file but without the report key would —
and runs `report audit` (the CLI's own code). The figure "detected / tried" is printed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support.clock import Clock
from support.reports import KEY, Answers, button, make_service, officer, reporter, submit

from bot.cli import exitcodes
from bot.cli.main import main

pytestmark = pytest.mark.reliability
ROOT = Path(__file__).resolve().parents[2]


def _two_reports(service, clock: Clock) -> tuple:
    """The history both engines' tamper suites start from: a confidential report acknowledged with a
    note and its notices delivered, then an hour later a second report resolved."""
    acked = submit(service, reporter(9001, "孙八"), Answers(category="outsider_asking", confidential=True))
    view = service.handle_command(officer(0), "reports", acked)
    service.handle_callback(officer(0), button(view, ":ack:"))
    service.handle_callback(officer(0), button(view, ":note:"))
    service.handle_text(officer(0), "已联系报告人")
    for item in service.due_notifications():
        service.delivered(item, message_id=1)
    clock.advance(3600)
    resolved = submit(service, reporter(9002), Answers(category="outsider_asking", confidential=False))
    view = service.handle_command(officer(1), "reports", resolved)
    service.handle_callback(officer(1), button(view, ":resolve:"))
    service.handle_text(officer(1), "已处理完毕")
    return acked, resolved


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("tamper")
    db = base / "r.db"
    clock = Clock()
    service = make_service(db, clock=clock)
    acked, resolved = _two_reports(service, clock)
    clock.advance(60)
    # A consistent copy of database and anchor as they were before the last report (for roll-backs).
    early = sqlite3.connect(base / "early.db")
    service.store.db.conn.backup(early)
    early.close()
    shutil.copy(f"{db}.audit-anchor", base / "early.db.audit-anchor")
    fresh = submit(service, reporter(9003), Answers(category="lost_carrier", confidential=True))
    service.store.db.close()
    key_file = base / "report.key"
    key_file.write_text(base64.urlsafe_b64encode(KEY).decode() + "\n")
    key_file.chmod(0o600)
    return {"dir": base, "db": db, "key": key_file, "acked": acked, "resolved": resolved, "fresh": fresh}


class _Sql:
    """An edit made with plain SQL (kept as text, so the PostgreSQL suite runs the same statements)."""

    def __init__(self, statements: tuple[str, ...], drop_triggers: bool):
        self.statements, self.drop_triggers = statements, drop_triggers

    def __call__(self, db: Path, h: dict) -> None:
        con = sqlite3.connect(db)
        if self.drop_triggers:
            con.execute("DROP TRIGGER IF EXISTS report_audit_no_update")
            con.execute("DROP TRIGGER IF EXISTS report_audit_no_delete")
        for s in self.statements:
            con.execute(s.format(**h))
        con.commit()
        con.close()


def _sql(*statements: str, drop_triggers: bool = False) -> Callable[[Path, dict], None]:
    return _Sql(statements, drop_triggers)


def _rechain_unkeyed(db: Path, h: dict) -> None:
    """Edit an audit row and recompute every later link with plain SHA-256 (what worked before keying)."""
    con = sqlite3.connect(db)
    con.execute("DROP TRIGGER IF EXISTS report_audit_no_update")
    con.execute("UPDATE report_audit SET actor = 'system' WHERE action = 'identity_revealed' OR seq = 2")
    prev = "0" * 64
    for seq, at, actor, action, ref, detail in con.execute(
            "SELECT seq, at, actor, action, ref, detail FROM report_audit ORDER BY seq").fetchall():
        record = json.dumps([seq, repr(float(at)), actor, action, ref, detail], ensure_ascii=False)
        digest = hashlib.sha256((prev + record).encode()).hexdigest()
        con.execute("UPDATE report_audit SET prev_hash = ?, hash = ? WHERE seq = ?", [prev, digest, seq])
        prev = digest
    con.commit()
    con.close()


def _swap_content(db: Path, h: dict) -> None:
    con = sqlite3.connect(db)
    a = con.execute("SELECT content FROM reports WHERE ref = ?", [h["acked"]]).fetchone()[0]
    b = con.execute("SELECT content FROM reports WHERE ref = ?", [h["fresh"]]).fetchone()[0]
    con.execute("UPDATE reports SET content = ? WHERE ref = ?", [b, h["acked"]])
    con.execute("UPDATE reports SET content = ? WHERE ref = ?", [a, h["fresh"]])
    con.commit()
    con.close()


def _delete_anchor(db: Path, h: dict) -> None:
    Path(f"{db}.audit-anchor").unlink()


def _old_database(db: Path, h: dict) -> None:
    shutil.copy(h["dir"] / "early.db", db)  # the whole file rolled back to an earlier copy


def _old_anchor(db: Path, h: dict) -> None:
    shutil.copy(h["dir"] / "early.db.audit-anchor", Path(f"{db}.audit-anchor"))


TAMPERING: dict[str, Callable[[Path, dict], None]] = {
    "audit row edited": _sql("UPDATE report_audit SET action = 'listed' WHERE seq = 3", drop_triggers=True),
    "audit row edited, chain recomputed": _rechain_unkeyed,
    "audit log truncated (last 2 rows)": _sql(
        "DELETE FROM report_audit WHERE seq > (SELECT max(seq) - 2 FROM report_audit)", drop_triggers=True),
    "audit log emptied": _sql("DELETE FROM report_audit", drop_triggers=True),
    "audit row deleted in the middle": _sql("DELETE FROM report_audit WHERE seq = 4", drop_triggers=True),
    "audit row forged at the end": _sql(
        "INSERT INTO report_audit (seq, at, actor, action, ref, detail, prev_hash, hash) SELECT seq + 1, at, "
        "actor, 'listed', NULL, '{{}}', hash, hash FROM report_audit ORDER BY seq DESC LIMIT 1"),
    "metadata: confidential flipped": _sql("UPDATE reports SET confidential = 0 WHERE ref = '{acked}'"),
    "metadata: status set back to new": _sql("UPDATE reports SET status = 'new' WHERE ref = '{acked}'"),
    "metadata: status set to resolved": _sql("UPDATE reports SET status = 'resolved' WHERE ref = '{fresh}'"),
    "metadata: category changed": _sql("UPDATE reports SET category = 'other' WHERE ref = '{fresh}'"),
    "metadata: urgency lowered": _sql("UPDATE reports SET urgency = 'normal' WHERE ref = '{fresh}'"),
    "metadata: created_at moved": _sql("UPDATE reports SET created_at = created_at + 86400 WHERE ref = '{fresh}'"),
    "metadata: reporter swapped": _sql(
        "UPDATE reports SET reporter = (SELECT reporter FROM reports WHERE ref = '{resolved}') "
        "WHERE ref = '{acked}'"),
    "metadata: acknowledged_at cleared": _sql("UPDATE reports SET acknowledged_at = NULL WHERE ref = '{acked}'"),
    "metadata: carrier outcome set": _sql("UPDATE reports SET carrier_outcome = 'found' WHERE ref = '{fresh}'"),
    "sealed content swapped between reports": _swap_content,
    "report deleted": _sql("DELETE FROM reports WHERE ref = '{fresh}'"),
    "report forged (copied row)": _sql(
        "INSERT INTO reports SELECT 'AAAA-BBBB-CCCC-DDDD', draft_nonce || 'x', reporter, identity, content, "
        "category, urgency, confidential, status, created_at, updated_at, acknowledged_at, resolved_at, "
        "carrier_outcome FROM reports WHERE ref = '{fresh}'"),
    "history event deleted": _sql("DELETE FROM report_events WHERE kind = 'comment'"),
    "history event changed": _sql("UPDATE report_events SET kind = 'acknowledged' WHERE kind = 'resolved'"),
    "notices marked sent": _sql("UPDATE report_outbox SET status = 'sent', sent_at = 1 WHERE status = 'pending'"),
    "notices deleted": _sql("DELETE FROM report_outbox WHERE ref = '{fresh}'"),
    "timers cancelled": _sql("UPDATE report_timers SET cancelled_at = 1 WHERE fired_at IS NULL"),
    "timer postponed": _sql("UPDATE report_timers SET due_at = due_at + 864000 WHERE fired_at IS NULL"),
    "timers deleted": _sql("DELETE FROM report_timers WHERE ref = '{fresh}'"),
    "anchor deleted": _delete_anchor,
    "database rolled back to an older copy": _old_database,
    "anchor rolled back to an older copy": _old_anchor,
}


def _audit(db: Path, key: Path, capsys) -> tuple[int, str]:
    code = main(["report", "--db", str(db), "--key-file", str(key), "audit"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_every_kind_of_tampering_is_reported_by_report_audit(history, tmp_path, capsys, monkeypatch):
    for var in ("LIBAO_DB", "LIBAO_CONFIG", "LIBAO_REPORT_KEY", "LIBAO_REPORT_KEY_FILE"):
        monkeypatch.delenv(var, raising=False)
    h = dict(history)
    clean_db = tmp_path / "clean" / "r.db"
    clean_db.parent.mkdir()
    shutil.copy(h["db"], clean_db)
    shutil.copy(f"{h['db']}.audit-anchor", f"{clean_db}.audit-anchor")
    code, out = _audit(clean_db, h["key"], capsys)
    assert code == exitcodes.OK and "校验通过" in out, out  # no false alarm on the untouched copy

    missed = []
    for n, (name, edit) in enumerate(TAMPERING.items()):
        db = tmp_path / f"case{n}" / "r.db"
        db.parent.mkdir()
        shutil.copy(h["db"], db)
        shutil.copy(f"{h['db']}.audit-anchor", f"{db}.audit-anchor")
        edit(db, h)
        code, out = _audit(db, h["key"], capsys)
        if code != exitcodes.FINDINGS or "被改动" not in out:
            missed.append(f"{name}: exit {code}: {out.strip()[:200]}")
    print(f"tamper suite: detected {len(TAMPERING) - len(missed)} / tried {len(TAMPERING)}")
    assert missed == []


def test_a_flipped_confidential_flag_never_reveals_the_reporter(history, tmp_path, capsys):
    db = tmp_path / "r.db"
    shutil.copy(history["db"], db)
    shutil.copy(f"{history['db']}.audit-anchor", f"{db}.audit-anchor")
    _sql("UPDATE reports SET confidential = 0 WHERE ref = '{acked}'")(db, history)
    code = main(["report", "--db", str(db), "--key-file", str(history["key"]), "show", history["acked"]])
    captured = capsys.readouterr()
    assert code == exitcodes.FINDINGS and "孙八" not in captured.out + captured.err
    assert "被改动" in captured.err
    con = sqlite3.connect(db)
    actions = [r[0] for r in con.execute("SELECT action FROM report_audit WHERE ref = ?", [history["acked"]])]
    con.close()
    assert "viewed" not in actions[-1:] and "identity_revealed" not in actions  # nothing recorded as shown


def test_wrong_key_is_refused_before_anything_is_written(history, tmp_path):
    db = tmp_path / "r.db"
    shutil.copy(history["db"], db)
    shutil.copy(f"{history['db']}.audit-anchor", f"{db}.audit-anchor")
    other = tmp_path / "other.key"
    other.write_text(base64.urlsafe_b64encode(bytes(32)).decode() + "\n")
    other.chmod(0o600)
    before = db.read_bytes(), Path(f"{db}.audit-anchor").read_bytes()
    for action in (["list"], ["audit"], ["show", history["acked"]], ["export", "--csv"]):
        run = subprocess.run([sys.executable, "-m", "bot", "report", "--db", str(db), "--key-file", str(other),
                              *action], capture_output=True, text=True, cwd=ROOT, timeout=60, check=False)
        assert run.returncode == exitcodes.CONFIG_ERROR, run.stderr
        assert "不属于这个数据库" in run.stderr and "Traceback" not in run.stderr
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    assert Path(f"{db}.audit-anchor").read_bytes() == before[1]
    audit_rows = sqlite3.connect(db).execute("SELECT count(*) FROM report_audit").fetchone()[0]
    original = sqlite3.connect(history["db"]).execute("SELECT count(*) FROM report_audit").fetchone()[0]
    assert audit_rows == original


def test_the_bot_reports_tampering_at_start(history, tmp_path):
    from support.reports import OFFICERS

    db = tmp_path / "r.db"
    shutil.copy(history["db"], db)
    shutil.copy(f"{history['db']}.audit-anchor", f"{db}.audit-anchor")
    config = tmp_path / "config.yaml"
    config.write_text(f"channels:\n  telegram:\n    access:\n      allowed_user_ids: [1]\n"
                      f"      officers: {list(OFFICERS)}\n"
                      f"reports:\n  enabled: true\n  key_file: {history['key']}\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIBAO_", "TELEGRAM_"))}
    env.update(TELEGRAM_BOT_TOKEN="123456:" + "T" * 35, LIBAO_DB=str(db),
               LIBAO_CACHE_DIR=os.environ.get("LIBAO_CACHE_DIR", str(ROOT / ".cache")))

    def start() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", "serve", "--config", str(config), "--check-config"],
                              capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False)

    clean = start()
    assert clean.returncode == exitcodes.OK and "被改动" not in clean.stderr, clean.stderr
    _sql("UPDATE report_timers SET cancelled_at = 1 WHERE fired_at IS NULL")(db, history)
    tampered = start()
    assert tampered.returncode == exitcodes.OK  # the bot keeps serving; the officers' channel stays open
    assert "被改动" in tampered.stderr and "report_timers" in tampered.stderr, tampered.stderr


# ----------------------------------------------------------------------------- PostgreSQL
# The same edits made with SQL by someone holding a superuser connection but not the report key
# (session_replication_role = replica switches the append-only triggers off), plus edits of the
# anchor row. Each case runs on its own copy (CREATE DATABASE ... TEMPLATE) of the same history.
# Not in the list: replacing the tables and the anchor row together with an older copy of both, or
# deleting all of them with the key check — the limit bot/core/reports/ledger.py states.

def _pg_name(url: str) -> str:
    return url.split("?")[0].rsplit("/", 1)[1]


def _pg_copy(server, source: str, name: str) -> str:
    import psycopg

    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_pg_name(source)}"')
    return server.url(name)


def _pg_run(url: str, statements: list[str], *, replica: bool = False) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        if replica:
            conn.execute("SET session_replication_role = replica")
        for s in statements:
            conn.execute(s)


@pytest.fixture(scope="module")
def pg_history(pg_server, tmp_path_factory) -> dict:
    from support.reports import policy

    from bot.core.reports.sealing import Sealer
    from bot.core.reports.service import ReportService
    from bot.storage import ReportStore, connect

    base = tmp_path_factory.mktemp("pgtamper")
    url = pg_server.database("tamper-history")
    clock = Clock()

    def service() -> ReportService:
        return ReportService(store=ReportStore(connect(url)), sealer=Sealer(KEY), policy=policy(), clock=clock)

    first = service()
    acked, resolved = _two_reports(first, clock)
    first.store.db.close()
    early = _pg_copy(pg_server, url, "tamper_early")
    again = service()
    fresh = submit(again, reporter(9003), Answers(category="lost_carrier", confidential=True))
    again.store.db.close()
    key_file = base / "report.key"
    key_file.write_text(base64.urlsafe_b64encode(KEY).decode() + "\n")
    key_file.chmod(0o600)
    return {"url": url, "early": early, "key": key_file, "acked": acked, "resolved": resolved, "fresh": fresh}


def _pg_rechain_unkeyed(url: str, h: dict) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("UPDATE report_audit SET actor = 'system' WHERE seq = 2")
        prev = "0" * 64
        for seq, at, actor, action, ref, detail in conn.execute(
                "SELECT seq, at, actor, action, ref, detail FROM report_audit ORDER BY seq").fetchall():
            record = json.dumps([seq, repr(float(at)), actor, action, ref, detail], ensure_ascii=False)
            digest = hashlib.sha256((prev + record).encode()).hexdigest()
            conn.execute("UPDATE report_audit SET prev_hash = %s, hash = %s WHERE seq = %s", [prev, digest, seq])
            prev = digest


def _pg_old_anchor(url: str, h: dict) -> None:
    import psycopg

    with psycopg.connect(h["early"]) as conn:
        old = conn.execute("SELECT value FROM meta WHERE key = 'reports.anchor'").fetchone()[0]
    _pg_run(url, [f"UPDATE meta SET value = '{old}' WHERE key = 'reports.anchor'"])


def _pg_old_tables(url: str, h: dict) -> None:
    """Every report table rolled back to the earlier copy; the anchor row left as it is."""
    import psycopg

    with psycopg.connect(h["early"]) as src, psycopg.connect(url, autocommit=True) as dst:
        dst.execute("SET session_replication_role = replica")
        for table in ("report_audit", "reports", "report_events", "report_outbox", "report_timers"):
            cols = [d.name for d in src.execute(f"SELECT * FROM {table} LIMIT 0").description]
            rows = src.execute(f"SELECT * FROM {table}").fetchall()
            dst.execute(f"DELETE FROM {table}")
            marks = ", ".join("%s" for _ in cols)
            for row in rows:
                dst.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", row)


def _pg_cases() -> dict[str, Callable[[str, dict], None]]:
    cases: dict[str, Callable[[str, dict], None]] = {}
    for name, edit in TAMPERING.items():
        if isinstance(edit, _Sql):
            cases[name] = (lambda e: lambda url, h: _pg_run(url, [s.format(**h) for s in e.statements],
                                                             replica=e.drop_triggers))(edit)
    cases["audit row edited, chain recomputed"] = _pg_rechain_unkeyed
    cases["sealed content swapped between reports"] = lambda url, h: _pg_run(url, [
        f"UPDATE reports SET content = (SELECT content FROM reports WHERE ref = '{h['fresh']}') "
        f"WHERE ref = '{h['acked']}'"])
    cases["audit log truncated (TRUNCATE)"] = lambda url, h: _pg_run(url, ["TRUNCATE report_audit"], replica=True)
    cases["anchor row deleted"] = lambda url, h: _pg_run(url, ["DELETE FROM meta WHERE key = 'reports.anchor'"])
    cases["anchor row edited"] = lambda url, h: _pg_run(url, [
        "UPDATE meta SET value = regexp_replace(value, '\"seq\":[0-9]+', '\"seq\":1', 'g') "
        "WHERE key = 'reports.anchor'"])
    cases["key check and anchor row deleted"] = lambda url, h: _pg_run(url, [
        "DELETE FROM meta WHERE key IN ('reports.anchor', 'reports.key_check')"])
    cases["all report rows and the anchor row deleted"] = lambda url, h: _pg_run(url, [
        "DELETE FROM meta WHERE key = 'reports.anchor'", "DELETE FROM report_audit", "DELETE FROM report_timers",
        "DELETE FROM report_outbox", "DELETE FROM report_events", "DELETE FROM reports"], replica=True)
    cases["anchor row rolled back to an older copy"] = _pg_old_anchor
    cases["tables rolled back to an older copy"] = _pg_old_tables
    return cases


def test_every_kind_of_tampering_is_reported_on_postgresql(pg_history, pg_server, capsys, monkeypatch):
    for var in ("LIBAO_DB", "LIBAO_CONFIG", "LIBAO_REPORT_KEY", "LIBAO_REPORT_KEY_FILE"):
        monkeypatch.delenv(var, raising=False)
    h = pg_history
    clean = _pg_copy(pg_server, h["url"], "tamper_clean")
    code, out = _audit(clean, h["key"], capsys)  # type: ignore[arg-type]
    assert code == exitcodes.OK and "校验通过" in out, out

    cases = _pg_cases()
    missed = []
    for n, (name, edit) in enumerate(cases.items()):
        url = _pg_copy(pg_server, h["url"], f"tamper_case{n}")
        edit(url, h)
        code, out = _audit(url, h["key"], capsys)  # type: ignore[arg-type]
        if code != exitcodes.FINDINGS or "被改动" not in out:
            missed.append(f"{name}: exit {code}: {out.strip()[:200]}")
    print(f"tamper suite (PostgreSQL): detected {len(cases) - len(missed)} / tried {len(cases)}")
    assert missed == []
