"""All persistence of libao: the stores over either engine (bot/storage/engine.py: SQLite or
PostgreSQL, chosen by URL); the schema lives in bot/storage/migrations.py.

Sections (each owned by a feature; keep them apart and keep every SQL statement in this file):
- schema / connection
- chat: user settings, answer votes, unanswered questions (retention-limited)
- reports: leak reports, outbox, escalation timers, audit log
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import sqlite3
import stat
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any, TypeVar

from bot.core.privacy import storable
from bot.core.reports.ledger import (
    GENESIS,
    PROTECTED_TABLES,
    Ledger,
    LedgerError,
    State,
    WrongKeyError,
    legacy_hash,
    row_digest,
    state_from,
)
from bot.core.yamlfile import FileRefused, read_bounded
from bot.storage.engine import (
    BUSY_TIMEOUT_MS,
    Database,
    PostgresDatabase,
    SqliteDatabase,
    StorageError,
    is_postgres_url,
    open_database,
)
from bot.storage.migrations import migrate, table_exists

# ----------------------------------------------------------------------------- schema / connection

# A second process may hold the write lock longer than one busy timeout (a checkpoint, a purge), and
# SQLite answers some races "locked" at once without waiting (two processes switching a new file to
# WAL): a step is retried while its first attempt began less than BUSY_BUDGET_S ago, so a stuck peer
# yields a clear "busy" error after about one busy timeout, never after several.
BUSY_RETRIES = 3
BUSY_BUDGET_S = BUSY_TIMEOUT_MS / 1000
_T = TypeVar("_T")


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def with_busy_retry(fn: Callable[[], _T], *, what: str, retries: int = BUSY_RETRIES) -> _T:
    """Run `fn`, retrying a bounded number of times (and time) while another process holds the database."""
    began = time.monotonic()
    for attempt in range(retries + 1):
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or attempt == retries or time.monotonic() - began >= BUSY_BUDGET_S:
                if _is_busy(exc):
                    raise StorageError(f"the database is busy ({what}); another libao process holds it") from None
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _lenient_text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _create_private(path: Path) -> None:
    """Create the database file owner-only before SQLite does (SQLite copies its mode to -wal/-shm)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def connect(url: str | Path, *, any_thread: bool = False) -> Database:
    """Open the database named by `url` (SQLite path or postgresql:// URL) at the latest schema.
    `any_thread`: a SQLite connection usable from another thread than this one (a test server).

    Raises StorageError with a plain reason when a SQLite path cannot hold a database.
    """
    sqlite_file = not is_postgres_url(url) and str(url) != ":memory:"
    if sqlite_file:
        path = Path(url)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            info = path.stat() if path.exists() else None
            if info is not None and not stat.S_ISREG(info.st_mode):
                raise StorageError(f"{path} is not a regular file")
            if info is None:
                _create_private(path)
        except OSError as exc:
            raise StorageError(f"cannot create the database {path}: {exc.strerror}") from None
    try:
        # Two processes opening a new file at once race to switch it to WAL; SQLite answers the loser
        # "locked" without waiting (its busy handler is skipped where waiting could deadlock).
        db = with_busy_retry(lambda: open_database(url, any_thread=any_thread), what="open")
        if isinstance(db, SqliteDatabase):
            # A text cell with invalid UTF-8 (written around libao) must not make every query on its table fail.
            db.conn.text_factory = _lenient_text
            with_busy_retry(lambda: db.execute("PRAGMA schema_version").fetchall(), what="open")
        with_busy_retry(lambda: migrate(db), what="bring the schema up to date")
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"cannot use {url} as a database: {exc}") from None
    return db


def checkpoint(db: Database) -> None:
    """Fold the WAL into the main file and truncate it, so that the old page versions of what was
    just deleted (kept in the WAL until a checkpoint) are gone. Skipped inside a transaction and on
    PostgreSQL (the server recycles its WAL itself)."""
    if db.dialect != "sqlite" or db.in_transaction:
        return
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# ----------------------------------------------------------------------------- chat
# What the chat stores (docs/privacy.md lists it; nothing else about a conversation is written):
# - chat_user_settings: a user's own placeholder values (单位/部门/姓名), keyed by an HMAC of the
#   user id under `<db>.voter-key` (outside the database), until they clear them or
#   `settings_retention_days` after the last change;
# - chat_votes: 👍/👎 per knowledge entry, keyed by the same HMAC (one vote per user and entry, no
#   text), kept `retention_days`;
# - chat_unanswered: questions the knowledge base could not answer, and questions whose answer got
#   a 👎 (with that entry's id), only when enabled, without any user id, kept `retention_days`.
# Free text goes through bot.core.privacy.storable on the way in (personal data masked).

_CHAT_SALT_KEY = "chat.voter_salt"


def init_chat(db: Database) -> None:
    """Bring the schema up to date (idempotent)."""
    migrate(db)


_VOTER_KEY_BYTES = 32


def voter_key(db: Database) -> bytes:
    """The secret of the vote pseudonyms, kept outside a SQLite database: `<db>.voter-key`
    (owner-only, created once); a fresh random key for an in-memory database.

    PostgreSQL has no file every host shares: `serve` passes a key derived from the report key
    (ChatStore's `key`). Without one (no report key configured) a random key kept in the meta table
    is used, created once, so that settings and votes outlive the process and every instance agrees;
    a secret beside the pseudonyms it protects makes them reversible by whoever reads the database,
    so it is retired, with what it keyed, as soon as a report key is configured."""
    if db.dialect != "sqlite":
        with db.atomic():
            db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                       [_CHAT_SALT_KEY, secrets.token_bytes(_VOTER_KEY_BYTES).hex()])
        row = db.one("SELECT value FROM meta WHERE key = ?", [_CHAT_SALT_KEY])
        if row is None:
            raise StorageError("the vote key in the meta table could not be created")
        try:
            return bytes.fromhex(str(row["value"]))
        except ValueError:
            raise StorageError("the vote key in the meta table is damaged (delete its row: votes then "
                               "start afresh)") from None
    file = db.file  # type: ignore[union-attr]
    if file is None:
        return secrets.token_bytes(_VOTER_KEY_BYTES)
    path = Path(f"{file}.voter-key")
    if not os.path.lexists(path):
        _create_key_file(path)
    try:
        key = read_bounded(path, max_bytes=_VOTER_KEY_BYTES, nofollow=True)
    except FileRefused as exc:
        if exc.reason == "not_regular":
            raise StorageError(f"the vote key {path} is not a regular file") from None
        if exc.reason != "too_large":
            raise StorageError(f"cannot read the vote key {path}: {exc.detail}") from None
        key = b""  # damaged: said below
    if len(key) != _VOTER_KEY_BYTES:
        raise StorageError(f"the vote key {path} is damaged (delete it: votes then start afresh)")
    return key


def _create_key_file(path: Path) -> None:
    """Create `path` holding a new random key, whole or not at all: the key is written and synced under
    a private temporary name, then linked into place. Instances starting together on one database
    each try; one link wins, and no instance ever reads a key file another is still writing."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # created 0600
    except OSError as exc:
        raise StorageError(f"cannot create the vote key {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(_VOTER_KEY_BYTES))
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, path)
    except FileExistsError:
        pass  # another instance's key is in place: that one is used
    except OSError as exc:
        raise StorageError(f"cannot create the vote key {path}: {exc.strerror}") from None
    finally:
        with suppress(OSError):
            os.unlink(tmp)


def _migrate_settings(db: Database, pseudonym: Callable[[int], str], *, outside_key: bool) -> None:
    """Settings of an older database were keyed by the raw user id: re-key them, drop the table.
    An older salt kept in the database made pseudonyms reversible by enumerating ids: dropped once a
    key from outside it is in use, with the settings and flows keyed by it (no longer reachable).
    Under the write lock: instances starting together would otherwise each drop the old table and
    deadlock on it (PostgreSQL) or fail to upgrade a stale read (SQLite)."""
    with db.write():
        if db.dialect != "sqlite" and outside_key and db.one(
                "SELECT 1 AS e FROM meta WHERE key = ?", [_CHAT_SALT_KEY]) is not None:
            db.execute("DELETE FROM chat_user_settings")
            db.execute("DELETE FROM chat_flows")
            db.execute("DELETE FROM meta WHERE key = ?", [_CHAT_SALT_KEY])
        if table_exists(db, "chat_settings"):
            for row in list(db.query("SELECT user_id, key, value, updated_at FROM chat_settings")):
                db.execute("INSERT INTO chat_user_settings (owner, key, value, updated_at) VALUES (?, ?, ?, ?) "
                           "ON CONFLICT (owner, key) DO UPDATE SET value = excluded.value, "
                           "updated_at = excluded.updated_at",
                           [pseudonym(int(row["user_id"])), row["key"], row["value"], row["updated_at"]])
            db.execute("DROP TABLE chat_settings")
        if db.dialect == "sqlite":
            db.execute("DELETE FROM meta WHERE key = ?", [_CHAT_SALT_KEY])


class ChatStore:
    """The chat's persistent state (either engine); implements bot.core.chat.assistant.ChatStore."""

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time,
                 key: bytes | None = None):
        self.db = db
        self.clock = clock
        init_chat(db)
        self._key = key if key is not None else voter_key(db)
        _migrate_settings(db, self._voter, outside_key=key is not None)

    def _voter(self, user_id: int) -> str:
        """HMAC under a key outside the database: ids cannot be recovered by trying every id."""
        return hmac.new(self._key, f"voter:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]

    # settings ------------------------------------------------------------------------------------
    def get_settings(self, user_id: int) -> dict[str, str]:
        rows = self.db.query("SELECT key, value FROM chat_user_settings WHERE owner = ? ORDER BY key",
                             [self._voter(user_id)])
        return {str(r["key"]): str(r["value"]) for r in rows}

    def set_setting(self, user_id: int, key: str, value: str) -> None:
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO chat_user_settings (owner, key, value, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (owner, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                [self._voter(user_id), key, storable(value), self.clock()])

    def clear_settings(self, user_id: int) -> None:
        """Delete this user's values from the tables, the freed pages and the WAL."""
        with self.db.atomic():
            self.db.execute("DELETE FROM chat_user_settings WHERE owner = ?", [self._voter(user_id)])
        checkpoint(self.db)

    # votes and unanswered questions --------------------------------------------------------------
    def add_vote(self, user_id: int, entry_id: str, vote: int) -> None:
        """Record (or change) this user's vote on an entry: +1 or -1."""
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO chat_votes (voter, entry_id, vote, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (voter, entry_id) DO UPDATE SET vote = excluded.vote, created_at = excluded.created_at",
                [self._voter(user_id), entry_id, 1 if vote > 0 else -1, self.clock()])

    def add_unanswered(self, question: str, *, entry_id: str | None = None) -> None:
        """A question for the curation inbox (masked on the way in); `entry_id`: the answer it got a 👎 for."""
        with self.db.atomic():
            self.db.execute("INSERT INTO chat_unanswered (question, created_at, entry_id) VALUES (?, ?, ?)",
                            [storable(question), self.clock(), entry_id])

    def remove_unanswered(self, questions: list[str]) -> int:
        """Take accepted questions out of the inbox (as stored, i.e. masked); returns how many rows went."""
        gone = 0
        with self.db.atomic():
            for q in dict.fromkeys(questions):
                gone += int(self.db.execute("DELETE FROM chat_unanswered WHERE question = ?", [q]).rowcount or 0)
        return gone

    def vote_summary(self) -> list[dict[str, Any]]:
        """Per entry: up and down votes, most down-voted first (for curating the knowledge base)."""
        return list(self.db.query(
            "select entry_id, sum(case when vote > 0 then 1 else 0 end) as up, "
            "sum(case when vote < 0 then 1 else 0 end) as down from chat_votes "
            "group by entry_id order by down desc, up asc, entry_id"))

    def unanswered(self, *, limit: int = 100) -> list[dict[str, Any]]:
        """The most recent unanswered questions, newest first."""
        return list(self.db.query("SELECT * FROM chat_unanswered ORDER BY created_at DESC, id DESC LIMIT ?",
                                  [limit]))

    # conversation flows (one per conversation scope; the scope is stored hashed) -------------------
    def _scope(self, scope: str) -> str:
        return hmac.new(self._key, f"flow|{scope}".encode(), hashlib.sha256).hexdigest()[:32]

    def get_flow(self, scope: str, *, newer_than: float) -> tuple[str, str] | None:
        row = self.db.one("SELECT flow, state FROM chat_flows WHERE scope = ? AND updated_at >= ?",
                          [self._scope(scope), newer_than])
        return (str(row["flow"]), str(row["state"])) if row else None

    def put_flow(self, scope: str, flow: str, state: str) -> None:
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO chat_flows (scope, flow, state, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (scope) DO UPDATE SET flow = excluded.flow, state = excluded.state, "
                "updated_at = excluded.updated_at", [self._scope(scope), flow, state, self.clock()])

    def end_flow(self, scope: str) -> None:
        with self.db.atomic():
            self.db.execute("DELETE FROM chat_flows WHERE scope = ?", [self._scope(scope)])

    def purge(self, *, retention_days: float, settings_retention_days: float) -> int:
        """Delete what is older than its retention; returns how many rows went."""
        now = self.clock()
        cutoff, settings_cutoff = now - retention_days * 86400, now - settings_retention_days * 86400
        counts = 0
        with self.db.atomic():
            self.db.execute("DELETE FROM chat_flows WHERE updated_at < ?", [now - 86400])
            for table, column, limit in (("chat_votes", "created_at", cutoff),
                                         ("chat_unanswered", "created_at", cutoff),
                                         ("chat_user_settings", "updated_at", settings_cutoff)):
                counts += int(self.db.execute(f"DELETE FROM {table} WHERE {column} < ?", [limit]).rowcount or 0)
        if counts:
            checkpoint(self.db)
        return counts

# ----------------------------------------------------------------------------- reports
# Leak reports. Everything confidential arrives here already sealed by bot/core/reports/sealing.py:
# this section stores ciphertext, pseudonyms (HMAC of user ids), categories and times - never a
# raw Telegram user id or report text. Each step of the workflow (state change + outbox rows +
# timers + audit entry + processed-update marker) runs in one `ReportStore.write()` transaction,
# so it commits completely or not at all; that is what makes kill -9 and replays harmless.

_KEY_CHECK = "reports.key_check"
_ANCHOR_ROW = "reports.anchor"  # PostgreSQL: the anchor, sealed under the key like the file
_ORDER = {"reports": "ref", "report_events": "id", "report_outbox": "id", "report_timers": "id"}
# Lease bookkeeping decides which instance sends or fires, not what happened; PostgreSQL claims rows
# under row locks outside the serialised write, so the anchor leaves these columns out.
_LEASE_COLUMNS = frozenset({"lease_owner", "lease_until", "fence"})
# The audit entry that continues a chain written before the audit log was keyed.
ADOPTED = "audit_keyed"


_DIGEST_MODULUS = 1 << 256
# A statement that changes what the anchor vouches for (the protected tables and the audit chain).
_RECORD_TABLES = "|".join([*PROTECTED_TABLES, "report_audit"])
_RECORD_CHANGE = re.compile(rf"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:{_RECORD_TABLES})\b", re.I)


class _PgDigest:
    """A PostgreSQL table as last digested: key -> (row version, row MAC), their sum and the
    newest version seen."""

    __slots__ = ("acc", "newest", "rows", "summary", "xmin_sum")

    def __init__(self) -> None:
        self.rows: dict[Any, tuple[int, int]] = {}
        self.acc = 0
        self.xmin_sum = 0
        self.newest = 0
        self.summary: tuple[int, int] | None = None

    def put(self, key: Any, xmin: int, mac: int) -> None:
        self.drop(key)
        self.rows[key] = (xmin, mac)
        self.acc = (self.acc + mac) % _DIGEST_MODULUS
        self.xmin_sum += xmin
        self.newest = max(self.newest, xmin)

    def drop(self, key: Any) -> None:
        old = self.rows.pop(key, None)
        if old is not None:
            self.acc = (self.acc - old[1]) % _DIGEST_MODULUS
            self.xmin_sum -= old[0]

    def digest(self) -> str:
        return f"{self.acc:064x}"


class ReportStore:
    """The leak-report tables; callers hold `write()` around every group of changes.

    `attach_ledger` (done by the report service with its key) keys the audit chain and anchors the
    state outside the database; see bot.core.reports.ledger.
    """

    def __init__(self, db: Database):
        self.db = db
        self._ledger: Ledger | None = None
        self._cached: tuple[int, State] | None = None  # (data_version, state) after our last commit
        self._cols: dict[str, str] = {}
        # PostgreSQL: per table, its rows' versions and MACs as last digested; see _pg_digest.
        self._pg_rows: dict[str, _PgDigest] = {}
        self._adopting = False
        # PostgreSQL: the anchor row's value as fetched with the state at the start of a write.
        self._anchor_row: tuple[Any] | None = None
        self.alarm: list[str] = []
        with_busy_retry(self.init, what="create the report tables")

    # tamper evidence -------------------------------------------------------------------------------
    def anchor_path(self) -> Path | None:
        """The anchor file beside a file database (None in memory)."""
        file = self.db.file if self.db.dialect == "sqlite" else None  # type: ignore[union-attr]
        return Path(f"{file}.audit-anchor") if file else None

    def attach_ledger(self, key: bytes, *, upgrade: Callable[[], dict[str, Any]] | None = None) -> None:
        """Key the audit chain with `key`; WrongKeyError (nothing written) when it is not this database's key.

        A chain written before the log was keyed is adopted once (see bot.core.reports.ledger): its
        plain links must verify (else LedgerError, nothing written), then `upgrade` (the caller's
        re-sealing of older records under the key; it raises WrongKeyError for a foreign key) and a
        keyed entry naming the old head run in one write.
        """
        ledger = Ledger(key, self.anchor_path())
        stored = self._one("SELECT value FROM meta WHERE key = ?", [_KEY_CHECK])
        if stored is not None:
            if not hmac.compare_digest(str(stored["value"]), ledger.check_value()):
                raise WrongKeyError("this report key does not belong to this database")
            self._ledger = ledger
            return
        first = self._one("SELECT * FROM report_audit ORDER BY seq LIMIT 1")
        if first is not None and first["hash"] != ledger.audit_mac(
                GENESIS, int(first["seq"]), first["at"], first["actor"], first["action"], first["ref"],
                first["detail"]):
            if first["hash"] != legacy_hash(GENESIS, int(first["seq"]), first["at"], first["actor"], first["action"],
                                            first["ref"], first["detail"]):
                raise WrongKeyError("the audit log was not written with this report key")
            with_busy_retry(lambda: self._adopt(ledger, upgrade), what="adopt the audit log")
            return

        def record() -> None:
            with self.db.write():
                added = self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                                        [_KEY_CHECK, ledger.check_value()]).rowcount
                if added and self.db.dialect == "postgres" and first is None:
                    # A new database: its (empty) state is vouched for from the start, so a missing
                    # anchor row is always a sign of tampering.
                    self._ledger = ledger
                    self._write_anchor(self._anchor_body(self._state(), None))
        with_busy_retry(record, what="record the key check")
        self._ledger = ledger

    def _adopt(self, ledger: Ledger, upgrade: Callable[[], dict[str, Any]] | None) -> None:
        prev, count = GENESIS, 0
        for row in self.db.query("SELECT * FROM report_audit ORDER BY seq"):
            seq = int(row["seq"])
            if seq != count + 1 or row["prev_hash"] != prev or row["hash"] != legacy_hash(
                    prev, seq, row["at"], row["actor"], row["action"], row["ref"], row["detail"]):
                raise LedgerError(f"the audit log written before it was keyed is broken at entry {seq}: it cannot "
                                  "be adopted (keep the file for investigation; restore a backup to go on)")
            prev, count = str(row["hash"]), seq
        self._ledger, self._adopting = ledger, True
        try:
            with self.write():
                if self._one("SELECT value FROM meta WHERE key = ?", [_KEY_CHECK]) is not None:
                    return  # another process adopted it meanwhile
                summary = upgrade() if upgrade is not None else {}
                self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [_KEY_CHECK, ledger.check_value()])
                self.audit(at=time.time(), actor="libao", action=ADOPTED,
                           detail={"legacy_entries": count, "legacy_head": prev, **summary})
        except BaseException:
            self._ledger = None
            raise
        finally:
            self._adopting = False

    def reseal_report(self, ref: str, *, identity: bytes, content: bytes) -> None:
        """Replace a report's sealed fields (adopting an older database: their context changed)."""
        self.db.execute("UPDATE reports SET identity = ?, content = ? WHERE ref = ?", [identity, content, ref])

    def _columns(self, table: str) -> str:
        cols = self._cols.get(table)
        if cols is None:
            if self.db.dialect == "postgres":
                names = [str(r["column_name"]) for r in self.db.query(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                    "AND table_name = ? ORDER BY ordinal_position", [table])]
            else:
                names = [str(r[1]) for r in self.db.execute(f"PRAGMA table_info({table})")]
            cols = self._cols[table] = ", ".join(n for n in names if n not in _LEASE_COLUMNS)
        return cols

    def _state(self, *, with_anchor: bool = False) -> State:
        """The current state; on PostgreSQL `with_anchor` also fetches the anchor row in the same
        query (see _pg_state)."""
        if self.db.dialect == "postgres":
            return self._pg_state(with_anchor=with_anchor)
        last = self._one("SELECT seq, hash FROM report_audit ORDER BY seq DESC LIMIT 1")
        tables: dict[str, tuple[int, str]] = {}
        for t in PROTECTED_TABLES:
            cols, order = self._columns(t), _ORDER[t]
            tables[t] = row_digest(self.db.execute(f"SELECT {cols} FROM {t} ORDER BY {order}"))
        return State(int(last["seq"]) if last else 0, str(last["hash"]) if last else GENESIS, tables)

    def _pg_state(self, *, with_anchor: bool) -> State:
        """One round trip says what changed: each protected table's row count and xmin sum, the
        chain's head and (asked for at the start of a write) the anchor row, kept for _read_anchor;
        only the tables whose summary moved are read further."""
        parts = [f"(SELECT count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) FROM {t}) AS {t}"
                 for t in PROTECTED_TABLES]
        parts.append("(SELECT seq || ':' || hash FROM report_audit ORDER BY seq DESC LIMIT 1) AS head")
        params: list[Any] = []
        if with_anchor:
            parts.append("(SELECT value FROM meta WHERE key = ?) AS anchor")
            params.append(_ANCHOR_ROW)
        self._anchor_row = None
        row = self._one("SELECT " + ", ".join(parts), params)
        assert row is not None
        tables: dict[str, tuple[int, str]] = {}
        for t in PROTECTED_TABLES:
            n, total = str(row[t]).split(":")
            tables[t] = self._pg_digest(t, self._columns(t), _ORDER[t], (int(n), int(total)))
        if with_anchor:
            self._anchor_row = (row["anchor"],)
        head = str(row["head"]).split(":", 1) if row["head"] is not None else None
        return State(int(head[0]) if head else 0, head[1] if head else GENESIS, tables)

    def _pg_digest(self, table: str, cols: str, key: str, summary: tuple[int, int]) -> tuple[int, str]:
        """(rows, digest of their protected columns) of a PostgreSQL table, kept current row by row.

        Every write changes a row's `xmin` (the transaction that wrote its version), so the server
        says whether anything changed at all (`summary`: row count and sum of xmin). If so, the row
        versions newer than any digested are read; when they account for the new count and sum,
        nothing else changed, else every row's key and xmin are compared and the changed rows read
        again. A lease claim changes xmin but no protected column: the row is re-read and its MAC
        stays. The digest is the sum of the rows' MACs under the audit key (ledger.row_mac): one row
        changes it by one addition, so a write costs the rows it wrote, not the table's size, and
        without the key no row's term can be computed. It is of the content, so a restored copy
        (new xmin everywhere) digests the same."""
        ledger = self._ledger
        assert ledger is not None
        cached = self._pg_rows.get(table)
        if cached is not None and cached.summary == summary:
            return summary[0], cached.digest()
        digest = cached if cached is not None else _PgDigest()
        if cached is not None:
            # Row versions newer than every one digested so far: what was written since.
            for r in self.db.execute(f"SELECT {key}, xmin::text, {cols} FROM {table} WHERE xmin::text::bigint > ?",
                                     [digest.newest]):
                digest.put(r[0], int(r[1]), ledger.row_mac(table, r[2:]))
        if (len(digest.rows), digest.xmin_sum) != summary:
            # Rows deleted, or older versions rewritten: compare every row's version.
            versions = {r["k"]: int(r["x"]) for r in self.db.query(f"SELECT {key} AS k, xmin::text AS x FROM {table}")}
            for k in [k for k in digest.rows if k not in versions]:
                digest.drop(k)
            stale = [k for k, x in versions.items() if k not in digest.rows or digest.rows[k][0] != x]
            for begin in range(0, len(stale), 1000):
                for r in self.db.execute(f"SELECT {key}, xmin::text, {cols} FROM {table} WHERE {key} = ANY(?)",
                                         [stale[begin:begin + 1000]]):
                    digest.put(r[0], int(r[1]), ledger.row_mac(table, r[2:]))
        digest.summary = summary
        self._pg_rows[table] = digest
        return len(digest.rows), digest.digest()

    def _anchored(self) -> bool:
        ledger = self._ledger
        return ledger is not None and (self.db.dialect == "postgres" or ledger.anchor is not None)

    def _read_anchor(self) -> dict[str, Any] | None:
        ledger = self._ledger
        assert ledger is not None
        if self.db.dialect != "postgres":
            return ledger.read()
        fetched, self._anchor_row = self._anchor_row, None
        if fetched is not None:
            value = fetched[0]
        else:
            row = self._one("SELECT value FROM meta WHERE key = ?", [_ANCHOR_ROW])
            value = row["value"] if row is not None else None
        if value is None:
            return None
        return ledger.unpack(str(value).encode("ascii", "replace"), where="row in the meta table")

    def _write_anchor(self, body: dict[str, Any]) -> None:
        ledger = self._ledger
        assert ledger is not None
        if self.db.dialect != "postgres":
            ledger.write(body)
            return
        self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
                        "excluded.value", [_ANCHOR_ROW, ledger.pack(body).decode("ascii")])

    def _data_version(self) -> int:
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])  # type: ignore[index]

    def _check_anchor(self, found: State, anchor: dict[str, Any] | None) -> list[str]:
        """How `found` differs from what the anchor vouches for ([] when it is one of its states)."""
        if anchor is None:
            if found.seq or any(n for n, _ in found.tables.values()):
                return ["the audit anchor is missing although the database holds report records"]
            if self.db.dialect == "postgres":
                return ["the audit anchor row is missing"]
            return []
        committed, pending = state_from(anchor, "committed"), state_from(anchor, "pending")
        if found in (committed, pending):
            return []
        return found.differences(committed) if committed else ["the audit anchor holds no state"]

    def _begin_state(self) -> State | None:
        """The state at the start of a write; a mismatch with the anchor raises the (sticky) alarm."""
        if not self._anchored():
            return None
        if self._adopting:
            return self._state()  # no anchor yet: the adoption writes the first one
        if self.db.dialect == "sqlite":
            version = self._data_version()
            if self._cached is not None and self._cached[0] == version:
                return self._cached[1]
        state = self._state(with_anchor=True)
        try:
            anchor = self._read_anchor()
        except LedgerError as exc:
            anchor, problems = None, [str(exc)]
        else:
            problems = self._check_anchor(state, anchor)
        if anchor is not None and anchor.get("alarm"):
            self.alarm = list(anchor["alarm"])
        if problems and not self.alarm:
            self.alarm = [f"{time.strftime('%Y-%m-%d %H:%M:%S')}: {p}" for p in problems]
        return state

    def _anchor_body(self, committed: State, pending: State | None) -> dict[str, Any]:
        return {"committed": committed.to_json(), "pending": pending.to_json() if pending else None,
                "alarm": self.alarm or None}

    def init(self) -> None:
        """Bring the schema up to date (idempotent)."""
        migrate(self.db)

    @contextmanager
    def write(self) -> Iterator[None]:
        """One write transaction, serialised against every other writer (see bot/storage/engine.py).

        With a ledger on a SQLite file the anchor is written before COMMIT (pending) and confirmed
        after it, under a lock shared by every process using this database.
        """
        ledger = self._ledger
        if isinstance(self.db, PostgresDatabase) and ledger is not None:
            # The anchor row changes in the same transaction as the records it vouches for. The
            # state is taken just before the first statement that changes the records (most steps of
            # a conversation change none, and then cost nothing here).
            db = self.db
            begun: list[State | None] = []

            def note_change(sql: str) -> None:
                if not begun and _RECORD_CHANGE.match(sql):
                    begun.append(self._begin_state())
            with db.write():
                db.before_execute = note_change
                try:
                    yield
                finally:
                    db.before_execute = None
                if begun:
                    end = self._state()
                    if end != begun[0]:
                        self._write_anchor(self._anchor_body(end, None))
            return
        if ledger is None or ledger.anchor is None or not isinstance(self.db, SqliteDatabase):
            with self.db.write():
                yield
            return
        conn = self.db.conn
        with ledger.locked():
            with_busy_retry(lambda: conn.execute("BEGIN IMMEDIATE"), what="start a write")
            try:
                before = self._begin_state()
                changes = conn.total_changes
                yield
                after: State | None = None
                if before is not None and conn.total_changes != changes:
                    after = self._state()
                    if after != before:
                        ledger.write(self._anchor_body(before, after))
                    else:
                        after = None
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            if after is not None:
                ledger.write(self._anchor_body(after, None))
                self._cached = (self._data_version(), after)
            elif before is not None:
                self._cached = (self._data_version(), before)

    def _in_transaction(self) -> bool:
        return self.db.in_transaction

    def _short(self) -> AbstractContextManager[Any]:
        """A transaction for a lease change: no global write lock on PostgreSQL (row locks suffice)."""
        return self.db.atomic() if self.db.dialect == "postgres" else self.write()

    def _one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        return self.db.one(sql, params)

    # processed updates (replays of Telegram updates and button presses change nothing) -----------
    def seen(self, key: str) -> dict[str, Any] | None:
        """The marker of an already processed update (with the report it created, if any)."""
        return self._one("SELECT * FROM report_seen WHERE key = ?", [key])

    def mark_seen(self, key: str, *, at: float, ref: str | None = None) -> None:
        self.db.execute("INSERT INTO report_seen (key, at, ref) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
                        [key, at, ref])

    # drafts and pending free-text inputs ----------------------------------------------------------
    def draft(self, owner: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM report_drafts WHERE owner = ?", [owner])

    def put_draft(self, owner: str, *, nonce: str, state: bytes, at: float) -> None:
        self.db.execute("INSERT INTO report_drafts (owner, nonce, state, updated_at) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (owner) DO UPDATE SET nonce = excluded.nonce, state = excluded.state, "
                        "updated_at = excluded.updated_at", [owner, nonce, state, at])

    def delete_draft(self, owner: str) -> None:
        self.db.execute("DELETE FROM report_drafts WHERE owner = ?", [owner])

    def pending(self, owner: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM report_pending WHERE owner = ?", [owner])

    def put_pending(self, owner: str, *, ref: str, action: str, at: float) -> None:
        self.db.execute("INSERT INTO report_pending (owner, ref, action, created_at) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (owner) DO UPDATE SET ref = excluded.ref, action = excluded.action, "
                        "created_at = excluded.created_at", [owner, ref, action, at])

    def delete_pending(self, owner: str) -> None:
        self.db.execute("DELETE FROM report_pending WHERE owner = ?", [owner])

    # reports and their events ---------------------------------------------------------------------
    def insert_report(self, row: dict[str, Any]) -> None:
        cols, marks = ", ".join(row), ", ".join("?" for _ in row)
        self.db.execute(f"INSERT INTO reports ({cols}) VALUES ({marks})", list(row.values()))

    def report(self, ref: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM reports WHERE ref = ?", [ref])

    def report_by_nonce(self, nonce: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM reports WHERE draft_nonce = ?", [nonce])

    def reports(self, *, open_only: bool) -> list[dict[str, Any]]:
        where = "WHERE status != 'resolved' " if open_only else ""
        return list(self.db.query(f"SELECT * FROM reports {where}ORDER BY created_at, ref"))

    def reports_of(self, reporter: str) -> list[dict[str, Any]]:
        """One reporter's reports (reference, status, category, time only), oldest first."""
        return list(self.db.query("SELECT ref, status, category, created_at FROM reports WHERE reporter = ? "
                                  "ORDER BY created_at, ref", [reporter]))

    def count_reports(self) -> int:
        row = self._one("SELECT count(*) AS n FROM reports")
        return int(row["n"]) if row else 0

    _REPORT_FIELDS = frozenset({"status", "updated_at", "acknowledged_at", "resolved_at", "carrier_outcome"})

    def update_report(self, ref: str, **fields: Any) -> None:
        if not fields or not set(fields) <= self._REPORT_FIELDS:
            raise ValueError(f"cannot update report fields {sorted(fields)}")
        assignments = ", ".join(f"{k} = ?" for k in fields)
        self.db.execute(f"UPDATE reports SET {assignments} WHERE ref = ?", [*fields.values(), ref])

    def add_event(self, *, ref: str, at: float, kind: str, actor: str, body: bytes | None = None) -> int:
        row = self.db.execute("INSERT INTO report_events (ref, at, kind, actor, body) VALUES (?, ?, ?, ?, ?) "
                              "RETURNING id", [ref, at, kind, actor, body]).fetchone()
        return int(row[0]) if row else 0

    def events(self, ref: str) -> list[dict[str, Any]]:
        return list(self.db.query("SELECT * FROM report_events WHERE ref = ? ORDER BY id", [ref]))

    # outbox ---------------------------------------------------------------------------------------
    def enqueue(self, *, idem_key: str, ref: str, recipient: str, step: str, body: bytes, at: float) -> bool:
        """Add a notification unless one with this idempotency key exists; True if added."""
        cur = self.db.execute(
            "INSERT INTO report_outbox (idem_key, ref, recipient, step, body, status, attempts, "
            "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (idem_key) DO NOTHING",
            [idem_key, ref, recipient, step, body, at, at])
        return cur.rowcount == 1

    def _claim(self, table: str, due: str, *, owner: str, now: float, ttl: float, limit: int,
               order: str) -> list[dict[str, Any]]:
        """Lease up to `limit` due rows of `table` to `owner` until now + ttl, each with a new fencing
        number. PostgreSQL: rows locked by another claimer are skipped (FOR UPDATE SKIP LOCKED);
        SQLite: BEGIN IMMEDIATE and the same conditional update."""
        # A lease of this very owner counts as free: the same process, restarted inside (tests) or
        # a new process that got the pid of a dead one, takes its own rows back at once.
        free = "(lease_until IS NULL OR lease_until <= ? OR lease_owner = ?)"
        skip = " FOR UPDATE SKIP LOCKED" if self.db.dialect == "postgres" else ""
        sql = (f"UPDATE {table} SET lease_owner = ?, lease_until = ?, fence = fence + 1 "
               f"WHERE id IN (SELECT id FROM {table} WHERE {due} AND {free} ORDER BY {order} LIMIT ?{skip}) "
               f"AND {due} AND {free} RETURNING *")
        params = [owner, now + ttl, now, now, owner, limit, now, now, owner]
        with nullcontext() if self._in_transaction() else self._short():
            rows = list(self.db.query(sql, params))
        return sorted(rows, key=lambda r: tuple(r[c.strip().split()[0]] for c in order.split(",")))

    def claim_outbox(self, *, owner: str, now: float, ttl: float, limit: int) -> list[dict[str, Any]]:
        """Due notifications leased to `owner` (see `_claim`)."""
        # As in outbox_due: a reminder never overtakes the notice it reminds of.
        due = ("status = 'pending' AND next_attempt_at <= ? AND NOT EXISTS (SELECT 1 FROM report_outbox AS e "
               "WHERE e.ref = report_outbox.ref AND e.recipient = report_outbox.recipient "
               "AND e.status = 'pending' AND e.id < report_outbox.id)")
        return self._claim("report_outbox", due, owner=owner, now=now, ttl=ttl, limit=limit,
                           order="next_attempt_at, id")

    def confirm_outbox(self, row_id: int, *, owner: str, fence: int, now: float, ttl: float) -> bool:
        """Extend `owner`'s lease on a row right before sending; False when it was taken over
        (another instance has a newer fencing number), has expired or the row is no longer pending."""
        with self._short():
            cur = self.db.execute("UPDATE report_outbox SET lease_until = ? WHERE id = ? AND fence = ? "
                                  "AND lease_owner = ? AND status = 'pending' AND lease_until > ?",
                                  [now + ttl, row_id, fence, owner, now])
        return cur.rowcount == 1

    def release_outbox(self, row_id: int, *, fence: int) -> None:
        """Give a claimed row back at once (this instance cannot deliver it)."""
        with self._short():
            self.db.execute("UPDATE report_outbox SET lease_owner = NULL, lease_until = NULL "
                            "WHERE id = ? AND fence = ?", [row_id, fence])

    def claim_timers(self, *, owner: str, now: float, ttl: float, limit: int) -> list[dict[str, Any]]:
        """Due escalation timers leased to `owner` (see `_claim`); called inside write(), so the
        claim and the firing commit together (or not at all)."""
        return self._claim("report_timers", "fired_at IS NULL AND cancelled_at IS NULL AND due_at <= ?",
                           owner=owner, now=now, ttl=ttl, limit=limit, order="due_at, id")

    def timer_if_fence(self, timer_id: int, *, fence: int) -> dict[str, Any] | None:
        """The timer, if it is still open and its lease still carries `fence` (call inside write())."""
        return self._one("SELECT * FROM report_timers WHERE id = ? AND fence = ? AND fired_at IS NULL "
                         "AND cancelled_at IS NULL", [timer_id, fence])

    def outbox_due(self, *, now: float, limit: int) -> list[dict[str, Any]]:
        """Due notifications, each only once every earlier one of the same report to the same
        recipient went out: a reminder never overtakes the notice it reminds of."""
        return list(self.db.query(
            "SELECT * FROM report_outbox AS o WHERE status = 'pending' AND next_attempt_at <= ? "
            "AND NOT EXISTS (SELECT 1 FROM report_outbox AS e WHERE e.ref = o.ref AND e.recipient = o.recipient "
            "AND e.status = 'pending' AND e.id < o.id) "
            "ORDER BY next_attempt_at, id LIMIT ?", [now, limit]))

    def outbox_next_at(self) -> float | None:
        row = self._one("SELECT min(next_attempt_at) AS t FROM report_outbox WHERE status = 'pending'")
        return None if row is None or row["t"] is None else float(row["t"])

    def outbox_row(self, row_id: int) -> dict[str, Any] | None:
        return self._one("SELECT * FROM report_outbox WHERE id = ?", [row_id])

    def outbox(self, *, ref: str | None = None) -> list[dict[str, Any]]:
        if ref is None:
            return list(self.db.query("SELECT * FROM report_outbox ORDER BY id"))
        return list(self.db.query("SELECT * FROM report_outbox WHERE ref = ? ORDER BY id", [ref]))

    def mark_sent(self, row_id: int, *, at: float, message_id: int | None, fence: int | None = None) -> bool:
        """Record a delivery; False when the row is no longer pending or (with `fence`) was taken over."""
        cond, extra = ("", []) if fence is None else (" AND fence = ?", [fence])
        cur = self.db.execute("UPDATE report_outbox SET status = 'sent', sent_at = ?, message_id = ?, "
                              "last_error = NULL, lease_until = NULL WHERE id = ? AND status = 'pending'" + cond,
                              [at, message_id, row_id, *extra])
        return cur.rowcount == 1

    def reschedule(self, row_id: int, *, next_at: float, error: str, count_attempt: bool = True,
                   fence: int | None = None) -> None:
        cond, extra = ("", []) if fence is None else (" AND fence = ?", [fence])
        self.db.execute("UPDATE report_outbox SET attempts = attempts + ?, next_attempt_at = ?, "
                        "last_error = ?, lease_until = NULL WHERE id = ? AND status = 'pending'" + cond,
                        [1 if count_attempt else 0, next_at, error, row_id, *extra])

    def postpone_all(self, *, until: float) -> None:
        """Flood control is per bot: nothing may be sent before `until`."""
        self.db.execute("UPDATE report_outbox SET next_attempt_at = ? "
                        "WHERE status = 'pending' AND next_attempt_at < ?", [until, until])

    def drop_outbox(self, row_id: int, *, reason: str) -> None:
        self.db.execute("UPDATE report_outbox SET status = 'dropped', last_error = ? WHERE id = ?",
                        [reason, row_id])

    # timers ---------------------------------------------------------------------------------------
    def add_timer(self, *, ref: str, step: str, kind: str, notify: str, due_at: float) -> None:
        self.db.execute("INSERT INTO report_timers (ref, step, kind, notify, due_at) "
                        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (ref, step) DO NOTHING", [ref, step, kind, notify, due_at])

    def timers_due(self, *, now: float) -> list[dict[str, Any]]:
        return list(self.db.query(
            "SELECT * FROM report_timers WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= ? "
            "ORDER BY due_at, id", [now]))

    def timers(self, ref: str) -> list[dict[str, Any]]:
        return list(self.db.query("SELECT * FROM report_timers WHERE ref = ? ORDER BY due_at, id", [ref]))

    def next_timer_at(self) -> float | None:
        row = self._one("SELECT min(due_at) AS t FROM report_timers "
                        "WHERE fired_at IS NULL AND cancelled_at IS NULL")
        return None if row is None or row["t"] is None else float(row["t"])

    def cancel_timer(self, timer_id: int, *, at: float) -> None:
        self.db.execute("UPDATE report_timers SET cancelled_at = ? WHERE id = ? AND fired_at IS NULL",
                        [at, timer_id])

    def timer_fired(self, timer_id: int, *, at: float) -> None:
        self.db.execute("UPDATE report_timers SET fired_at = ? WHERE id = ? AND fired_at IS NULL",
                        [at, timer_id])

    def cancel_timers(self, ref: str, *, kinds: Sequence[str], at: float) -> None:
        marks = ", ".join("?" for _ in kinds)
        self.db.execute(f"UPDATE report_timers SET cancelled_at = ? WHERE ref = ? AND kind IN ({marks}) "
                        "AND fired_at IS NULL AND cancelled_at IS NULL", [at, ref, *kinds])

    # audit log (append-only, hash-chained, no content) -------------------------------------------
    def audit(self, *, at: float, actor: str, action: str, ref: str | None = None,
              detail: dict[str, Any] | None = None) -> None:
        if self._ledger is None:
            raise RuntimeError("the audit chain needs the report key (attach_ledger) before writing")
        last = self._one("SELECT seq, hash FROM report_audit ORDER BY seq DESC LIMIT 1")
        prev, seq = (str(last["hash"]), int(last["seq"]) + 1) if last else (GENESIS, 1)
        text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
        mac = self._ledger.audit_mac(prev, seq, at, actor, action, ref, text)
        self.db.execute(
            "INSERT INTO report_audit (seq, at, actor, action, ref, detail, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [seq, at, actor, action, ref, text, prev, mac])

    def audit_rows(self, *, ref: str | None = None) -> list[dict[str, Any]]:
        if ref is None:
            return list(self.db.query("SELECT * FROM report_audit ORDER BY seq"))
        return list(self.db.query("SELECT * FROM report_audit WHERE ref = ? ORDER BY seq", [ref]))

    def verify_audit(self) -> int | None:
        """The first broken sequence number of the keyed chain, or None if it is intact. Entries from
        before the log was keyed verify by their plain links up to the keyed entry that adopted them."""
        ledger = self._ledger
        if ledger is None:
            raise RuntimeError("verifying the audit chain needs the report key (attach_ledger)")
        prev, expected, legacy, keyed = GENESIS, 1, False, False
        for row in self.db.query("SELECT * FROM report_audit ORDER BY seq"):
            seq = int(row["seq"])
            fields = (row["at"], row["actor"], row["action"], row["ref"], row["detail"])
            if seq != expected or row["prev_hash"] != prev:
                return seq
            good = ledger.audit_mac(prev, seq, *fields)
            if hmac.compare_digest(str(row["hash"]), good):
                if legacy and not keyed and row["action"] != ADOPTED:
                    return seq
                keyed = True
            elif keyed or row["hash"] != legacy_hash(prev, seq, *fields):
                return seq
            else:
                legacy, good = True, str(row["hash"])
            prev, expected = good, seq + 1
        # Old entries must be followed by the keyed entry that adopted them.
        return expected if legacy and not keyed else None

    def verify(self) -> list[str]:
        """Every sign of tampering: a broken chain, a state the anchor does not vouch for, a past alarm."""
        ledger = self._ledger
        if ledger is None:
            raise RuntimeError("verifying the records needs the report key (attach_ledger)")
        problems: list[str] = []
        # PostgreSQL: under the writers' lock, so that no commit falls between the tables and the anchor.
        with ledger.locked(), self.db.write() if self.db.dialect == "postgres" else nullcontext():
            broken = self.verify_audit()
            if broken is not None:
                problems.append(f"audit log entry {broken} was altered, inserted or removed")
            if self._anchored():
                state = self._state()
                try:
                    anchor = self._read_anchor()
                except LedgerError as exc:
                    return [*problems, str(exc)]
                problems += self._check_anchor(state, anchor)
                if anchor is not None and anchor.get("alarm"):
                    problems += [f"alarm raised earlier: {a}" for a in anchor["alarm"]]
        problems += [f"alarm raised while running: {a}" for a in self.alarm if
                     f"alarm raised earlier: {a}" not in problems]
        return problems

    # retention ------------------------------------------------------------------------------------
    def purge(self, *, resolved_before: float, drafts_before: float, seen_before: float) -> list[str]:
        """Delete reports resolved before the cut-off with everything attached; returns their refs.

        Freed pages are zeroed (secure_delete) so the ciphertext does not linger in the file.
        """
        if self.db.dialect == "sqlite":
            self.db.execute("PRAGMA secure_delete = ON")
        refs = [str(r["ref"]) for r in self.db.query(
            "SELECT ref FROM reports WHERE status = 'resolved' AND resolved_at < ?", [resolved_before])]
        for ref in refs:
            for table in ("report_events", "report_outbox", "report_timers", "report_pending"):
                self.db.execute(f"DELETE FROM {table} WHERE ref = ?", [ref])
            self.db.execute("DELETE FROM reports WHERE ref = ?", [ref])
        self.db.execute("DELETE FROM report_drafts WHERE updated_at < ?", [drafts_before])
        self.db.execute("DELETE FROM report_pending WHERE created_at < ?", [drafts_before])
        self.db.execute("DELETE FROM report_seen WHERE at < ?", [seen_before])
        return refs

    def checkpoint(self) -> None:
        """Fold the WAL into the main file and truncate it (after a purge: no old pages left there)."""
        checkpoint(self.db)
