"""Fixtures of the offline handler tests: the real Application over the real Assistant, an offline
recording BaseRequest, update factories, and an error collector every test asserts empty."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from support.clock import Clock
from support.tgbot import Bot, make_bot


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def bot(matcher, clock) -> AsyncIterator[Bot]:
    b = await make_bot(matcher, clock)
    yield b
    await b.app.shutdown()
    assert b.errors == [], f"handler errors: {b.errors!r}"
