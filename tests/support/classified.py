"""The classified detector's topic findings, and the shape its tests share: each clean draft written
for the test beside a leak of the same shape that stays found (a fix that clears the clean one must
not clear its leak)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from bot.core.check.checker import default_checker
from bot.core.check.classified import _is_amount, _quantity


def is_amount(text: str, start: int, end: int) -> bool:
    """`_is_amount` with the shipped words around a number (secret.yaml `topics.quantity`)."""
    return _is_amount(text, start, end, default_checker().ruleset.signals.quantity)


def quantity(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """`_quantity` with the shipped words around a number (secret.yaml `topics.quantity`)."""
    return _quantity(text, lo, hi, default_checker().ruleset.signals.quantity)


def topic_found(draft: str) -> bool:
    """Whether the shipped rule grammar flags a classified topic in `draft` (before the learned topic
    opinion, whose own tests and leave-one-group-out figures are in tests/test_check_topic_opinion.py and
    benchmarks/fit_topics.py)."""
    return any(f.category == "confidential_topic" for f in default_checker().check(draft, opinion=False).findings)


def marking_found(draft: str) -> bool:
    """Whether the shipped checker flags a secrecy marking in `draft`."""
    return any(f.category == "secret_marker" for f in default_checker().check(draft).findings)


def clean_beside_leaks(clean: Sequence[str], leaks: Sequence[str]
                       ) -> tuple[Callable[[str], None], Callable[[str], None]]:
    """The two tests of a module's drafts (bind them to `test_...` names there for pytest to collect):
    no topic found in `clean`, one found in every draft of `leaks`."""

    @pytest.mark.parametrize("draft", clean)
    def test_clean_drafts_stay_clean(draft: str) -> None:
        assert not topic_found(draft), draft

    @pytest.mark.parametrize("draft", leaks)
    def test_leaks_of_the_same_shape_stay_found(draft: str) -> None:
        assert topic_found(draft), draft

    return test_clean_drafts_stay_clean, test_leaks_of_the_same_shape_stay_found
