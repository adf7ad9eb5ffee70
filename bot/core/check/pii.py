"""Personal data in a draft: resident ID numbers, mobile numbers, bank cards, e-mail addresses.

Runs on the folded draft (`bot.core.text.fold`), where digits of every script are ASCII already
(幺三八…, 壹贰叁, full-width). A number is a run of digits with at most three junk characters
(spaces, ``. - / * _ ~``, emoji ...) between consecutive digits; candidates are windows of the
run aligned on its digit groups, so a number split by spaces or emoji is read whole and two
numbers side by side are read apart. Numbers are validated (GB 11643 check digit and date, Luhn,
mobile prefixes); public service numbers (400/800 hotlines, landlines, short codes) are not
personal data. The words before a number are a score, not a veto: 订单号 lowers it, 身份证 raises
it, and a full valid ID number after 尾号 still counts. E-mail addresses are found by a linear
scan around @-tokens, obfuscations included (`` @ ``, ＠, [at], (at), at/dot, 点).
Matches are reported masked only; the full value never leaves this module.

Every regex here is linear: the junk between digits is bounded and disjoint from digits, runs
start only where no digit (or digit + junk) precedes, and repeats are possessive.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from itertools import accumulate

from bot.core.check.rules import PiiContext
from bot.core.text.alternation import literal_alternation
from bot.core.text.fold import Folded
from bot.core.text.language import shipped_check_language

# Digit runs; junk between digits is bounded and disjoint from \d, so matching is linear.
# Any space, punctuation or symbol counts (ASCII, general punctuation, CJK brackets, emoji): a number
# typed with + = # 、【】 or ♥ between its pieces is still one number, and so is one broken over lines.
_JUNK = (r"[ \t\n\r\-./\\*_~·•|'`\"+=#$¥&%^()\[\]{}<>,:;!?\u2010-\u2bff\u3000-\u3006\u3008-\u303f\ufe30-\ufe4f"
         r"\U0001F000-\U0001FAFF]")
# A grouped amount (1,380,000,000): thousands separators, not a number typed in pieces.
_AMOUNT = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
# Between digits: up to three junk characters, or a wider gap of spaces only (1  3  9    1  2  3  4: digits
# spread out with spaces, up to eight); both bounded, so a run still starts only where no digit precedes it.
_WIDE_GAP = 8
# A number glued to letters is part of a code (SF1234…, XK138…), except after a word that labels it in chat
# English (vx138…, tel138…, card6222…): each label is its own fixed-width look-behind, tried only after a letter.
_GLUED_LABELS = ("vx", "wx", "v", "tel", "phone", "mob", "mobile", "cell", "call", "id", "idno", "card", "acct",
                 "account")
_RUN_START = ("(?:(?<![0-9a-z])|" + "|".join(f"(?<=(?<![a-z]){w})" for w in _GLUED_LABELS) + ")")
_RUN = re.compile(
    # A run opens with a digit or +86: asked first, so the look-behinds are tried only there.
    r"(?=[+0-9])(?<![0-9])" + _RUN_START
    + r"(?<![0-9]" + _JUNK + r")(?<![0-9]" + _JUNK + r"{2})(?<![0-9]" + _JUNK + r"{3})"
    + "".join(f"(?<![0-9] {{{k}}})" for k in range(4, _WIDE_GAP + 1))
    + r"(?:\+?86" + _JUNK + r"{0,2})?[0-9](?:(?:" + _JUNK + r"{0,3}| {4," + str(_WIDE_GAP) + r"})[0-9])*+(?:"
    + _JUNK + r"{0,2}x)?(?![0-9a-z])")
_GROUP = re.compile(r"[0-9]+x?|(?<![0-9])x$")  # a check digit X may follow its own separator
_NOT_WORD = re.compile(r"[\W_]+")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PROVINCES = frozenset(str(c) for c in (
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
    50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91,
))


def _valid_date(y: int, m: int, d: int) -> bool:
    try:
        born = date(y, m, d)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def _id_shaped(s: str) -> bool:
    """An 18-character resident ID's structure (province, birth date), whatever its check digit."""
    return (len(s) == 18 and s[:17].isdigit() and s[:2] in _PROVINCES
            and _valid_date(int(s[6:10]), int(s[10:12]), int(s[12:14])))


def is_resident_id(s: str) -> bool:
    s = s.upper()
    if len(s) == 18 and s[:17].isdigit():
        if not _id_shaped(s):
            return False
        total = sum(int(c) * w for c, w in zip(s[:17], _ID_WEIGHTS, strict=True))
        return _ID_CHECK[total % 11] == s[17]
    if len(s) == 15 and s.isdigit():
        return s[:2] in _PROVINCES and _valid_date(1900 + int(s[6:8]), int(s[8:10]), int(s[10:12]))
    return False


_LUHN_DOUBLED = {str(d): d * 2 - 9 if d > 4 else d * 2 for d in range(10)}
_LUHN_PLAIN = {str(d): d for d in range(10)}


def luhn_ok(digits: str) -> bool:
    backwards = digits[::-1]
    total = sum(map(_LUHN_PLAIN.__getitem__, backwards[0::2])) + sum(map(_LUHN_DOUBLED.__getitem__, backwards[1::2]))
    return total % 10 == 0


def is_service_number(digits: str) -> bool:
    """Public numbers that are not personal data: 400/800 hotlines, landlines, 95xxx/96xxx/1xxxx short codes."""
    if len(digits) == 10 and digits[:3] in ("400", "800"):
        return True
    if digits.startswith("0") and 10 <= len(digits) <= 12 and digits[1] != "0":
        return True  # area code (2-3 digits after 0) + 7-8 digit local number
    return len(digits) == 5 and digits[:2] in ("95", "96", "12")


def classify_number(digits: str) -> str | None:
    """Category of a bare digit string that validates (checksum / prefix), or None."""
    c = classify(digits)
    return c[0] if c and c[1] > 0 else None


def classify(digits: str) -> tuple[str, int] | None:
    """(category, strength) of a bare digit string: strength 3 checksum+structure, 2 shape, 1 weak."""
    if len(digits) == 18 and is_resident_id(digits):
        return "id_card", 3
    if len(digits) == 15 and is_resident_id(digits):
        return "id_card", 1
    if len(digits) == 11 and _MOBILE.fullmatch(digits):
        return "mobile", 2
    if len(digits) == 13 and digits.startswith("86") and _MOBILE.fullmatch(digits[2:]):
        return "mobile", 2
    if len(digits) == 15 and digits.startswith("0086") and _MOBILE.fullmatch(digits[4:]):
        return "mobile", 2
    card_shaped = 16 <= len(digits) <= 19 and digits.isdigit()
    if card_shaped and luhn_ok(digits):
        return "bank_card", 1
    # An ID number with one digit mistyped is still somebody's ID: its structure is read as a weak ID (the
    # words before it decide, as for a 15-digit one), so the draft shown back and the masked draft hide it
    # as storage does. A number that is neither is no card either.
    if _id_shaped(digits):
        return "id_card", 1
    return ("bank_card", -1) if card_shaped else None


def mask(category: str, value: str) -> str:
    if category == "email":
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    if category == "mobile":
        return f"{value[:3]}****{value[-4:]}"
    value = value.upper()
    return f"{value[:4]}{'*' * max(4, len(value) - 8)}{value[-4:]}"


@dataclass(frozen=True, slots=True)
class PiiMatch:
    """One piece of personal data: category, span in the folded text (wide view) and masked value."""

    category: str
    start: int  # wide indices
    end: int
    masked: str


def _groups(run: str, base: int, spelt: Callable[[int], bool] | None = None) -> list[tuple[int, int, str]]:
    """Digit groups of a run: (wide start, wide end, digits); junk between digits separates groups.

    With `spelt` (of a wide index: the digit there was written as a word, 三/幺/san, not as a numeral), a
    group also breaks where the writing changes: 张三13812345678 is a name and a mobile, not a 12-digit
    number, and a number typed half in words (一3八…) is still found across its groups.
    """
    out = []
    for g in _GROUP.finditer(run):
        s, e = base + g.start(), base + g.end()
        if spelt is not None:
            cut, was = s, spelt(s)
            for i in range(s + 1, e):
                if run[i - base] != "x" and (now := spelt(i)) != was:
                    out.append((cut, i, run[cut - base:i - base]))
                    cut, was = i, now
            s = cut
        out.append((s, e, run[s - base:e - base]))
    return out


# A space kept between two English words (see `_words_before`); any other gap is dropped.
_LONE_SPACE = re.compile(r"(?<![a-z0-9]) | (?![a-z0-9])")
_LATIN = re.compile(r"[a-z]")


def _words_before(text: str, start: int, ctx: PiiContext) -> str:
    """The words just before wide index `start`, cut to the context window. English words keep one
    space between them, so that a context word is read as a word, not inside another (sn is no serial
    number inside "courier's number")."""
    words = _NOT_WORD.sub("", text[max(0, start - ctx.window * 2):start])
    if not _LATIN.search(words):
        return words[-ctx.window:]
    # An English word counts as two characters of the window, as a Chinese word of two would:
    # "identity card number" names the number as 身份证号 does.
    words = _LONE_SPACE.sub("", _NOT_WORD.sub(" ", text[max(0, start - ctx.window * 4):start]))
    cut, kept = len(words), 0
    while cut > 0 and kept < ctx.window:
        cut -= 1
        ch = words[cut]
        if not ch.isascii() or ch.isdigit():
            kept += 1
        elif ch != " " and (cut == 0 or not words[cut - 1].isalpha() or not words[cut - 1].isascii()):
            kept += 2  # the first letter of an English word
    return words[cut:]


def _word_end(before: str, w: str) -> int:
    """End of the last occurrence of context word `w` in `before`, or -1; a word in Latin letters
    counts only as a whole word (card, not the card inside discard)."""
    i = before.rfind(w)
    if i < 0 or not w.isascii():
        return i + len(w) if i >= 0 else -1
    while i >= 0:
        e = i + len(w)
        if (i == 0 or not before[i - 1].isascii() or not before[i - 1].isalpha()) and (
                e == len(before) or not before[e].isascii() or not before[e].isalpha()):
            return e
        i = before.rfind(w, 0, e - 1)
    return -1


_ENGLISH_WORD = re.compile(r"[a-z]+")


def _score_before(before: str, ctx: PiiContext) -> tuple[int, str | None]:
    """(score, positive category) from the words `before` a number (see `_words_before`).

    A negative word that labels the number itself (订单号12…, within three characters besides digits) weighs
    -3, one further away -1; a weak word (尾号: it names the last digits, not the whole number) -1.
    """
    neg = max((_word_end(before, w) for w in ctx.negative if w in before), default=-1)
    weak = max((_word_end(before, w) for w in ctx.weak_negative if w in before), default=-1)
    pos_at, pos_len, pos_cat = -1, 0, None
    for cat, words in ctx.positive.items():
        for w in words:
            e = _word_end(before, w) if w in before else -1
            if e > pos_at or (e == pos_at >= 0 and len(w) > pos_len):  # the longer word names it: id card, not card
                pos_at, pos_len, pos_cat = e, len(w), cat
    # A positive word that starts inside the negative one is its compound (储值卡 + 卡号: 储值卡号), not a label.
    if neg >= 0 and (neg >= pos_at or pos_at - pos_len < neg):
        # Further away, the word names the business the number comes up in (快递, 退款, 发票), not the number:
        # it lowers the score by one, so a mobile's shape still outweighs it and a card's checksum does not.
        # Digits between the word and the number are the number's own first groups (订单号 2024 1381…).
        # An English word counts one, as a Chinese character does (tracking number 1900…: the label's own noun).
        rest = before[neg:]
        between = (len(_ENGLISH_WORD.sub("w", rest)) - sum(map(rest.count, "0123456789")) - rest.count(" "))
        return (-3 if between <= 3 else -1), None
    if weak >= 0 and weak >= pos_at:
        return -1, None
    return (2 if pos_cat else 0), pos_cat


def _covered(taken: list[tuple[int, int]], i: int) -> bool:
    """Wide index `i` lies in one of the sorted, disjoint spans `taken`."""
    k = bisect_right(taken, (i, 1 << 62)) - 1
    return k >= 0 and taken[k][0] <= i < taken[k][1]


# Words said between the groups of a dictated number (138 杠 1234 杠 5678; 6228，然后4804，再0256): read as the
# space they stand for, the punctuation round them too, so that the groups make one run (same length: the
# wide indices stay). A space, star or emoji typed inside the word (然 后, 空😀格) does not hide it. The digit
# before opens the pattern (a character class is scanned for fast) and is kept.
_IN_WORD = r"(?:[ *]|[\U0001F000-\U0001FAFF])?"
_ROUND_WORD = r"(?:[ ,，、:：*]|[\U0001F000-\U0001FAFF])?"
# The words, and the fillers and confirmations speech-to-text writes between groups (幺三八，嗯，一二三四；
# 138，对，1234), are phrasebook/language.yaml's; a sequence word may be followed by 是 (接着是4890).
_LANGUAGE = shipped_check_language()
_SAID = (*_LANGUAGE.number_sequence_words, *_LANGUAGE.number_separator_words)
_FILLERS = _LANGUAGE.number_fillers
_SAID_WORDS = [_IN_WORD.join(w) + f"(?:{_IN_WORD}是)?" for w in _LANGUAGE.number_sequence_words]
_SAID_WORDS += [_IN_WORD.join(w) for w in (*_LANGUAGE.number_separator_words, *_FILLERS)]
_SAID_BETWEEN = re.compile(r"([0-9])" + _ROUND_WORD + "(?:" + ("|".join(_SAID_WORDS) or "(?!)") + ")" + _ROUND_WORD
                           + "(?=[0-9])")
# A draft holds one of the words only if it holds the word's first character: the substitution's gate.
_SAID_HINTS = tuple(dict.fromkeys(w[0] for w in (*_SAID, *_FILLERS)))


def _said_between(text: str) -> str:
    return _SAID_BETWEEN.sub(lambda m: m.group(1) + " " * (len(m.group()) - 1), text)


def find_numbers(text: str, ctx: PiiContext, *, spelt: Callable[[int], bool] | None = None) -> list[PiiMatch]:
    """Personal numbers in the wide text; `spelt` marks digits written as words (see `_groups`)."""
    out: list[PiiMatch] = []
    if any(w in text for w in _SAID_HINTS):
        text = _said_between(text)
    for m in _RUN.finditer(text):
        if _AMOUNT.fullmatch(m.group()):
            continue
        groups = _groups(m.group(), m.start(), spelt)
        if not groups:
            continue
        n = len(groups)
        taken: list[tuple[int, int]] = []
        # Group-aligned windows, longest first: a whole disguised number before its parts (up to 19 groups:
        # an ID number typed one digit at a time). Windows that validate as no category, or that the
        # words before them rule out, cannot be taken: only the others are candidates. A 400 hotline or
        # a landline read whole is not a mobile or card inside it; windows span at most 19 groups, so
        # the service windows containing one start in the 19 groups before it: a check per candidate in
        # constant time (a run of thousands of groups stays linear). A run of thousands of short groups
        # repeats the same digit strings: each is judged once per run.
        cands: list[tuple[int, int, int, int, str, str]] = []
        service_end: dict[int, int] = {}  # start group -> furthest end group of a service window
        service: dict[str, bool] = {}
        classified: dict[str, tuple[str, int] | None] = {}
        joined = "".join(g[2] for g in groups)
        ends = list(accumulate(len(g[2]) for g in groups))  # ends[b]: digits in groups[0..b]
        scored: dict[str, tuple[int, str | None]] = {}
        for a in range(n):
            first = ends[a] - len(groups[a][2])
            # The windows of 11 to 19 digits starting at group a, found by bisection, not by growing a string.
            lo = bisect_left(ends, first + 11, a)
            hi = min(bisect_right(ends, first + 19, a), a + 19, n)
            start = groups[a][0]
            context: tuple[int, str | None] | None = None  # the words before group a, judged once
            for b in range(lo, hi):
                digits = joined[first:ends[b]]
                if service[digits] if digits in service else service.setdefault(digits, is_service_number(digits)):
                    service_end[a] = max(b, service_end.get(a, b))
                c = classified[digits] if digits in classified else classified.setdefault(digits, classify(digits))
                if c is None:
                    continue
                if context is None:
                    before = _words_before(text, start, ctx)
                    if before not in scored:
                        scored[before] = _score_before(before, ctx)
                    context = scored[before]
                category, strength = c
                score, pos = context
                if pos == "bank_card" and category == "id_card" and len(digits) == 18:
                    category = "bank_card"  # a card's word names it, even one that reads as an ID number
                elif pos == "id_card" and category == "bank_card" and _id_shaped(digits):
                    category = "id_card"  # and an ID's word a mistyped ID number whose digits happen to pass Luhn
                phone = pos == "mobile" and not any(_word_end(before, w) >= 0 for w in ctx.positive.get("bank_card", ())
                                                    if w in before)
                if (category == "bank_card" and (pos == "id_card" or phone)) or strength + score <= 0:
                    continue  # nor is a card read across the numbers right after 手机/电话 (138 1234 5678/139 …)
                cands.append((-len(digits), a, b, start, digits, category))
        cands.sort()
        for _, a, b, s, digits, category in cands:
            e = groups[b][1]
            # `taken` spans are disjoint and kept sorted: only the last one starting before e can overlap.
            k = bisect_left(taken, (e, -1)) - 1
            if k >= 0 and taken[k][1] > s:
                continue
            # A service number read from the last digits of a number already taken and the start of this one
            # (a card ending in 0, then a mobile: 0 + 132… reads as a landline) does not hide this one.
            if service_end and any(service_end.get(a2, -1) >= b and not _covered(taken, groups[a2][0])
                                   for a2 in range(max(0, b - 18), a + 1)):
                continue
            value = digits[-11:] if category == "mobile" else digits
            out.append(PiiMatch(category, s, e, mask(category, value)))
            insort(taken, (s, e))
    return out


# A number given in pieces with words between (前六位…，中间那段…，最后四位…) right after the word that
# names it. Each piece has three digits or more and is not a quantity; the pieces joined must
# validate (ID check digit, mobile prefix, Luhn) — a chance join of counts and amounts rarely does.
_PIECE = re.compile(r"(?<![0-9])[0-9]{3,}x?(?![0-9])")
_PIECE_STOP = re.compile(r"[！？!?\n]")  # not 。: pieces are told sentence by sentence too (前三位138。中间…)
_PIECE_UNIT = frozenset("元块万千百亿分秒钟个次单件天年月日号岁%人家台张位")
_PIECE_GAP = 14  # characters of words between two pieces
_PIECE_SPAN = 60  # the whole number, pieces and words, after its word


def _pieces_between(text: str, start: int, end: int) -> list[re.Match[str]]:
    """The digit pieces in text[start:end] that can be part of a number: none followed by a unit (an
    amount, a count; unless the text ends there), none cut by `end` while its digits go on (a card's
    first digits are no piece)."""
    out = []
    for p in _PIECE.finditer(text, start, end):
        after = text[p.end():p.end() + 1]
        if (after not in _PIECE_UNIT or p.end() == len(text)) and not after.isdigit():
            out.append(p)
    return out


@lru_cache(maxsize=8)
def _positive_words(words: tuple[tuple[str, tuple[str, ...]], ...]) -> re.Pattern[str] | None:
    alt = literal_alternation(w for _, ws in words for w in ws)
    return re.compile(alt) if alt else None


def find_pieces(text: str, ctx: PiiContext) -> list[PiiMatch]:
    words = _positive_words(tuple(sorted(ctx.positive.items())))
    if words is None:
        return []
    category_of = {w: cat for cat, ws in ctx.positive.items() for w in ws}
    out: list[PiiMatch] = []
    last = 0
    for wm in words.finditer(text):
        if wm.start() < last:
            continue
        cat = category_of.get(wm.group())
        stop = _PIECE_STOP.search(text, wm.end(), wm.end() + _PIECE_SPAN)
        end = stop.start() if stop else min(len(text), wm.end() + _PIECE_SPAN)
        pieces = _pieces_between(text, wm.end(), end)
        # The number may start at any piece: a false start or a correction comes first (一三八……不对，是151…).
        # Pieces named by their place are joined in that order first (开头…，结尾…，中间…).
        match = _named_pieces(text, wm.end(), pieces, cat)
        for first in range(len(pieces) - 1):
            if match:
                break
            match = _joined_pieces(pieces, first, cat)
        if match:
            out.append(match)
            last = match.end
    # Pieces whose first is named by its place (前三位…，后面…) with the number's word elsewhere in the sentence,
    # after the pieces too (前三位幺九八，后面95588746，这是家属的电话): the word gives the category.
    if "前" in text or "开头" in text or "后" in text or "尾" in text or "末" in text:
        for pm in _PLACE_START.finditer(text):
            if pm.start() < last or any(m.start <= pm.start() < m.end for m in out):
                continue
            stop = _PIECE_STOP.search(text, pm.end(), pm.end() + _PIECE_SPAN)
            end = stop.start() if stop else min(len(text), pm.end() + _PIECE_SPAN)
            pieces = _pieces_between(text, pm.start(), end)
            if len(pieces) < 2 or pieces[0].start() - pm.end() > 3:
                continue
            opened = text.rfind("。", max(0, pm.start() - _PIECE_SPAN), pm.start()) + 1
            closed = _SENTENCE_END.search(text, end, end + _PIECE_SPAN)
            said = words.search(text, max(opened, pm.start() - _PIECE_SPAN), closed.start() if closed else
                                min(len(text), end + _PIECE_SPAN))
            cat = category_of.get(said.group()) if said else None
            match = _named_pieces(text, pm.start(), pieces, cat) or _joined_pieces(pieces, 0, cat)
            if match is None and cat is None:
                match = _placed_mobile(text, pm.start(), pieces)
            if match:
                out.append(match)
                last = match.end
    # Digits said straight, then the tail named (幺八六零二一四，尾数七七八九): the tail word says the digits
    # before it are the number's head.
    if "尾数" in text or "后四位" in text or "最后四位" in text:
        for hm in _HEAD_TAIL.finditer(text):
            digits = hm.group(1) + hm.group(2)
            if _MOBILE.fullmatch(digits) and not any(m.start < hm.end() and hm.start() < m.end for m in out):
                out.append(PiiMatch("mobile", hm.start(), hm.end(), mask("mobile", digits)))
    return out


# A number's first, middle or last part named by its place; out-of-order tellings may open with any of them.
_PLACE_START = re.compile(r"(?:前[0-9]{1,2}位|开头|后[0-9]{1,2}位|尾数|结尾|最后[0-9]{1,2}位|末[0-9]{1,2}位)"
                          r"(?:是|为|:)?")
_HEAD_TAIL = re.compile(r"(?<![0-9])([0-9]{7})[，,、 ]{0,2}(?:尾数|后四位|最后四位)(?:是|为|:)?\s?([0-9]{4})(?![0-9])")


def _placed_mobile(text: str, start: int, pieces: list[re.Match[str]]) -> PiiMatch | None:
    """A mobile told in two to four pieces, every one named by its place (前三位…，中间四位…，尾数…) and no word for
    the number: naming each part by its place says one number is being handed over, and the mobile's shape
    (11 digits, 1[3-9]) is checked on the pieces joined in place order."""
    placed: list[tuple[int, re.Match[str]]] = []
    prev = start
    for p in pieces[:4]:
        place = _piece_place(text[prev:p.start()])
        if p.start() - prev > _PIECE_GAP or place is None:
            break
        placed.append((place, p))
        prev = p.end()
    if len(placed) < 2:
        return None
    ordered = [p for _, p in sorted(placed, key=lambda t: t[0])]
    digits = "".join(p.group() for p in ordered)
    if not _MOBILE.fullmatch(digits):
        return None
    return PiiMatch("mobile", placed[0][1].start(), placed[-1][1].end(), mask("mobile", digits))
_SENTENCE_END = re.compile(r"[。！？!?\n]")


def _piece_place(words: str) -> int | None:
    """Where the words before a piece put it: 0 first (前六位, 开头), 1 middle (中间), 2 last (后四位, 结尾)."""
    if "中间" in words:
        return 1
    if "前" in words or "开头" in words:
        return 0
    if "后" in words or "尾" in words or "末" in words:
        return 2
    return None


def _named_pieces(text: str, start: int, pieces: list[re.Match[str]], cat: str | None) -> PiiMatch | None:
    """Pieces out of order, each named by its place (后四位5678，前三位138，中间1234), joined in place order."""
    if not 2 <= len(pieces) <= 4:
        return None
    places: list[int] = []
    prev = start
    for p in pieces:
        place = _piece_place(text[prev:p.start()])
        if p.start() - prev > _PIECE_GAP or place is None:
            return None
        places.append(place)
        prev = p.end()
    if places == sorted(places):
        return None  # in order already: the ordinary join has judged it
    ordered = [p for _, p in sorted(zip(places, pieces, strict=True), key=lambda t: t[0])]
    digits = "".join(p.group() for p in ordered)
    found = _validated(digits, cat)
    return PiiMatch(found, pieces[0].start(), pieces[-1].end(), mask(found, digits)) if found else None


def _validated(digits: str, cat: str | None) -> str | None:
    """The category of pieces joined into `digits`: any valid ID; a mobile or card only after its own word."""
    if len(digits) == 18 and is_resident_id(digits):
        return "id_card"
    if len(digits) == 11 and cat == "mobile" and _MOBILE.fullmatch(digits):
        return "mobile"
    if 16 <= len(digits) <= 19 and cat == "bank_card" and digits.isdigit() and luhn_ok(digits):
        return "bank_card"
    return None


def _joined_pieces(pieces: list[re.Match[str]], first: int, cat: str | None) -> PiiMatch | None:
    """The number that pieces[first], pieces[first + 1], … make when joined, if one validates."""
    digits = pieces[first].group()
    for k in range(first + 1, min(len(pieces), first + 6)):
        if pieces[k].start() - pieces[k - 1].end() > _PIECE_GAP:
            return None
        digits += pieces[k].group()
        found = _validated(digits, cat)
        if found:
            return PiiMatch(found, pieces[first].start(), pieces[k].end(), mask(found, digits))
        if len(digits) > 19:
            return None
    return None


# E-mail ------------------------------------------------------------------------------------
# The @ said in words: at, 艾特, 圈a, a in brackets (name(a)163.com), the slang 小老鼠, and 在 right after a name
# of letters (name 在 163 点 com); 在 and a bare at only count before a full domain (see find_emails). The
# brackets include the Chinese input method's 【】 and 〔〕 (name【at】163【dot】com).
# Dictated through speech-to-text or typed as said, the @ also comes as its name with 符号 (at符号, 艾特符号),
# as 爱特, or in pinyin (ai te, quan a), and the dot as dian: each is a spoken form of the same two symbols.
_AT = re.compile(
    r"\s{0,3}(?:@|[\[(（{<【〔]\s{0,2}(?:at|艾特|a)\s{0,2}[\])）}>】〕]|(?<=[a-z0-9] )at(?= [a-z0-9])|艾特|圈a|小老鼠"
    r"|(?<=[a-z0-9])在|(?<=[a-z0-9] )在)\s{0,3}")
# The spoken forms make the scan slower: used only for a draft holding one of them (see `_said_at`).
_AT_SAID = re.compile(
    r"\s{0,3}(?:(?<=[a-z0-9 ])(?:@|at|艾特|爱特)\s?符号|@|[\[(（{<【〔]\s{0,2}(?:at|艾特|a)\s{0,2}[\])）}>】〕]"
    r"|(?<=[a-z0-9] )at(?= [a-z0-9])|艾特|爱特|圈a|小老鼠|(?<![a-z])(?:ai ?te|quan ?a)(?![a-z])"
    r"|(?<=[a-z0-9])在|(?<=[a-z0-9] )在)\s{0,3}")
_AT_PINYIN = re.compile(r"(?<![a-z])(?:ai ?te|quan ?a)(?![a-z])")


def _said_at(text: str) -> bool:
    """The @ said as 爱特, with 符号, or in pinyin (ai te, quan a): asked with `in` before any regex."""
    return ("符号" in text or "爱特" in text or (("ai te" in text or "aite" in text or "quan a" in text
                                                 or "quana" in text) and _AT_PINYIN.search(text) is not None))
_WORD_AT = ("at", "在")
_DOT = re.compile(r"\s{0,3}(?:\.|。|[\[(（{<【〔]\s{0,2}(?:dot|点)\s{0,2}[\])）}>】〕]|(?<=[a-z0-9] )dot(?= [a-z])"
                  r"|点|句号|(?<![a-z])dian(?= ?[a-z0-9]))\s{0,3}")
# A local part's _ - . said as words (zhang下划线san, li 点 ming): read back across them.
_SAID_LOCAL_SEP = re.compile(r"(?:[a-z0-9]\s?)(?:下划线|底线|中划线|横杠|减号|杠|点)\s?$")
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._%+-_")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62})")
_TLDS = frozenset("com cn net org edu gov io co info me hk tw uk de jp biz cc top xyz vip mil int".split())


_NOT_NAME = frozenset("at to me is my the and or via send mail email e-mail address contact".split())


def _spaced_local_start(text: str, j: int, floor: int) -> int:
    """Start of a local part typed in words (邮箱 zhang wei @163.com): up to two earlier words of letters join it
    when they run back to a Chinese character or a colon, never English words around an address."""
    k = j
    for _ in range(2):
        if k - 2 < floor or text[k - 1] != " " or text[k - 2] not in _LOCAL_CHARS:
            break
        w = k - 1
        while w > floor and text[w - 1] in _LOCAL_CHARS:
            w -= 1
        if not text[w:k - 1].isalpha() or text[w:k - 1] in _NOT_NAME:
            break  # name words are letters: a number or an English word before the address is not part of it
        k = w
    if k == j:
        return j
    p = k
    while p > 0 and text[p - 1] == " ":
        p -= 1
    return k if p > 0 and (not text[p - 1].isascii() or text[p - 1] == ":") else j


_SAID_SEP = re.compile(r"\s?(?:下划线|底线|中划线|横杠|减号|杠|点)\s?")
_SAID_SEP_CHAR = {"下划线": "_", "底线": "_", "中划线": "-", "横杠": "-", "减号": "-", "杠": "-", "点": "."}


def _said_local_start(text: str, j: int, floor: int) -> int:
    """Start of a local part whose _ - . were said as words (zhang下划线san): each such word with letters or
    digits before it joins the local part, at most three times and within its 64 characters."""
    for _ in range(3):
        m = _SAID_LOCAL_SEP.search(text, max(floor, j - 6), j)
        if not m:
            break
        k = m.start() + 1
        while k > floor and text[k - 1] in _LOCAL_CHARS and text[k - 1] not in "._%+-":
            k -= 1
        j = k
    return j


def find_emails(text: str, *, said: bool = False) -> list[PiiMatch]:
    """E-mail addresses of the wide text; `said`: the @ may also be said (see `_said_at`)."""
    out: list[PiiMatch] = []
    last_end = 0
    for m in (_AT_SAID if said else _AT).finditer(text):
        if m.start() < last_end:
            continue
        i = m.start()
        j = i
        floor = max(last_end, i - 64)  # a local part has at most 64 characters: bounded, so linear
        while j > floor and text[j - 1] in _LOCAL_CHARS:
            j -= 1
        while j < i and not text[j].isalnum():
            j += 1
        if j < i:
            j = _spaced_local_start(text, j, floor)
            j = _said_local_start(text, j, floor)
        local = _SAID_SEP.sub(lambda s: _SAID_SEP_CHAR[s.group().strip()], text[j:i]).replace(" ", "")
        if not local or len(local) > 64:
            continue
        plain = m.group().strip() == "@"
        pos = m.end()
        labels: list[str] = []
        end = pos
        while len(labels) < 8:  # bounded: a domain has a few labels
            lm = _LABEL.match(text, pos)
            if not lm:
                break
            labels.append(lm.group())
            end = lm.end()
            dm = _DOT.match(text, end)
            if not dm or dm.end() == end:
                break
            if dm.group().strip() not in (".",) and not _LABEL.match(text, dm.end()):
                break
            pos = dm.end()
        if len(labels) == 1 and labels[0] in _HOST_NAMES and m.group().strip() not in _WORD_AT:
            # A public provider named without its top-level label (name@163, name 艾特 qq邮箱); not after
            # a bare English "at" (I work at qq).
            value = f"{local}@{labels[0]}"
            out.append(PiiMatch("email", j, end, mask("email", value)))
            last_end = end
            continue
        if len(labels) < 2:
            continue
        tld = labels[-1]
        if not tld.isalpha() or len(tld) < 2 or (not plain and tld not in _TLDS):
            continue
        if not plain and tld not in _TLDS:
            continue
        value = f"{local}@{'.'.join(labels)}"
        out.append(PiiMatch("email", j, end, mask("email", value)))
        last_end = end
    return out


# An address typed one character at a time (a b c @ 1 6 3 . c o m): read with the spaces taken out.
_SPACED = re.compile(r"(?<![a-z0-9._@-])[a-z0-9._@-](?: [a-z0-9._@-]){5,}(?![a-z0-9._@-])")
# The @ replaced by a symbol or emoji (name#163.com, name😀outlook.com) before a public mail provider's domain.
_MAIL_HOSTS = ("qq|163|126|139|189|yeah|sina|sohu|gmail|outlook|hotmail|live|msn|yahoo|foxmail|aliyun|icloud"
               "|21cn|tom|protonmail")
_HOST_NAMES = frozenset(_MAIL_HOSTS.split("|"))
_HOST = re.compile(r"(?:" + _MAIL_HOSTS + r")\s?[.。]\s?(?:com|cn|net)")
_STAND_IN = re.compile(r"(?<![a-z0-9._-])([a-z0-9][a-z0-9._-]{1,63}) ?[^\sa-z0-9\u4e00-\u9fff._-]{1,3} ?"
                       r"(?:" + _MAIL_HOSTS + r")\s?[.。]\s?(?:com|cn|net)(?:[.]cn)?(?![a-z])")


# The draft says which character stands for the @ (#改成@, 把*换成@, ￥=@): that character before any
# domain with a known top-level label is an address, whatever the provider.
_SAYS_AT = re.compile(r"([^\sa-z0-9\u4e00-\u9fff])\s?[)）\]]?\s?"
                      r"(?:改成|换成|替换成|替换为|改为|换为|代表|就是|表示|=)\s?@")


def _declared_stand_in(text: str, sym: str) -> list[PiiMatch]:
    rx = re.compile(r"(?<![a-z0-9._-])([a-z0-9][a-z0-9._-]{0,63}) ?" + re.escape(sym)
                    + r" ?((?:[a-z0-9][a-z0-9-]{0,62}\.){1,4}[a-z]{2,6})(?![a-z0-9])")
    out = []
    for m in rx.finditer(text):
        if m.group(2).rsplit(".", 1)[-1] in _TLDS:
            out.append(PiiMatch("email", m.start(), m.end(), mask("email", f"{m.group(1)}@{m.group(2)}")))
    return out


def _disguised_emails(text: str) -> list[PiiMatch]:
    out: list[PiiMatch] = []
    for sym in {m.group(1) for m in _SAYS_AT.finditer(text)} if "@" in text else ():
        out += _declared_stand_in(text, sym)
    # Only a spaced run holding the @ itself is read: a draft without one skips the scan (its lookbehind
    # is tried at every character).
    for m in _SPACED.finditer(text) if "@" in text else ():
        if "@" in m.group():
            out += [PiiMatch("email", m.start(), m.end(), e.masked) for e in find_emails(m.group().replace(" ", ""))]
    for m in _STAND_IN.finditer(text) if _HOST.search(text) else ():
        host = re.sub(r"\s", "", text[m.end(1):m.end()])
        value = f"{m.group(1)}@{re.sub(r'^[^a-z0-9]+', '', host).replace('。', '.')}"
        out.append(PiiMatch("email", m.start(), m.end(), mask("email", value)))
    return out


# An address told in two parts after its word: 邮箱前缀 wangli88，后缀 163.com / 用户名…，域名… / …后面加@qq.com.
_PIECED_EMAIL = re.compile(
    r"(?:邮箱|邮件|email|e-mail|mail)[^。！？!?\n@]{0,8}?(?:前缀|用户名|账号|名字|名)?(?:是|为|:|\s)*"
    r"(?<![a-z0-9._-])([a-z0-9][a-z0-9._-]{1,63})\s?[,，;；、]?\s?(?:然后|再)?"
    r"(?:后缀|域名|后面|尾巴|@后面)(?:是|为|加|跟|接|:|\s)*@?\s?"
    r"([a-z0-9-]{1,63}(?:\s?(?:\.|。|点|句号|dot)\s?[a-z0-9-]{1,63}){0,3})(?![a-z0-9])")
_PIECED_DOT = re.compile(r"\s?(?:\.|。|点|句号|dot)\s?")


def _pieced_emails(text: str) -> list[PiiMatch]:
    out = []
    for m in _PIECED_EMAIL.finditer(text):
        labels = _PIECED_DOT.split(m.group(2))
        if (len(labels) >= 2 and labels[-1] in _TLDS) or (len(labels) == 1 and labels[0] in _HOST_NAMES):
            value = f"{m.group(1)}@{'.'.join(labels)}"
            out.append(PiiMatch("email", m.start(1), m.end(), mask("email", value)))
    return out


def _with_pieces(found: list[PiiMatch], pieces: list[PiiMatch]) -> list[PiiMatch]:
    """`found` and the numbers given in pieces that overlap none of it. An ID or card joined from pieces
    (its checksum valid, a card under its own word) replaces a number found inside one of its pieces: a
    card told as 52976250, then 15632183885 is a card, not a mobile."""
    for p in pieces:
        inside = [m for m in found if p.start <= m.start and m.end <= p.end and m.category != "email"]
        if inside and p.category in ("id_card", "bank_card") and all(m.category != p.category for m in inside):
            found = [m for m in found if m not in inside]
        if not any(m.start < p.end and p.start < m.end for m in found):
            found.append(p)
    return found


def _spelt_digits(folded: Folded) -> Callable[[int], bool]:
    """Whether the digit at a wide index was written as a word: asked of the digits of runs only, not
    of every character of the draft."""
    original, offsets = folded.original, folded.wide.offsets
    return lambda i: not original[offsets[i]].isdecimal()


def _at_said_zai(text: str) -> bool:
    """A 在 right after a letter or digit (name在163点com): the only 在 the e-mail scan needs to look at;
    asked with str.find, since 在 is in most drafts and the full scan is not cheap."""
    i = text.find("在")
    while i != -1:
        before = text[i - 1:i] if text[i - 1:i] != " " else text[i - 2:i - 1]
        if before and before in _LOCAL_CHARS:
            return True
        i = text.find("在", i + 1)
    return False


def _add_disjoint(found: list[PiiMatch], more: Iterable[PiiMatch]) -> list[PiiMatch]:
    """`found` and those of `more` that overlap none of it (earlier finders win)."""
    taken = [(m.start, m.end) for m in found]
    return found + [m for m in more if not any(s < m.end and m.start < e for s, e in taken)]


def _add_longer(found: list[PiiMatch], more: Iterable[PiiMatch]) -> list[PiiMatch]:
    """`found` and those of `more` that overlap none of it; one of `more` that holds the whole of each match
    it overlaps, and is longer, replaces them (the said digits read whole: a card, not the mobile-shaped
    tail the draft's own digits gave)."""
    out = list(found)
    for m in more:
        hit = [f for f in out if f.start < m.end and m.start < f.end]
        if not hit:
            out.append(m)
        elif all(m.start <= f.start and f.end <= m.end and (f.end - f.start) < (m.end - m.start) for f in hit):
            out = [f for f in out if f not in hit] + [m]
    return out


# The letter O typed for the digit 0 (138OO138OOO): a run of digits and o's that holds a digit, not glued to
# other letters (hello2, go138, 138ok stay as they are); an ID's check digit x may close it, and a label may
# come before a run that opens with a digit.
# The circles an input method offers beside 〇 (○ ◯) are read the same way.
_O_FOR_ZERO = re.compile(r"(?<![0-9o○◯])(?:(?<![a-z])[o○◯]+)?[0-9][0-9o○◯]*x?(?![a-z0-9])")
_ZERO_LOOKALIKES = str.maketrans("o○◯", "000")


def _o_for_zero(text: str) -> str:
    """The text with each such o read as 0: same length, so the wide indices (and the masked spans) stay."""
    return _O_FOR_ZERO.sub(lambda m: m.group().translate(_ZERO_LOOKALIKES), text)


# Speech-to-text writes a dictated digit as another character of its sound (要三九 for 幺三九, 久 for 九, 巴 for
# 八, 思 for 四): general homophones of the digits' readings in Mandarin. Such a character is read as its digit
# only beside a digit that was itself said (a Chinese numeral or another such reading), never beside a typed
# numeral (我要13812345678 keeps its 要), and the readings only add numbers the draft's own text does not give.
_SOUND_DIGITS = {**dict.fromkeys("要腰妖邀吆", "1"), **dict.fromkeys("儿耳而尔", "2"), **dict.fromkeys("伞散", "3"),
                 **dict.fromkeys("思斯死丝司寺", "4"), **dict.fromkeys("无吴舞午武捂", "5"),
                 **dict.fromkeys("溜留流", "6"), **dict.fromkeys("期妻漆齐奇骑", "7"),
                 **dict.fromkeys("巴吧爸扒叭芭", "8"), **dict.fromkeys("久酒旧", "9"),
                 **dict.fromkeys("灵铃玲凌", "0")}
_SOUND_CHARS = re.compile("[" + "".join(_SOUND_DIGITS) + "]")
# The cheap test first: such a character beside a digit at all (or across one space); most drafts have none.
_SOUND_NEAR = re.compile("[" + "".join(_SOUND_DIGITS) + "] ?[0-9]|[0-9] ?[" + "".join(_SOUND_DIGITS) + "]")
# 双 before a said digit says it twice (双九 = 99); 两个 / 三个 before one says it that many times (三个零 = 000).
_DOUBLED = re.compile(r"双(?=[0-9])|[23]个(?=[0-9])")
# How far around the characters read as digits their numbers are looked for (wide characters).
_SAID_REACH = 80


def _said_digits(text: str, spelt: Callable[[int], bool]) -> tuple[str, int, int]:
    """The wide text with the digits a dictated number holds in other characters read as digits (same
    length: the wide indices, and the masked spans, stay), and the span of the characters read so;
    `text` itself (and an empty span) when there are none."""
    chars = list(text)
    n = len(chars)

    def said(j: int) -> bool:
        return 0 <= j < n and chars[j].isdigit() and chars[j].isascii() and spelt(j)

    def near(i: int) -> bool:  # a said digit beside i, or across one space
        return (said(i - 1) or said(i + 1) or (i > 1 and chars[i - 1] == " " and said(i - 2))
                or (i + 2 < n and chars[i + 1] == " " and said(i + 2)))

    changed: list[int] = []
    for m in _DOUBLED.finditer(text):
        i = m.start()
        if not said(m.end()) or (chars[i] != "双" and not said(i)):
            continue
        d = chars[m.end()]
        if chars[i] == "双":
            chars[i] = d
        elif chars[i] == "3":
            chars[i] = chars[i + 1] = d
        else:  # 2个X: X, a space, X (the space is junk between digits)
            chars[i], chars[i + 1] = d, " "
        changed.append(i)
    places = [m.start() for m in _SOUND_CHARS.finditer(text)]
    for _ in range(8):  # a reading beside a reading (要久要久): each pass reaches one character further
        now = [i for i in places if near(i)]
        if not now:
            break
        for i in now:
            chars[i] = _SOUND_DIGITS[chars[i]]
        read = set(now)
        places = [i for i in places if i not in read]
        changed += now
    if changed and "叉" in text:  # the ID's check letter said after such a digit (…伞叉)
        for i in range(1, n):
            if chars[i] == "叉" and said(i - 1):
                chars[i] = "x"
    return ("".join(chars), min(changed), max(changed) + 1) if changed else (text, 0, 0)


def find_pii(folded: Folded, ctx: PiiContext) -> list[PiiMatch]:
    """All personal data of a folded draft (wide-view spans), e-mail addresses first."""
    text = folded.wide.text
    said = _said_at(text)
    found = find_emails(text, said=said) if (said or "@" in text or "at" in text or "艾特" in text or "圈" in text
                                             or "a)" in text or "a]" in text
                                             or "老鼠" in text or _at_said_zai(text)) else []
    found = _add_disjoint(found, _disguised_emails(text))
    if "邮" in text or "mail" in text:
        found = _add_disjoint(found, _pieced_emails(text))
    # The shortest personal number (a mobile) has 11 digits: a draft with fewer has none.
    digits = sum(map(text.count, "0123456789"))
    if digits and ("o" in text or "○" in text or "◯" in text) and digits + sum(map(text.count, "o○◯")) >= 11:
        text = _o_for_zero(text)
        digits = sum(map(text.count, "0123456789"))
    spelt = _spelt_digits(folded)
    if digits >= 11:
        found = _add_disjoint(found, find_numbers(text, ctx, spelt=spelt))
        found = _with_pieces(found, find_pieces(text, ctx))
    if digits >= 5 and (_SOUND_NEAR.search(text) is not None or _DOUBLED.search(text) is not None):
        read, a, b = _said_digits(text, spelt)
        # Only the numbers round the characters read as digits are new: the scan reads that stretch, with
        # room for the longest number (and its spaced groups) and the words before it.
        lo, hi = max(0, a - _SAID_REACH), min(len(read), b + _SAID_REACH)
        part = read[lo:hi]
        if b > a and sum(map(part.count, "0123456789")) >= 11:
            more = find_numbers(part, ctx, spelt=lambda i: spelt(i + lo))
            found = _add_longer(found, [replace(m, start=m.start + lo, end=m.end + lo) for m in more
                                        if m.start + lo < b and a < m.end + lo])
    found.sort(key=lambda m: m.start)
    return found
