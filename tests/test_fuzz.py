"""Property-based fuzzing of every engine entry point: no input raises, every reply is printable text.

Hypothesis drives ask, check, phrase, the assistant (text, commands, inline queries, forged button
data) and whole report conversations with hostile text (tests/support/fuzz.py). Examples are
derandomised and bounded so the suite takes a couple of minutes in CI; the ≥ 100,000-input run with
its figures is benchmarks/fuzz_inputs.py.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.fuzz import SPECIAL, hostile_text, words

from bot.cli.ask import result_json as ask_json
from bot.cli.check import result_json as check_json
from bot.cli.common import json_line
from bot.core.chat.assistant import Assistant, AssistantOptions
from bot.core.chat.reply import Reply, Sender
from bot.core.chat.store import MemoryStore
from bot.core.check.checker import default_checker
from bot.core.phrases.phrasebook import default_phrasebook
from bot.core.text.inputs import MAX_DRAFT_CHARS, MAX_QUESTION_CHARS, clean_input

FUZZ = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_any_char = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
texts = st.one_of(
    st.text(_any_char, max_size=60),  # anything, surrogates included
    st.lists(st.one_of(st.sampled_from(words() + SPECIAL), st.text(_any_char, max_size=8)), max_size=40)
    .map("".join),
    st.tuples(st.sampled_from(words()), st.sampled_from([*SPECIAL, ""]), st.integers(1, 700))
    .map(lambda t: (t[0] + t[1]) * t[2]),  # an engine word repeated: a backtracking pattern's worst case
    st.integers(0, 2**32).map(lambda seed: hostile_text(random.Random(seed))),
)


def _printable(reply: Reply) -> None:
    """What a channel would send: encodable text, buttons with encodable labels and data."""
    reply.text.encode("utf-8")
    for row in reply.buttons:
        for b in row:
            b.label.encode("utf-8")
            b.data.encode("utf-8")


@pytest.fixture(scope="module")
def checker():
    return default_checker()


@pytest.fixture(scope="module")
def assistant(matcher):
    from bot.core.reports.service import AssistantReportFlow
    from bot.wiring import console_report_service

    a = Assistant(matcher, MemoryStore(), checker=default_checker(), phrasebook=default_phrasebook(),
                  options=AssistantOptions())
    a.report_flow = AssistantReportFlow(console_report_service(user_id=1))
    return a


def test_fuzz_ask(matcher):
    @FUZZ
    @given(texts)
    def run(text: str) -> None:
        result = matcher.ask(text, limit=3)
        assert result.status in ("answer", "clarify", "unknown")
        cleaned = clean_input(text, max_chars=MAX_QUESTION_CHARS)
        if not cleaned.problem:
            assert len(json_line(ask_json(matcher.ask(cleaned.text, limit=3))).splitlines()) == 1
    run()


def test_fuzz_ask_with_the_semantic_signal():
    from bot.core.ask.index_cache import load_matcher

    shipped = load_matcher()  # the default engine: lexical plus the embedding signal when it can run here

    @settings(FUZZ, max_examples=10)  # the embedder takes up to seconds a question on this machine
    @given(texts)
    def run(text: str) -> None:
        assert shipped.ask(text, limit=3).status in ("answer", "clarify", "unknown")
    run()


def test_fuzz_check(checker):
    @FUZZ
    @given(texts)
    def run(text: str) -> None:
        draft = text[:MAX_DRAFT_CHARS]
        result = checker.check(draft)
        for f in result.findings:
            assert 0 <= f.start <= f.end <= len(draft)
        line = json_line(check_json(result))
        line.encode("utf-8")
        assert len(line.splitlines()) == 1
    run()


def test_fuzz_phrase():
    book = default_phrasebook()

    @FUZZ
    @given(texts)
    def run(text: str) -> None:
        for scenario, score in book.find(text, limit=3):
            assert 0 <= score <= 100
            for phrase in book.render(scenario.id, {"单位": text[:20], "姓名": text[-10:]}):
                assert isinstance(phrase, str)
    run()


def test_fuzz_assistant(assistant):
    me = Sender(user_id=1, first_name="测试", role="staff")

    @FUZZ
    @given(texts, st.sampled_from(["text", "check", "phrase", "settings", "inline", "tap", "command"]))
    def run(text: str, how: str) -> None:
        if how == "text":
            _printable(assistant.text(me, text))
        elif how == "inline":
            for item in assistant.inline(me, text):
                item.text.encode("utf-8")
        elif how == "tap":
            _printable(assistant.tap(me, text))  # forged or garbled callback data
        elif how == "command":
            _printable(assistant.command(me, text[:30], text))
        else:
            _printable(assistant.command(me, how, text))
        assistant.cancel(me)
    run()


def test_fuzz_report_conversation(assistant):
    actions = st.lists(st.one_of(
        st.just(("report", "")), st.just(("cancel", "")),
        st.tuples(st.just("text"), texts), st.tuples(st.just("button"), st.integers(0, 6)),
        st.tuples(st.just("tap"), texts)), min_size=1, max_size=12)

    @settings(FUZZ, max_examples=150)
    @given(actions, st.integers(2, 10**6))
    def run(steps: list[tuple[str, object]], user: int) -> None:
        me = Sender(user_id=user, first_name="报告人")
        last = assistant.command(me, "report", "")
        for kind, value in steps:
            if kind == "report":
                last = assistant.command(me, "report", "")
            elif kind == "cancel":
                last = assistant.command(me, "cancel", "")
            elif kind == "text":
                last = assistant.text(me, str(value))
            elif kind == "button":
                data = [b.data for row in last.buttons for b in row if b.data]
                if data:
                    last = assistant.tap(me, data[int(str(value)) % len(data)])
            else:
                last = assistant.tap(me, str(value))
            _printable(last)
        assistant.command(me, "cancel", "")
    run()
