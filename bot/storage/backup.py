"""Consistent, encrypted snapshots of the database and their restore into an empty database.

Snapshot: SQLite through the online backup API (a consistent copy while other processes write),
PostgreSQL through `pg_dump --format=custom` (one repeatable-read snapshot). The bytes are sealed
with AES-256-GCM under a key derived from the report key, which never enters the file; the
header (engine, schema version, time) is authenticated too. Restore refuses a database that
already holds tables, so a mistyped URL cannot overwrite a live system.

File layout: MAGIC, 4-byte header length, header JSON, 12-byte nonce, ciphertext+tag.
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
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
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


def snapshot(url: str | Path) -> tuple[bytes, dict[str, Any]]:
    """(raw snapshot bytes, header) of the database named by `url`."""
    db = open_database(url)
    try:
        header = {"engine": db.dialect, "schema": schema_version(db), "created_at": time.time()}
    finally:
        db.close()
    if is_postgres_url(url):
        conninfo, env = _pg_env(str(url))
        proc = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                               "--dbname", conninfo], capture_output=True, env=env)
        if proc.returncode != 0:
            raise BackupError(f"pg_dump of {redact_url(url)} failed: {proc.stderr.decode(errors='replace')[-300:]}")
        return proc.stdout, header
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "snapshot.db"
        source = sqlite3.connect(str(url))
        target = sqlite3.connect(copy)
        try:
            source.backup(target)  # the online backup API: consistent while others write
        finally:
            target.close()
            source.close()
        return copy.read_bytes(), header


def seal(raw: bytes, header: dict[str, Any], *, master_key: bytes) -> bytes:
    head = json.dumps(header, sort_keys=True).encode("utf-8")
    aad = MAGIC + struct.pack(">I", len(head)) + head
    nonce = os.urandom(12)
    return aad + nonce + AESGCM(_key(master_key)).encrypt(nonce, raw, aad)


def unseal(data: bytes, *, master_key: bytes) -> tuple[bytes, dict[str, Any]]:
    """(raw snapshot, header); BackupError when the file is not a libao backup, was altered or the
    key is not the one it was made with."""
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 4:
        raise BackupError("not a libao backup file")
    (size,) = struct.unpack(">I", data[len(MAGIC):len(MAGIC) + 4])
    end = len(MAGIC) + 4 + size
    aad, nonce, body = data[:end], data[end:end + 12], data[end + 12:]
    try:
        header = json.loads(data[len(MAGIC) + 4:end])
        raw = AESGCM(_key(master_key)).decrypt(nonce, body, aad)
    except (InvalidTag, ValueError) as exc:
        raise BackupError("the backup cannot be opened: altered, truncated or made with another report key") \
            from exc
    return raw, header


def write_backup(url: str | Path, out: Path, *, master_key: bytes) -> dict[str, Any]:
    """Snapshot `url` into the encrypted file `out` (owner-only, written whole or not at all)."""
    raw, header = snapshot(url)
    data = seal(raw, header, master_key=master_key)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".libao-backup-", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dict(header, bytes=len(data))


def _is_empty(db: Database) -> bool:
    if db.dialect == "postgres":
        row = db.one("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'")
    else:
        row = db.one("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'")
    return row is not None and int(row["n"]) == 0


def restore(data: bytes, url: str | Path, *, master_key: bytes) -> dict[str, Any]:
    """Restore an encrypted backup into the empty database `url`; returns the backup's header."""
    raw, header = unseal(data, master_key=master_key)
    target_pg = is_postgres_url(url)
    if header.get("engine") != ("postgres" if target_pg else "sqlite"):
        raise BackupError(f"this is a {header.get('engine')} backup; restore it into a database of that engine")
    if not target_pg and Path(url).exists() and Path(url).stat().st_size > 0:
        probe = open_database(url)
        try:
            if not _is_empty(probe):
                raise BackupError(f"{url} is not empty; restore only into a new, empty database")
        finally:
            probe.close()
    if target_pg:
        db = open_database(url)
        try:
            if not _is_empty(db):
                raise BackupError(f"{redact_url(url)} is not empty; restore only into a new, empty database")
        finally:
            db.close()
        conninfo, env = _pg_env(str(url))
        with tempfile.NamedTemporaryFile(suffix=".dump") as dump:
            dump.write(raw)
            dump.flush()
            proc = subprocess.run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                                   "--dbname", conninfo, dump.name], capture_output=True, env=env)
        if proc.returncode != 0:
            raise BackupError(f"pg_restore failed: {proc.stderr.decode(errors='replace')[-300:]}")
        return header
    path = Path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(raw)
        fh.flush()
        os.fsync(fh.fileno())
    return header
