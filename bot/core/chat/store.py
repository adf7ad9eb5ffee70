"""What the chat stores per user: the `ChatStore` protocol and an in-memory implementation.

Conversation state ("flows", e.g. a settings prompt waiting for its value) is kept per conversation
scope (one user in one chat), so that one flow never takes another conversation's input, and it
survives a restart when the store is persistent."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from bot.core.privacy import storable


class ChatStore(Protocol):
    """Persistence the chat needs (bot.storage.ChatStore in production)."""

    def get_settings(self, user_id: int) -> dict[str, str]: ...
    def set_setting(self, user_id: int, key: str, value: str) -> None: ...
    def clear_settings(self, user_id: int) -> None: ...
    def add_vote(self, user_id: int, entry_id: str, vote: int) -> None: ...
    def add_unanswered(self, question: str, *, entry_id: str | None = None) -> None: ...
    def remove_unanswered(self, questions: list[str]) -> int: ...
    def vote_summary(self) -> list[dict[str, Any]]: ...
    def unanswered(self, *, limit: int = 100) -> list[dict[str, Any]]: ...
    def get_flow(self, scope: str, *, newer_than: float) -> tuple[str, str] | None: ...
    def put_flow(self, scope: str, flow: str, state: str) -> None: ...
    def end_flow(self, scope: str) -> None: ...


class MemoryStore:
    """ChatStore in memory: the console chat and tests (nothing touches the disk)."""

    def __init__(self) -> None:
        self.settings: dict[int, dict[str, str]] = {}
        self.votes: dict[tuple[int, str], int] = {}
        self.questions: list[tuple[str, str | None]] = []
        self.flows: dict[str, tuple[str, str, float]] = {}
        self.clock: Callable[[], float] = time.time

    def get_settings(self, user_id: int) -> dict[str, str]:
        return dict(self.settings.get(user_id, {}))

    def set_setting(self, user_id: int, key: str, value: str) -> None:
        self.settings.setdefault(user_id, {})[key] = storable(value)

    def clear_settings(self, user_id: int) -> None:
        self.settings.pop(user_id, None)

    def add_vote(self, user_id: int, entry_id: str, vote: int) -> None:
        self.votes[(user_id, entry_id)] = 1 if vote > 0 else -1

    def add_unanswered(self, question: str, *, entry_id: str | None = None) -> None:
        self.questions.append((storable(question), entry_id))

    def remove_unanswered(self, questions: list[str]) -> int:
        gone = set(questions)
        before = len(self.questions)
        self.questions = [(q, e) for q, e in self.questions if q not in gone]
        return before - len(self.questions)

    def vote_summary(self) -> list[dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for (_, entry_id), vote in self.votes.items():
            row = out.setdefault(entry_id, {"entry_id": entry_id, "up": 0, "down": 0})
            row["up" if vote > 0 else "down"] += 1
        return sorted(out.values(), key=lambda r: (-r["down"], r["up"], r["entry_id"]))

    def unanswered(self, *, limit: int = 100) -> list[dict[str, Any]]:
        return [{"question": q, "entry_id": e} for q, e in reversed(self.questions[-limit:])]

    def get_flow(self, scope: str, *, newer_than: float) -> tuple[str, str] | None:
        found = self.flows.get(scope)
        return (found[0], found[1]) if found and found[2] >= newer_than else None

    def put_flow(self, scope: str, flow: str, state: str) -> None:
        self.flows[scope] = (flow, state, self.clock())

    def end_flow(self, scope: str) -> None:
        self.flows.pop(scope, None)
