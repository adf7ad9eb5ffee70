"""Who is asking: built-in accounts (Argon2id + TOTP), the trusted single-sign-on header, sessions,
CSRF tokens and the login throttle. Nothing here logs a name, password, code or token."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.storage import AccountStore

Role = Literal["staff", "officer", "admin"]
ROLES: tuple[Role, ...] = ("staff", "officer", "admin")
USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-@")
MAX_USERNAME = 64
MAX_PASSWORD = 1024
MIN_PASSWORD = 10
# Web people get ids in a range no messenger uses (bot.core.reports.service.LOCAL_IDS_BELOW).
_SIGNED_IN_BASE = -(2**61)
_RECEIPT_BASE = -(2**62)


def web_user_id(name: str) -> int:
    """A stable id for a signed-in web user (the same for SSO and a built-in account of one name)."""
    digest = hashlib.sha256(f"web-user:{name}".encode()).digest()
    return _SIGNED_IN_BASE - int.from_bytes(digest[:6], "big")


def receipt_user_id(pseudonym: Callable[[int], str], receipt: str) -> int:
    """The reporter id a receipt stands for: keyed (the report key's pseudonym function), so the
    id kept in a sealed identity does not give the receipt back."""
    return _RECEIPT_BASE - int(pseudonym(int(receipt))[:13], 16)


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
    def user_id(self) -> int:
        return web_user_id(self.name)

    @property
    def is_officer(self) -> bool:
        return self.role in ("officer", "admin")


# ----------------------------------------------------------------------------- built-in accounts


class Accounts:
    """`libao user add/disable/reset` and password + TOTP checks over the account table."""

    def __init__(self, store: AccountStore, *, hasher: PasswordHasher | None = None,
                 clock: Callable[[], float] = time.time):
        self.store = store
        # Argon2id, argon2-cffi's defaults (RFC 9106 low-memory profile: 64 MiB, t=3, p=4).
        self.hasher = hasher or PasswordHasher()
        self.clock = clock
        self._dummy = self.hasher.hash(secrets.token_hex(16))

    def add(self, name: str, password: str, *, role: Role) -> str | None:
        """Create an account; returns the TOTP secret for officers and admins (show it once)."""
        self._check(name, password, role)
        secret = pyotp.random_base32() if role != "staff" else None
        if not self.store.add(name, role=role, password_hash=self.hasher.hash(password), totp_secret=secret):
            raise ValueError("an account with this name exists")
        return secret

    def reset(self, name: str, password: str) -> str | None:
        row = self.store.get(name)
        if row is None:
            raise ValueError("no such account")
        self._check(name, password, row["role"])
        secret = pyotp.random_base32() if row["role"] != "staff" else None
        self.store.reset(name, password_hash=self.hasher.hash(password), totp_secret=secret)
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
        if row["totp_secret"]:
            step = self._totp_step(row["totp_secret"], code)
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
    """Server-side state of one browser; the cookie holds only a random token."""

    csrf: str
    created: float
    seen: float
    user: WebUser | None = None
    receipt: str | None = None  # a report conversation or a receipt opened in this browser
    tries: int = 0  # receipt attempts
    history: deque[dict[str, object]] = field(default_factory=lambda: deque(maxlen=60))
    next_id: int = 1


class Sessions:
    """Random 256-bit tokens; the table is keyed by their SHA-256, so a memory dump gives no cookie."""

    def __init__(self, *, idle: float, max_age: float, clock: Callable[[], float] = time.time, limit: int = 50_000):
        self.idle = idle
        self.max_age = max_age
        self.clock = clock
        self.limit = limit
        self._table: OrderedDict[str, Session] = OrderedDict()

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def get(self, token: str | None) -> Session | None:
        if not token or len(token) > 100:
            return None
        key = self._key(token)
        session = self._table.get(key)
        now = self.clock()
        if session is None:
            return None
        if now - session.seen > self.idle or now - session.created > self.max_age:
            del self._table[key]
            return None
        session.seen = now
        self._table.move_to_end(key)
        return session

    def new(self, *, user: WebUser | None = None) -> tuple[str, Session]:
        token = secrets.token_urlsafe(32)
        now = self.clock()
        session = Session(csrf=secrets.token_urlsafe(32), created=now, seen=now, user=user)
        self._table[self._key(token)] = session
        while len(self._table) > self.limit:
            self._table.popitem(last=False)
        return token, session

    def drop(self, token: str | None) -> None:
        if token:
            self._table.pop(self._key(token), None)

    def drop_user(self, name: str) -> None:
        """End every session of a user (account disabled or reset)."""
        for key in [k for k, s in self._table.items() if s.user is not None and s.user.name == name]:
            del self._table[key]


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
