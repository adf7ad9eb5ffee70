"""Built-in web accounts (sites without single sign-on): the one module with their SQL.

A row holds the username, role, an Argon2id password hash, the TOTP secret of officers and admins
sealed with the report key (kept outside the database; `totp_secret` holds only secrets an older
version wrote in clear, until they are sealed at start), the last accepted TOTP time step (a code
is accepted once) and a disabled flag. No password, secret or code is stored in clear.
"""

from __future__ import annotations

from typing import Any

from bot.storage.migrations import MigratedStore


class AccountStore(MigratedStore):
    """CRUD over the `web_accounts` table (either engine)."""

    def get(self, username: str) -> dict[str, Any] | None:
        return self.db.one("SELECT * FROM web_accounts WHERE username = ?", [username])

    def add(self, username: str, *, role: str, password_hash: str, totp_sealed: bytes | None) -> bool:
        """Insert a new account; False when the name is taken."""
        now = self.clock()
        with self.db.atomic():
            if self.get(username) is not None:
                return False
            self.db.execute(
                "INSERT INTO web_accounts (username, role, password_hash, totp_sealed, totp_last_step, "
                "disabled, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0, ?, ?)",
                [username, role, password_hash, totp_sealed, now, now])
        return True

    def set_disabled(self, username: str, disabled: bool) -> bool:
        with self.db.atomic():
            cur = self.db.execute("UPDATE web_accounts SET disabled = ?, updated_at = ? WHERE username = ?",
                                  [1 if disabled else 0, self.clock(), username])
        return cur.rowcount > 0

    def reset(self, username: str, *, password_hash: str, totp_sealed: bytes | None) -> bool:
        """New password (and TOTP secret); re-enables the account."""
        with self.db.atomic():
            cur = self.db.execute(
                "UPDATE web_accounts SET password_hash = ?, totp_sealed = ?, totp_secret = NULL, totp_last_step = 0, "
                "disabled = 0, updated_at = ? WHERE username = ?", [password_hash, totp_sealed, self.clock(), username])
        return cur.rowcount > 0

    def clear_totp_secrets(self) -> list[tuple[str, str]]:
        """(username, secret) of accounts whose TOTP secret is still in clear."""
        return [(str(r["username"]), str(r["totp_secret"])) for r in self.db.query(
            "SELECT username, totp_secret FROM web_accounts WHERE totp_secret IS NOT NULL")]

    def set_totp_sealed(self, username: str, sealed: bytes) -> None:
        with self.db.atomic():
            self.db.execute("UPDATE web_accounts SET totp_sealed = ?, totp_secret = NULL WHERE username = ?",
                            [sealed, username])

    def officer_names(self) -> list[str]:
        """Enabled officer and admin accounts (they receive report notices on the web page)."""
        return [str(r["username"]) for r in self.db.query(
            "SELECT username FROM web_accounts WHERE role IN ('officer', 'admin') AND disabled = 0 ORDER BY username")]

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
            "SELECT username, role, disabled, (totp_sealed IS NOT NULL OR totp_secret IS NOT NULL) AS has_totp, "
            "created_at FROM web_accounts ORDER BY username"))
