"""Built-in web accounts (sites without single sign-on): the one module with their SQL.

A row holds the username, role, an Argon2id password hash, the TOTP secret of officers and admins,
the last accepted TOTP time step (a code is accepted once) and a disabled flag. No password or
code is ever stored in clear.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import sqlite_utils


class AccountStore:
    """CRUD over the `web_accounts` table."""

    def __init__(self, db: sqlite_utils.Database, *, clock: Callable[[], float] = time.time):
        self.db = db
        self.clock = clock
        with db.atomic():
            db.table("web_accounts").create(
                {"username": str, "role": str, "password_hash": str, "totp_secret": str,
                 "totp_last_step": int, "disabled": int, "created_at": float, "updated_at": float},
                pk="username", not_null={"role", "password_hash", "disabled", "created_at", "updated_at"},
                defaults={"disabled": 0, "totp_last_step": 0}, if_not_exists=True)

    def get(self, username: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM web_accounts WHERE username = ?", [username]))
        return rows[0] if rows else None

    def add(self, username: str, *, role: str, password_hash: str, totp_secret: str | None) -> bool:
        """Insert a new account; False when the name is taken."""
        now = self.clock()
        with self.db.atomic():
            if self.get(username) is not None:
                return False
            self.db.execute(
                "INSERT INTO web_accounts (username, role, password_hash, totp_secret, totp_last_step, "
                "disabled, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0, ?, ?)",
                [username, role, password_hash, totp_secret, now, now])
        return True

    def set_disabled(self, username: str, disabled: bool) -> bool:
        with self.db.atomic():
            cur = self.db.execute("UPDATE web_accounts SET disabled = ?, updated_at = ? WHERE username = ?",
                                  [1 if disabled else 0, self.clock(), username])
        return cur.rowcount > 0

    def reset(self, username: str, *, password_hash: str, totp_secret: str | None) -> bool:
        """New password (and TOTP secret); re-enables the account."""
        with self.db.atomic():
            cur = self.db.execute(
                "UPDATE web_accounts SET password_hash = ?, totp_secret = ?, totp_last_step = 0, disabled = 0, "
                "updated_at = ? WHERE username = ?", [password_hash, totp_secret, self.clock(), username])
        return cur.rowcount > 0

    def set_password_hash(self, username: str, password_hash: str) -> None:
        """Rehash on login when the KDF parameters were raised."""
        with self.db.atomic():
            self.db.execute("UPDATE web_accounts SET password_hash = ? WHERE username = ?", [password_hash, username])

    def use_totp_step(self, username: str, step: int) -> bool:
        """Record `step` as used; False when it (or a later one) was used already: replay."""
        with self.db.atomic():
            cur = self.db.execute(
                "UPDATE web_accounts SET totp_last_step = ? WHERE username = ? AND totp_last_step < ?",
                [step, username, step])
        return cur.rowcount > 0

    def list(self) -> list[dict[str, Any]]:
        return list(self.db.query(
            "SELECT username, role, disabled, totp_secret IS NOT NULL AS has_totp, created_at "
            "FROM web_accounts ORDER BY username"))
