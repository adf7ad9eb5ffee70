"""Consistent, encrypted snapshots of the database and their restore into an empty database.

Snapshot: SQLite through the online backup API (a consistent copy while other processes write),
PostgreSQL through `pg_dump --format=custom` (one repeatable-read snapshot). The bytes are sealed
with AES-256-GCM under a key derived from the report key, which never enters the file; the
header (engine, schema version, time) is authenticated too. Restore refuses a database that
already holds tables, so a mistyped URL cannot overwrite a live system.

File layout: MAGIC, 4-byte header length, header JSON, 12-byte nonce, ciphertext+tag. Both ways are
streamed a chunk at a time (pg_dump's output / the SQLite copy -> cipher -> file, and back), so
memory stays bounded whatever the database's size (benchmarks/backup_memory.py measures it).
"""

from __future__ import annotations

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

from bot.storage.engine import Database, StorageError, is_postgres_url, open_database, redact_url
from bot.storage.migrations import schema_version

MAGIC = b"LIBAO-BACKUP-1\n"


class BackupError(StorageError):
    """A backup could not be written or restored (message says why)."""


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


def _seal_stream(source: IO[bytes], out: IO[bytes], header: dict[str, Any], *, master_key: bytes) -> None:
    """Write header, nonce, ciphertext and tag: AES-256-GCM over `source`, a chunk at a time (the
    same bytes as a one-shot encryption, so every backup file has one layout)."""
    aad, nonce = _aad(header), os.urandom(12)
    enc = Cipher(algorithms.AES(_key(master_key)), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(aad)
    out.write(aad + nonce)
    while chunk := source.read(CHUNK):
        out.write(enc.update(chunk))
    out.write(enc.finalize() + enc.tag)


def _snapshot_into(url: str | Path, sink: Callable[[IO[bytes]], None]) -> None:
    """Hand a readable stream of the database's consistent snapshot to `sink`."""
    if is_postgres_url(url):
        conninfo, env = _pg_env(str(url))
        with tempfile.TemporaryFile() as errors:
            proc = subprocess.Popen([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                                     "--dbname", conninfo], stdout=subprocess.PIPE, stderr=errors, env=env)
            assert proc.stdout is not None
            try:
                sink(proc.stdout)
            finally:
                proc.stdout.close()
                code = proc.wait()
            if code != 0:
                errors.seek(0)
                problem = errors.read().decode(errors="replace")[-300:]
                raise BackupError(f"pg_dump of {redact_url(url)} failed: {problem}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "snapshot.db"
        source = sqlite3.connect(str(url))
        target = sqlite3.connect(copy)
        try:
            source.backup(target)  # the online backup API: consistent while others write
        finally:
            target.close()
            source.close()
        with copy.open("rb") as fh:
            sink(fh)


def write_backup(url: str | Path, out: Path, *, master_key: bytes) -> dict[str, Any]:
    """Snapshot `url` into the encrypted file `out` (owner-only, written whole or not at all),
    streamed: the snapshot is never held in memory."""
    header = _header(url)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".libao-backup-", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            _snapshot_into(url, lambda source: _seal_stream(source, fh, header, master_key=master_key))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dict(header, bytes=out.stat().st_size)


def unseal_to(source: Path, out: IO[bytes], *, master_key: bytes) -> dict[str, Any]:
    """Decrypt the backup file `source` into `out` a chunk at a time; returns its header.

    BackupError when the file is not a libao backup, was altered or truncated, or the key is not the
    one it was made with. `out` holds unverified bytes until this returns: write it somewhere the
    caller discards on error."""
    with source.open("rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        start = fh.read(len(MAGIC) + 4)
        if not start.startswith(MAGIC) or len(start) < len(MAGIC) + 4:
            raise BackupError("not a libao backup file")
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
            out.write(dec.update(chunk))
        try:
            out.write(dec.finalize())
        except InvalidTag:
            raise BackupError("the backup cannot be opened: altered, truncated or made with another report key") \
                from None
    if not isinstance(header, dict):
        raise BackupError("not a libao backup file")
    return header


def _is_empty(db: Database) -> bool:
    if db.dialect == "postgres":
        row = db.one("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'")
    else:
        row = db.one("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'")
    return row is not None and int(row["n"]) == 0


def restore(source: Path, url: str | Path, *, master_key: bytes) -> dict[str, Any]:
    """Restore the encrypted backup file `source` into the empty database `url`; returns its header.
    Decrypted a chunk at a time into a private file beside the target (nothing is installed unless
    the whole file authenticates)."""
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
            header = unseal_to(source, fh, master_key=master_key)
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
            return header
        path = Path(url)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, path)
        return header
    finally:
        Path(tmp).unlink(missing_ok=True)
