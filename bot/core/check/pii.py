"""Personal data in a draft: resident ID numbers, mobile numbers, bank cards, e-mail addresses.

Numbers are validated (GB 11643 check digit and date, Luhn, mobile prefixes), not merely
counted, and the words just before a number decide about look-alikes (订单号, 尾号, 发票 ...).
Matches are reported masked only; the full number never leaves this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.core.check.draftview import DraftViews
from bot.core.check.rules import PiiContext

# `\b` does not separate Han characters from digits (both are \w), so boundaries are explicit.
_NUMBER = re.compile(
    r"(?<![0-9a-z.@*])(?:\+?86[ -]?)?\d(?:[ -]?\d)*x?(?![0-9a-z*@])"
)
_EMAIL = re.compile(
    r"(?<![a-z0-9._%+-])[a-z0-9][a-z0-9._%+-]*@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.[a-z]{2,}"
)
_MOBILE = re.compile(r"1[3-9]\d{9}")
_DIGIT = re.compile(r"\d")
_NOT_ALNUM = re.compile(r"[\W_]+")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# First two digits of a resident ID: province-level codes of GB/T 2260.
_PROVINCES = frozenset(str(c) for c in (
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
    50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91,
))


@dataclass(frozen=True, slots=True)
class PiiMatch:
    """One piece of personal data: where it is in the draft and how to show it."""

    category: str  # id_card | mobile | bank_card | email
    start: int
    end: int
    masked: str


def _valid_date(y: int, m: int, d: int) -> bool:
    try:
        born = date(y, m, d)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def is_resident_id(s: str) -> bool:
    """18-character ID with valid region, birth date and GB 11643 check digit, or a 15-digit legacy ID."""
    s = s.upper()
    if len(s) == 18 and s[:17].isdigit():
        if s[:2] not in _PROVINCES or not _valid_date(int(s[6:10]), int(s[10:12]), int(s[12:14])):
            return False
        total = sum(int(c) * w for c, w in zip(s[:17], _ID_WEIGHTS, strict=True))
        return _ID_CHECK[total % 11] == s[17]
    if len(s) == 15 and s.isdigit():
        return s[:2] in _PROVINCES and _valid_date(1900 + int(s[6:8]), int(s[8:10]), int(s[10:12]))
    return False


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def mask(category: str, value: str) -> str:
    """The masked form shown to users: 138****5678, 2101**********7369, 6228****1501, w***@163.com."""
    if category == "email":
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    if category == "mobile":
        return f"{value[:3]}****{value[-4:]}"
    keep = 4
    value = value.upper()  # the check character of a resident ID is written X
    return f"{value[:keep]}{'*' * max(4, len(value) - 2 * keep)}{value[-keep:]}"


def classify_number(digits: str) -> str | None:
    """Category of a bare digit string (separators removed), or None."""
    if len(digits) in (15, 18) and is_resident_id(digits):
        return "id_card"
    if len(digits) == 11 and _MOBILE.fullmatch(digits):
        return "mobile"
    if len(digits) == 13 and digits.startswith("86") and _MOBILE.fullmatch(digits[2:]):
        return "mobile"
    if 16 <= len(digits) <= 19 and digits.isdigit() and luhn_ok(digits):
        return "bank_card"
    return None


def _context(views: DraftViews, start: int, ctx: PiiContext) -> tuple[str | None, str | None]:
    """(nearest negative word, category of nearest positive word) just before original `start`."""
    wide = views.wide
    # The window is taken from the folded text without spaces/punctuation so that 单号：123 works.
    before = _NOT_ALNUM.sub("", wide.text[max(0, start - ctx.window * 2):start])[-ctx.window:]
    best_neg = max(((before.rfind(w) + len(w), w) for w in ctx.negative if w in before), default=None)
    best_pos = max(((before.rfind(w) + len(w), cat) for cat, ws in ctx.positive.items() for w in ws
                    if w in before), default=None)
    if best_neg and (not best_pos or best_neg[0] >= best_pos[0]):
        return best_neg[1], None
    return None, best_pos[1] if best_pos else None


def _wide_start(views: DraftViews, a: int) -> int:
    return views.wide.offsets[a] if a < len(views.wide.offsets) else len(views.original)


def find_pii(views: DraftViews, ctx: PiiContext) -> list[PiiMatch]:
    """All personal data in the draft, masked; look-alikes in a negative context are skipped."""
    text = views.wide.text
    out: list[PiiMatch] = []
    taken: list[tuple[int, int]] = []
    if "@" in text:
        for m in _EMAIL.finditer(text):
            s, e = views.wide.span(*m.span())
            out.append(PiiMatch("email", s, e, mask("email", m.group())))
            taken.append(m.span())
    if not _DIGIT.search(text):
        return out
    for m in _NUMBER.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        for a, b, digits in _candidates(m.group(), m.start()):
            category = classify_number(digits)
            neg, pos = _context(views, a, ctx)
            if category is None and pos in ("bank_card",) and 16 <= len(digits) <= 19 and digits.isdigit():
                category = pos  # some cards (e.g. prepaid) fail Luhn; the context says it is a card
            if category is None or neg is not None:
                continue
            if pos == "bank_card" and category == "id_card" and len(digits) == 18:
                category = "bank_card"
            s, e = views.wide.span(a, b)
            value = digits[2:] if category == "mobile" and len(digits) == 13 else digits
            out.append(PiiMatch(category, s, e, mask(category, value)))
    out.sort(key=lambda p: p.start)
    return out


def _candidates(run: str, offset: int) -> list[tuple[int, int, str]]:
    """The whole run, or, when it is not a known number, each space/dash-separated group."""
    digits = re.sub(r"[ +-]", "", run)
    if classify_number(digits) or len(digits) < 11:
        return [(offset, offset + len(run), digits)]
    out = []
    for m in re.finditer(r"[\dx]+", run):
        out.append((offset + m.start(), offset + m.end(), m.group()))
    if len(out) == 1:
        return out
    return [(offset, offset + len(run), digits), *out]
