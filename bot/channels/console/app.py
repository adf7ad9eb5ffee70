"""The console twin of the Telegram bot: the same Assistant, rendered as text in a terminal.

Type a question, or a command as in Telegram (/check 草稿, /phrase, /settings, /report, /help).
Buttons are numbered: type the number to tap one (the buttons of the latest reply count).
"@ 关键词" is inline mode (the phrases Telegram would offer to insert). /quit or Ctrl-D ends.
As a channel (bot.channels.base.Channel) the console prints notices too: after each line, due
report notices (the console user is reporter and officer at once) appear with numbered buttons.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from bot.core.chat.assistant import Assistant
from bot.core.chat.reply import Reply, Sender
from bot.core.phrases.messages import t
from bot.core.privacy import storable

PROMPT = "你> "


@dataclass(slots=True)
class ConsoleChat:
    """One console conversation: turns typed lines into rendered replies."""

    assistant: Assistant
    sender: Sender = field(default_factory=lambda: Sender(user_id=0, role="admin"))
    _buttons: list[str] = field(default_factory=list)  # callback data of the numbered buttons

    def handle(self, line: str) -> str | None:
        """The rendered reply to one typed line; None means "quit"."""
        done, out = self._route(line)
        return out if done else self.render(self.assistant.text(self.sender, line.strip()))

    async def handle_async(self, line: str) -> str | None:
        """`handle` on an event loop: a question is matched in a worker thread (`Assistant.text_async`)."""
        done, out = self._route(line)
        return out if done else self.render(await self.assistant.text_async(self.sender, line.strip()))

    def _route(self, line: str) -> tuple[bool, str | None]:
        """(True, the rendered reply or None for "quit") for a command, button number or inline
        query; (False, None) for a question or other text, which the caller sends on."""
        line = line.strip()
        if line in ("/quit", "/exit"):
            return True, None
        if line.isdigit() and self._buttons:
            n = int(line)
            if not 1 <= n <= len(self._buttons):
                return True, t("bot.console_no_button", count=len(self._buttons))
            return True, self.render(self.assistant.tap(self.sender, self._buttons[n - 1]))
        if line.startswith("@"):
            return True, self.render_inline(line[1:])
        if line.startswith("/"):
            name, _, args = line[1:].partition(" ")
            return True, self.render(self.assistant.command(self.sender, name.split("@")[0], args))
        return False, None

    def render(self, reply: Reply) -> str:
        lines: list[str] = []
        if reply.toast:
            lines.append(f"💬 {reply.toast}")
        if reply.edit and reply.text:
            lines.append(t("bot.console_edited"))
        if reply.text:
            lines.append(reply.text)
        numbered: list[str] = []
        for row in reply.buttons:
            cells = []
            for b in row:
                if b.data:
                    numbered.append(b.data)
                    cells.append(f"[{len(numbered)}] {b.label}")
            if cells:
                lines.append("  " + "   ".join(cells))
        if numbered or reply.text:
            self._buttons = numbered
        return "\n".join(lines)

    def render_inline(self, query: str) -> str:
        items = self.assistant.inline(self.sender, query)
        if not items:
            return t("bot.console_inline_none")
        lines = [t("bot.console_inline_title")]
        lines += [f"  · {item.title}：{item.text}" for item in items]
        return "\n".join(lines)


class ConsoleChannel:
    """The console as a channel: its one user is `console:<id>`; `run` answers the lines it reads,
    `notify` prints a notice with numbered buttons (typing the number taps it)."""

    name = "console"

    def __init__(self, chat: ConsoleChat, lines: Iterable[str], out: TextIO, *, echo: bool,
                 after_line: Callable[[], Coroutine[Any, Any, object]] | None = None):
        self.chat = chat
        self.lines = lines
        self.out = out
        self.echo = echo
        self.after_line = after_line  # e.g. one round of the report timers and the outbox

    async def notify(self, user: str, reply: Reply) -> int | None:
        self.out.write(t("bot.console_notice") + "\n" + self.chat.render(reply) + "\n")
        self.out.flush()
        return None

    async def run(self, stop: asyncio.Event) -> None:
        """Print the welcome, then answer each line until /quit, the end of input or `stop`.
        `echo` repeats the typed line (stdin is not a terminal) so a piped session reads as a transcript."""
        chat, out = self.chat, self.out
        out.write(chat.render(chat.assistant.start(chat.sender)) + "\n")
        out.write(t("bot.console_hint") + "\n")
        for raw in self.lines:
            if stop.is_set():
                break
            if self.echo:
                out.write(f"\n{PROMPT}{storable(raw.rstrip())}\n")  # a transcript never shows personal data either
            rendered = await chat.handle_async(raw)
            if rendered is None:
                break
            out.write(rendered + "\n")
            if self.after_line is not None:
                await self.after_line()
            out.flush()


def run_console(chat: ConsoleChat, lines: Iterable[str], out: TextIO, *, echo: bool,
                after_line: Callable[[ConsoleChannel], Coroutine[Any, Any, object]] | None = None) -> None:
    """Run the console channel over `lines` to the end (`after_line` gets the channel: its notices)."""
    channel = ConsoleChannel(chat, lines, out, echo=echo)
    if after_line is not None:
        channel.after_line = lambda: after_line(channel)
    asyncio.run(channel.run(asyncio.Event()))
