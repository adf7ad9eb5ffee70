"""The database behind libao, chosen by URL: embedded SQLite (default) or PostgreSQL (psycopg 3).

Both engines offer the same small surface the stores use:
- `execute(sql, params)` -> a cursor (tuple rows, `rowcount`), `query(sql, params)` -> dict rows,
  `one(sql, params)` -> the first dict row or None;
- `atomic()`: a transaction (nested blocks are savepoints);
- `write()`: a write transaction serialised against every other writer of the database, in this
  process or another (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-level advisory lock), so
  read-then-write steps (the audit chain's next number, a replayed update) need no retry logic.

SQL is written once with `?` placeholders and the syntax both dialects share (ON CONFLICT, RETURNING,
CASE); the few differences are fragments chosen by `dialect`.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import sqlite_utils

Dialect = Literal["sqlite", "postgres"]

_PG_SCHEMES = ("postgresql://", "postgres://")
# Transaction-level advisory lock taken by every write() on PostgreSQL: the stores' writes are short
# and few (a report step, a delivered notice), and one writer at a time keeps the audit chain linear.
_WRITE_LOCK = 0x11BA0_0001


# How long a SQLite statement waits for another process's lock before it is told "busy".
BUSY_TIMEOUT_MS = 4000


class StorageError(Exception):
    """The database cannot be used (message says why; never contains a password)."""


def is_postgres_url(url: str | Path) -> bool:
    return str(url).startswith(_PG_SCHEMES)


def redact_url(url: str | Path) -> str:
    """The URL with any password replaced, for messages and logs."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", str(url))


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for `name`."""
    return zlib.crc32(name.encode("utf-8")) | (0x11BA << 32)


class SqliteDatabase(sqlite_utils.Database):
    """sqlite-utils' Database plus the engine surface (see the module docstring)."""

    dialect: Dialect = "sqlite"

    def __init__(self, path: str | Path, *, any_thread: bool = False):
        super().__init__(sqlite3.connect(str(path), check_same_thread=False) if any_thread else str(path))
        self.url = str(path)

    def one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        for row in self.query(sql, params):
            return row
        return None

    @contextmanager
    def atomic(self) -> Iterator[SqliteDatabase]:
        """A transaction that takes the write lock when it starts (`write`); nested blocks are
        savepoints. A deferred BEGIN that reads and then writes fails at once with "database is locked"
        when another process committed in between (WAL cannot upgrade a stale snapshot, and SQLite skips
        the busy handler there), so two instances starting on one file could stop each other."""
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        with self.write():
            yield self

    @contextmanager
    def write(self) -> Iterator[None]:
        """BEGIN IMMEDIATE: take the write lock up front (no lock upgrade to fail later)."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    @property
    def file(self) -> Path | None:
        """The database file (None in memory)."""
        rows = list(self.conn.execute("PRAGMA database_list"))
        name = next((r[2] for r in rows if r[1] == "main"), "")
        return Path(name) if name else None


class _PgCursor:
    """What `execute` returns on PostgreSQL: rowcount and tuple rows, like sqlite3's cursor."""

    def __init__(self, rowcount: int, rows: list[tuple[Any, ...]]):
        self.rowcount = rowcount
        self._rows = rows

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self._rows)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self._rows)


class PostgresDatabase:
    """One psycopg 3 connection (autocommit outside `atomic`/`write`), used by one thread at a time."""

    dialect: Dialect = "postgres"

    def __init__(self, url: str, *, connect_timeout: float = 10.0):
        import psycopg

        self.url = url
        self._lock = threading.RLock()
        self._sql: dict[str, str] = {}
        # Called with each statement before `execute` or `query` runs it, while set (the report store's write
        # notes its first change to the records this way).
        self.before_execute: Callable[[str], None] | None = None
        try:
            self.conn = psycopg.connect(url, autocommit=True, connect_timeout=int(connect_timeout),
                                        application_name="libao")
        except psycopg.Error as exc:
            raise StorageError(f"cannot connect to {redact_url(url)}: {type(exc).__name__}") from None

    def _translate(self, sql: str) -> str:
        out = self._sql.get(sql)
        if out is None:
            out = self._sql[sql] = sql.replace("%", "%%").replace("?", "%s")
        return out

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _PgCursor:
        with self._lock:
            if self.before_execute is not None:  # under the lock: only the thread that set it sees it
                self.before_execute(sql)
            with self.conn.cursor() as cur:
                cur.execute(self._translate(sql), list(params))
                rows = cur.fetchall() if cur.description is not None else []
                return _PgCursor(cur.rowcount, rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        from psycopg.rows import dict_row

        with self._lock:
            if self.before_execute is not None:
                self.before_execute(sql)
            with self.conn.cursor(row_factory=dict_row) as cur:
                cur.execute(self._translate(sql), list(params))
                rows = cur.fetchall()
        return iter(rows)

    def one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        for row in self.query(sql, params):
            return row
        return None

    def executescript(self, sql: str) -> None:
        with self._lock:
            self.conn.execute(sql.encode("utf-8"))

    @contextmanager
    def atomic(self) -> Iterator[PostgresDatabase]:
        with self._lock, self.conn.transaction():
            yield self

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._lock, self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", [_WRITE_LOCK])
            yield

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self.conn.info.transaction_status != TransactionStatus.IDLE

    def close(self) -> None:
        self.conn.close()


Database = SqliteDatabase | PostgresDatabase


def open_database(url: str | Path, *, retries: int = 0, any_thread: bool = False) -> Database:
    """Open the database named by `url`: a postgresql:// URL, or a SQLite file path / ":memory:".

    SQLite files are created with WAL and synchronous=FULL (a commit survives a crash). `retries`:
    connection attempts to repeat for a PostgreSQL server that is still starting. `any_thread`: a
    SQLite connection usable from other threads (a PostgreSQL connection always is).
    """
    if is_postgres_url(url):
        for attempt in range(retries + 1):
            try:
                return PostgresDatabase(str(url))
            except StorageError:
                if attempt == retries:
                    raise
                time.sleep(min(2.0, 0.2 * (attempt + 1)))
    memory = str(url) == ":memory:"
    if not memory:
        Path(url).parent.mkdir(parents=True, exist_ok=True)
    db = SqliteDatabase(url, any_thread=any_thread)
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    if not memory:
        db.enable_wal()
    db.execute("PRAGMA synchronous=FULL")
    # Deleted rows are overwritten with zeros, so a cleared value is gone from the pages too.
    db.execute("PRAGMA secure_delete=ON")
    return db
