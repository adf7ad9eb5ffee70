"""Validation of what a user sends (question, draft), shared by every channel."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.text.normalize import is_content_char

# Lone surrogates: undecodable argv bytes arrive as U+DC80-U+DCFF (PEP 383), and an API caller can
# pass any of U+D800-U+DFFF; none can be encoded, printed or stored, so they are refused at the edge.
_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogates(text: str) -> bool:
    """True when `text` holds a lone surrogate (not valid Unicode text)."""
    return _SURROGATE.search(text) is not None


def scrub(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD (same length, so offsets still hold)."""
    return _SURROGATE.sub("\ufffd", text) if has_surrogates(text) else text

MAX_QUESTION_CHARS = 500
MAX_DRAFT_CHARS = 5000


@dataclass(frozen=True, slots=True)
class CleanInput:
    """The text to work on, or the message key explaining why there is nothing to work on."""

    text: str
    problem: str | None = None  # key in phrasebook/messages
    truncated: bool = False


def clean_input(text: str, *, max_chars: int) -> CleanInput:
    """Reject empty / whitespace-only / symbol-or-emoji-only input; cut overly long input."""
    if has_surrogates(text):
        return CleanInput("", "input.bad_text")
    stripped = text.strip()
    if not stripped:
        return CleanInput("", "input.empty")
    if not any(is_content_char(ch) for ch in stripped):
        return CleanInput("", "input.no_text")
    if len(stripped) > max_chars:
        return CleanInput(stripped[:max_chars], None, truncated=True)
    return CleanInput(stripped)
