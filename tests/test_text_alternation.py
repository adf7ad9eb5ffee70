"""The one longest-first alternation every detector builds its word regexes with."""

from __future__ import annotations

import re

from bot.core.text.alternation import literal_alternation, longest_first
from bot.core.text.fold import fold_literal


def test_longest_first_folds_drops_empties_and_repeats() -> None:
    words = ["一般", "壹般", "", "每", "以后都"]
    assert longest_first(words, fold=fold_literal) == ["以后都", "1般", "每"]


def test_the_longer_word_wins_at_the_same_position() -> None:
    pattern = re.compile(literal_alternation(["借", "借阅", "借阅期"]))
    match = pattern.match("借阅期满")
    assert match is not None and match.group() == "借阅期"


def test_words_are_literals_not_regex() -> None:
    pattern = re.compile(literal_alternation(["a.b", "c+"]))
    assert pattern.search("axb") is None
    assert pattern.search("a.b") is not None and pattern.search("c+") is not None


def test_no_words_is_empty_and_order_is_stable() -> None:
    assert literal_alternation([]) == ""
    assert literal_alternation(["乙", "甲"]) == literal_alternation(["甲", "乙"])
