"""Evasion table: flagged drafts, each disguised by one transformation, must still be flagged.

The drafts are the rule files' own must-hit examples plus synthetic personal data (valid numbers
made here); every draft flagged in its plain form is transformed by each evasion below, and a
transformed draft counts as detected when a finding of the same kind (forbidden / pii / secret)
is still there. Goal: >= 0.95 per transformation.

    .venv/bin/python benchmarks/check_evasion.py
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import opencc

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core.check.checker import Checker, default_checker

GOAL = 0.95
_HAN = range(0x4E00, 0xA000)
_S2T = opencc.OpenCC("s2t")
_NUMERALS = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
_FULL = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
# Personal data written here (valid check digits), not taken from any evaluation set.
PII_DRAFTS = (
    "您好，您登记的手机号是13912345678，请核对。",
    "客户身份证号11010519491231002X已录入系统。",
    "退款将打到卡号6228480402564890018，请查收。",
    "资料请发到邮箱li.qiang@sohu.com，谢谢。",
    "张先生的联系电话15866668888，麻烦回电。",
    # Dictated through speech-to-text or typed as said (round 26).
    "客户手机幺三八，一二三四，五六七八，麻烦回电。",
    "身份证号11010519491231002艾克斯，请核对。",
    "卡号六二二八，然后四八零四，再零二五六，接着是四八九零，零一八。",
    "手机幺三八 杠 幺两三四 杠 五六七八",
    "邮箱 zhangwei ai te qq dian com，谢谢。",
    "The driver's phone is +86 138 1234 5678, call him.",
)
# Digits written as Han numerals are not repeated: 三三八 is another number, not 三八 disguised.
_NUMERAL_CHARS = frozenset("零〇一二三四五六七八九十幺两洞拐勾")


def _between(sep: str) -> Callable[[str], str]:
    """Insert `sep` between consecutive Han characters and digits (inside words and numbers)."""
    def apply(text: str) -> str:
        out = []
        for i, ch in enumerate(text):
            out.append(ch)
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if nxt and _joinable(ch) and _joinable(nxt):
                out.append(sep)
        return "".join(out)
    return apply


def _joinable(ch: str) -> bool:
    return ord(ch) in _HAN or ch.isdigit()


def _repeat(text: str) -> str:
    return "".join(ch * 2 if ord(ch) in _HAN and ch not in _NUMERAL_CHARS else ch for ch in text)


TRANSFORMS: dict[str, Callable[[str], str]] = {
    "spaces": _between(" "),
    "zero_width": _between("\u200b"),
    "emoji": _between("😀"),
    "star": _between("*"),
    "traditional": _S2T.convert,
    "fullwidth": lambda s: "".join(_FULL.get(ch, ch) for ch in s),
    "chinese_numerals": lambda s: "".join(_NUMERALS.get(ch, ch) for ch in s),
    "repeats": _repeat,
    # Round 28: the letter O typed for the digit 0 (13800138000 as 138OO138OOO).
    "letter_o": lambda s: s.replace("0", "O"),
}


def base_drafts(checker: Checker) -> list[tuple[str, str]]:
    """(kind, draft) for every must-hit example and synthetic PII draft that is flagged as written."""
    rs = checker.ruleset
    drafts = [d for item in [*rs.rules, *rs.markers, *rs.topics] for d in item.examples.hit]
    out = []
    for d in [*drafts, *PII_DRAFTS]:
        kinds = {f.kind for f in checker.check(d).findings}
        for kind in ("pii", "secret", "forbidden"):
            if kind in kinds:
                out.append((kind, d))
                break
    return out


def evasion_table(checker: Checker) -> dict[str, tuple[int, int]]:
    """transformation -> (detected, total) over the base drafts."""
    base = base_drafts(checker)
    table = {}
    for name, fn in TRANSFORMS.items():
        hit = sum(1 for kind, d in base if any(f.kind == kind for f in checker.check(fn(d)).findings))
        table[name] = (hit, len(base))
    return table


def main() -> int:
    checker = default_checker()
    table = evasion_table(checker)
    ok = True
    print(f"{'transformation':<18} detected  rate")
    for name, (hit, total) in table.items():
        rate = hit / total
        ok &= rate >= GOAL
        print(f"{name:<18} {hit:>3}/{total:<4} {rate:.3f}")
    print(f"goal >= {GOAL} per transformation: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
