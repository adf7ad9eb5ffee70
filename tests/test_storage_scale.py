"""Storage for several instances, on both engines: schema versions, leases with fencing numbers
(a stale worker neither sends nor records), timers fired once by competing instances, and the
encrypted backup / restore round trip."""

from __future__ import annotations

import pytest
from support.clock import Clock
from support.reports import KEY, Answers, make_service, reporter, submit

from bot import storage
from bot.core.reports.escalation import MINUTE
from bot.core.reports.sealing import Sealer
from bot.core.reports.service import ReportService
from bot.storage import ReportStore, connect
from bot.storage.migrations import LATEST, SchemaError, migrate, schema_version


def _twin(service: ReportService, db_path, clock: Clock, owner: str) -> ReportService:
    """A second instance on the same database (its own connection and owner name)."""
    return ReportService(store=ReportStore(connect(db_path)), sealer=Sealer(KEY), policy=service.policy,
                         clock=clock, owner=owner, lease_seconds=service.lease_seconds)


def test_schema_is_versioned_and_a_newer_database_is_refused(tmp_path):
    db = connect(tmp_path / "v.db")
    assert schema_version(db) == LATEST
    assert migrate(db) == LATEST  # idempotent
    with db.write():
        db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                   [LATEST + 1, "from the future", 0.0])
    with pytest.raises(SchemaError, match="newer"):
        connect(tmp_path / "v.db")


def test_a_stale_worker_neither_sends_nor_records(tmp_path):
    clock = Clock()
    db = tmp_path / "r.db"
    first = make_service(db, clock=clock)
    first.owner = "host-a:1"
    submit(first, reporter(3001), Answers(category="network_leak"))
    items = first.due_notifications(limit=10)
    assert items and all(first.may_send(i) for i in items)
    # Instance A stalls past its lease; B claims the same rows (a newer fencing number) and sends.
    clock.advance(first.lease_seconds + 1)
    second = _twin(first, db, clock, "host-b:2")
    taken = second.due_notifications(limit=10)
    assert {i.row_id for i in taken} == {i.row_id for i in items}
    assert all(t.fence > i.fence for t, i in zip(sorted(taken, key=lambda x: x.row_id),
                                                 sorted(items, key=lambda x: x.row_id), strict=True))
    # A wakes up: it may not send, and a delivery it reports is not recorded.
    assert not any(first.may_send(i) for i in items)
    first.delivered(items[0], message_id=1)
    assert first.store.outbox_row(items[0].row_id)["status"] == "pending"
    for t in taken:
        assert second.may_send(t)
        second.delivered(t, message_id=2)
    assert {first.store.outbox_row(i.row_id)["status"] for i in items} == {"sent"}
    notified = [r for r in first.store.audit_rows() if r["action"] == "notified"]
    assert len(notified) == len(items)


def test_competing_instances_fire_each_escalation_step_once(tmp_path):
    clock = Clock()
    db = tmp_path / "r.db"
    services = [make_service(db, clock=clock)]
    services += [_twin(services[0], db, clock, f"host-{i}:{i}") for i in range(1, 3)]
    refs = [submit(services[0], reporter(4000 + i), Answers(category="network_leak")) for i in range(5)]
    clock.advance(11 * MINUTE)
    fired = [s.tick() for s in services] + [s.tick() for s in services]
    assert sum(fired) == len(refs)  # chain:1 of each report, by whichever instance claimed it
    steps = [r for r in services[0].store.audit_rows() if r["action"] == "timer_fired"]
    assert len(steps) == len({(r["ref"], r["detail"]) for r in steps})
    # A released row goes straight back to the pool.
    item = services[1].due_notifications(limit=1)[0]
    services[1].release(item)
    assert item.row_id in {i.row_id for i in services[2].due_notifications(limit=50)}


def test_backup_restores_into_an_empty_database_only(tmp_path, backend, request):
    from bot.storage.backup import BackupError, restore, write_backup

    clock = Clock()
    db = tmp_path / "r.db"
    service = make_service(db, clock=clock)
    refs = [submit(service, reporter(5000 + i), Answers()) for i in range(3)]
    url = service.store.db.url
    out = tmp_path / "b.bak"
    info = write_backup(url, out, master_key=KEY)
    assert info["engine"] == ("postgres" if backend == "postgres" else "sqlite")
    data = out.read_bytes()
    assert (out.stat().st_mode & 0o777) == 0o600
    assert KEY not in data and "三楼会议室".encode() not in data
    truncated = tmp_path / "cut.bak"
    truncated.write_bytes(data[:-100])
    with pytest.raises(BackupError, match=r"truncated"):
        restore(truncated, tmp_path / "y.db", master_key=KEY)
    assert not (tmp_path / "y.db").exists()  # nothing installed from a file that does not authenticate
    with pytest.raises(BackupError, match="not empty"):
        restore(out, url, master_key=KEY)
    target = (str(tmp_path / "restored.db") if backend == "sqlite"
              else request.getfixturevalue("pg_server").database(f"{request.node.nodeid}|restored"))
    with pytest.raises(BackupError, match=r"another report key|altered"):
        restore(out, target, master_key=bytes(32))
    restore(out, target, master_key=KEY)
    restored = ReportStore(storage.connect(target))  # the URL itself, not a test path
    restored.attach_ledger(Sealer(KEY).audit_key)
    assert restored.verify() == []  # the keyed chain and its anchor came along
    assert all(restored.report(ref) is not None for ref in refs)


def test_backup_and_restore_commands(tmp_path, backend):
    import base64
    import os

    from support.cli import run_cli

    from bot.cli import exitcodes

    if backend != "sqlite":
        pytest.skip("the command line is engine-neutral; the PostgreSQL path is covered above and in tests/cluster")
    service = make_service(tmp_path / "live.db", clock=Clock())
    ref = submit(service, reporter(5100), Answers())
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBAO_")}
    env["LIBAO_REPORT_KEY"] = base64.urlsafe_b64encode(KEY).decode()
    out = tmp_path / "nightly.bak"
    made = run_cli("backup", str(out), "--db", str(tmp_path / "live.db"), env=env)
    assert made.returncode == exitcodes.OK, made.stderr
    again = run_cli("restore", str(out), "--db", str(tmp_path / "live.db"), env=env)
    assert again.returncode == exitcodes.BAD_INPUT  # never over a database that has tables
    back = run_cli("restore", str(out), "--db", str(tmp_path / "restored.db"), env=env)
    assert back.returncode == exitcodes.OK, back.stderr
    assert ReportStore(storage.connect(tmp_path / "restored.db")).report(ref) is not None
    env["LIBAO_REPORT_KEY"] = base64.urlsafe_b64encode(bytes(32)).decode()
    wrong = run_cli("restore", str(out), "--db", str(tmp_path / "other.db"), env=env)
    assert wrong.returncode == exitcodes.BAD_INPUT and b"Traceback" not in wrong.stderr


def test_a_restore_that_does_not_verify_exits_1(tmp_path, backend):
    import base64
    import json
    import os
    import sqlite3
    import struct

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from support.cli import run_cli

    from bot.cli import exitcodes
    from bot.storage import backup

    if backend != "sqlite":
        pytest.skip("a file of the first backup format holds a SQLite snapshot without its anchor")
    submit(make_service(tmp_path / "live.db", clock=Clock()), reporter(5200), Answers())
    # The first format carried the snapshot alone: a keyed database restored from it has no anchor.
    head = json.dumps({"engine": "sqlite", "schema": 6, "created_at": 0.0}, sort_keys=True).encode()
    aad, nonce = backup.MAGIC_V1 + struct.pack(">I", len(head)) + head, os.urandom(12)
    source, copy = sqlite3.connect(tmp_path / "live.db"), sqlite3.connect(tmp_path / "copy.db")
    source.backup(copy)
    source.close()
    copy.close()
    old = tmp_path / "old.bak"
    old.write_bytes(aad + nonce + AESGCM(backup._key(KEY)).encrypt(nonce, (tmp_path / "copy.db").read_bytes(), aad))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBAO_")}
    env["LIBAO_REPORT_KEY"] = base64.urlsafe_b64encode(KEY).decode()
    done = run_cli("restore", str(old), "--db", str(tmp_path / "restored.db"), env=env)
    assert done.returncode == exitcodes.FINDINGS, done.stderr
    assert "anchor" in done.stderr.decode() and b"Traceback" not in done.stderr


def _make_legacy(service: ReportService) -> int:
    """Turn a database into what the release before the keyed audit log wrote: plain SHA-256 links,
    reports sealed without their metadata, no key check, no anchor. Returns the number of entries."""
    from pathlib import Path

    from bot.core.reports.ledger import GENESIS, legacy_hash
    from bot.core.reports.sealing import record_context

    db, sealer = service.store.db, service.sealer
    for row in list(db.query("SELECT * FROM reports")):
        ref = row["ref"]
        identity = sealer.open_json(row["identity"], context=record_context("identity", row))
        content = sealer.open_json(row["content"], context=record_context("content", row))
        db.execute("UPDATE reports SET identity = ?, content = ? WHERE ref = ?",
                   [sealer.seal_json(identity, context=f"identity:{ref}"),
                    sealer.seal_json(content, context=f"content:{ref}"), ref])
    if db.dialect == "postgres":
        db.execute("DROP TRIGGER IF EXISTS report_audit_no_change ON report_audit")
    else:
        db.execute("DROP TRIGGER IF EXISTS report_audit_no_update")
    prev, count = GENESIS, 0
    for row in list(db.query("SELECT * FROM report_audit ORDER BY seq")):
        link = legacy_hash(prev, int(row["seq"]), row["at"], row["actor"], row["action"], row["ref"], row["detail"])
        db.execute("UPDATE report_audit SET prev_hash = ?, hash = ? WHERE seq = ?", [prev, link, row["seq"]])
        prev, count = link, int(row["seq"])
    db.execute("DELETE FROM meta WHERE key IN ('reports.key_check', 'reports.anchor')")
    if db.dialect == "sqlite":
        db.conn.commit()
        Path(f"{db.file}.audit-anchor").unlink()
    return count


def test_an_older_database_is_adopted_once_with_its_key(tmp_path, backend):
    from bot.core.reports.ledger import LedgerError, WrongKeyError
    from bot.storage.sqlite import ADOPTED

    clock = Clock()
    db = tmp_path / "old.db"
    service = make_service(db, clock=clock)
    refs = [submit(service, reporter(5200 + i), Answers()) for i in range(3)]
    entries = _make_legacy(service)
    service.store.db.close()

    # A foreign key is refused before anything is written: the old chain is unkeyed, the reports are not.
    with pytest.raises(WrongKeyError):
        make_service(db, clock=clock, key=bytes(32))
    adopted = make_service(db, clock=clock)
    rows = adopted.store.audit_rows()
    assert len(rows) == entries + 1 and rows[-1]["action"] == ADOPTED
    assert '"resealed_reports": 3' in rows[-1]["detail"] and f'"legacy_entries": {entries}' in rows[-1]["detail"]
    assert adopted.store.verify() == []
    assert all(adopted.open_report(ref, actor="cli")["content"] for ref in refs)  # type: ignore[index]
    submit(adopted, reporter(5300), Answers())
    assert adopted.store.verify() == []
    adopted.store.db.close()
    assert len(make_service(db, clock=clock).store.audit_rows()) > entries + 1  # adopted once, not again

    # An old entry rewritten after adoption (the plain links recomputed) breaks the keyed entry that adopted it.
    edited = make_service(db, clock=clock)
    target = edited.store.db
    if target.dialect == "postgres":
        target.execute("DROP TRIGGER IF EXISTS report_audit_no_change ON report_audit")
    else:
        target.execute("DROP TRIGGER IF EXISTS report_audit_no_update")
    target.execute("UPDATE report_audit SET actor = 'system' WHERE seq = 1")
    from bot.core.reports.ledger import GENESIS, legacy_hash

    row = target.one("SELECT * FROM report_audit WHERE seq = 1")
    assert row is not None
    target.execute("UPDATE report_audit SET hash = ? WHERE seq = 1",
                   [legacy_hash(GENESIS, 1, row["at"], row["actor"], row["action"], row["ref"], row["detail"])])
    if target.dialect == "sqlite":
        target.conn.commit()
    assert any("audit log entry" in p for p in edited.store.verify())

    # A broken old chain is not adopted: nothing is written and the message says why.
    other = tmp_path / "broken.db"
    service = make_service(other, clock=clock)
    submit(service, reporter(5400), Answers())
    _make_legacy(service)
    service.store.db.execute("UPDATE report_audit SET action = 'listed' WHERE seq = 2")
    if service.store.db.dialect == "sqlite":
        service.store.db.conn.commit()
    service.store.db.close()
    with pytest.raises(LedgerError, match="broken at entry 2"):
        make_service(other, clock=clock)


def test_chat_pseudonyms_are_keyed_outside_a_postgresql_database(tmp_path, backend):
    from bot.storage import ChatStore

    if backend != "postgres":
        pytest.skip("SQLite keeps its key in a file beside the database (tests/test_output_safety.py)")
    db = connect(tmp_path / "chat.db")
    key = Sealer(KEY).chat_key
    store = ChatStore(db, key=key)
    store.set_setting(42, "单位", "某部门")
    assert db.one("SELECT value FROM meta WHERE key = 'chat.voter_salt'") is None  # no secret beside the rows
    assert ChatStore(db, key=key).get_settings(42) == {"单位": "某部门"}  # every instance derives the same key
    owner = db.one("SELECT owner FROM chat_user_settings")
    assert owner is not None and "42" not in str(owner["owner"])
    # A salt an earlier release kept in the database is retired with what it keyed.
    db.execute("INSERT INTO meta (key, value) VALUES ('chat.voter_salt', ?)", ["ab" * 32])
    assert ChatStore(db).get_settings(42) == {}  # without the outside key: the old salt, not the new rows
    ChatStore(db, key=key)
    assert db.one("SELECT value FROM meta WHERE key = 'chat.voter_salt'") is None
    assert db.one("SELECT count(*) AS n FROM chat_user_settings") == {"n": 0}


def test_a_sqlite_transaction_that_reads_then_writes_survives_another_process_committing(tmp_path, backend):
    """Two instances on one SQLite file: a transaction that reads first must not be told "locked" when
    the other commits before its write (a stale WAL snapshot cannot be upgraded)."""
    import threading

    if backend != "sqlite":
        pytest.skip("PostgreSQL transactions take no file lock; its writers are serialised by write()")

    path = tmp_path / "shared.db"
    first, second = connect(path, any_thread=True), connect(path, any_thread=True)
    first.execute("CREATE TABLE counter (n INTEGER)")
    first.execute("INSERT INTO counter (n) VALUES (0)")
    first.conn.commit()

    def other_instance() -> None:
        with second.atomic():
            second.execute("UPDATE counter SET n = n + 1")

    with first.atomic():
        seen = first.one("SELECT n FROM counter")
        other = threading.Thread(target=other_instance)
        other.start()
        other.join(timeout=0.5)  # lets the other commit first if nothing holds it back
        first.execute("UPDATE counter SET n = ?", [seen["n"] + 10])
    other.join()
    # Both writes landed, one after the other: the first transaction's, then the other's increment.
    assert first.one("SELECT n FROM counter") == {"n": 11}
