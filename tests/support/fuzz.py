"""Hostile text for the fuzz suite and the fuzz benchmark: one generator of inputs, two drivers.

The pieces are classes of trouble, not instances from any evaluation set: characters outside the
basic plane that fold to one character (math letters, CJK compatibility ideographs), lone
surrogates, Unicode line separators, invisible and combining marks, emoji runs, digits that look
like personal data, the engine's own trigger words repeated (a backtracking pattern's worst case
is its own alternatives repeated), control characters and very long runs.
"""

from __future__ import annotations

import random

from bot.core.paths import PHRASEBOOK_DIR

SPECIAL = [
    "\ud800", "\udfff", "\udc80", "\u2028", "\u2029", "\u0085", "\u200b", "\u200d", "\ufeff", "\u00ad",
    "\ufe0f", "\u0301", "\u0000", "\u001b", "\x7f", "\t", "\r", "\n", "\u3000", "\uffff", "\ufffd",
    "\U0001d400", "\U0001d41a", "\U0001d7ce", "\U0002f800", "\U0002f801", "\U0002fa1d", "\U0001f600",
    "\U0001f3fb", "\U000e0001", "\U0010ffff", "ﬁ", "Ⅻ", "㍿", "①", "（", "）", "【", "】", "…", "——",
    "*", "[", "]", "(", ")", "\\", "^", "$", "|", "?", "+", "{", "}", "%s", "{ref}", "<b>", "&amp;",
]
PLAIN = ["电话", "客户", "您好", "你", "投诉", "保密", "机密", "绝密", "秘密", "内部资料", "不知道", "下班了",
         "13812345678", "110101199003077777", "6222021234567890123", "a@b.cn", "/check ", "/report", "/phrase ",
         "/cancel", "/settings ", "怎么办", "能不能", "吗", "？", "!", "。", "，", " ", "的", "了", "是"]


def _engine_words() -> list[str]:
    """Short strings of the shipped rule files (patterns, terms, examples): a pattern's worst case is its
    own alternatives repeated, so these are what the fuzzer repeats."""
    import yaml

    words: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            if 0 < len(value) <= 20:
                words.add(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for path in sorted((PHRASEBOOK_DIR / "rules").glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return sorted(words)


_WORDS: list[str] | None = None


def words() -> list[str]:
    global _WORDS
    if _WORDS is None:
        _WORDS = PLAIN + _engine_words()
    return _WORDS


def hostile_text(rng: random.Random, *, max_len: int = 6000) -> str:
    """One hostile input: a few pieces, some repeated many times, up to about `max_len` characters."""
    pool = words()
    pieces: list[str] = []
    for _ in range(rng.randint(1, 8)):
        kind = rng.random()
        if kind < 0.35:
            piece = rng.choice(pool)
        elif kind < 0.6:
            piece = rng.choice(SPECIAL)
        elif kind < 0.8:
            piece = "".join(chr(rng.randint(0x20, 0x10FFFF)) for _ in range(rng.randint(1, 12)))
        else:
            piece = rng.choice(pool) + rng.choice(SPECIAL)
        if rng.random() < 0.2:
            piece *= rng.randint(2, max(2, max_len // max(1, len(piece) * 2)))
        pieces.append(piece)
    return "".join(pieces)[:max_len]
