"""Who sent an input to the report service."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Person:
    """Who sent an input. `private` is False in groups, where nothing confidential is shown."""

    user_id: int
    chat_id: int
    private: bool = True
    name: str = ""
    username: str = ""
    # Set only by a channel that authenticated the officer role itself (the web console's sign-in
    # with a second factor); messengers rely on the configured id lists instead.
    officer: bool = False
