"""A long-lived process's start-up (`chat` here; `serve` takes the same path, bot.wiring.ready_for_users):
the engines are ready for the first user before any message arrives."""

from __future__ import annotations

import gc
import io

from bot.cli.main import main
from bot.core.check.checker import default_checker


def test_chat_start_builds_the_first_use_tables_and_freezes_the_engines(monkeypatch, capsys):
    default_checker.cache_clear()  # the checker the start-up loads, not one an earlier test warmed
    gc.unfreeze()
    # No message at all: whatever is ready afterwards was made ready by the start-up itself.
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8"))
    try:
        assert main(["chat"]) == 0
        frozen = gc.get_freeze_count()
        checker = default_checker()
        # Frozen objects are out of the collector's generations: the engines are not among them.
        collected = {id(o) for o in gc.get_objects()}
    finally:
        gc.unfreeze()
    assert checker.homophones.ready and checker.sounds.ready
    assert id(checker) not in collected and id(checker.ruleset) not in collected
    assert frozen > 100_000
    assert capsys.readouterr().err == ""
