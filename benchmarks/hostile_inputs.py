"""Wall time and peak memory of every hostile-input case of tests/test_hostile_processes.py.

Each case is a real `python -m bot ...` process (warm index cache, like any start after the first);
goal: every case ends with its documented exit code within 5 s and 500 MB.

    .venv/bin/python benchmarks/hostile_inputs.py
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ask_latency import bot_process  # noqa: E402

from bot.core.paths import KNOWLEDGE_DIR  # noqa: E402

GOAL_SECONDS, GOAL_MB = 5.0, 500


def run(args: list[str | bytes], *, cache: Path, stdin: bytes = b"",
        fsize: int | None = None) -> tuple[int, float, float]:
    """(exit code, wall seconds, peak RSS in MB) of one process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBAO_")}
    env["LIBAO_CACHE_DIR"] = str(cache)

    def limits() -> None:
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    code, wall, usage = bot_process(args, env, stdin, preexec_fn=limits)
    return code, wall, usage.ru_maxrss / 1024


def main() -> int:
    base = Path(tempfile.mkdtemp(prefix="libao-hostile-"))
    cache = base / "cache"
    run(["ask", "电话响几声要接"], cache=cache)  # warm the index cache once

    def kb(name: str, change: Callable[[Path], None]) -> Path:
        target = base / name
        shutil.copytree(KNOWLEDGE_DIR, target)
        change(target)
        return target

    def huge(k: Path) -> None:
        with (k / "entries" / "huge.yaml").open("wb") as f:
            f.truncate(50 * 1024 * 1024)

    def long_answer(k: Path) -> None:
        p = k / "entries" / "etiquette_phone.yaml"
        text = p.read_text(encoding="utf-8")
        i = text.index("    answer: ") + len("    answer: ")
        p.write_text(text[:i] + "很长" * 20_000 + " " + text[i:], encoding="utf-8")

    def bomb(k: Path) -> None:
        lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
        (k / "entries" / "bomb.yaml").write_text("\n".join(lines) + "\nentries: *a8\n", encoding="utf-8")

    def userdict(content: bytes) -> Callable[[Path], None]:
        return lambda k: (k / "userdict.txt").write_bytes(content)

    def userdict_dir(k: Path) -> None:
        (k / "userdict.txt").unlink()
        (k / "userdict.txt").mkdir()

    knowledge_cases: dict[str, Callable[[Path], None]] = {
        "FIFO in entries": lambda k: os.mkfifo(k / "entries" / "pipe.yaml"),
        "link to /dev/zero": lambda k: (k / "entries" / "zero.yaml").symlink_to("/dev/zero"),
        "symlink loop": lambda k: (k / "entries" / "loop.yaml").symlink_to(k / "entries" / "loop.yaml"),
        "50 MB entries file": huge,
        "40,000-char answer": long_answer,
        "YAML alias bomb (10^9 values)": bomb,
        "userdict not UTF-8": userdict(b"\xff\xfe garbage\n"),
        "userdict 100,000-char word": userdict(("很" * 100_000 + " 10\n").encode()),
        "userdict is a directory": userdict_dir,
    }
    rows: list[tuple[str, str, int, float, float]] = []
    for name, change in knowledge_cases.items():
        folder = kb(name.replace(" ", "_").replace("/", "_"), change)
        for command in (["ask", "电话响几声要接"], ["kb", "lint"]):
            code, wall, rss = run(["--knowledge", str(folder), *command], cache=cache)
            rows.append((name, command[0] + (" " + command[1] if command[0] == "kb" else ""), code, wall, rss))

    bad_eval = base / "eval.yaml"
    bad_eval.write_text("ask:\n  - just a string\n  - {q: 1.5}\ncheck:\n  - {forbidden: true}\n", encoding="utf-8")
    key = base / "report.key"
    run(["report", "keygen", str(key)], cache=cache)
    fake_db = base / "fake.db"
    fake_db.write_bytes(b"not a database" * 100)
    busy_db = base / "busy.db"
    sqlite3.connect(busy_db).close()
    fifo_key = base / "fifo.key"
    os.mkfifo(fifo_key, 0o600)
    zero_key = base / "zero.key"
    zero_key.symlink_to("/dev/zero")
    cli_cases: list[tuple[str, list[str | bytes], dict]] = [
        ("non-UTF-8 ask argument", ["ask", b"\xff\xfe"], {}),
        ("non-UTF-8 phrase argument", ["phrase", b"\xff\xfe"], {}),
        ("malformed kb eval items", ["kb", "eval", str(bad_eval)], {}),
        ("malformed check eval items", ["check", "eval", str(bad_eval)], {}),
        ("--knowledge /", ["--knowledge", "/", "ask", "电话"], {}),
        ("chat --db directory", ["chat", "--db", str(base)], {"stdin": b"hi\n"}),
        ("chat --db read-only path", ["chat", "--db", "/proc/x/chat.db"], {"stdin": b"hi\n"}),
        ("chat --db full disk", ["chat", "--db", str(base / "full.db")], {"stdin": b"hi\n", "fsize": 4096}),
        ("report --db not SQLite", ["report", "--db", str(fake_db), "--key-file", str(key), "list"], {}),
        ("key file is a FIFO", ["report", "--db", str(busy_db), "--key-file", str(fifo_key), "list"], {}),
        ("key file is /dev/zero", ["report", "--db", str(busy_db), "--key-file", str(zero_key), "list"], {}),
    ]
    # The config file and rulebook files given to `kb import`.
    fifo_config = base / "fifo.yaml"
    os.mkfifo(fifo_config)
    zero_config = base / "zero.yaml"
    zero_config.symlink_to("/dev/zero")
    big_config = base / "big.yaml"
    with big_config.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    import zipfile

    zip_bomb = base / "bomb.docx"
    with zipfile.ZipFile(zip_bomb, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("word/document.xml", "w") as member:
        for _ in range(300):
            member.write(b"0" * (1024 * 1024))
    password = base / "password.xlsx"
    password.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4096))
    huge_doc = base / "huge.docx"
    with huge_doc.open("wb") as fh:
        fh.truncate(200 * 1024 * 1024)
    fifo_doc = base / "fifo.txt"
    os.mkfifo(fifo_doc)
    zero_doc = base / "zero.docx"
    zero_doc.symlink_to("/dev/zero")
    import_kb = kb("import-target", lambda k: None)
    for name, path in (("config file is a FIFO", fifo_config), ("config file is /dev/zero", zero_config),
                       ("config file of 50 MB", big_config)):
        cli_cases.append((name, ["serve", "--config", str(path), "--check-config"], {}))
    for name, path in (("kb import: zip bomb .docx", zip_bomb), ("kb import: password .xlsx", password),
                       ("kb import: 200 MB .docx", huge_doc), ("kb import: FIFO", fifo_doc),
                       ("kb import: link to /dev/zero", zero_doc)):
        cli_cases.append((name, ["--knowledge", str(import_kb), "kb", "import", str(path), "--yes"], {}))
    for name, args, kw in cli_cases:
        code, wall, rss = run(args, cache=cache, **kw)
        command = str(args[0]) if args[0] != "--knowledge" else ("ask" if args[2] == "ask" else "kb")
        rows.append((name, command, code, wall, rss))
    holder = sqlite3.connect(busy_db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    code, wall, rss = run(["report", "--db", str(busy_db), "--key-file", str(key), "list"], cache=cache)
    holder.execute("ROLLBACK")
    rows.append(("database held by another writer", "report", code, wall, rss))

    print(f"{'case':<34} {'command':<8} {'exit':>4} {'wall s':>7} {'peak MB':>8}")
    for name, command, code, wall, rss in rows:
        print(f"{name:<34} {command:<8} {code:>4} {wall:>7.2f} {rss:>8.0f}")
    worst_wall = max(r[3] for r in rows)
    worst_rss = max(r[4] for r in rows)
    print(f"{len(rows)} processes: slowest {worst_wall:.2f} s (goal {GOAL_SECONDS} s), "
          f"largest {worst_rss:.0f} MB (goal {GOAL_MB} MB)")
    shutil.rmtree(base, ignore_errors=True)
    return 0 if worst_wall <= GOAL_SECONDS and worst_rss <= GOAL_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())
