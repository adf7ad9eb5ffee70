"""Reply (channel-neutral) -> Telegram: plain-text chunks within the message limit, inline keyboards."""

from __future__ import annotations

from telegram import CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.chat.reply import Button, Keyboard, Reply

MAX_MESSAGE_UTF16 = 4096  # Telegram counts UTF-16 code units


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_MESSAGE_UTF16) -> list[str]:
    """Cut `text` into messages of at most `limit` UTF-16 units, preferring line breaks."""
    if _utf16_len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while _utf16_len(line) > limit:  # one overlong line: hard cut
            room = limit - _utf16_len(current)
            cut = _fit(line, room) if room > 0 else 0
            if cut == 0:
                chunks.append(current)
                current = ""
                continue
            chunks.append(current + line[:cut])
            current, line = "", line[cut:]
        if _utf16_len(current) + _utf16_len(line) > limit:
            chunks.append(current)
            current = ""
        current += line
    if current:
        chunks.append(current)
    return [c.rstrip("\n") or "…" for c in chunks if c]


def _fit(text: str, room: int) -> int:
    """How many characters of `text` fit in `room` UTF-16 units."""
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > room:
            return i
    return len(text)


def _button(b: Button) -> InlineKeyboardButton:
    if b.copy_text is not None:
        return InlineKeyboardButton(b.label, copy_text=CopyTextButton(b.copy_text))
    if b.switch_inline is not None:
        return InlineKeyboardButton(b.label, switch_inline_query=b.switch_inline)
    return InlineKeyboardButton(b.label, callback_data=b.data)


def keyboard(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    rows = [[_button(b) for b in row] for row in buttons if row]
    return InlineKeyboardMarkup(rows) if rows else None


def render(reply: Reply) -> tuple[list[str], InlineKeyboardMarkup | None]:
    """The message texts (the keyboard goes under the last one) and the keyboard."""
    return split_text(reply.text), keyboard(reply.buttons)
