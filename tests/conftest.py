"""Shared fixtures: the shipped knowledge base and matcher are loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEV_SET = SHARED / "eval" / "dev.yaml"


@pytest.fixture(scope="session")
def kb():
    from bot.core.ask.knowledge import load_knowledge

    return load_knowledge()


@pytest.fixture(scope="session")
def matcher(kb):
    from bot.core.ask.matcher import Matcher

    return Matcher(kb)
