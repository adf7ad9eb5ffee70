"""All persistence of libao: the one module that speaks SQL (sqlite-utils, WAL, synchronous=FULL).

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
import secrets
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from bot.core.privacy import storable
from bot.core.reports.ledger import (
    GENESIS,
    PROTECTED_TABLES,
    Ledger,
    LedgerError,
    State,
    WrongKeyError,
    row_digest,
    state_from,
)

# ----------------------------------------------------------------------------- schema / connection

BUSY_TIMEOUT_MS = 750
# A second process may hold the write lock longer than one busy timeout (a checkpoint, a purge);
# retries are bounded (about 3.5 s in all) so that a stuck peer yields a clear "busy" error, never an
# endless wait.
BUSY_RETRIES = 3
_T = TypeVar("_T")


class StorageError(Exception):
    """The database cannot be used: not a database, a directory, read-only, full or busy (message says which)."""


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def with_busy_retry(fn: Callable[[], _T], *, what: str, retries: int = BUSY_RETRIES) -> _T:
    """Run `fn`, retrying a bounded number of times while another process holds the database."""
    for attempt in range(retries + 1):
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or attempt == retries:
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


def connect(path: str | Path, *, any_thread: bool = False) -> sqlite_utils.Database:
    """Open (creating, owner-only) the database with WAL and synchronous=FULL: a commit survives a crash.
    `any_thread`: usable from another thread than this one (a test server in a thread).

    Raises StorageError with a plain reason when the path cannot hold a database.
    """
    memory = str(path) == ":memory:"
    if not memory:
        path = Path(path)
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
        db = sqlite_utils.Database(sqlite3.connect(str(path), check_same_thread=False) if any_thread else str(path))
        # A text cell with invalid UTF-8 (written around libao) must not make every query on its table fail.
        db.conn.text_factory = _lenient_text
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # first, so that every later statement waits
        with_busy_retry(lambda: db.execute("PRAGMA schema_version").fetchall(), what="open")
        if not memory:
            with_busy_retry(db.enable_wal, what="enable WAL")
        db.execute("PRAGMA synchronous=FULL")
        # Deleted rows are overwritten with zeros, so a cleared value is gone from the pages too.
        db.execute("PRAGMA secure_delete=ON")
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"cannot use {path} as a database: {exc}") from None
    return db


def checkpoint(db: sqlite_utils.Database) -> None:
    """Fold the WAL into the main file and truncate it, so that the old page versions of what was
    just deleted (kept in the WAL until a checkpoint) are gone. Skipped inside a transaction."""
    if db.conn.in_transaction:
        return
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# ----------------------------------------------------------------------------- chat
# What the chat stores (docs/privacy.md lists it; nothing else about a conversation is written):
# - chat_user_settings: a user's own placeholder values (单位/部门/姓名), keyed by an HMAC of the
#   user id under `<db>.voter-key` (outside the database), until they clear them or
#   `settings_retention_days` after the last change;
# - chat_votes: 👍/👎 per knowledge entry, keyed by the same HMAC (one vote per user and entry, no
#   text), kept `retention_days`;
# - chat_unanswered: questions the knowledge base could not answer, only when enabled, without any
#   user id, kept `retention_days`.
# Free text goes through bot.core.privacy.storable on the way in (personal data masked).

_CHAT_SALT_KEY = "chat.voter_salt"


def init_chat(db: sqlite_utils.Database) -> None:
    """Create the chat tables (idempotent)."""
    with db.atomic():
        db.table("meta").create({"key": str, "value": str}, pk="key", if_not_exists=True)
        db.table("chat_user_settings").create(
            {"owner": str, "key": str, "value": str, "updated_at": float},
            pk=("owner", "key"), not_null={"value", "updated_at"}, if_not_exists=True)
        db.table("chat_votes").create(
            {"voter": str, "entry_id": str, "vote": int, "created_at": float},
            pk=("voter", "entry_id"), not_null={"vote", "created_at"}, if_not_exists=True)
        db.table("chat_unanswered").create(
            {"id": int, "question": str, "created_at": float},
            pk="id", not_null={"question", "created_at"}, if_not_exists=True)
        db.table("chat_flows").create(
            {"scope": str, "flow": str, "state": str, "updated_at": float},
            pk="scope", not_null={"flow", "state", "updated_at"}, if_not_exists=True)
        db.table("chat_votes").create_index(["created_at"], if_not_exists=True)
        db.table("chat_unanswered").create_index(["created_at"], if_not_exists=True)


_VOTER_KEY_BYTES = 32


def voter_key(db: sqlite_utils.Database) -> bytes:
    """The secret of the vote pseudonyms, kept outside the database: `<db>.voter-key` (owner-only,
    created once); a fresh random key for an in-memory database."""
    rows = list(db.conn.execute("PRAGMA database_list"))
    file = next((r[2] for r in rows if r[1] == "main"), "")
    if not file:
        return secrets.token_bytes(_VOTER_KEY_BYTES)
    path = Path(f"{file}.voter-key")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        pass
    except OSError as exc:
        raise StorageError(f"cannot create the vote key {path}: {exc.strerror}") from None
    else:
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(_VOTER_KEY_BYTES))
            fh.flush()
            os.fsync(fh.fileno())
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise StorageError(f"cannot read the vote key {path}: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise StorageError(f"the vote key {path} is not a regular file")
        key = fh.read(_VOTER_KEY_BYTES + 1)
    if len(key) != _VOTER_KEY_BYTES:
        raise StorageError(f"the vote key {path} is damaged (delete it: votes then start afresh)")
    return key


def _migrate_settings(db: sqlite_utils.Database, pseudonym: Callable[[int], str]) -> None:
    """Settings of an older database were keyed by the raw user id: re-key them, drop the table.
    An older salt kept in the database made pseudonyms reversible by enumerating ids: dropped too."""
    with db.atomic():
        if "chat_settings" in db.table_names():
            for row in db.query("select user_id, key, value, updated_at from chat_settings"):
                db.execute("insert or replace into chat_user_settings (owner, key, value, updated_at) "
                           "values (?, ?, ?, ?)", [pseudonym(int(row["user_id"])), row["key"], row["value"],
                                                   row["updated_at"]])
            db.execute("drop table chat_settings")
        db.table("meta").delete_where("key = ?", [_CHAT_SALT_KEY])


class ChatStore:
    """The chat's persistent state in SQLite; implements bot.core.chat.assistant.ChatStore."""

    def __init__(self, db: sqlite_utils.Database, *, clock: Callable[[], float] = time.time,
                 key: bytes | None = None):
        self.db = db
        self.clock = clock
        self._key = key if key is not None else voter_key(db)
        init_chat(db)
        _migrate_settings(db, self._voter)

    def _voter(self, user_id: int) -> str:
        """HMAC under a key outside the database: ids cannot be recovered by trying every id."""
        return hmac.new(self._key, f"voter:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]

    # settings ------------------------------------------------------------------------------------
    def get_settings(self, user_id: int) -> dict[str, str]:
        rows = self.db.table("chat_user_settings").rows_where("owner = ?", [self._voter(user_id)], order_by="key")
        return {str(r["key"]): str(r["value"]) for r in rows}

    def set_setting(self, user_id: int, key: str, value: str) -> None:
        with self.db.atomic():
            self.db.table("chat_user_settings").upsert(
                {"owner": self._voter(user_id), "key": key, "value": storable(value), "updated_at": self.clock()},
                pk=("owner", "key"))

    def clear_settings(self, user_id: int) -> None:
        """Delete this user's values from the tables, the freed pages and the WAL."""
        with self.db.atomic():
            self.db.table("chat_user_settings").delete_where("owner = ?", [self._voter(user_id)])
        checkpoint(self.db)

    # votes and unanswered questions --------------------------------------------------------------
    def add_vote(self, user_id: int, entry_id: str, vote: int) -> None:
        """Record (or change) this user's vote on an entry: +1 or -1."""
        with self.db.atomic():
            self.db.table("chat_votes").upsert(
                {"voter": self._voter(user_id), "entry_id": entry_id, "vote": 1 if vote > 0 else -1,
                 "created_at": self.clock()}, pk=("voter", "entry_id"))

    def add_unanswered(self, question: str) -> None:
        with self.db.atomic():
            self.db.table("chat_unanswered").insert({"question": storable(question), "created_at": self.clock()})

    def vote_summary(self) -> list[dict[str, Any]]:
        """Per entry: up and down votes, most down-voted first (for curating the knowledge base)."""
        return list(self.db.query(
            "select entry_id, sum(vote > 0) as up, sum(vote < 0) as down from chat_votes "
            "group by entry_id order by down desc, up asc, entry_id"))

    def unanswered(self, *, limit: int = 100) -> list[dict[str, Any]]:
        """The most recent unanswered questions, newest first."""
        return list(self.db.table("chat_unanswered").rows_where(
            order_by="created_at desc, id desc", limit=limit))

    # conversation flows (one per conversation scope; the scope is stored hashed) -------------------
    def _scope(self, scope: str) -> str:
        return hmac.new(self._key, f"flow|{scope}".encode(), hashlib.sha256).hexdigest()[:32]

    def get_flow(self, scope: str, *, newer_than: float) -> tuple[str, str] | None:
        rows = list(self.db.query("select flow, state from chat_flows where scope = ? and updated_at >= ?",
                                  [self._scope(scope), newer_than]))
        return (str(rows[0]["flow"]), str(rows[0]["state"])) if rows else None

    def put_flow(self, scope: str, flow: str, state: str) -> None:
        with self.db.atomic():
            self.db.table("chat_flows").upsert(
                {"scope": self._scope(scope), "flow": flow, "state": state, "updated_at": self.clock()}, pk="scope")

    def end_flow(self, scope: str) -> None:
        with self.db.atomic():
            self.db.table("chat_flows").delete_where("scope = ?", [self._scope(scope)])

    def purge(self, *, retention_days: float, settings_retention_days: float) -> int:
        """Delete what is older than its retention; returns how many rows went."""
        now = self.clock()
        cutoff, settings_cutoff = now - retention_days * 86400, now - settings_retention_days * 86400
        counts = 0
        with self.db.atomic():
            self.db.execute("delete from chat_flows where updated_at < ?", [now - 86400])
            for table, column, limit in (("chat_votes", "created_at", cutoff),
                                         ("chat_unanswered", "created_at", cutoff),
                                         ("chat_user_settings", "updated_at", settings_cutoff)):
                counts += self.db.table(table).count_where(f"{column} < ?", [limit])
                self.db.table(table).delete_where(f"{column} < ?", [limit])
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
_ORDER = {"reports": "ref", "report_events": "id", "report_outbox": "id", "report_timers": "id"}


class ReportStore:
    """The leak-report tables; callers hold `write()` around every group of changes.

    `attach_ledger` (done by the report service with its key) keys the audit chain and anchors the
    state outside the database; see bot.core.reports.ledger.
    """

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self._ledger: Ledger | None = None
        self._cached: tuple[int, State] | None = None  # (data_version, state) after our last commit
        self.alarm: list[str] = []
        with_busy_retry(self.init, what="create the report tables")

    # tamper evidence -------------------------------------------------------------------------------
    def anchor_path(self) -> Path | None:
        """The anchor file beside a file database (None in memory)."""
        rows = list(self.db.conn.execute("PRAGMA database_list"))
        file = next((r[2] for r in rows if r[1] == "main"), "")
        return Path(f"{file}.audit-anchor") if file else None

    def attach_ledger(self, key: bytes) -> None:
        """Key the audit chain with `key`; WrongKeyError (nothing written) when it is not this database's key."""
        ledger = Ledger(key, self.anchor_path())
        stored = self._one("SELECT value FROM meta WHERE key = ?", [_KEY_CHECK])
        if stored is not None:
            if not hmac.compare_digest(str(stored["value"]), ledger.check_value()):
                raise WrongKeyError("this report key does not belong to this database")
        else:
            first = self._one("SELECT * FROM report_audit ORDER BY seq LIMIT 1")
            if first is not None and first["hash"] != ledger.audit_mac(
                    GENESIS, int(first["seq"]), first["at"], first["actor"], first["action"], first["ref"],
                    first["detail"]):
                raise WrongKeyError("the audit log was not written with this report key")
            with_busy_retry(lambda: self.db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", [_KEY_CHECK, ledger.check_value()]),
                what="record the key check")
            self.db.conn.commit()
        self._ledger = ledger

    def _state(self) -> State:
        last = self._one("SELECT seq, hash FROM report_audit ORDER BY seq DESC LIMIT 1")
        tables = {t: row_digest(self.db.conn.execute(f"SELECT * FROM {t} ORDER BY {_ORDER[t]}"))
                  for t in PROTECTED_TABLES}
        return State(int(last["seq"]) if last else 0, str(last["hash"]) if last else GENESIS, tables)

    def _data_version(self) -> int:
        return int(self.db.conn.execute("PRAGMA data_version").fetchone()[0])

    def _check_anchor(self, found: State, anchor: dict[str, Any] | None) -> list[str]:
        """How `found` differs from what the anchor vouches for ([] when it is one of its states)."""
        if anchor is None:
            if found.seq or any(n for n, _ in found.tables.values()):
                return ["the audit anchor is missing although the database holds report records"]
            return []
        committed, pending = state_from(anchor, "committed"), state_from(anchor, "pending")
        if found in (committed, pending):
            return []
        return found.differences(committed) if committed else ["the audit anchor holds no state"]

    def _begin_state(self) -> State | None:
        """The state at the start of a write; a mismatch with the anchor raises the (sticky) alarm."""
        ledger = self._ledger
        if ledger is None or ledger.anchor is None:
            return None
        version = self._data_version()
        if self._cached is not None and self._cached[0] == version:
            return self._cached[1]
        state = self._state()
        try:
            anchor = ledger.read()
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
        """Create the report tables (idempotent)."""
        t = self.db.table
        with self.db.atomic():
            t("meta").create({"key": str, "value": str}, pk="key", if_not_exists=True)
            t("report_seen").create({"key": str, "at": float, "ref": str}, pk="key", not_null={"at"},
                                    if_not_exists=True)
            t("report_drafts").create(
                {"owner": str, "nonce": str, "state": bytes, "updated_at": float},
                pk="owner", not_null={"nonce", "state", "updated_at"}, if_not_exists=True)
            t("report_pending").create(
                {"owner": str, "ref": str, "action": str, "created_at": float},
                pk="owner", not_null={"ref", "action", "created_at"}, if_not_exists=True)
            t("reports").create(
                {"ref": str, "draft_nonce": str, "reporter": str, "identity": bytes, "content": bytes,
                 "category": str, "urgency": str, "confidential": int, "status": str, "created_at": float,
                 "updated_at": float, "acknowledged_at": float, "resolved_at": float, "carrier_outcome": str},
                pk="ref", not_null={"draft_nonce", "reporter", "identity", "content", "category", "urgency",
                                    "confidential", "status", "created_at", "updated_at"},
                if_not_exists=True)
            t("reports").create_index(["draft_nonce"], unique=True, if_not_exists=True)
            t("reports").create_index(["status"], if_not_exists=True)
            t("report_events").create(
                {"id": int, "ref": str, "at": float, "kind": str, "actor": str, "body": bytes},
                pk="id", not_null={"ref", "at", "kind", "actor"}, if_not_exists=True)
            t("report_events").create_index(["ref"], if_not_exists=True)
            t("report_outbox").create(
                {"id": int, "idem_key": str, "ref": str, "recipient": str, "step": str, "body": bytes,
                 "status": str, "attempts": int, "next_attempt_at": float, "created_at": float,
                 "sent_at": float, "message_id": int, "last_error": str},
                pk="id", not_null={"idem_key", "ref", "recipient", "step", "body", "status", "attempts",
                                   "next_attempt_at", "created_at"},
                defaults={"status": "pending", "attempts": 0}, if_not_exists=True)
            t("report_outbox").create_index(["idem_key"], unique=True, if_not_exists=True)
            t("report_outbox").create_index(["status", "next_attempt_at"], if_not_exists=True)
            t("report_timers").create(
                {"id": int, "ref": str, "step": str, "kind": str, "notify": str, "due_at": float,
                 "fired_at": float, "cancelled_at": float},
                pk="id", not_null={"ref", "step", "kind", "notify", "due_at"}, if_not_exists=True)
            t("report_timers").create_index(["ref", "step"], unique=True, if_not_exists=True)
            t("report_timers").create_index(["due_at"], if_not_exists=True)
            t("report_audit").create(
                {"seq": int, "at": float, "actor": str, "action": str, "ref": str, "detail": str,
                 "prev_hash": str, "hash": str},
                pk="seq", not_null={"at", "actor", "action", "detail", "prev_hash", "hash"},
                if_not_exists=True)
            # Append-only at the SQL level too; the hash chain detects edits made around SQLite.
            for event in ("UPDATE", "DELETE"):
                self.db.execute(
                    f"CREATE TRIGGER IF NOT EXISTS report_audit_no_{event.lower()} "
                    f"BEFORE {event} ON report_audit "
                    "BEGIN SELECT RAISE(ABORT, 'report_audit is append-only'); END")

    @contextmanager
    def write(self) -> Iterator[None]:
        """One write transaction, taking the write lock up front (no lock upgrade to fail later).

        With a ledger on a file database the anchor is written before COMMIT (pending) and confirmed
        after it, under a lock shared by every process using this database.
        """
        conn = self.db.conn
        ledger = self._ledger
        with ledger.locked() if ledger is not None else nullcontext():
            with_busy_retry(lambda: conn.execute("BEGIN IMMEDIATE"), what="start a write")
            try:
                before = self._begin_state()
                changes = conn.total_changes
                yield
                after = None
                if before is not None and ledger is not None and conn.total_changes != changes:
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
            if after is not None and ledger is not None:
                ledger.write(self._anchor_body(after, None))
                self._cached = (self._data_version(), after)
            elif before is not None:
                self._cached = (self._data_version(), before)

    def _one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = list(self.db.query(sql, params))
        return rows[0] if rows else None

    # processed updates (replays of Telegram updates and button presses change nothing) -----------
    def seen(self, key: str) -> dict[str, Any] | None:
        """The marker of an already processed update (with the report it created, if any)."""
        return self._one("SELECT * FROM report_seen WHERE key = ?", [key])

    def mark_seen(self, key: str, *, at: float, ref: str | None = None) -> None:
        self.db.execute("INSERT OR IGNORE INTO report_seen (key, at, ref) VALUES (?, ?, ?)", [key, at, ref])

    # drafts and pending free-text inputs ----------------------------------------------------------
    def draft(self, owner: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM report_drafts WHERE owner = ?", [owner])

    def put_draft(self, owner: str, *, nonce: str, state: bytes, at: float) -> None:
        self.db.execute("INSERT OR REPLACE INTO report_drafts (owner, nonce, state, updated_at) "
                        "VALUES (?, ?, ?, ?)", [owner, nonce, state, at])

    def delete_draft(self, owner: str) -> None:
        self.db.execute("DELETE FROM report_drafts WHERE owner = ?", [owner])

    def pending(self, owner: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM report_pending WHERE owner = ?", [owner])

    def put_pending(self, owner: str, *, ref: str, action: str, at: float) -> None:
        self.db.execute("INSERT OR REPLACE INTO report_pending (owner, ref, action, created_at) "
                        "VALUES (?, ?, ?, ?)", [owner, ref, action, at])

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
        cur = self.db.execute("INSERT INTO report_events (ref, at, kind, actor, body) VALUES (?, ?, ?, ?, ?)",
                              [ref, at, kind, actor, body])
        return int(cur.lastrowid or 0)

    def events(self, ref: str) -> list[dict[str, Any]]:
        return list(self.db.query("SELECT * FROM report_events WHERE ref = ? ORDER BY id", [ref]))

    # outbox ---------------------------------------------------------------------------------------
    def enqueue(self, *, idem_key: str, ref: str, recipient: str, step: str, body: bytes, at: float) -> bool:
        """Add a notification unless one with this idempotency key exists; True if added."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO report_outbox (idem_key, ref, recipient, step, body, status, attempts, "
            "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
            [idem_key, ref, recipient, step, body, at, at])
        return cur.rowcount == 1

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

    def mark_sent(self, row_id: int, *, at: float, message_id: int | None) -> None:
        self.db.execute("UPDATE report_outbox SET status = 'sent', sent_at = ?, message_id = ?, "
                        "last_error = NULL WHERE id = ? AND status = 'pending'", [at, message_id, row_id])

    def reschedule(self, row_id: int, *, next_at: float, error: str, count_attempt: bool = True) -> None:
        self.db.execute("UPDATE report_outbox SET attempts = attempts + ?, next_attempt_at = ?, "
                        "last_error = ? WHERE id = ? AND status = 'pending'",
                        [1 if count_attempt else 0, next_at, error, row_id])

    def postpone_all(self, *, until: float) -> None:
        """Flood control is per bot: nothing may be sent before `until`."""
        self.db.execute("UPDATE report_outbox SET next_attempt_at = ? "
                        "WHERE status = 'pending' AND next_attempt_at < ?", [until, until])

    def drop_outbox(self, row_id: int, *, reason: str) -> None:
        self.db.execute("UPDATE report_outbox SET status = 'dropped', last_error = ? WHERE id = ?",
                        [reason, row_id])

    # timers ---------------------------------------------------------------------------------------
    def add_timer(self, *, ref: str, step: str, kind: str, notify: str, due_at: float) -> None:
        self.db.execute("INSERT OR IGNORE INTO report_timers (ref, step, kind, notify, due_at) "
                        "VALUES (?, ?, ?, ?, ?)", [ref, step, kind, notify, due_at])

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
        """The first broken sequence number of the keyed chain, or None if it is intact."""
        if self._ledger is None:
            raise RuntimeError("verifying the audit chain needs the report key (attach_ledger)")
        prev, expected = GENESIS, 1
        for row in self.db.query("SELECT * FROM report_audit ORDER BY seq"):
            seq = int(row["seq"])
            good = self._ledger.audit_mac(prev, seq, row["at"], row["actor"], row["action"], row["ref"],
                                          row["detail"])
            if seq != expected or row["prev_hash"] != prev or not hmac.compare_digest(str(row["hash"]), good):
                return seq
            prev, expected = good, seq + 1
        return None

    def verify(self) -> list[str]:
        """Every sign of tampering: a broken chain, a state the anchor does not vouch for, a past alarm."""
        ledger = self._ledger
        if ledger is None:
            raise RuntimeError("verifying the records needs the report key (attach_ledger)")
        problems: list[str] = []
        with ledger.locked():
            broken = self.verify_audit()
            if broken is not None:
                problems.append(f"audit log entry {broken} was altered, inserted or removed")
            if ledger.anchor is not None:
                state = self._state()
                try:
                    anchor = ledger.read()
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
