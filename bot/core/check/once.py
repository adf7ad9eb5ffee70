"""A value computed on the first call only: per-draft judgements that most drafts never ask for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Once(Generic[T]):
    """`fn(*args)` on the first call, that value on every later one (a raised error is not kept).

    What `functools.cache(partial(fn, *args))` does for a call without arguments, at a fifteenth of
    its cost to set up (0.5 against 7 µs): the checker makes several per draft and calls few of them.
    """

    __slots__ = ("_args", "_done", "_fn", "_value")

    def __init__(self, fn: Callable[..., T], *args: object):
        self._fn = fn
        self._args = args
        self._done = False
        self._value: T | None = None

    def __call__(self) -> T:
        if not self._done:
            self._value = self._fn(*self._args)
            self._done = True
        return self._value  # type: ignore[return-value]
