"""The guided leak-report conversation as a pure state machine (no channel, no storage).

A `Draft` is the whole conversation state; every function takes a draft and an input and
returns a `FlowResult` (new draft + the screen to show). The service persists drafts sealed
and turns `Choice.token` into signed callback data; this module never sees either.
Reference numbers live here too: pure, random, phone-friendly.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import Any

from bot.core.phrases.messages import t
from bot.core.reports.discovery import BEIJING, format_time, read_discovery
from bot.core.text.inputs import clean_input

# ----------------------------------------------------------------------------- vocabulary

CATEGORIES = ("lost_carrier", "outsider_asking", "improper_copying", "public_talk", "network_leak", "other")
LEVELS = ("top_secret", "secret", "confidential", "unknown")
URGENCIES = ("urgent", "high", "normal")

# Steps in order; "detail" is asked only for category "other" (the other categories say what happened);
# "discovered_text" only after the "I will type it" button (a typed time is read at "discovered" too).
STEPS = ("category", "detail", "discovered", "discovered_text", "when_where", "level", "containment",
         "confidential", "confirm")
DISCOVERED = ("now", "today", "yesterday", "other")
CHOICE_STEPS = {
    "category": CATEGORIES,
    "discovered": DISCOVERED,
    "level": LEVELS,
    "containment": ("none",),  # a shortcut button; free text is the normal answer
    "confidential": ("yes", "no"),
    "confirm": ("submit", "restart", "cancel"),
}
TEXT_STEPS = frozenset({"detail", "when_where", "containment"})
MIN_TEXT_CHARS = 2
MAX_TEXT_CHARS = 500


def urgency_of(*, category: str, level: str) -> str:
    """特急 for 绝密; 紧急 for 机密, unknown level, lost carriers and network leaks; else 一般."""
    if level == "top_secret":
        return "urgent"
    if level in ("secret", "unknown") or category in ("lost_carrier", "network_leak"):
        return "high"
    return "normal"


# ----------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class Draft:
    """Everything answered so far; `nonce` ties buttons to this draft (stale buttons are refused)."""

    nonce: str
    step: str = "category"
    category: str | None = None
    detail: str | None = None
    when_where: str | None = None
    discovered_at: float | None = None  # when the leak was discovered: the statutory clocks run from it
    discovered_said: str | None = None  # what the reporter chose or typed, shown beside the time
    level: str | None = None
    containment: str | None = None
    confidential: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True, slots=True)
class Choice:
    """One button: `token` is "step:value", to be encoded (and signed) by the channel layer."""

    label: str
    token: str


@dataclass(frozen=True, slots=True)
class Screen:
    text: str
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True, slots=True)
class FlowResult:
    """`draft` is None when the conversation ended (submitted or cancelled)."""

    draft: Draft | None
    screens: tuple[Screen, ...]
    submit: bool = False
    cancelled: bool = False
    notes: tuple[str, ...] = field(default=())


# ----------------------------------------------------------------------------- screens


def _label(step: str, value: str) -> str:
    return t(f"report.choice.{step}.{value}")


def prompt(draft: Draft) -> Screen:
    """The question for the draft's current step (the summary for "confirm")."""
    step = draft.step
    text = summary(draft) + "\n\n" + t("report.step.confirm") if step == "confirm" else t(f"report.step.{step}")
    values = CHOICE_STEPS.get(step, ())
    return Screen(text, tuple(Choice(_label(step, v), f"{step}:{v}") for v in values))


def summary(draft: Draft) -> str:
    """What will be submitted, for the reporter to confirm (and for the officer's view)."""
    lines = [t("report.summary.title"),
             t("report.summary.category", value=_label("category", draft.category or "other"))]
    if draft.detail:
        lines.append(t("report.summary.detail", value=draft.detail))
    if draft.discovered_at is not None:
        lines.append(t("report.summary.discovered", at=format_time(draft.discovered_at),
                       said=draft.discovered_said or ""))
    lines += [
        t("report.summary.when_where", value=draft.when_where or ""),
        t("report.summary.level", value=_label("level", draft.level or "unknown")),
        t("report.summary.containment", value=draft.containment or t("report.choice.containment.none")),
        t("report.summary.confidential",
          value=t("report.summary.yes") if draft.confidential else t("report.summary.no")),
    ]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- transitions


def start(*, nonce: str) -> FlowResult:
    draft = Draft(nonce=nonce)
    return FlowResult(draft, (Screen(t("report.intro")), prompt(draft)))


def _next_step(draft: Draft) -> str:
    order = list(STEPS)
    i = order.index(draft.step) + 1
    if order[i] == "detail" and draft.category != "other":
        i += 1
    if order[i] == "discovered_text":
        i += 1
    return order[i]


def _day_start(now: float, days_back: int) -> float:
    """Midnight (Beijing) `days_back` days before `now`: the earliest moment of "today" / "yesterday"."""
    day = datetime.fromtimestamp(now, BEIJING).date() - timedelta(days=days_back)
    return datetime.combine(day, time(0), BEIJING).timestamp()


def _discovered(draft: Draft, at: float, said: str) -> FlowResult:
    return _advance(draft, discovered_at=at, discovered_said=said)


def _advance(draft: Draft, **changes: Any) -> FlowResult:
    updated = replace(draft, **changes)
    updated = replace(updated, step=_next_step(updated))
    return FlowResult(updated, (prompt(updated),))


def _again(draft: Draft, key: str, **values: object) -> FlowResult:
    return FlowResult(draft, (Screen(t(key, **values)), prompt(draft)))


def choose(draft: Draft, *, token: str, nonce: str, now: float) -> FlowResult:
    """A button press at time `now`. Buttons of another draft or of an earlier step change nothing."""
    step, _, value = token.partition(":")
    if nonce != draft.nonce or step != draft.step or value not in CHOICE_STEPS.get(step, ()):
        return _again(draft, "report.stale_button")
    if step == "category":
        return _advance(draft, category=value)
    if step == "discovered":
        if value == "other":
            typed = replace(draft, step="discovered_text")
            return FlowResult(typed, (prompt(typed),))
        back = {"now": None, "today": 0, "yesterday": 1}[value]
        return _discovered(draft, now if back is None else _day_start(now, back), _label(step, value))
    if step == "level":
        return _advance(draft, level=value)
    if step == "containment":
        return _advance(draft, containment=None)
    if step == "confidential":
        return _advance(draft, confidential=(value == "yes"))
    # confirm
    if value == "submit":
        return FlowResult(draft, (), submit=True)
    if value == "restart":
        fresh = Draft(nonce=draft.nonce)
        return FlowResult(fresh, (Screen(t("report.restarted")), prompt(fresh)))
    return cancel()


def _read_time(draft: Draft, text: str, now: float) -> FlowResult:
    """A typed discovery time: read it, or ask again with an example of what is understood."""
    cleaned = clean_input(text, max_chars=MAX_TEXT_CHARS)
    reading = read_discovery(cleaned.text, now=now) if not cleaned.problem else None
    if reading is None or reading.at is None:
        problem = reading.problem if reading is not None else "unclear"
        return FlowResult(draft, (Screen(t(f"report.discovered.{problem}")), prompt(draft)))
    return _discovered(draft, reading.at, cleaned.text)


def answer(draft: Draft, *, text: str, now: float) -> FlowResult:
    """Typed text at time `now`: the answer at a text step; at a choice step a number or label picks
    a button; at the discovery step a typed time is read."""
    step = draft.step
    if step == "discovered_text":
        return _read_time(draft, text, now)
    if step in TEXT_STEPS:
        cleaned = clean_input(text, max_chars=MAX_TEXT_CHARS)
        if cleaned.problem:
            return _again(draft, "report.text_required")
        if cleaned.truncated:
            return _again(draft, "report.text_too_long", limit=MAX_TEXT_CHARS)
        if len(cleaned.text) < MIN_TEXT_CHARS:
            return _again(draft, "report.text_too_short")
        return _advance(draft, **{step: cleaned.text})
    values = CHOICE_STEPS[step]
    typed = text.strip()
    for number, value in enumerate(values, 1):
        if typed in (str(number), _label(step, value)):
            return choose(draft, token=f"{step}:{value}", nonce=draft.nonce, now=now)
    if step == "discovered":
        return _read_time(draft, text, now)
    return _again(draft, "report.use_buttons")


def cancel() -> FlowResult:
    return FlowResult(None, (Screen(t("report.cancelled")),), cancelled=True)


# ----------------------------------------------------------------------------- reference numbers

# Crockford base32: no I, L, O, U, so nothing is misheard or misread on the phone.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DATA_CHARS = 15  # 75 random bits (at least 64 are required)
_READ_AS = {"O": "0", "I": "1", "L": "1"}


def _luhn_check(chars: str) -> str:
    """Luhn mod 32 check character: catches any single wrong character and most swaps."""
    n = len(ALPHABET)
    factor, total = 2, 0
    for ch in reversed(chars):
        addend = factor * ALPHABET.index(ch)
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


def new_reference(*, token_bytes: Callable[[int], bytes] = secrets.token_bytes) -> str:
    """A random reference such as 7KQM-2XPA-9TRB-4WDE (15 random characters + 1 check character)."""
    value = int.from_bytes(token_bytes(10), "big") >> (80 - 5 * _DATA_CHARS)
    chars = "".join(ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(_DATA_CHARS)))
    chars += _luhn_check(chars)
    return "-".join(chars[i:i + 4] for i in range(0, 16, 4))


def reference_problem(text: str) -> str | None:
    """Why `text` is not a reference: "format" (length or characters) or "check" (16 valid
    characters whose check character does not match: a typo); None when it is one."""
    chars = "".join(_READ_AS.get(c, c) for c in text.upper() if c not in " -_")
    if len(chars) != _DATA_CHARS + 1 or any(c not in ALPHABET for c in chars):
        return "format"
    return None if _luhn_check(chars[:-1]) == chars[-1] else "check"


def parse_reference(text: str) -> str | None:
    """The canonical reference for what a person typed or read out, or None if it is not one."""
    chars = "".join(_READ_AS.get(c, c) for c in text.upper() if c not in " -_")
    if len(chars) != _DATA_CHARS + 1 or any(c not in ALPHABET for c in chars):
        return None
    if _luhn_check(chars[:-1]) != chars[-1]:
        return None
    return "-".join(chars[i:i + 4] for i in range(0, 16, 4))
