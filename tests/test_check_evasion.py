"""The evasion table (benchmarks/check_evasion.py): every flagged example, disguised by spaces,
zero-width characters, emoji, '*', traditional or full-width characters, Chinese numerals or
repeated characters, is still flagged in at least 95% of cases per transformation."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from bot.core.check.checker import default_checker

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "check_evasion.py"
_SPEC = importlib.util.spec_from_file_location("check_evasion", _PATH)
assert _SPEC and _SPEC.loader
evasion = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(evasion)


def test_every_transformation_keeps_detection():
    table = evasion.evasion_table(default_checker())
    assert set(table) == set(evasion.TRANSFORMS)
    for name, (hit, total) in table.items():
        assert total >= 20, name
        assert hit / total >= evasion.GOAL, (name, hit, total)


def test_transformations_change_the_text():
    draft = "下班了，电话13902345678"  # a 0 for the letter-O transformation
    for name, fn in evasion.TRANSFORMS.items():
        assert fn(draft) != draft or name == "traditional", name


def test_disguised_numbers_are_masked_everywhere():
    checker = default_checker()
    for fn in evasion.TRANSFORMS.values():
        result = checker.check(fn("手机13912345678"))
        assert [f.text for f in result.findings if f.kind == "pii"] == ["139****5678"]
        assert "5678" in result.masked_draft() and "1234" not in result.masked_draft().replace(" ", "")


def test_keycap_and_shape_separated_numbers_are_masked():
    checker = default_checker()
    for draft in ("手机1️⃣3️⃣9️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣", "手机139⭐1234⭐5678", "手机139▲1234■5678"):
        result = checker.check(draft)
        assert [f.text for f in result.findings if f.kind == "pii"] == ["139****5678"], draft
        digits = "".join(ch for ch in result.masked_draft() if ch.isdigit())
        assert "1234" not in digits, draft


def test_personal_data_is_found_in_every_disguise():
    """benchmarks/pii_disguise.py: valid numbers and addresses generated in every disguise kind are found
    (>= 97% per kind), and its clean kinds (order numbers, amounts, dates, hotlines, masked numbers, 尾号,
    pinyin and English prose) are never personal data."""
    spec = importlib.util.spec_from_file_location("pii_disguise", _PATH.parent / "pii_disguise.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    found, flagged, _ = bench.table(default_checker(), 15)
    assert len(found) >= 40 and len(flagged) >= 10
    assert {k: v for k, v in found.items() if v[0] / v[1] < bench.GOAL} == {}
    assert {k: v for k, v in flagged.items() if v[0]} == {}
