"""The reply model every channel renders: text with buttons out, the `Sender` of an update in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["staff", "officer", "admin"]

COPY_MAX_CHARS = 256  # Telegram's limit for a copy-text button


@dataclass(frozen=True, slots=True)
class Button:
    """A button under a reply. Exactly one of: `data` (tap comes back to `Assistant.tap`),
    `copy_text` (copies that text), `switch_inline` (opens inline mode in another chat)."""

    label: str
    data: str = ""
    copy_text: str | None = None
    switch_inline: str | None = None


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Reply:
    """What the assistant says. `edit`: replace the message whose button was tapped instead of
    sending a new one; `toast`: a short notice for a tapped button (shown briefly)."""

    text: str
    buttons: Keyboard = ()
    edit: bool = False
    toast: str | None = None


@dataclass(frozen=True, slots=True)
class InlineItem:
    """One result of inline mode (a standard phrase ready to insert)."""

    id: str
    title: str
    description: str
    text: str


@dataclass(frozen=True, slots=True)
class Sender:
    """Who is talking, and where: an already admitted user (access control happens in the channel).

    `chat_id` (None: the user's own chat) and `private` say where the update came from, `update_key`
    identifies it for replay protection (None when the channel never redelivers, e.g. the console).
    `username` is the Telegram @handle, or on the other channels the identity `channel:user_id`."""

    user_id: int
    role: Role = "staff"
    first_name: str = ""
    username: str = ""
    chat_id: int | None = None
    private: bool = True
    update_key: str | None = None
