"""Who is asking: built-in accounts (Argon2id + TOTP), the trusted single-sign-on header, sessions,
CSRF tokens and the login throttle. Nothing here logs a name, password, code or token.

Identities: a signed-in person is `web:<account>`; a receipt holder is `web:#<keyed hash of the
receipt>` ('#' is not allowed in account names), so a receipt is never stored or derivable from
what is stored. TOTP secrets and open receipts are sealed with the report key."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import json
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.core.reports.sealing import Sealer, SealError
from bot.storage import AccountStore
from bot.storage.web import WebStore

Role = Literal["staff", "officer", "admin"]
ROLES: tuple[Role, ...] = ("staff", "officer", "admin")
USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-@")
MAX_USERNAME = 64
MAX_PASSWORD = 1024
MIN_PASSWORD = 10
WEB = "web"


def receipt_identity(pseudonym: Callable[[int], str], receipt: str) -> str:
    """The identity a receipt stands for: keyed (the report key's pseudonym function), so what is
    stored about it does not give the receipt back."""
    return f"{WEB}:#{pseudonym(int(receipt))[:32]}"


def new_receipt() -> str:
    """16 random digits (53 bits), read in groups of four."""
    return "".join(secrets.choice("0123456789") for _ in range(16))


def parse_receipt(text: str) -> str | None:
    digits = "".join(c for c in text if not c.isspace() and c != "-")
    return digits if len(digits) == 16 and digits.isascii() and digits.isdigit() else None


def valid_username(name: str) -> bool:
    return 0 < len(name) <= MAX_USERNAME and set(name) <= USERNAME_CHARS


@dataclass(frozen=True, slots=True)
class WebUser:
    name: str
    role: Role
    via: Literal["account", "header"]

    @property
    def identity(self) -> str:
        """`web:<name>` (the same for SSO and a built-in account of one name)."""
        return f"{WEB}:{self.name}"

    @property
    def is_officer(self) -> bool:
        return self.role in ("officer", "admin")


# ----------------------------------------------------------------------------- built-in accounts


class Accounts:
    """`libao user add/disable/reset` and password + TOTP checks over the account table."""

    def __init__(self, store: AccountStore, *, sealer: Sealer | None = None, hasher: PasswordHasher | None = None,
                 clock: Callable[[], float] = time.time):
        self.store = store
        self.sealer = sealer  # TOTP secrets are sealed with the report key (outside the database)
        # Argon2id, argon2-cffi's defaults (RFC 9106 low-memory profile: 64 MiB, t=3, p=4).
        self.hasher = hasher or PasswordHasher()
        self.clock = clock
        self._dummy = self.hasher.hash(secrets.token_hex(16))

    def add(self, name: str, password: str, *, role: Role) -> str | None:
        """Create an account; returns the TOTP secret for officers and admins (show it once)."""
        self._check(name, password, role)
        secret = pyotp.random_base32() if role != "staff" else None
        if not self.store.add(name, role=role, password_hash=self.hasher.hash(password),
                              totp_sealed=self._seal(name, secret)):
            raise ValueError("an account with this name exists")
        return secret

    def _seal(self, name: str, secret: str | None) -> bytes | None:
        if secret is None:
            return None
        if self.sealer is None:
            raise ValueError("officer and admin accounts need the report key: their TOTP secret is sealed "
                             "with it (reports.key_file or LIBAO_REPORT_KEY_FILE)")
        return self.sealer.seal(secret, context=f"totp:{name}")

    def _totp_secret(self, row: dict[str, Any]) -> str | None:
        """The account's TOTP secret, opened; a sealed one that cannot be opened refuses sign-in."""
        if row.get("totp_sealed") is None:
            return None
        if self.sealer is None:
            raise SealError("no report key to open the TOTP secret")
        return self.sealer.open(bytes(row["totp_sealed"]), context=f"totp:{row['username']}")

    def seal_legacy(self) -> int:
        """Seal TOTP secrets an older version stored in clear; returns how many were sealed."""
        if self.sealer is None:
            return 0
        done = 0
        for name, secret in self.store.clear_totp_secrets():
            self.store.set_totp_sealed(name, self.sealer.seal(secret, context=f"totp:{name}"))
            done += 1
        return done

    def reset(self, name: str, password: str) -> str | None:
        row = self.store.get(name)
        if row is None:
            raise ValueError("no such account")
        self._check(name, password, row["role"])
        secret = pyotp.random_base32() if row["role"] != "staff" else None
        self.store.reset(name, password_hash=self.hasher.hash(password), totp_sealed=self._seal(name, secret))
        return secret

    def disable(self, name: str) -> bool:
        return self.store.set_disabled(name, True)

    @staticmethod
    def _check(name: str, password: str, role: str) -> None:
        if not valid_username(name):
            raise ValueError("username: 1-64 of a-z 0-9 . _ - @")
        if role not in ROLES:
            raise ValueError("role: staff, officer or admin")
        if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            raise ValueError(f"password: {MIN_PASSWORD} to {MAX_PASSWORD} characters")

    def verify(self, name: str, password: str, code: str) -> WebUser | None:
        """The user when password (and, for officers/admins, a fresh TOTP code) are right."""
        row = self.store.get(name) if valid_username(name) else None
        if row is None or row["disabled"] or len(password) > MAX_PASSWORD:
            # the same work for unknown names: no timing oracle for which accounts exist
            with contextlib.suppress(VerificationError):
                self.hasher.verify(self._dummy, password[:MAX_PASSWORD])
            return None
        try:
            self.hasher.verify(row["password_hash"], password)
        except (VerificationError, InvalidHashError):
            return None
        if self.hasher.check_needs_rehash(row["password_hash"]):
            self.store.set_password_hash(name, self.hasher.hash(password))
        try:
            secret = self._totp_secret(row)
        except SealError:
            return None  # fails closed: a secret that cannot be opened admits nobody
        if secret is not None or row["role"] != "staff":
            step = self._totp_step(secret, code) if secret is not None else None
            if step is None or not self.store.use_totp_step(name, step):
                return None
        return WebUser(name=name, role=row["role"], via="account")

    def _totp_step(self, secret: str, code: str) -> int | None:
        """The time step `code` belongs to (now ±1 step for clock drift), or None."""
        code = code.strip()
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            return None
        totp = pyotp.TOTP(secret)
        now = self.clock()
        for drift in (0, -1, 1):
            at = now + drift * totp.interval
            if hmac.compare_digest(totp.at(at), code):
                return int(at // totp.interval)
        return None


# ----------------------------------------------------------------------------- trusted header


class TrustedHeader:
    """The single-sign-on proxy's header, believed only when the connection comes from it."""

    def __init__(self, proxies: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network], *, user_header: str,
                 groups_header: str, officer_groups: Iterable[str], admin_groups: Iterable[str]):
        self.proxies = tuple(proxies)
        self.user_header = user_header.lower()
        self.groups_header = groups_header.lower()
        self.officer_groups = frozenset(officer_groups)
        self.admin_groups = frozenset(admin_groups)

    def from_proxy(self, client_host: str | None) -> bool:
        if not self.proxies or not client_host:
            return False
        try:
            address = ipaddress.ip_address(client_host)
        except ValueError:
            return False
        return any(address in net for net in self.proxies)

    def user(self, client_host: str | None, headers: dict[str, str]) -> WebUser | None:
        if not self.from_proxy(client_host):
            return None
        name = headers.get(self.user_header, "").strip().lower()
        if not valid_username(name):
            return None
        groups = {g.strip() for g in headers.get(self.groups_header, "").replace(";", ",").split(",")}
        role: Role = "admin" if groups & self.admin_groups else "officer" if groups & self.officer_groups else "staff"
        return WebUser(name=name, role=role, via="header")


# ----------------------------------------------------------------------------- sessions


@dataclass(slots=True)
class Session:
    """Server-side state of one browser; the cookie holds only a random token, `key` its hash."""

    key: str
    csrf: str
    created: float
    seen: float
    user: WebUser | None = None
    receipt: str | None = None  # a report conversation or a receipt opened in this browser
    tries: int = 0  # receipt attempts
    # Kept in memory only: questions and drafts are never written to disk (docs/privacy.md).
    history: deque[dict[str, object]] = field(default_factory=lambda: deque(maxlen=60))
    next_id: int = 1
    stored_seen: float = 0.0


class Sessions:
    """Random 256-bit tokens, keyed by their SHA-256 (neither memory nor the database gives a cookie
    back). Kept in the database through `store`, so a restart signs nobody out; recently used ones
    are cached in memory, and `seen` is written at most once a minute (the idle limit's resolution),
    which is also when a session ended by `libao user disable` is noticed."""

    def __init__(self, *, idle: float, max_age: float, clock: Callable[[], float] = time.time, limit: int = 50_000,
                 store: WebStore | None = None, sealer: Sealer | None = None):
        self.idle = idle
        self.max_age = max_age
        self.clock = clock
        self.limit = limit
        self.store = store
        self.sealer = sealer
        self._table: OrderedDict[str, Session] = OrderedDict()

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def get(self, token: str | None) -> Session | None:
        if not token or len(token) > 100:
            return None
        key = self._key(token)
        session = self._table.get(key) or self._load(key)
        now = self.clock()
        if session is None:
            return None
        if now - session.seen > self.idle or now - session.created > self.max_age:
            self._forget(key)
            return None
        session.seen = now
        self._table[key] = session
        self._table.move_to_end(key)
        while len(self._table) > self.limit:
            self._table.popitem(last=False)  # still in the database
        if self.store is not None and now - session.stored_seen > min(60.0, self.idle / 4):
            if not self.store.touch_session(key, seen=now):  # ended by another process
                self._table.pop(key, None)
                return None
            session.stored_seen = now
        return session

    def new(self, *, user: WebUser | None = None) -> tuple[str, Session]:
        token = secrets.token_urlsafe(32)
        now = self.clock()
        session = Session(key=self._key(token), csrf=secrets.token_urlsafe(32), created=now, seen=now, user=user)
        self._table[session.key] = session
        while len(self._table) > self.limit:
            self._table.popitem(last=False)
        self.save(session)
        return token, session

    def save(self, session: Session) -> None:
        """Write the session's sign-in and receipt (call after changing them)."""
        if self.store is None:
            return
        user = (json.dumps({"name": session.user.name, "role": session.user.role, "via": session.user.via})
                if session.user is not None else None)
        receipt = None
        if session.receipt is not None:
            if self.sealer is None:
                raise SealError("no report key to seal the receipt")
            receipt = self.sealer.seal(session.receipt, context=f"web-session:{session.key}")
        self.store.put_session(session.key, csrf=session.csrf, created=session.created, seen=session.seen,
                               user=user, receipt=receipt, tries=session.tries)
        session.stored_seen = session.seen

    def _load(self, key: str) -> Session | None:
        row = self.store.session(key) if self.store is not None else None
        if row is None:
            return None
        try:
            data = json.loads(row["user"]) if row["user"] else None
            user = WebUser(name=data["name"], role=data["role"], via=data["via"]) if data else None
            receipt = None
            if row["receipt"] is not None:
                if self.sealer is None:
                    return None
                receipt = self.sealer.open(bytes(row["receipt"]), context=f"web-session:{key}")
        except (ValueError, KeyError, TypeError, SealError):
            return None  # a damaged or foreign row signs nobody in
        return Session(key=key, csrf=str(row["csrf"]), created=float(row["created"]), seen=float(row["seen"]),
                       user=user, receipt=receipt, tries=int(row["tries"]), stored_seen=float(row["seen"]))

    def _forget(self, key: str) -> None:
        self._table.pop(key, None)
        if self.store is not None:
            self.store.drop_session(key)

    def drop(self, token: str | None) -> None:
        if token and len(token) <= 100:
            self._forget(self._key(token))

    def drop_user(self, name: str) -> None:
        """End every session of a user (account disabled or reset)."""
        for key in [k for k, s in self._table.items() if s.user is not None and s.user.name == name]:
            del self._table[key]
        if self.store is not None:
            self.store.drop_user_sessions(name)

    def purge(self) -> int:
        """Delete expired sessions from the database."""
        now = self.clock()
        if self.store is None:
            return 0
        return self.store.purge_sessions(seen_before=now - self.idle, created_before=now - self.max_age)


def csrf_ok(session: Session, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(session.csrf.encode(), (token or "").encode())


class Throttle:
    """At most `attempts` failures per key within `window` seconds; keys are hashed (no names kept)."""

    def __init__(self, *, attempts: int, window: float, clock: Callable[[], float] = time.time, limit: int = 100_000):
        self.attempts = attempts
        self.window = window
        self.clock = clock
        self.limit = limit
        self._fails: OrderedDict[str, deque[float]] = OrderedDict()

    @staticmethod
    def _key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()[:32]

    def blocked(self, *keys: str) -> bool:
        now = self.clock()
        for key in keys:
            fails = self._fails.get(self._key(key))
            if fails is None:
                continue
            while fails and now - fails[0] > self.window:
                fails.popleft()
            if len(fails) >= self.attempts:
                return True
        return False

    def fail(self, *keys: str) -> None:
        now = self.clock()
        for key in keys:
            k = self._key(key)
            self._fails.setdefault(k, deque(maxlen=self.attempts * 2)).append(now)
            self._fails.move_to_end(k)
        while len(self._fails) > self.limit:
            self._fails.popitem(last=False)

    def clear(self, *keys: str) -> None:
        for key in keys:
            self._fails.pop(self._key(key), None)
