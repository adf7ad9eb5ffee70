"""Process logging for every channel: one handler on the root logger, one filter on it that decides
what a log line may carry.

Libraries log what they hold: python-telegram-bot writes every update and every Bot API call with
its parameters at DEBUG, other SDKs do the same. So the filter treats every record as untrusted:

- records of other packages keep their message template only; every argument becomes "<…>"
  unless it is one of the `safe_args` a channel names (e.g. the Bot API's method names);
- exception text (which can quote user input) is reduced to the exception's type, frames kept;
- in every record, secrets (the bot token) become [REDACTED] and runs of six or more digits
  (user and chat ids, phone, ID and card numbers) become "<n>".

Because it sits on the root logger's handler it sees records of every logger, whatever their name
(PTB 22 logs as telegram.ext.ExtBot, telegram.ext.Application, …) and whatever the level.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Iterable
from typing import TextIO

# Loggers whose messages libao writes itself: they carry references, step names and error types only.
OWN_LOGGERS = ("bot", "libao")
HIDDEN = "<…>"
_DIGITS = re.compile(r"\d{6,}")


def _own(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in OWN_LOGGERS)


class PayloadFilter(logging.Filter):
    """Rewrites each record so that it carries no payload (see the module docstring)."""

    def __init__(self, secrets: Iterable[str] = (), *, safe_args: Iterable[str] = ()):
        super().__init__()
        self.secrets = [s for s in secrets if s]
        self.safe_args = frozenset(safe_args)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[REDACTED]")
        return _DIGITS.sub("<n>", text)

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_libao_clean", False):
            return True
        if _own(record.name):
            try:
                text = record.getMessage()
            except Exception:  # a broken format string must not print its arguments either
                text = str(record.msg)
        else:
            text = _template(record, self.safe_args)
        record.msg, record.args = self.redact(text), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.redact(_frames_only(record.exc_info[1]))
        record.exc_info = None
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        record._libao_clean = True
        return True


def _template(record: logging.LogRecord, safe: frozenset[str]) -> str:
    """The message with every argument hidden but the safe ones (the template is the library's
    own, fixed text)."""
    template = str(record.msg)
    args = record.args
    if not args:
        return template
    try:
        if isinstance(args, dict) or (isinstance(args, tuple) and len(args) == 1 and isinstance(args[0], dict)):
            return re.sub(r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]", HIDDEN, template)
        values = args if isinstance(args, tuple) else (args,)
        return template % tuple(v if isinstance(v, str) and v in safe else HIDDEN for v in values)
    except (TypeError, ValueError):
        return re.sub(r"%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]", HIDDEN, template)


def _frames_only(error: BaseException) -> str:
    """The traceback of `error` (and its causes) with each exception's text replaced by its type."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_tb(current.__traceback__))
        parts.append(f"Traceback (most recent call last):\n{frames}{type(current).__qualname__}")
        current = current.__cause__ or current.__context__
    return "\n\nwhich was caused by:\n".join(reversed(parts)) if len(parts) > 1 else parts[0]


def setup_logging(level: str | int, *, secrets: Iterable[str] = (), safe_args: Iterable[str] = (),
                  stream: TextIO | None = None) -> PayloadFilter:
    """Root logging to `stream` (stderr): one handler, the payload filter on it; httpx's per-request
    lines (the token is in their URL) are silenced as well."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    payload = PayloadFilter(secrets, safe_args=safe_args)
    handler.addFilter(payload)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return payload
