"""Once: the per-draft lazy judgement the checker hands its detectors."""

from __future__ import annotations

import pytest

from bot.core.check.once import Once


def test_once_computes_on_first_call_only() -> None:
    calls: list[tuple[int, str]] = []

    def judge(a: int, b: str) -> bool:
        calls.append((a, b))
        return False  # a falsy value is kept too

    once = Once(judge, 1, "x")
    assert calls == []
    assert once() is False
    assert once() is False
    assert calls == [(1, "x")]


def test_once_keeps_no_error() -> None:
    attempts = []

    def flaky() -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise ValueError("first")
        return 7

    once = Once(flaky)
    with pytest.raises(ValueError):
        once()
    assert once() == 7
    assert once() == 7
    assert len(attempts) == 2
