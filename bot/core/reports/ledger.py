"""Tamper evidence for the leak-report records: a keyed audit chain and an anchored head.

- Every audit row carries HMAC-SHA256(audit key, previous MAC + the row), so a row cannot be edited,
  inserted or re-chained without the report key (which never enters the database).
- A digest of every protected table (reports, events, outbox, timers; lease bookkeeping excluded)
  and the chain's head are sealed under the same key into an anchor. SQLite: a file beside the
  database, written before each commit ("pending") and confirmed after it. PostgreSQL (several hosts,
  no shared folder): a row of the database's meta table, written in the same transaction as the
  change; it still cannot be forged or edited without the key. Deleting the newest audit rows,
  emptying a table, rolling a row back to an older version or flipping a status is then a mismatch.
- A mismatch found while running is remembered in the anchor ("alarm"), so a later legitimate write
  cannot wash it out.
- A chain written before the audit log was keyed (plain SHA-256 links) is adopted once, with the
  key: it must verify, then a keyed entry that names its head and length continues it, so the old
  entries can no longer be rewritten either.

Limits (stated, not hidden): whoever deletes the database, its anchor and the key together starts a
new, empty record; an anchor restored together with a matching older copy of the database is
indistinguishable from a restore from backup. On PostgreSQL the anchor lives with the data, so
someone able to replace both the tables and the anchor row with an older copy of both (or delete
all of them, the key check included) is in that position too.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import hmac
import json
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core.yamlfile import FileRefused, read_bounded

GENESIS = "0" * 64
PROTECTED_TABLES = ("reports", "report_events", "report_outbox", "report_timers")
_FORMAT = 1
_MAX_ANCHOR_BYTES = 64 * 1024


def legacy_hash(prev: str, seq: int, at: float, actor: str, action: str, ref: str | None, detail: str) -> str:
    """The link of an audit row written before the chain was keyed (plain SHA-256)."""
    record = json.dumps([seq, repr(float(at)), actor, action, ref, detail], ensure_ascii=False)
    return hashlib.sha256((prev + record).encode("utf-8", "backslashreplace")).hexdigest()


class LedgerError(Exception):
    """The anchor cannot be read or written (message names the file, never the key)."""


class WrongKeyError(Exception):
    """The report key given is not the one this database was written with."""


def row_digest(rows: Iterable[tuple[Any, ...]]) -> tuple[int, str]:
    """(row count, SHA-256) of rows given in primary-key order; values are int/float/str/bytes/None."""
    h = hashlib.sha256()
    n = 0
    for row in rows:
        h.update(repr(tuple(row)).encode("utf-8", "backslashreplace"))
        h.update(b"\n")
        n += 1
    return n, h.hexdigest()


@dataclass(frozen=True, slots=True)
class State:
    """What the anchor vouches for: the audit chain's head and every protected table's digest."""

    seq: int
    head: str
    tables: Mapping[str, tuple[int, str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "head": self.head, "tables": {k: list(v) for k, v in sorted(self.tables.items())}}

    @staticmethod
    def from_json(data: Any) -> State:
        tables = {str(k): (int(v[0]), str(v[1])) for k, v in dict(data["tables"]).items()}
        return State(int(data["seq"]), str(data["head"]), tables)

    def differences(self, other: State) -> list[str]:
        """Plain descriptions of how `self` (found) differs from `other` (vouched for)."""
        out = []
        if self.seq != other.seq or self.head != other.head:
            if self.seq < other.seq:
                out.append(f"audit log ends at entry {self.seq}, the anchor vouches for {other.seq} "
                           "(entries deleted)")
            else:
                out.append(f"audit log head (entry {self.seq}) differs from the anchored head (entry {other.seq})")
        for table in sorted(set(self.tables) | set(other.tables)):
            found, want = self.tables.get(table), other.tables.get(table)
            if found == want:
                continue
            if found is None or want is None:
                out.append(f"table {table}: missing")
            elif found[0] != want[0]:
                out.append(f"table {table}: {found[0]} rows, the anchor vouches for {want[0]} (rows deleted or added)")
            else:
                out.append(f"table {table}: rows edited or rolled back")
        return out


class Ledger:
    """The audit key and, for a database file, its anchor (None for an in-memory database)."""

    def __init__(self, key: bytes, anchor: Path | None, *, lock_timeout: float = 3.0):
        if len(key) != 32:
            raise ValueError("the audit key must be 32 bytes")
        self._key = key
        self.anchor = anchor
        self.lock_timeout = lock_timeout

    # ------------------------------------------------------------------ chain
    def audit_mac(self, prev: str, seq: int, at: float, actor: str, action: str, ref: str | None,
                  detail: str) -> str:
        """The keyed link of one audit row (prev MAC + canonical row)."""
        body = json.dumps([prev, seq, repr(float(at)), actor, action, ref, detail], ensure_ascii=False)
        return hmac.new(self._key, b"audit|" + body.encode("utf-8", "backslashreplace"),
                        hashlib.sha256).hexdigest()

    def row_mac(self, table: str, values: Sequence[Any]) -> int:
        """A row's keyed term in its table's digest (PostgreSQL; see ReportStore._pg_digest): a sum
        of such terms changes by one addition per row written, and cannot be matched without the key."""
        body = repr((table, tuple(values))).encode("utf-8", "backslashreplace")
        return int.from_bytes(hmac.digest(self._key, b"row|" + body, "sha256"), "big")

    def check_value(self) -> str:
        """Stored in the database at creation: a different key is recognised before anything is written."""
        return hmac.new(self._key, b"key-check|libao-reports", hashlib.sha256).hexdigest()

    # ------------------------------------------------------------------ anchor file
    def _mac(self, body: dict[str, Any]) -> str:
        text = json.dumps(body, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
        return hmac.new(self._key, b"anchor|" + text.encode("ascii"), hashlib.sha256).hexdigest()

    def read(self) -> dict[str, Any] | None:
        """The anchor's content after checking its MAC; None when there is no anchor file yet."""
        if self.anchor is None:
            return None
        try:
            raw = read_bounded(self.anchor, max_bytes=_MAX_ANCHOR_BYTES, nofollow=True)
        except FileRefused as exc:
            if exc.reason == "missing":
                return None
            if exc.reason == "unreadable":
                raise LedgerError(f"cannot read the audit anchor {self.anchor}: {exc.detail}") from None
            raise LedgerError(f"the audit anchor {self.anchor} is not a small regular file") from None
        return self.unpack(raw, where=str(self.anchor))

    def unpack(self, raw: bytes, *, where: str) -> dict[str, Any]:
        """An anchor's content after checking its MAC (LedgerError names `where` when it fails)."""
        try:
            data = json.loads(raw.decode("ascii"))
            mac = str(data.pop("mac"))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise LedgerError(f"the audit anchor {where} is damaged") from None
        if not hmac.compare_digest(mac, self._mac(data)):
            raise LedgerError(f"the audit anchor {where} was altered or belongs to another key")
        return dict(data)

    def pack(self, body: dict[str, Any]) -> bytes:
        """`body` with its format and MAC, as stored."""
        data = {**body, "v": _FORMAT}
        data["mac"] = self._mac(data)
        return json.dumps(data, sort_keys=True, ensure_ascii=True, separators=(",", ":")).encode("ascii")

    def write(self, body: dict[str, Any]) -> None:
        """Replace the anchor atomically and durably (temp file, fsync, rename, fsync of the folder)."""
        if self.anchor is None:
            return
        text = self.pack(body)
        tmp = self.anchor.with_name(f"{self.anchor.name}.{os.getpid()}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            try:
                os.write(fd, text)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.anchor)
            dfd = os.open(self.anchor.parent, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise LedgerError(f"cannot write the audit anchor {self.anchor}: {exc.strerror}") from None

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Serialise anchor updates between processes sharing the database (bounded wait)."""
        if self.anchor is None:
            yield
            return
        path = self.anchor.with_name(self.anchor.name + ".lock")
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError as exc:
            raise LedgerError(f"cannot open the audit lock {path}: {exc.strerror}") from None
        try:
            deadline = time.monotonic() + self.lock_timeout
            delay = 0.005
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() >= deadline:
                        raise LedgerError(f"the audit log is busy (another libao process holds {path})") from None
                    time.sleep(delay)
                    delay = min(delay * 2, 0.1)
            yield
        finally:
            os.close(fd)  # closing releases the lock


def state_from(data: Mapping[str, Any], key: str) -> State | None:
    value = data.get(key)
    return None if value is None else State.from_json(value)
