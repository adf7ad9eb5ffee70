"""When a leak was discovered: common Chinese time expressions read into an instant (pure).

"刚刚", "3小时前", "昨天下午", "前天晚上8点", "12月1日 14点", "上周三上午" ... are read against an
injected `now` in Beijing time. The vocabulary is data (phrasebook/time.yaml). A vague answer is
read as its earliest moment ("昨天下午" = yesterday 12:00), so a statutory clock that runs from
discovery never starts late. Deterministic and bounded: short input only, anchored patterns with
bounded repetition, results between a year ago and now; anything else is "unclear" and is asked again.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from bot.core.paths import PHRASEBOOK_DIR
from bot.core.schema import NonEmpty, load_file_model
from bot.core.yamlfile import DataError, Problem

BEIJING = timezone(timedelta(hours=8), "北京时间")
MAX_CHARS = 40  # a time expression is short; anything longer is asked again
MAX_AGE_DAYS = 366
FUTURE_SLACK = 60.0  # seconds: clocks of phone and server differ a little

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_NUM = r"(?:\d{1,4}|[零〇一二两三四五六七八九十]{1,4})"
_WEEKDAYS = {**{str(i): i - 1 for i in range(1, 8)}, "一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5,
             "日": 6, "天": 6}


def format_time(ts: float) -> str:
    """A POSIX time as Beijing wall time, minute precision."""
    return datetime.fromtimestamp(ts, BEIJING).strftime("%Y-%m-%d %H:%M")


# ----------------------------------------------------------------------------- vocabulary


class TimeWordsModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    now_words: Annotated[list[NonEmpty], Field(min_length=1)]
    days: dict[NonEmpty, Annotated[int, Field(ge=0, le=7)]]
    day_parts: dict[NonEmpty, tuple[Annotated[int, Field(ge=0, le=7)], NonEmpty]] = {}
    parts: dict[NonEmpty, tuple[Annotated[int, Field(ge=0, le=24)], Annotated[int, Field(ge=0, le=24)]]]
    week_words: Annotated[list[NonEmpty], Field(min_length=1)]
    units: dict[NonEmpty, Annotated[int, Field(ge=1, le=86400)]]
    fillers: list[NonEmpty] = []


@dataclass(frozen=True)
class TimeWords:
    now_words: frozenset[str]
    days: dict[str, int]
    day_parts: dict[str, tuple[int, str]]
    parts: dict[str, tuple[int, int]]
    week_words: tuple[str, ...]
    units: dict[str, int]
    fillers: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "patterns", _compile(self))


def load_time_words(path: Path | None = None) -> TimeWords:
    """phrasebook/time.yaml (or `path`); DataError with file:line when broken."""
    path = path or PHRASEBOOK_DIR / "time.yaml"
    m = load_file_model(path, TimeWordsModel)
    problems = [f"day_parts: {word!r} names the unknown part {part!r}"
                for word, (_, part) in m.day_parts.items() if part not in m.parts]
    problems += [f"parts: {word!r} ends before it starts" for word, (a, b) in m.parts.items() if b < a]
    if problems:
        raise DataError([Problem(str(path), 1, p) for p in problems])
    words = TimeWords(frozenset(m.now_words), dict(m.days), dict(m.day_parts), dict(m.parts),
                      tuple(m.week_words), dict(m.units), tuple(sorted(m.fillers, key=len, reverse=True)))
    return words


@lru_cache(maxsize=1)
def shipped_time_words() -> TimeWords:
    return load_time_words()


def _alt(words: object) -> str:
    """A regex alternation of words, longest first (so 大前天 wins over 前天)."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # type: ignore[call-overload]


@dataclass(frozen=True, slots=True)
class _Patterns:
    relative: re.Pattern[str]
    absolute: re.Pattern[str]


def _compile(words: TimeWords) -> _Patterns:
    relative = re.compile(
        rf"(?:(?P<n>{_NUM})个?(?P<h1>半)?|(?P<h2>半)个?)(?P<unit>{_alt(words.units)})(?:以)?前")
    day = (rf"(?P<dayword>{_alt(words.days)})|(?P<daypart>{_alt(words.day_parts)})"
           rf"|(?P<last>上个?)?(?:{_alt(words.week_words)})(?P<wd>[1-7一二三四五六日天])"
           rf"|(?:(?P<y>\d{{4}})年)?(?P<mo>{_NUM})月(?P<d>{_NUM})[日号]?"
           rf"|(?P<y2>\d{{4}})[-/.](?P<mo2>\d{{1,2}})[-/.](?P<d2>\d{{1,2}})"
           rf"|(?P<mo3>\d{{1,2}})/(?P<d3>\d{{1,2}})")
    clock = (rf"(?P<h>{_NUM})(?:(?:点|时)钟?(?:(?P<m>{_NUM})分?|(?P<half>半)|(?P<q>一刻|三刻))?"
             rf"|:(?P<mm>\d{{2}}))")
    absolute = re.compile(rf"(?:{day})?T?(?P<part>{_alt(words.parts)})?(?:{clock})?")
    return _Patterns(relative, absolute)


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class Reading:
    """`at` (POSIX seconds) when the text was read, else `problem`: "unclear", "future" or "too_old"."""

    at: float | None
    problem: str | None = None


def _number(text: str | None) -> int | None:
    """An Arabic or Chinese number below 10000 (十五, 二十三, 两, 14), None when absent or malformed."""
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        if "十" in ones or (tens and tens not in _CN_DIGITS) or (ones and ones not in _CN_DIGITS):
            return None
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    if all(c in _CN_DIGITS for c in text):
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    return None


def normalize(text: str, words: TimeWords) -> str:
    """Full-width forms folded, spaces and punctuation dropped, filler words removed."""
    folded = unicodedata.normalize("NFKC", text).strip()
    folded = re.sub(r"(?<=\d)[\s,，、]+(?=\d)", "T", folded)  # "12/1 14点": keep the day and hour apart
    folded = re.sub(r"[\s,，。!！、~～]", "", folded).rstrip(".")
    for filler in words.fillers:
        folded = folded.replace(filler, "")
    return folded


def read_discovery(text: str, *, now: float, words: TimeWords | None = None) -> Reading:
    """The instant `text` names, read against `now`; vague answers give their earliest moment."""
    words = words or shipped_time_words()
    if not text or len(text) > MAX_CHARS:
        return Reading(None, "unclear")
    raw = unicodedata.normalize("NFKC", text).strip().rstrip("。.!！")
    if raw in words.now_words:
        return Reading(now)
    cleaned = normalize(text, words)
    if not cleaned:
        return Reading(None, "unclear")
    if cleaned in words.now_words:
        return Reading(now)
    pats: _Patterns = words.patterns  # type: ignore[attr-defined]
    at: float | None = None
    rel = pats.relative.fullmatch(cleaned)
    if rel:
        n = _number(rel["n"]) if rel["n"] else 0
        if n is None or n > 999:
            return Reading(None, "unclear")
        amount = n + (0.5 if rel["h1"] or rel["h2"] else 0)
        if amount <= 0:
            return Reading(now)
        at = now - amount * words.units[rel["unit"]]
    else:
        m = pats.absolute.fullmatch(cleaned)
        if m is None or not any(m.groupdict().values()):
            return Reading(None, "unclear")
        at = _absolute(m, now, words)
        if at is None:
            return Reading(None, "unclear")
    if at > now + FUTURE_SLACK:
        return Reading(None, "future")
    if at < now - MAX_AGE_DAYS * 86400:
        return Reading(None, "too_old")
    return Reading(min(at, now))


def _absolute(m: re.Match[str], now: float, words: TimeWords) -> float | None:
    today = datetime.fromtimestamp(now, BEIJING).date()
    day = _day(m, today, words)
    if day is None:
        return None
    part_word = m["part"]
    if m["daypart"]:
        back, part_word = words.day_parts[m["daypart"]][0], part_word or words.day_parts[m["daypart"]][1]
        day = today - timedelta(days=back)
    hour, minute = 0, 0
    part = words.parts.get(part_word) if part_word else None
    if m["h"] is not None:
        h = _number(m["h"])
        if h is None or h > 24:
            return None
        if part is not None and not part[0] <= h <= part[1] and part[0] <= h + 12 <= part[1]:
            h += 12  # 下午3点, 晚上8点, 晚上12点 (midnight, the next day)
        minute_text = m["m"] or m["mm"]
        mins = _number(minute_text) if minute_text else 30 if m["half"] else {"一刻": 15, "三刻": 45}.get(
            m["q"] or "", 0)
        if mins is None or mins > 59 or (h == 24 and mins):
            return None
        hour, minute = h, mins
    elif part is not None:
        hour = part[0]
    start = datetime.combine(day, time(0), BEIJING) + timedelta(hours=hour, minutes=minute)
    return start.timestamp()


def _day(m: re.Match[str], today: date, words: TimeWords) -> date | None:
    """The calendar day named (today when none is); None for an impossible date."""
    if m["dayword"]:
        return today - timedelta(days=words.days[m["dayword"]])
    if m["wd"]:
        weekday = _WEEKDAYS[m["wd"]]
        if m["last"]:
            return today - timedelta(days=today.weekday() + 7 - weekday)
        return today - timedelta(days=(today.weekday() - weekday) % 7)
    year_text, month, day_n = (m["y"] or m["y2"]), (m["mo"] or m["mo2"] or m["mo3"]), (m["d"] or m["d2"] or m["d3"])
    if month is None:
        return today
    mo, d = _number(month), _number(day_n)
    if mo is None or d is None:
        return None
    year = int(year_text) if year_text else today.year
    try:
        found = date(year, mo, d)
        if not year_text and found > today:  # "12月1日" in January: last December
            found = date(year - 1, mo, d)
    except ValueError:
        return None
    return found
