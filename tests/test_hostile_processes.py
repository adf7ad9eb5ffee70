"""Broken knowledge folders and hostile command lines, run as real processes.

Each case runs `python -m bot ...` under kernel limits — 5 s of CPU (`kb lint`, which also runs
every rule's examples: 30 s) and 500 MB of address space (a case over either is killed, and fails
here) — and must end with a clear message and the exit code documented in README's table, never a
traceback or a hang. The wall-clock figures are in
benchmarks/hostile_inputs.py.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import exitcodes
from bot.core.paths import KNOWLEDGE_DIR

ROOT = Path(__file__).resolve().parents[1]
CPU_SECONDS = 5
LINT_CPU_SECONDS = 30
ADDRESS_SPACE = 500 * 1024 * 1024


def _limits(file_size: int | None = None, cpu: int = CPU_SECONDS):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
        if file_size is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    return apply


def run(*args: str | bytes, stdin: bytes = b"", cache: Path, file_size: int | None = None,
        cwd: Path = ROOT, cpu: int = CPU_SECONDS) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBAO_")}
    env["LIBAO_CACHE_DIR"] = str(cache)
    proc = subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, cwd=cwd,
                          env=env, timeout=120, check=False, preexec_fn=_limits(file_size, cpu))
    out = subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                                      proc.stderr.decode("utf-8", "replace"))
    assert proc.returncode >= 0, f"killed by signal {-proc.returncode} (over a limit?): {out.stderr[-500:]}"
    assert "Traceback" not in out.stderr, out.stderr
    return out


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    """A cache shared by the module, warmed on the shipped knowledge (start-up is then ~0.3 s)."""
    path = tmp_path_factory.mktemp("cache")
    assert run("ask", "电话响几声要接", cache=path).returncode == exitcodes.OK
    return path


@pytest.fixture
def kb(tmp_path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target


def _expect_broken(kb: Path, cache: Path, needle: str) -> None:
    """`ask` refuses to start (exit 4) and `kb lint` reports the problem (exit 1), both naming it."""
    asked = run("--knowledge", str(kb), "ask", "电话响几声要接", cache=cache)
    assert asked.returncode == exitcodes.DATA_ERROR and needle in asked.stderr, asked.stderr
    # kb lint also runs every rule's must-hit/must-not-hit examples: its CPU grows with the rule set.
    linted = run("--knowledge", str(kb), "kb", "lint", cache=cache, cpu=LINT_CPU_SECONDS)
    assert linted.returncode == exitcodes.FINDINGS and needle in linted.stderr, linted.stderr


# ----------------------------------------------------------------------------- item 6: unbounded loading


def test_fifo_in_entries_is_refused_without_waiting(kb, cache):
    os.mkfifo(kb / "entries" / "pipe.yaml")
    _expect_broken(kb, cache, "not a regular file")


def test_symlink_to_a_device_is_refused(kb, cache):
    (kb / "entries" / "zero.yaml").symlink_to("/dev/zero")
    _expect_broken(kb, cache, "not a regular file")


def test_symlink_loop_is_refused_cold_and_warm(kb, cache):
    assert run("--knowledge", str(kb), "ask", "电话响几声要接", cache=cache).returncode == exitcodes.OK  # warm
    (kb / "entries" / "loop.yaml").symlink_to(kb / "entries" / "loop.yaml")
    for _ in range(2):  # the second run finds a warm cache for the same files: it must not hide the loop
        _expect_broken(kb, cache, "symbolic link loop")


def test_warm_cache_does_not_hide_a_fifo_added_later(kb, cache):
    assert run("--knowledge", str(kb), "ask", "电话响几声要接", cache=cache).returncode == exitcodes.OK
    os.mkfifo(kb / "userdict.txt.fifo")  # not part of the base: ignored
    assert run("--knowledge", str(kb), "ask", "电话响几声要接", cache=cache).returncode == exitcodes.OK
    (kb / "userdict.txt").unlink()
    os.mkfifo(kb / "userdict.txt")
    _expect_broken(kb, cache, "not a regular file")


def test_huge_entries_file_is_refused_before_reading(kb, cache):
    with (kb / "entries" / "huge.yaml").open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # 50 MB (sparse: the size is what is checked)
    _expect_broken(kb, cache, "file too large")


def test_overlong_answer_is_refused_by_the_loader_and_lint(kb, cache):
    path = kb / "entries" / "etiquette_phone.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "    answer: "
    i = text.index(marker) + len(marker)
    path.write_text(text[:i] + "很长" * 20_000 + " " + text[i:], encoding="utf-8")
    _expect_broken(kb, cache, "answer too long")


def test_yaml_alias_bomb_is_refused(kb, cache):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
              f"*a{i - 1}, *a{i - 1}]" for i in range(1, 9)]
    (kb / "entries" / "bomb.yaml").write_text("\n".join(lines) + "\nentries: *a8\n", encoding="utf-8")
    _expect_broken(kb, cache, "alias expansion")


@pytest.mark.parametrize(("content", "needle"), [
    (b"\xff\xfe\x00garbage\n", "not valid UTF-8"),
    ("很" * 100_000 + " 10\n", "word too long"),
    ("电话 12 n extra tokens here\n", "expected `word [frequency] [tag]`"),
], ids=["not-utf8", "100k-char-word", "bad-line"])
def test_userdict_is_validated(kb, cache, content, needle):
    data = content.encode("utf-8") if isinstance(content, str) else content
    (kb / "userdict.txt").write_bytes(data)
    _expect_broken(kb, cache, needle)


def test_userdict_that_is_a_directory_is_refused(kb, cache):
    (kb / "userdict.txt").unlink()
    (kb / "userdict.txt").mkdir()
    _expect_broken(kb, cache, "not a regular file")


# ----------------------------------------------------------------------------- item 7: command lines


@pytest.mark.parametrize("command", ["ask", "phrase", "check"])
def test_non_utf8_argument_is_bad_input(cache, command):
    result = run(command, b"\xff\xfe\xe7\x94", cache=cache)
    assert result.returncode == exitcodes.BAD_INPUT and ("编码" in result.stderr or "UTF-8" in result.stderr)


@pytest.mark.parametrize("command", ["kb", "check"])
def test_malformed_eval_file_items_are_bad_input(tmp_path, cache, command):
    bad = tmp_path / "eval.yaml"
    bad.write_text("ask:\n  - q: 电话\n  - just a string\n  - {q: 1.5, expect: 3}\nout_of_scope: 7\n"
                   "check:\n  - {forbidden: true}\nleak:\n  - [1, 2]\n", encoding="utf-8")
    result = run(command, "eval", str(bad), cache=cache)
    assert result.returncode == exitcodes.BAD_INPUT and "eval.yaml:" in result.stderr, result.stderr
    missing = run(command, "eval", str(tmp_path / "missing.yaml"), cache=cache)
    assert missing.returncode == exitcodes.BAD_INPUT and "cannot read file" in missing.stderr


def test_knowledge_root_directory_is_refused_quickly(cache):
    result = run("--knowledge", "/", "ask", "电话", cache=cache)
    assert result.returncode == exitcodes.DATA_ERROR and "no knowledge files" in result.stderr


def test_chat_db_on_a_directory(tmp_path, cache):
    result = run("chat", "--db", str(tmp_path), stdin=b"hi\n", cache=cache)
    assert result.returncode == exitcodes.CONFIG_ERROR and "not a regular file" in result.stderr


def test_chat_db_on_a_read_only_path(cache):
    result = run("chat", "--db", "/proc/libao-test/chat.db", stdin=b"hi\n", cache=cache)
    assert result.returncode == exitcodes.CONFIG_ERROR and "cannot create the database" in result.stderr


def test_chat_db_on_a_full_disk(tmp_path, cache):
    # RLIMIT_FSIZE makes every write past 4 kB fail as on a full disk (EFBIG), for root too.
    result = run("chat", "--db", str(tmp_path / "chat.db"), stdin=b"hi\n", cache=cache, file_size=4096)
    assert result.returncode == exitcodes.CONFIG_ERROR and "数据库" in result.stderr, result.stderr


def test_report_db_that_is_not_sqlite(tmp_path, cache):
    key = tmp_path / "report.key"
    assert run("report", "keygen", str(key), cache=cache).returncode == exitcodes.OK
    fake = tmp_path / "fake.db"
    fake.write_bytes(b"this is not a database" * 100)
    result = run("report", "--db", str(fake), "--key-file", str(key), "list", cache=cache)
    assert result.returncode == exitcodes.CONFIG_ERROR and "not a database" in result.stderr


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "world-readable", "too-large", "directory"])
def test_key_file_type_and_permissions_are_checked_before_reading(tmp_path, cache, kind):
    db = tmp_path / "r.db"
    sqlite3.connect(db).close()
    key = tmp_path / "report.key"
    if kind == "fifo":
        os.mkfifo(key, 0o600)
    elif kind == "dev-zero":
        key.symlink_to("/dev/zero")
    elif kind == "directory":
        key.mkdir()
    else:
        key.write_text("A" * (44 if kind == "world-readable" else 5000))
        key.chmod(0o644 if kind == "world-readable" else 0o600)
    result = run("report", "--db", str(db), "--key-file", str(key), "list", cache=cache)
    assert result.returncode == exitcodes.CONFIG_ERROR and "key" in result.stderr


def test_busy_database_gives_up_with_a_clear_message(tmp_path, cache):
    db = tmp_path / "r.db"
    key = tmp_path / "report.key"
    assert run("report", "keygen", str(key), cache=cache).returncode == exitcodes.OK
    sqlite3.connect(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process keeps the write lock for the whole run
    try:
        result = run("report", "--db", str(db), "--key-file", str(key), "list", cache=cache)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == exitcodes.CONFIG_ERROR and "busy" in result.stderr, result.stderr


def test_stdin_modes_survive_every_line(cache):
    lines = ["𝐀𝐁𝐂是内部资料", "\u2f800\u2f801", "你好\u2028世界", "", "🙂🙂", "x" * 300_000, "这事不归我管"]
    data = "\n".join(lines).encode("utf-8") + b"\n\xff\xfe\n"
    for command in ("check", "ask"):
        # 10 s: the checker builds its astral-character folding table on first use (about 1.5 s here).
        result = run(command, stdin=data, cache=cache, cpu=10)
        out = result.stdout.splitlines()
        assert result.returncode == exitcodes.OK and len(out) == len(lines) + 1, (command, result.stderr)


# ----------------------------------------------------------------------------- config file and rulebook files


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "too-large", "alias-bomb"])
def test_config_file_type_and_size_are_checked_before_reading(tmp_path, cache, kind):
    config = tmp_path / "config.yaml"
    if kind == "fifo":
        os.mkfifo(config)
    elif kind == "dev-zero":
        config.symlink_to("/dev/zero")
    elif kind == "too-large":
        with config.open("wb") as fh:
            fh.truncate(50 * 1024 * 1024)
    else:
        lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
        lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
        config.write_text("\n".join(lines) + "\n")
    result = run("serve", "--config", str(config), "--check-config", cache=cache)
    assert result.returncode == exitcodes.CONFIG_ERROR and str(config) in result.stderr, result.stderr


def _zip_bomb(path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w") as member:  # 300 MB of zeros, about 300 kB packed
            block = b"0" * (1024 * 1024)
            for _ in range(300):
                member.write(block)


@pytest.mark.parametrize("kind", ["zip-bomb.docx", "password.xlsx", "huge.docx", "fifo.txt", "dev-zero.docx"])
def test_hostile_rulebook_files_are_refused_by_kb_import(tmp_path, kb, cache, kind):
    path = tmp_path / kind
    if kind == "zip-bomb.docx":
        _zip_bomb(path)
    elif kind == "password.xlsx":  # an encrypted Office file is an OLE container, not a zip
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4096))
    elif kind == "huge.docx":
        with path.open("wb") as fh:
            fh.truncate(200 * 1024 * 1024)
    elif kind == "fifo.txt":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    before = sorted(p.name for p in kb.rglob("*"))
    result = run("--knowledge", str(kb), "kb", "import", str(path), "--yes", cache=cache)
    assert result.returncode == exitcodes.BAD_INPUT and "知识库没有任何改动" in result.stderr, result.stderr
    assert sorted(p.name for p in kb.rglob("*")) == before
