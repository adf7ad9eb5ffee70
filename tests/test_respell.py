"""Homophone slips of the knowledge's terms (a pinyin input method's or a speech recogniser's) are read
as the terms before both signals, and nothing the knowledge base knows is ever rewritten."""

from __future__ import annotations

import pytest

from bot.core.ask.matcher import Matcher, MatcherConfig
from bot.core.ask.respell import Respeller

TERMS = ["保密", "期限", "保密期限", "总结", "投诉", "试用", "适用", "使用", "事迹"]


def _cut(text: str) -> list[str]:
    """Longest known word first; a run of unknown characters is one word (as jieba's HMM makes one)."""
    out: list[str] = []
    i = 0
    run = ""
    while i < len(text):
        word = next((text[i:i + n] for n in (4, 3, 2) if text[i:i + n] in TERMS), "")
        if word:
            if run:
                out.append(run)
                run = ""
            out.append(word)
            i += len(word)
        else:
            run += text[i]
            i += 1
    if run:
        out.append(run)
    return out


@pytest.fixture()
def speller() -> Respeller:
    return Respeller(TERMS, known=lambda w: w in TERMS, cut=_cut, fold=lambda t: t,
                     function_characters=frozenset("的在再"))


def test_an_unknown_word_that_sounds_like_a_term_is_read_as_the_term(speller):
    assert speller("投诉处理完要做总节吗") == "投诉处理完要做总结吗"
    assert speller("保秘期限") == "保密期限"


def test_known_words_and_questions_without_a_slip_are_returned_as_given(speller):
    q = "保密期限多久"
    assert speller(q) is q
    assert speller("事迹") == "事迹"  # a term, though it sounds like no other here


def test_a_slip_must_keep_half_of_the_word(speller):
    # 宝蜜 sounds like 保密 but keeps none of its characters: more likely another word than a slip.
    assert speller("宝蜜") == "宝蜜"


def test_a_sound_two_terms_share_equally_is_left_alone(speller):
    # shìyòng: 试用 and 适用 keep as many characters of 是用 (用): no unique reading.
    assert speller("是用") == "是用"


def test_function_characters_are_never_replaced():
    sp = Respeller(["再见"], known=lambda w: w == "再见", cut=lambda t: [t], fold=lambda t: t,
                   function_characters=frozenset("在再"))
    assert sp("在见") == "在见"


def test_the_rewrite_is_found_in_traditional_characters_through_the_fold():
    from bot.core.text.normalize import normalize_query

    sp = Respeller(TERMS, known=lambda w: w in TERMS, cut=_cut, fold=normalize_query)
    assert sp("處理完的投訴要不要做總節") == "處理完的投訴要不要做总结"


def test_no_text_of_the_knowledge_base_is_rewritten(matcher, kb):
    # Every word of the knowledge's own texts is known to it, so none is a suspect.
    texts = [t for e in kb.entries for t in (e.title, *e.questions)] + [q for d in kb.decoys for q in d.questions]
    changed = [t for t in texts if matcher.respell(t) != t]
    assert changed == []


def test_the_matcher_reads_a_slip_of_its_own_term_as_the_term(matcher):
    assert matcher.respell("保秘期限一般多久") == "保密期限一般多久"
    assert matcher.respell("脱蜜期有多长") == "脱密期有多长"


def test_respelling_can_be_switched_off(kb):
    off = Matcher(kb, config=MatcherConfig(respell=False))
    q = "保秘期限一般多久"
    assert off.respell(q) is q


def test_unknown_latin_words_weigh_nothing_on_the_lexical_signal(matcher):
    # English the glossary lacks is left out of the question's mass: it neither lowers an entry's
    # coverage nor raises the unknown share the decision reads.
    plain = matcher.word_stats("保密期限一般多久")
    assert matcher.word_stats("保密期限 blorptastic 一般多久") == plain
    lex = matcher._lexical("保密期限一般多久")
    mixed = matcher._lexical("保密期限 blorptastic 一般多久")
    first = max(lex, key=lex.__getitem__)
    assert first in mixed


def test_unknown_latin_words_counted_as_unexplained_when_configured(kb):
    counted = Matcher(kb, config=MatcherConfig(latin_unknown_weight=None))
    assert counted.word_stats("保密期限 blorptastic 一般多久")[1] > counted.word_stats("保密期限一般多久")[1]


def test_prepare_builds_the_sound_keys_before_the_first_slip(speller):
    # A long-lived process builds them at warm-up (`ready_for_users`), not on a user's question.
    assert not speller._keys
    speller.prepare()
    assert speller._keys
    assert speller("投诉处理完要做总节吗") == "投诉处理完要做总结吗"
