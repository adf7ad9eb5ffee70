"""Button callback data: compact, versioned, validated.

``"<version><kind>:<payload>..."``, e.g. ``"1a:phone.ring_three"`` (show an answer), ``"1v:phone.ring_three:+"``
(vote). Anything that does not parse or carries another version decodes to None, so a forged or stale
button gets the polite "expired" reply, never an error.
"""

from __future__ import annotations

import re

CB_VERSION = "1"
CB_MAX_BYTES = 64  # Telegram's limit for callback_data
_PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_.+\-]{1,56}$")


def prefix(kind: str) -> str:
    """The start of every callback of `kind`, e.g. "1r:" for the leak-report buttons."""
    return CB_VERSION + kind + ":"


def encode(kind: str, *parts: str) -> str:
    """Callback data for a button: version + kind, then the payload parts."""
    data = ":".join((CB_VERSION + kind, *parts))
    if len(data.encode()) > CB_MAX_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def decode(data: str) -> tuple[str, tuple[str, ...]] | None:
    """(kind, parts) of well-formed current-version data, else None (forged, stale or foreign)."""
    if not data or len(data.encode()) > CB_MAX_BYTES:
        return None
    head, *parts = data.split(":")
    if len(head) != len(CB_VERSION) + 1 or not head.startswith(CB_VERSION):
        return None
    if any(not _PAYLOAD_RE.match(p) for p in parts):
        return None
    return head[-1], tuple(parts)
