"""The web page's server-side state: browser sessions and the notices shown on the page.

- web_sessions: one row per signed-in or reporting browser, keyed by the SHA-256 of its cookie
  token (the table gives no cookie back); the receipt of an open report is sealed with the report
  key. Chat history is not stored: questions and drafts are never written (docs/privacy.md).
- web_notices: leak-report notices for web users (officers, receipt holders), sealed, until read.
"""

from __future__ import annotations

from typing import Any

from bot.storage.migrations import MigratedStore

# The session's user is a JSON object in a text column; its name, in each dialect's JSON syntax.
_USER_NAME = {"sqlite": "json_extract(\"user\", '$.name')", "postgres": "(\"user\"::json ->> 'name')"}


class WebStore(MigratedStore):
    """SQL of the web sessions and notices, either engine (see the module docstring)."""

    # -- sessions -----------------------------------------------------------------------------------
    def session(self, key: str) -> dict[str, Any] | None:
        return self.db.one("SELECT * FROM web_sessions WHERE key = ?", [key])

    def put_session(self, key: str, *, csrf: str, created: float, seen: float, user: str | None,
                    receipt: bytes | None, tries: int) -> None:
        with self.db.atomic():
            self.db.execute('INSERT INTO web_sessions (key, csrf, created, seen, "user", receipt, tries) '
                            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET csrf = excluded.csrf, "
                            'created = excluded.created, seen = excluded.seen, "user" = excluded."user", '
                            "receipt = excluded.receipt, tries = excluded.tries",
                            [key, csrf, created, seen, user, receipt, tries])

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
        name = _USER_NAME[self.db.dialect]
        with self.db.atomic():
            return [str(r[0]) for r in self.db.execute(
                f"DELETE FROM web_sessions WHERE {name} = ? RETURNING key", [user]).fetchall()]

    def purge_sessions(self, *, seen_before: float, created_before: float) -> int:
        with self.db.atomic():
            cur = self.db.execute("DELETE FROM web_sessions WHERE seen < ? OR created < ?",
                                  [seen_before, created_before])
        return int(cur.rowcount or 0)

    # -- notices ------------------------------------------------------------------------------------
    def add_notice(self, recipient: str, body: bytes) -> int:
        with self.db.atomic():
            row = self.db.execute("INSERT INTO web_notices (recipient, body, at) VALUES (?, ?, ?) RETURNING id",
                                  [recipient, body, self.clock()]).fetchone()
        assert row is not None
        return int(row[0])

    def take_notices(self, recipients: list[str], *, limit: int = 50) -> list[dict[str, Any]]:
        """The unread notices of `recipients`, oldest first; they are deleted as they are read, in one
        statement, so two instances serving the same page never hand out the same notice."""
        if not recipients:
            return []
        marks = ", ".join("?" for _ in recipients)
        with self.db.atomic():
            rows = list(self.db.query(
                f"DELETE FROM web_notices WHERE id IN (SELECT id FROM web_notices WHERE recipient IN ({marks}) "
                "ORDER BY id LIMIT ?) RETURNING id, recipient, body, at", [*recipients, limit]))
        return sorted(rows, key=lambda r: int(r["id"]))

    def has_notices(self, recipients: list[str]) -> bool:
        if not recipients:
            return False
        marks = ", ".join("?" for _ in recipients)
        return bool(list(self.db.query(f"SELECT 1 FROM web_notices WHERE recipient IN ({marks}) LIMIT 1",
                                       recipients)))
