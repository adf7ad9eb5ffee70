"""Sealing of leak-report content and reporter identity (AES-256-GCM, key outside the database).

One 32-byte master key, read from a key file or the environment, never from the database.
Sub-keys are derived with HKDF for: encryption, pseudonyms (so a raw Telegram user id never
reaches the database) and signing callback data (so forged buttons are refused).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import stat
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.core.reports.ledger import WrongKeyError
from bot.core.yamlfile import FileRefused, read_bounded

_VERSION = b"\x01"  # first byte of every sealed blob, so the key or cipher can be rotated later
_NONCE = 12


class ReportKeyError(Exception):
    """The report key is missing, malformed or stored unsafely (message says which, not the key)."""


class SealError(Exception):
    """A sealed value could not be opened: wrong key, or tampered / swapped between rows."""


class RecordTampered(Exception):
    """A report's sealed fields do not open with its metadata: the record was altered in the database."""

    def __init__(self, ref: str):
        super().__init__(f"report {ref}: record altered (its sealed content does not match its metadata)")
        self.ref = ref


def _derive(master: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"libao-report/" + label).derive(master)


class Sealer:
    """Encrypts with a per-field context (the row and column), so ciphertexts cannot be swapped."""

    def __init__(self, master: bytes):
        if len(master) != 32:
            raise ReportKeyError("the report key must be exactly 32 bytes")
        self._aead = AESGCM(_derive(master, b"seal-v1"))
        self._pid_key = _derive(master, b"pseudonym-v1")
        self._sign_key = _derive(master, b"callback-v1")
        self.audit_key = _derive(master, b"audit-v1")
        # The chat's vote/settings pseudonyms on PostgreSQL (SQLite keeps its own key file).
        self.chat_key = _derive(master, b"chat-pseudonym-v1")

    def seal(self, text: str, *, context: str) -> bytes:
        nonce = os.urandom(_NONCE)
        return _VERSION + nonce + self._aead.encrypt(nonce, text.encode("utf-8"), context.encode("utf-8"))

    def open(self, blob: bytes, *, context: str) -> str:
        if not isinstance(blob, bytes) or not blob or blob[:1] != _VERSION:
            raise SealError("unknown sealed-value version")
        nonce, body = blob[1:1 + _NONCE], blob[1 + _NONCE:]
        try:
            return self._aead.decrypt(nonce, body, context.encode("utf-8")).decode("utf-8")
        except InvalidTag:
            raise SealError("sealed value does not open with this key and context") from None

    def seal_json(self, value: Any, *, context: str) -> bytes:
        return self.seal(json.dumps(value, ensure_ascii=False, separators=(",", ":")), context=context)

    def open_json(self, blob: bytes, *, context: str) -> Any:
        return json.loads(self.open(blob, context=context))

    def pseudonym(self, user_id: int) -> str:
        """A stable stand-in for a Telegram user id (HMAC-SHA256, 128 bits, hex)."""
        return hmac.new(self._pid_key, f"tg-user:{int(user_id)}".encode(), hashlib.sha256).hexdigest()[:32]

    def sign(self, payload: str) -> str:
        """`payload` + ":" + a 60-bit MAC (12 base32 characters), for button callback data."""
        mac = hmac.new(self._sign_key, payload.encode("utf-8"), hashlib.sha256).digest()[:8]
        return payload + ":" + base64.b32encode(mac).decode("ascii")[:12]

    def verify(self, data: str) -> str | None:
        """The payload of correctly signed data, else None."""
        payload, sep, _ = data.rpartition(":")
        if not sep:
            return None
        return payload if hmac.compare_digest(self.sign(payload).encode(), data.encode()) else None


# Fields of a report that never change after submission; they are the associated data of its sealed
# content and identity, so flipping `confidential` or swapping the reporter breaks decryption.
BOUND_FIELDS = ("ref", "draft_nonce", "reporter", "category", "urgency", "confidential", "created_at")


def record_context(kind: str, row: dict[str, Any]) -> str:
    """The AEAD context of a report's `content` or `identity`: the field name plus its bound metadata."""
    values = [row[k] for k in BOUND_FIELDS]
    values[5], values[6] = int(values[5]), repr(float(values[6]))
    return f"{kind}:v2:" + json.dumps(values, ensure_ascii=False)


def reseal_legacy(store: Any, sealer: Sealer) -> dict[str, Any]:
    """Re-seal reports written before their metadata was bound into the sealing context (adopting an
    older database with its key). A report that opens under neither context was sealed with another
    key: WrongKeyError, and the caller's transaction writes nothing."""
    count = 0
    for row in store.reports(open_only=False):
        ref = str(row["ref"])
        try:
            sealer.open(row["content"], context=record_context("content", row))
            continue  # already bound
        except SealError:
            pass
        try:
            identity = sealer.open_json(row["identity"], context=f"identity:{ref}")
            content = sealer.open_json(row["content"], context=f"content:{ref}")
        except SealError:
            raise WrongKeyError("this report key does not open the reports of this database") from None
        store.reseal_report(ref, identity=sealer.seal_json(identity, context=record_context("identity", row)),
                            content=sealer.seal_json(content, context=record_context("content", row)))
        count += 1
    return {"resealed_reports": count}


# ----------------------------------------------------------------------------- key handling

MAX_KEY_FILE_BYTES = 1024


def generate_key_file(path: Path) -> None:
    """Write a new random key readable by the owner only; refuse to overwrite an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(base64.urlsafe_b64encode(os.urandom(32)).decode("ascii") + "\n")


def _decode(text: str, where: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise ReportKeyError(f"{where}: not base64") from None
    if len(key) != 32:
        raise ReportKeyError(f"{where}: must decode to 32 bytes")
    return key


def load_master_key(*, key: str | None = None, key_file: str | Path | None = None,
                    db_path: str | Path | None = None) -> bytes:
    """The master key: `key` (base64, from $LIBAO_REPORT_KEY) if given, else the file `key_file`."""
    if key:
        return _decode(key, "LIBAO_REPORT_KEY")
    if not key_file:
        raise ReportKeyError("no report key: set LIBAO_REPORT_KEY_FILE or reports.key_file "
                             "(create one: `libao report keygen FILE`)")
    path = Path(key_file)
    if db_path is not None and str(db_path) != ":memory:" and "://" not in str(db_path):
        db = Path(db_path).resolve()
        if path.resolve() in {db, Path(f"{db}-wal"), Path(f"{db}-shm")}:
            raise ReportKeyError("the report key must be kept outside the database file")
    return _decode(_read_key_file(path), str(path))


def _read_key_file(path: Path) -> str:
    """The key file's text, after its type, size and permissions were checked on the open descriptor.

    A FIFO, a device or a huge file is refused before any read; so is a key others can read.
    """

    def private(info: os.stat_result) -> None:
        if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ReportKeyError(f"the report key file {path} is readable by others; run: chmod 600 {path}")

    try:
        raw = read_bounded(path, max_bytes=MAX_KEY_FILE_BYTES, inspect=private)
    except FileRefused as exc:
        if exc.reason == "not_regular":
            raise ReportKeyError(f"the report key file {path} is not a regular file") from None
        if exc.reason == "too_large":
            raise ReportKeyError(f"the report key file {path} is too large to be a key "
                                 f"({exc.size or exc.limit} bytes)") from None
        raise ReportKeyError(f"cannot read the report key file {path}: {exc.detail}") from None
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        raise ReportKeyError(f"cannot read the report key file {path}: not ASCII") from None
