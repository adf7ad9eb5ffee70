"""Consistent, encrypted snapshots of the database and their restore into an empty database.

Snapshot: SQLite through the online backup API (a consistent copy while other processes write),
PostgreSQL through `pg_dump --format=custom` (one repeatable-read snapshot). The bytes are sealed
with AES-256-GCM under a key derived from the report key, which never enters the file; the
header (engine, schema version, time) is authenticated too. Restore refuses a database that
already holds tables, so a mistyped URL cannot overwrite a live system.

The keyed audit record travels with the data and is verified at both ends: a backup is refused when
the records fail `report audit` (nothing is written), and a restore is verified before it is
reported done. A SQLite database keeps two files beside it that belong to it: the audit anchor
(taken under the anchor's lock, so it matches the copy) and the vote-pseudonym key; both are
sealed into the backup and put back beside the restored file. On PostgreSQL the anchor is a row and
travels in the dump.

File layout: MAGIC, 4-byte header length, header JSON, 12-byte nonce, ciphertext+tag. The
plaintext is a 4-byte length, a JSON object of the side files (base64) and the snapshot; files of
the first format (MAGIC_V1) hold the snapshot alone. Both ways are streamed a chunk at a time
(pg_dump's output / the SQLite copy -> cipher -> file, and back), so memory stays bounded whatever
the database's size (benchmarks/backup_memory.py measures it).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.core.yamlfile import FileRefused, read_bounded
from bot.storage.engine import Database, StorageError, is_postgres_url, open_database, redact_url
from bot.storage.migrations import schema_version

MAGIC = b"LIBAO-BACKUP-2\n"
MAGIC_V1 = b"LIBAO-BACKUP-1\n"
# Files beside a SQLite database that belong to it (suffixes of its path).
SIDE_FILES = (".audit-anchor", ".voter-key")
_MAX_SIDE_FILE = 64 * 1024
# The side files' JSON: both at their largest, base64-encoded, with room for the keys.
_MAX_SIDE_JSON = 4 * _MAX_SIDE_FILE * len(SIDE_FILES)


class BackupError(StorageError):
    """A backup could not be written or restored (message says why)."""


class RestoreUnverified(BackupError):
    """The backup was restored, but its report records fail verification (message says why)."""


def _key(master: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"libao backup v1").derive(master)


def _tool(name: str) -> str:
    """A PostgreSQL client program (pg_dump, pg_restore): PATH first, then the server's bin folder."""
    found = shutil.which(name)
    if found:
        return found
    import glob

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        raise BackupError(f"{name} not found (install the postgresql-client package)")
    return candidates[-1]


def _pg_env(url: str) -> tuple[str, dict[str, str]]:
    """The URL without a password, and the environment carrying it (never on a command line)."""
    import psycopg.conninfo

    params = psycopg.conninfo.conninfo_to_dict(url)
    env = dict(os.environ)
    password = params.pop("password", None)
    if password:
        env["PGPASSWORD"] = str(password)
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in params.items()}), env


def _verify(url: str | Path, master_key: bytes) -> list[str]:
    """What `report audit` would report for the database at `url` (adopting an older one as it would)."""
    from bot.core.reports.ledger import LedgerError, WrongKeyError
    from bot.core.reports.sealing import Sealer, reseal_legacy
    from bot.storage.sqlite import ReportStore, connect

    db = connect(url)
    try:
        store = ReportStore(db)
        sealer = Sealer(master_key)
        try:
            store.attach_ledger(sealer.audit_key, upgrade=lambda: reseal_legacy(store, sealer))
        except WrongKeyError as exc:
            raise BackupError(str(exc)) from None
        except LedgerError as exc:
            return [str(exc)]
        return store.verify()
    finally:
        db.close()


def _refuse_unverified(url: str | Path, master_key: bytes) -> None:
    """BackupError when the records fail verification: a backup must not launder a tampered record."""
    problems = _verify(url, master_key)
    if problems:
        raise BackupError("the report records fail verification (`libao report audit` lists why); "
                          f"no backup written: {problems[0]}")


def _read_side(path: Path) -> bytes | None:
    try:
        return read_bounded(path, max_bytes=_MAX_SIDE_FILE, nofollow=True)
    except FileRefused as exc:
        if exc.reason == "missing":
            return None
        if exc.reason == "not_regular":
            raise BackupError(f"{path} is not a regular file") from None
        if exc.reason == "too_large":
            raise BackupError(f"{path} is larger than it can be") from None
        raise BackupError(f"cannot read {path}: {exc.detail}") from None


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _pack_side(side: dict[str, bytes]) -> bytes:
    """The plaintext's first bytes: the side files as length-prefixed JSON."""
    files = json.dumps({k: base64.b64encode(v).decode("ascii") for k, v in sorted(side.items())}).encode("ascii")
    return struct.pack(">I", len(files)) + files


def _unpack_side(files: bytes) -> dict[str, bytes]:
    try:
        return {str(k): base64.b64decode(v) for k, v in dict(json.loads(files)).items() if str(k) in SIDE_FILES}
    except (ValueError, TypeError):
        raise BackupError("the backup's contents are malformed") from None


CHUNK = 1 << 20  # bytes read, sealed and written at a time: memory stays flat whatever the database's size
_TAG = 16


def _header(url: str | Path) -> dict[str, Any]:
    db = open_database(url)
    try:
        return {"engine": db.dialect, "schema": schema_version(db), "created_at": time.time()}
    finally:
        db.close()


def _aad(header: dict[str, Any]) -> bytes:
    head = json.dumps(header, sort_keys=True).encode("utf-8")
    return MAGIC + struct.pack(">I", len(head)) + head


def _seal_stream(source: IO[bytes], out: IO[bytes], header: dict[str, Any], *, master_key: bytes,
                 side: dict[str, bytes]) -> None:
    """Write header, nonce, ciphertext and tag: AES-256-GCM over the side files and `source`, a
    chunk at a time (the same bytes as a one-shot encryption, so every backup file has one layout)."""
    aad, nonce = _aad(header), os.urandom(12)
    enc = Cipher(algorithms.AES(_key(master_key)), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(aad)
    out.write(aad + nonce)
    out.write(enc.update(_pack_side(side)))
    while chunk := source.read(CHUNK):
        out.write(enc.update(chunk))
    out.write(enc.finalize() + enc.tag)


def _snapshot_into(url: str | Path, sink: Callable[[IO[bytes], dict[str, bytes]], None], *,
                   master_key: bytes) -> None:
    """Hand a readable stream of the database's consistent, verified snapshot and its side files to
    `sink`; BackupError (nothing handed over) when the records fail verification."""
    from bot.core.reports.ledger import Ledger
    from bot.core.reports.sealing import Sealer

    if is_postgres_url(url):
        _refuse_unverified(url, master_key)
        conninfo, env = _pg_env(str(url))
        with tempfile.TemporaryFile() as errors:
            proc = subprocess.Popen([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                                     "--dbname", conninfo], stdout=subprocess.PIPE, stderr=errors, env=env)
            assert proc.stdout is not None
            try:
                sink(proc.stdout, {})
            finally:
                proc.stdout.close()
                code = proc.wait()
            if code != 0:
                errors.seek(0)
                problem = errors.read().decode(errors="replace")[-300:]
                raise BackupError(f"pg_dump of {redact_url(url)} failed: {problem}")
        return
    path = Path(url)
    ledger = Ledger(Sealer(master_key).audit_key, Path(f"{path}.audit-anchor"))
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "snapshot.db"
        # Under the anchor's lock no libao process commits report changes: the anchor matches the copy.
        with ledger.locked():
            source = sqlite3.connect(str(url))
            target = sqlite3.connect(copy)
            try:
                source.backup(target)  # the online backup API: consistent while others write
            finally:
                target.close()
                source.close()
            side = {suffix: data for suffix in SIDE_FILES if (data := _read_side(Path(f"{path}{suffix}"))) is not None}
        if ".audit-anchor" in side:
            _write_private(Path(f"{copy}.audit-anchor"), side[".audit-anchor"])
        _refuse_unverified(copy, master_key)
        # Verifying may have adopted an older record (a keyed entry, a new anchor): keep that.
        with contextlib.suppress(FileNotFoundError):
            side[".audit-anchor"] = Path(f"{copy}.audit-anchor").read_bytes()
        for suffix in ("-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        with copy.open("rb") as fh:
            sink(fh, side)


def write_backup(url: str | Path, out: Path, *, master_key: bytes) -> dict[str, Any]:
    """Snapshot `url` into the encrypted file `out` (owner-only, written whole or not at all),
    streamed: the snapshot is never held in memory. BackupError, nothing written, when the report
    records fail verification."""
    header = _header(url)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".libao-backup-", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            _snapshot_into(url, lambda source, side: _seal_stream(source, fh, header, master_key=master_key,
                                                                  side=side), master_key=master_key)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dict(header, bytes=out.stat().st_size)


class _SideSplitter:
    """Takes decrypted bytes: the side files' length-prefixed JSON first (held, it is small), the
    snapshot after it (passed on to `out`). Nothing is judged before the tag is: an impossible
    length (a wrong key decrypts to noise) only makes the rest be dropped."""

    def __init__(self, out: IO[bytes], *, has_side: bool):
        self.out = out
        self.head = b""
        self.need = 4 if has_side else 0
        self.files = b""
        self.bad = False

    def write(self, data: bytes) -> None:
        if self.bad:
            return
        while data and self.need:
            take = self.need - len(self.head)
            self.head, data = self.head + data[:take], data[take:]
            if len(self.head) < self.need:
                return
            if self.need == 4:
                (size,) = struct.unpack(">I", self.head)
                if size > _MAX_SIDE_JSON:
                    self.bad = True
                    return
                self.need, self.head = size, b""
                if size == 0:
                    self.need = 0
            else:
                self.files, self.need = self.head, 0
        if data:
            self.out.write(data)

    def side(self) -> dict[str, bytes]:
        if self.need or self.bad:
            raise BackupError("the backup's contents are malformed")
        return _unpack_side(self.files) if self.files else {}


def unseal_to(source: Path, out: IO[bytes], *, master_key: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Decrypt the backup file `source` into `out` a chunk at a time; returns its header and side
    files (suffix -> contents).

    BackupError when the file is not a libao backup, was altered or truncated, or the key is not the
    one it was made with. `out` holds unverified bytes until this returns: write it somewhere the
    caller discards on error."""
    with source.open("rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        start = fh.read(len(MAGIC) + 4)
        if not start.startswith((MAGIC, MAGIC_V1)) or len(start) < len(MAGIC) + 4:
            raise BackupError("not a libao backup file")
        assert len(MAGIC) == len(MAGIC_V1)
        plain = _SideSplitter(out, has_side=start.startswith(MAGIC))
        (length,) = struct.unpack(">I", start[len(MAGIC):])
        head = fh.read(length)
        nonce = fh.read(12)
        body = size - len(start) - length - 12 - _TAG
        if len(head) < length or len(nonce) < 12 or body < 0:
            raise BackupError("the backup cannot be opened: altered, truncated or made with another report key")
        try:
            header = json.loads(head)
        except ValueError:
            raise BackupError("the backup cannot be opened: altered, truncated or made with another report key") \
                from None
        fh.seek(size - _TAG)
        tag = fh.read(_TAG)
        fh.seek(len(start) + length + 12)
        dec = Cipher(algorithms.AES(_key(master_key)), modes.GCM(nonce, tag)).decryptor()
        dec.authenticate_additional_data(start + head)
        left = body
        while left > 0:
            chunk = fh.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            plain.write(dec.update(chunk))
        try:
            plain.write(dec.finalize())
        except InvalidTag:
            raise BackupError("the backup cannot be opened: altered, truncated or made with another report key") \
                from None
    if not isinstance(header, dict):
        raise BackupError("not a libao backup file")
    return header, plain.side()


def _is_empty(db: Database) -> bool:
    if db.dialect == "postgres":
        row = db.one("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'")
    else:
        row = db.one("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'")
    return row is not None and int(row["n"]) == 0


def restore(source: Path, url: str | Path, *, master_key: bytes) -> dict[str, Any]:
    """Restore the encrypted backup file `source` into the empty database `url`, then verify its
    audit record; returns its header. Decrypted a chunk at a time into a private file beside the
    target (nothing is installed unless the whole file authenticates). BackupError when the restored
    records fail verification."""
    target_pg = is_postgres_url(url)
    if target_pg or (Path(url).exists() and Path(url).stat().st_size > 0):
        probe = open_database(url)
        try:
            if not _is_empty(probe):
                raise BackupError(f"{redact_url(url)} is not empty; restore only into a new, empty database")
        finally:
            probe.close()
    folder = Path(tempfile.gettempdir()) if target_pg else Path(url).parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".libao-restore-", dir=folder)  # owner-only
    try:
        with os.fdopen(fd, "wb") as fh:
            header, side = unseal_to(source, fh, master_key=master_key)
            fh.flush()
            os.fsync(fh.fileno())
        if header.get("engine") != ("postgres" if target_pg else "sqlite"):
            raise BackupError(f"this is a {header.get('engine')} backup; restore it into a database of that engine")
        if target_pg:
            conninfo, env = _pg_env(str(url))
            proc = subprocess.run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                                   "--dbname", conninfo, tmp], capture_output=True, env=env)
            if proc.returncode != 0:
                raise BackupError(f"pg_restore failed: {proc.stderr.decode(errors='replace')[-300:]}")
        else:
            path = Path(url)
            for suffix in ("-wal", "-shm", *SIDE_FILES):  # a stale side file belongs to another database
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            os.replace(tmp, path)
            for suffix, content in side.items():
                _write_private(Path(f"{path}{suffix}"), content)
    finally:
        Path(tmp).unlink(missing_ok=True)
    problems = _verify(url, master_key)
    if problems:
        raise RestoreUnverified(f"restored into {redact_url(url)}, but its report records fail verification: "
                          + "; ".join(problems))
    return header
