"""What may be stored: the one decision every store applies to free text on the way in.

A person's words are kept only with their personal data masked: the draft checker's detector
(validated ID, mobile, card numbers and e-mail addresses) first, then any remaining run of six or
more digits, so that an unvalidated number (a colleague's landline, an ID with a typo) is not kept
in full either. Stores call `storable` themselves, so no caller can forget it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.check.checker import Checker

_DIGIT_RUN = re.compile(r"\d(?:[ -]?\d){5,}")


@lru_cache(maxsize=1)
def _checker() -> Checker:
    from bot.core.check.checker import default_checker

    return default_checker()


def _mask_run(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return digits[:2] + "*" * (len(digits) - 4) + digits[-2:]


def storable(text: str) -> str:
    """`text` as it may be written to storage (and later shown, e.g. in /stats)."""
    if not text:
        return text
    masked = _checker().check(text).masked_draft()
    return _DIGIT_RUN.sub(_mask_run, masked)
