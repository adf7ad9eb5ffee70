"""Precision on real prose: the two source documents and the knowledge base's answers are rules,
not leaks, so at most 2 personal-data or classified findings per 1,000 of their sentences."""

from __future__ import annotations

import re

import pytest

from bot.core.ask.knowledge import load_knowledge
from bot.core.check.checker import default_checker
from tests.conftest import SOURCES

_SENTENCE = re.compile(r"[^。！？!?；;\n]{4,}")
MAX_PER_1000 = 2.0


def _sentences(text: str) -> list[str]:
    return [m.group().strip() for m in _SENTENCE.finditer(text) if m.group().strip()]


def _rate(sentences: list[str]) -> tuple[float, list[str]]:
    checker = default_checker()
    flagged = [f"{f.rule}: {f.text}" for s in sentences for f in checker.check(s).findings
               if f.kind in ("pii", "secret")]
    return 1000 * len(flagged) / max(1, len(sentences)), flagged


def test_knowledge_base_answers_are_not_leaks():
    kb = load_knowledge()
    sentences = [s for e in kb.entries for s in _sentences(e.answer)]
    assert len(sentences) > 100
    rate, flagged = _rate(sentences)
    assert rate <= MAX_PER_1000, flagged


@pytest.mark.skipif(not SOURCES.is_dir(), reason="shared/sources not available")
def test_source_documents_are_not_leaks():
    sentences = [s for p in sorted(SOURCES.glob("*.txt")) for s in _sentences(p.read_text(encoding="utf-8"))]
    assert len(sentences) > 500
    rate, flagged = _rate(sentences)
    assert rate <= MAX_PER_1000, flagged
