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
the first format (MAGIC_V1) hold the snapshot alone.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import sqlite3
import stat
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

MAGIC = b"LIBAO-BACKUP-2\n"
MAGIC_V1 = b"LIBAO-BACKUP-1\n"
# Files beside a SQLite database that belong to it (suffixes of its path).
SIDE_FILES = (".audit-anchor", ".voter-key")
_MAX_SIDE_FILE = 64 * 1024


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


def _read_side(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise BackupError(f"{path} is not a regular file")
        data = fh.read(_MAX_SIDE_FILE + 1)
    if len(data) > _MAX_SIDE_FILE:
        raise BackupError(f"{path} is larger than it can be")
    return data


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def snapshot(url: str | Path, *, master_key: bytes) -> tuple[bytes, dict[str, Any], dict[str, bytes]]:
    """(raw snapshot bytes, header, side files) of the database named by `url`, verified first.

    BackupError when the records fail verification: a backup must not launder a tampered record."""
    from bot.core.reports.ledger import Ledger
    from bot.core.reports.sealing import Sealer

    db = open_database(url)
    try:
        header = {"engine": db.dialect, "schema": schema_version(db), "created_at": time.time()}
    finally:
        db.close()
    if is_postgres_url(url):
        problems = _verify(url, master_key)
        if problems:
            raise BackupError("the report records fail verification (`libao report audit` lists why); "
                              f"no backup written: {problems[0]}")
        conninfo, env = _pg_env(str(url))
        proc = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                               "--dbname", conninfo], capture_output=True, env=env)
        if proc.returncode != 0:
            raise BackupError(f"pg_dump of {redact_url(url)} failed: {proc.stderr.decode(errors='replace')[-300:]}")
        return proc.stdout, header, {}
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
        problems = _verify(copy, master_key)
        if problems:
            raise BackupError("the report records fail verification (`libao report audit` lists why); "
                              f"no backup written: {problems[0]}")
        # Verifying may have adopted an older record (a keyed entry, a new anchor): keep that.
        with contextlib.suppress(FileNotFoundError):
            side[".audit-anchor"] = Path(f"{copy}.audit-anchor").read_bytes()
        for suffix in ("-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        return copy.read_bytes(), header, side


def _pack(raw: bytes, side: dict[str, bytes]) -> bytes:
    files = json.dumps({k: base64.b64encode(v).decode("ascii") for k, v in sorted(side.items())}).encode("ascii")
    return struct.pack(">I", len(files)) + files + raw


def _unpack(plain: bytes) -> tuple[bytes, dict[str, bytes]]:
    try:
        (size,) = struct.unpack(">I", plain[:4])
        files = json.loads(plain[4:4 + size])
        side = {str(k): base64.b64decode(v) for k, v in dict(files).items() if str(k) in SIDE_FILES}
    except (struct.error, ValueError, TypeError):
        raise BackupError("the backup's contents are malformed") from None
    return plain[4 + size:], side


def seal(raw: bytes, header: dict[str, Any], *, master_key: bytes, side: dict[str, bytes] | None = None) -> bytes:
    head = json.dumps(header, sort_keys=True).encode("utf-8")
    aad = MAGIC + struct.pack(">I", len(head)) + head
    nonce = os.urandom(12)
    return aad + nonce + AESGCM(_key(master_key)).encrypt(nonce, _pack(raw, side or {}), aad)


def unseal(data: bytes, *, master_key: bytes) -> tuple[bytes, dict[str, Any], dict[str, bytes]]:
    """(raw snapshot, header, side files); BackupError when the file is not a libao backup, was
    altered or the key is not the one it was made with."""
    magic = MAGIC if data.startswith(MAGIC) else MAGIC_V1 if data.startswith(MAGIC_V1) else None
    if magic is None or len(data) < len(magic) + 4:
        raise BackupError("not a libao backup file")
    (size,) = struct.unpack(">I", data[len(magic):len(magic) + 4])
    end = len(magic) + 4 + size
    aad, nonce, body = data[:end], data[end:end + 12], data[end + 12:]
    try:
        header = json.loads(data[len(magic) + 4:end])
        plain = AESGCM(_key(master_key)).decrypt(nonce, body, aad)
    except (InvalidTag, ValueError) as exc:
        raise BackupError("the backup cannot be opened: altered, truncated or made with another report key") \
            from exc
    if magic == MAGIC_V1:
        return plain, header, {}
    raw, side = _unpack(plain)
    return raw, header, side


def write_backup(url: str | Path, out: Path, *, master_key: bytes) -> dict[str, Any]:
    """Snapshot `url` into the encrypted file `out` (owner-only, written whole or not at all)."""
    raw, header, side = snapshot(url, master_key=master_key)
    data = seal(raw, header, master_key=master_key, side=side)
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
    """Restore an encrypted backup into the empty database `url`, then verify its audit record;
    returns the backup's header. BackupError when the restored records fail verification."""
    raw, header, side = unseal(data, master_key=master_key)
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
    else:
        path = Path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        for suffix in SIDE_FILES:
            Path(f"{path}{suffix}").unlink(missing_ok=True)  # a stale one belongs to another database
        _write_private(path, raw)
        for suffix, content in side.items():
            _write_private(Path(f"{path}{suffix}"), content)
    problems = _verify(url, master_key)
    if problems:
        raise BackupError(f"restored into {redact_url(url)}, but its report records fail verification: "
                          + "; ".join(problems))
    return header
