"""Storage of the long-connection channels: user identities, the exactly-once inbox, the bot lease.

- channel_users: "channel:user_id" <-> a stable negative integer, the id the assistant and the
  report service use (Telegram ids are positive, so the two never collide);
- channel_inbox: one row per platform message id; a message is handled by whoever claims it first,
  and again only if the process that claimed it died before finishing (its lease is gone). Taps keep
  their button data so a click acknowledged before a crash is still answered after the restart;
  free text is never stored;
- channel_lease: one row per bot connection (Telegram long polling, each WeCom/DingTalk bot), so
  two processes never hold the same bot. The row's `fence` grows with every change of holder. On
  PostgreSQL the holder also keeps a session advisory lock: the server drops it the moment the
  holder's connection dies, so a killed leader is replaced within one wait interval on any host.
  On SQLite (one host) a holder whose process is gone loses the row at once, otherwise at expiry.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable
from typing import Any

from bot.storage.engine import Database, lock_key
from bot.storage.migrations import migrate


class ChannelStore:
    """SQL of the channels (see the module docstring)."""

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time):
        self.db = db
        self.clock = clock
        self._advisory: set[str] = set()  # lease names whose advisory lock this connection holds
        self.init()

    def init(self) -> None:
        migrate(self.db)

    # -- identities ---------------------------------------------------------------------------------
    def user_id(self, key: str) -> int:
        """The internal id of "channel:user_id" (created on first sight, stable afterwards)."""
        with self.db.atomic():
            self.db.execute("INSERT INTO channel_users (key) VALUES (?) ON CONFLICT (key) DO NOTHING", [key])
            row = self.db.one("SELECT id FROM channel_users WHERE key = ?", [key])
        assert row is not None
        return -int(row["id"])

    def user_key(self, user_id: int) -> str | None:
        """"channel:user_id" of an internal id, None for ids this table did not issue."""
        if user_id >= 0:
            return None
        row = self.db.execute("SELECT key FROM channel_users WHERE id = ?", [-user_id]).fetchone()
        return str(row[0]) if row else None

    # -- exactly-once inbox ---------------------------------------------------------------------------
    def claim(self, key: str, *, owner: str, tap: str | None = None) -> bool:
        """True when `owner` should handle message `key`: first sight, or a claim left unfinished by
        a process that no longer holds any lease (it died)."""
        now = self.clock()
        with self.db.write():
            row = self.db.execute("SELECT owner, state FROM channel_inbox WHERE key = ?", [key]).fetchone()
            if row is None:
                self.db.execute("INSERT INTO channel_inbox (key, owner, state, tap, at) VALUES (?, ?, 'claimed', ?, ?)",
                                [key, owner, tap, now])
                return True
            prev_owner, state = row
            if state == "done" or prev_owner == owner or self._holds_lease(prev_owner, now):
                return False
            self.db.execute("UPDATE channel_inbox SET owner = ?, at = ? WHERE key = ?", [owner, now, key])
            return True

    def release(self, key: str, *, owner: str) -> None:
        """Give back an unfinished claim (its reply was not sent): the next delivery or resume takes it."""
        with self.db.atomic():
            self.db.execute("UPDATE channel_inbox SET owner = '' WHERE key = ? AND owner = ? AND state = 'claimed'",
                            [key, owner])

    def done(self, key: str) -> None:
        with self.db.atomic():
            self.db.execute("UPDATE channel_inbox SET state = 'done', tap = NULL WHERE key = ?", [key])

    def orphaned_taps(self, prefix: str, *, owner: str) -> list[dict[str, Any]]:
        """Taps under `prefix` claimed by a dead process and never finished (adopted by `owner`)."""
        now = self.clock()
        out = []
        rows = self.db.execute("SELECT key, owner, tap FROM channel_inbox WHERE state = 'claimed' "
                               "AND tap IS NOT NULL AND key LIKE ? ORDER BY at", [prefix + "%"]).fetchall()
        for key, prev, tap in rows:
            if prev != owner and not self._holds_lease(prev, now) and self.claim(key, owner=owner, tap=tap):
                out.append({"key": key, **json.loads(tap)})
        return out

    def purge_inbox(self, *, older_than_days: float = 7.0) -> int:
        with self.db.atomic():
            cur = self.db.execute("DELETE FROM channel_inbox WHERE state = 'done' AND at < ?",
                                  [self.clock() - older_than_days * 86400])
        return int(cur.rowcount or 0)

    # -- one process per bot --------------------------------------------------------------------------
    def acquire_lease(self, name: str, *, owner: str, ttl: float) -> bool:
        """Take or renew the lease `name` for `ttl` seconds; False while another live owner has it.
        An owner on this host whose process is gone (killed) loses it at once; on PostgreSQL so does
        any owner whose database session ended."""
        # Newly granted advisory lock: no other session holds it, so the row's holder is gone.
        vacated = False
        if self.db.dialect == "postgres":
            vacated = name not in self._advisory
            if not self._advisory_lock(name):
                return False
        now = self.clock()
        with self.db.write():
            row = self.db.execute("SELECT owner, expires FROM channel_lease WHERE name = ?", [name]).fetchone()
            if not vacated and row is not None and row[0] != owner and row[1] > now and _alive(row[0]):
                return False
            self.db.execute("INSERT INTO channel_lease (name, owner, expires, fence) VALUES (?, ?, ?, 1) "
                            "ON CONFLICT (name) DO UPDATE SET expires = excluded.expires, "
                            "fence = CASE WHEN channel_lease.owner = excluded.owner THEN channel_lease.fence "
                            "ELSE channel_lease.fence + 1 END, owner = excluded.owner",
                            [name, owner, now + ttl])
        return True

    def release_lease(self, name: str, *, owner: str) -> None:
        with self.db.write():
            self.db.execute("DELETE FROM channel_lease WHERE name = ? AND owner = ?", [name, owner])
        if name in self._advisory:
            self._advisory.discard(name)
            self.db.execute("SELECT pg_advisory_unlock(?)", [lock_key(f"lease:{name}")])

    def lease(self, name: str) -> dict[str, Any] | None:
        """The lease row (owner, expires, fence), or None when nobody holds `name`."""
        return self.db.one("SELECT name, owner, expires, fence FROM channel_lease WHERE name = ?", [name])

    def _advisory_lock(self, name: str) -> bool:
        """Hold the session advisory lock of lease `name` (PostgreSQL); a broken connection is False."""
        if name in self._advisory:
            try:
                self.db.execute("SELECT 1")
            except Exception:
                self._advisory.discard(name)
                return False
            return True
        row = self.db.execute("SELECT pg_try_advisory_lock(?)", [lock_key(f"lease:{name}")]).fetchone()
        if row is not None and row[0]:
            self._advisory.add(name)
            return True
        return False

    def _holds_lease(self, owner: str, now: float) -> bool:
        if self.db.dialect == "postgres":
            for lease in self.db.query("SELECT name FROM channel_lease WHERE owner = ?", [owner]):
                key = lock_key(f"lease:{lease['name']}")
                held = self.db.one("SELECT 1 AS h FROM pg_locks WHERE locktype = 'advisory' AND granted "
                                   "AND classid::bigint = ? AND objid::bigint = ? AND objsubid = 1",
                                   [key >> 32, key & 0xFFFFFFFF])
                if held is not None:
                    return _alive(owner)
            return False
        row = self.db.execute("SELECT 1 FROM channel_lease WHERE owner = ? AND expires > ?", [owner, now]).fetchone()
        return row is not None and _alive(owner)


def process_owner() -> str:
    """This process's owner name: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(4).hex()}"


def _alive(owner: str) -> bool:
    """False only when `owner` names a process on this host that no longer exists."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
