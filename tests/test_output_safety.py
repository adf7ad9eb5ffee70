"""What libao writes is safe to open: exports neutralised and never written through links or over files,
databases and key files owner-only, JSON records one line each, limits stated instead of silent cuts."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from support.clock import Clock
from support.reports import KEY, Answers, button, make_service, officer, reporter, submit

from bot.cli import exitcodes
from bot.cli.common import json_line, stdin_lines
from bot.core.reports.export import spreadsheet_safe
from bot.storage import ChatStore, connect

ROOT = Path(__file__).resolve().parents[1]


def _report_cli(*args: str, db: Path, key: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBAO_")}
    return subprocess.run([sys.executable, "-m", "bot", "report", "--db", str(db), "--key-file", str(key), *args],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False)


def test_spreadsheet_formulas_are_neutralised():
    for cell in ("=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)", "\t=1", "＝1"):
        assert spreadsheet_safe(cell).startswith("'")
    assert spreadsheet_safe("已通知部门负责人") == "已通知部门负责人"
    assert spreadsheet_safe("电话 -1") == "电话 -1"


def test_export_is_a_new_private_file_never_through_a_link(tmp_path):
    db = tmp_path / "r.db"
    service = make_service(db, clock=Clock())
    ref = submit(service, reporter(9501), Answers(containment="=cmd|' /C calc'!A0", confidential=False))
    service.store.db.close()
    key = tmp_path / "report.key"
    key.write_text(base64.urlsafe_b64encode(KEY).decode() + "\n")
    key.chmod(0o600)

    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "link.csv"
    link.symlink_to(victim)
    refused = _report_cli("export", "--csv", "--out", str(link), db=db, key=key)
    assert refused.returncode == exitcodes.BAD_INPUT and "已存在" in refused.stderr
    assert victim.read_text() == "keep me"

    existing = tmp_path / "old.csv"
    existing.write_text("old")
    existing.chmod(0o644)
    assert _report_cli("export", "--csv", "--out", str(existing), db=db, key=key).returncode == exitcodes.BAD_INPUT
    assert existing.read_text() == "old"
    replaced = _report_cli("export", "--csv", "--out", str(existing), "--force", db=db, key=key)
    assert replaced.returncode == exitcodes.OK, replaced.stderr
    assert stat.S_IMODE(existing.stat().st_mode) == 0o600
    forced_link = _report_cli("export", "--csv", "--out", str(link), "--force", db=db, key=key)
    assert forced_link.returncode == exitcodes.OK and victim.read_text() == "keep me" and not link.is_symlink()

    rows = list(csv.DictReader(io.StringIO(existing.read_text(encoding="utf-8-sig"))))
    assert rows[0]["ref"] == ref and rows[0]["containment"].startswith("'=cmd")


def test_one_damaged_record_does_not_abort_the_export(tmp_path):
    import sqlite3

    db = tmp_path / "r.db"
    service = make_service(db, clock=Clock())
    good = submit(service, reporter(9601), Answers(when_where="完好的记录"))
    bad = submit(service, reporter(9602), Answers(when_where="被改动的记录"))
    garbled = submit(service, reporter(9603), Answers(when_where="类型被改的记录"))
    service.store.db.close()
    con = sqlite3.connect(db)
    con.execute("UPDATE reports SET content = x'01' || randomblob(40) WHERE ref = ?", [bad])
    con.execute("UPDATE reports SET content = CAST(x'01ff80fe' AS TEXT) WHERE ref = ?", [garbled])  # not UTF-8
    con.commit()
    con.close()
    key = tmp_path / "report.key"
    key.write_text(base64.urlsafe_b64encode(KEY).decode() + "\n")
    key.chmod(0o600)
    out = tmp_path / "e.csv"
    result = _report_cli("export", "--csv", "--out", str(out), db=db, key=key)
    assert result.returncode == exitcodes.FINDINGS and "Traceback" not in result.stderr, result.stderr
    assert bad in result.stderr and garbled in result.stderr
    rows = {r["ref"]: r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))}
    assert rows[good]["when_where"] == "完好的记录"
    assert "被改动" in rows[bad]["detail"] and "被改动" in rows[garbled]["detail"]


def test_database_and_vote_key_are_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        db = connect(tmp_path / "chat.db")
        store = ChatStore(db)
        store.add_vote(7, "phone.ring", 1)
    finally:
        os.umask(old)
    for name in ("chat.db", "chat.db-wal", "chat.db.voter-key"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
    voter = next(iter(db.query("select voter from chat_votes")))["voter"]
    # Nothing stored in the database recomputes the pseudonym (the old scheme: sha256(salt:id)).
    stored = [str(r["value"]) for r in db.query("select value from meta")]
    assert all(hashlib.sha256(f"{v}:7".encode()).hexdigest()[:32] != voter for v in stored)
    assert db.table("meta").count_where("key = 'chat.voter_salt'") == 0
    other = ChatStore(connect(tmp_path / "other.db"))
    other.add_vote(7, "phone.ring", 1)
    assert next(iter(other.db.query("select voter from chat_votes")))["voter"] != voter  # keyed per database
    again = ChatStore(connect(tmp_path / "chat.db"))  # same key from the file: the same pseudonym
    again.add_vote(7, "phone.ring", -1)
    assert [r["down"] for r in again.vote_summary()] == [1]


def _vote_key_of(path: str, start, out) -> None:
    from bot.storage.sqlite import voter_key

    db = connect(path)
    start.wait()
    try:
        out.put(voter_key(db).hex())
    except Exception as exc:  # reported to the test, which fails on it
        out.put(f"error: {exc}")


def test_instances_starting_together_agree_on_one_whole_vote_key(tmp_path):
    # Each instance creates the key file if it is missing; one whose neighbour was still writing it
    # once read it half-written and refused to start ("the vote key … is damaged").
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    for attempt in range(5):
        path = str(tmp_path / f"chat{attempt}.db")
        connect(path)  # the database exists; its key file not yet
        start, out = ctx.Barrier(6), ctx.Queue()
        procs = [ctx.Process(target=_vote_key_of, args=(path, start, out)) for _ in range(6)]
        for p in procs:
            p.start()
        keys = [out.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(timeout=60)
        assert len(set(keys)) == 1 and not keys[0].startswith("error"), keys
        assert sorted(f.name for f in tmp_path.glob(f"*chat{attempt}.db*voter-key*")) == [f"chat{attempt}.db.voter-key"]
        assert stat.S_IMODE((tmp_path / f"chat{attempt}.db.voter-key").stat().st_mode) == 0o600


def test_json_records_are_one_line_for_every_reader():
    record = {"text": "甲\u2028乙\u2029丙\u0085丁\n戊"}
    line = json_line(record)
    assert len(line.splitlines()) == 1 and json.loads(line) == record


def test_stdin_lines_are_bounded(monkeypatch):
    from bot.cli import common

    monkeypatch.setattr(common, "MAX_LINE_BYTES", 64)
    data = io.BytesIO(b"short\n" + "很".encode() * 100 + b"\nnext\n\xff\n")
    lines = list(stdin_lines(data))
    assert [n for n, _ in lines] == [1, 2, 3, 4]
    assert lines[0][1] == "short" and lines[2][1] == "next" and lines[3][1] is None
    assert lines[1][1] and set(lines[1][1]) <= {"很", "\ufffd"} and len(lines[1][1]) <= 22


def test_officer_note_over_the_limit_is_refused_with_the_limit(tmp_path):
    from bot.core.reports.service import MAX_NOTE_CHARS

    service = make_service(tmp_path / "r.db", clock=Clock())
    ref = submit(service, reporter(9701), Answers())
    view = service.handle_command(officer(0), "reports", ref)
    service.handle_callback(officer(0), button(view, ":note:"))
    long_note = "备" * (MAX_NOTE_CHARS + 1)
    reply = service.handle_text(officer(0), long_note)[0].text
    assert str(MAX_NOTE_CHARS) in reply and str(len(long_note)) in reply
    assert service.handle_text(officer(0), "简短备注")[0].text == "备注已保存。"  # still awaited, nothing lost


def test_console_report_is_a_stated_rehearsal():
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBAO_")}
    env["LIBAO_CACHE_DIR"] = os.environ.get("LIBAO_CACHE_DIR", str(ROOT / ".cache"))
    script = "/report\n2\n1\n今天上午 三楼\n3\n已处理\n2\n1\n/quit\n"
    out = subprocess.run([sys.executable, "-m", "bot", "chat"], input=script, capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=120, check=False).stdout
    assert "演练模式" in out and "【演练】" in out and "保密员已收到通知" not in out
    # The notices the workflow would send are shown here, each marked as never sent.
    assert out.count("🔔") == out.count("没有发给任何人") > 0


def test_check_json_masks_disguised_numbers():
    """`check --json` over drafts whose numbers are spelt in pinyin, 幺两拐洞, 壹贰, broken over lines or
    split by symbols: the JSON lines, read back through the checker's own fold, hold no full number."""
    import importlib.util

    from support.cli import run_cli

    from bot.core.text.fold import fold_wide
    spec = importlib.util.spec_from_file_location("pii_disguise", ROOT / "benchmarks" / "pii_disguise.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    drafts = [d.replace("\n", " ") for _, _, d in bench.number_drafts(6)]
    proc = run_cli("check", "--json", stdin="".join(d + "\n" for d in drafts).encode("utf-8"), timeout=300)
    assert proc.returncode == 0
    lines = proc.stdout.decode("utf-8").splitlines()
    assert len(lines) == len(drafts)

    def digits(text: str) -> str:
        return "".join(ch for ch in fold_wide(text).text if ch.isdigit())

    for draft, line in zip(drafts, lines, strict=True):
        record = json.loads(line)
        assert record["findings"], draft
        value = digits(draft)
        assert value[-11:] not in digits(json.dumps(record, ensure_ascii=False)), draft
