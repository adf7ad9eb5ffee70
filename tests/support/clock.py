"""A virtual clock: time moves only when the test says so."""

from __future__ import annotations

from dataclasses import dataclass

T0 = 1_767_225_600.0  # 2026-01-01 00:00 UTC


@dataclass
class Clock:
    now: float = T0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
