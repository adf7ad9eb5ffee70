"""The web page's server-side state: browser sessions and the notices shown on the page.

- web_sessions: one row per signed-in or reporting browser, keyed by the SHA-256 of its cookie
  token (the table gives no cookie back); the receipt of an open report is sealed with the report
  key. Chat history is not stored: questions and drafts are never written (docs/privacy.md).
- web_notices: leak-report notices for web users (officers, receipt holders), sealed, until read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bot.storage.engine import Database, SqliteDatabase, StorageError


class WebStore:
    """SQL of the web sessions and notices (see the module docstring)."""

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time):
        if not isinstance(db, SqliteDatabase):
            raise StorageError("the web channel's accounts and sessions are kept in SQLite only so far; "
                               "run the web channel with a SQLite database")
        self.db = db
        self.clock = clock
        with db.atomic():
            db.execute("CREATE TABLE IF NOT EXISTS web_sessions (key TEXT PRIMARY KEY, csrf TEXT NOT NULL, "
                       "created REAL NOT NULL, seen REAL NOT NULL, user TEXT, receipt BLOB, "
                       "tries INTEGER NOT NULL DEFAULT 0)")
            db.execute("CREATE INDEX IF NOT EXISTS web_sessions_user ON web_sessions (user)")
            db.execute("CREATE TABLE IF NOT EXISTS web_notices (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                       "recipient TEXT NOT NULL, body BLOB NOT NULL, at REAL NOT NULL)")
            db.execute("CREATE INDEX IF NOT EXISTS web_notices_recipient ON web_notices (recipient, id)")

    # -- sessions -----------------------------------------------------------------------------------
    def session(self, key: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM web_sessions WHERE key = ?", [key]))
        return rows[0] if rows else None

    def put_session(self, key: str, *, csrf: str, created: float, seen: float, user: str | None,
                    receipt: bytes | None, tries: int) -> None:
        with self.db.atomic():
            self.db.execute("INSERT OR REPLACE INTO web_sessions (key, csrf, created, seen, user, receipt, tries) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)", [key, csrf, created, seen, user, receipt, tries])

    def touch_session(self, key: str, *, seen: float) -> bool:
        """Record use; False when the session is gone (ended elsewhere, e.g. `libao user disable`)."""
        with self.db.atomic():
            cur = self.db.execute("UPDATE web_sessions SET seen = ? WHERE key = ?", [seen, key])
        return cur.rowcount > 0

    def drop_session(self, key: str) -> None:
        with self.db.atomic():
            self.db.execute("DELETE FROM web_sessions WHERE key = ?", [key])

    def drop_user_sessions(self, user: str) -> list[str]:
        """Delete every session of `user` (its JSON column's name); returns their keys."""
        with self.db.atomic():
            keys = [str(r["key"]) for r in self.db.query(
                "SELECT key FROM web_sessions WHERE json_extract(user, '$.name') = ?", [user])]
            self.db.execute("DELETE FROM web_sessions WHERE json_extract(user, '$.name') = ?", [user])
        return keys

    def purge_sessions(self, *, seen_before: float, created_before: float) -> int:
        with self.db.atomic():
            cur = self.db.execute("DELETE FROM web_sessions WHERE seen < ? OR created < ?",
                                  [seen_before, created_before])
        return int(cur.rowcount or 0)

    # -- notices ------------------------------------------------------------------------------------
    def add_notice(self, recipient: str, body: bytes) -> int:
        with self.db.atomic():
            cur = self.db.execute("INSERT INTO web_notices (recipient, body, at) VALUES (?, ?, ?)",
                                  [recipient, body, self.clock()])
        return int(cur.lastrowid or 0)

    def take_notices(self, recipients: list[str], *, limit: int = 50) -> list[dict[str, Any]]:
        """The unread notices of `recipients`, oldest first; they are deleted as they are read."""
        if not recipients:
            return []
        marks = ", ".join("?" for _ in recipients)
        with self.db.atomic():
            rows = list(self.db.query(f"SELECT * FROM web_notices WHERE recipient IN ({marks}) "
                                      "ORDER BY id LIMIT ?", [*recipients, limit]))
            if rows:
                ids = [r["id"] for r in rows]
                self.db.execute(f"DELETE FROM web_notices WHERE id IN ({', '.join('?' for _ in ids)})", ids)
        return rows

    def has_notices(self, recipients: list[str]) -> bool:
        if not recipients:
            return False
        marks = ", ".join("?" for _ in recipients)
        return bool(list(self.db.query(f"SELECT 1 FROM web_notices WHERE recipient IN ({marks}) LIMIT 1",
                                       recipients)))
