"""Peak memory of `libao backup` and `libao restore` against the size of the database, in one run.

Run:  .venv/bin/python benchmarks/backup_memory.py [--mb 200] [--postgres]

A libao SQLite database (the real schema) gets a filler table of --mb MiB of random bytes (so the
encrypted backup is as large as the database and nothing compresses). Each measurement is a fresh
child process that imports libao, runs one step and reports its own peak RSS (ru_maxrss):

- backup / restore of a nearly empty database: the peer (interpreter, libao, cryptography loaded);
- backup / restore of the large one: streamed, a chunk at a time (bot/storage/backup.py);
- the one-shot way the same run (read the whole snapshot, seal it in one call): what streaming saves.

Figures: peak RSS above the peer, and that as a share of the database size. With --postgres the
same is done on a throwaway PostgreSQL server (pg_dump's own memory is its process's, not counted).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

KEY = bytes(range(32))  # benchmark only

_CHILD = r"""
import json, resource, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from bot.storage import backup
mode, source, target = sys.argv[2], sys.argv[3], sys.argv[4]
key = bytes(range(32))
if mode == "backup":
    backup.write_backup(source, Path(target), master_key=key)
elif mode == "restore":
    backup.restore(Path(source), target, master_key=key)
else:  # the one-shot peer: the whole snapshot in memory, sealed in one call
    import os, sqlite3, tempfile
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "s.db"
        src, dst = sqlite3.connect(source), sqlite3.connect(copy)
        src.backup(dst)
        dst.close(); src.close()
        raw = copy.read_bytes()
    nonce = os.urandom(12)
    Path(target).write_bytes(nonce + AESGCM(backup._key(key)).encrypt(nonce, raw, b""))
print(json.dumps({"peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def _peak_mib(mode: str, source: str | Path, target: str | Path) -> float:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT), mode, str(source), str(target)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["peak_kib"] / 1024


def _fill(url: str, mib: int) -> None:
    from bot.storage import connect

    db = connect(url)
    with db.write():
        db.execute("CREATE TABLE bench_filler (id INTEGER PRIMARY KEY, payload BLOB)"
                   if db.dialect == "sqlite" else "CREATE TABLE bench_filler (id BIGINT PRIMARY KEY, payload BYTEA)")
    for i in range(mib):
        with db.write():
            db.execute("INSERT INTO bench_filler (id, payload) VALUES (?, ?)", [i, os.urandom(1 << 20)])
    db.close()


def _row(name: str, size_mib: float, peer: float, peak: float) -> dict[str, float | str]:
    extra = peak - peer
    return {"what": name, "database_mib": round(size_mib, 1), "peak_rss_mib": round(peak, 1),
            "above_peer_mib": round(extra, 1), "above_peer_share_of_db": round(extra / size_mib, 3)}


def run_sqlite(tmp: Path, mib: int) -> list[dict[str, float | str]]:
    small, big = tmp / "small.db", tmp / "big.db"
    _fill(str(small), 0)
    _fill(str(big), mib)
    size = big.stat().st_size / (1 << 20)
    peer_b = _peak_mib("backup", small, tmp / "small.bak")
    peak_b = _peak_mib("backup", big, tmp / "big.bak")
    peer_r = _peak_mib("restore", tmp / "small.bak", tmp / "small-restored.db")
    peak_r = _peak_mib("restore", tmp / "big.bak", tmp / "big-restored.db")
    oneshot = _peak_mib("oneshot", big, tmp / "big.oneshot")
    print(f"sqlite: database {size:.0f} MiB, backup file {(tmp / 'big.bak').stat().st_size / (1 << 20):.0f} MiB")
    return [_row("sqlite backup (streamed)", size, peer_b, peak_b),
            _row("sqlite restore (streamed)", size, peer_r, peak_r),
            _row("sqlite backup, one-shot peer", size, peer_b, oneshot)]


def run_postgres(tmp: Path, mib: int) -> list[dict[str, float | str]]:
    from support.pgserver import PgServer

    with PgServer() as server:
        small, big = server.database("small"), server.database("big")
        _fill(small, 0)
        _fill(big, mib)
        from bot.storage import connect

        db = connect(big)
        row = db.one("SELECT pg_database_size(current_database()) AS n")
        db.close()
        size = int(row["n"]) / (1 << 20) if row else float(mib)
        peer_b = _peak_mib("backup", small, tmp / "pg-small.bak")
        peak_b = _peak_mib("backup", big, tmp / "pg-big.bak")
        peer_r = _peak_mib("restore", tmp / "pg-small.bak", server.database("small-restored"))
        peak_r = _peak_mib("restore", tmp / "pg-big.bak", server.database("big-restored"))
    print(f"postgres: database {size:.0f} MiB, backup file {(tmp / 'pg-big.bak').stat().st_size / (1 << 20):.0f} MiB")
    return [_row("postgres backup (streamed)", size, peer_b, peak_b),
            _row("postgres restore (streamed)", size, peer_r, peak_r)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=200, help="MiB of filler in the large database")
    ap.add_argument("--postgres", action="store_true", help="also measure on a throwaway PostgreSQL server")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="libao-backup-bench-") as tmp:
        rows = run_sqlite(Path(tmp), args.mb)
        if args.postgres:
            rows += run_postgres(Path(tmp), args.mb)
    for r in rows:
        print(json.dumps(r, ensure_ascii=False))


if __name__ == "__main__":
    main()
