"""Office English in Chinese questions: knowledge/voices.yaml's glossary is read before folding, by
both signals alike, over the whole glossary (words, phrases, regular endings, whole words only)."""

from __future__ import annotations

import re
from itertools import pairwise

import numpy as np
import pytest

from bot.core.text.english import EnglishGlossary, fold_question
from bot.core.text.normalize import normalize_query

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def glossary(kb):
    assert kb.english, "knowledge/voices.yaml lists office English"
    return EnglishGlossary(kb.english, (f for f in kb.fillers if f.isascii()))


def _single_words(kb) -> dict[str, str]:
    return {k: v for k, v in kb.english.items() if re.fullmatch(r"[a-z]+", k)}


def test_every_glossary_entry_is_read_between_other_english_words(kb, glossary):
    # The folded form glues English words together; each must be read while the words are apart.
    for key, chinese in kb.english.items():
        folded = fold_question(f"zzq {key} qzz 怎么办", glossary)
        assert normalize_query(chinese) in folded, key
        assert folded.startswith("zzq") and "qzz" in folded


def test_two_glossary_words_side_by_side_are_both_read(kb, glossary):
    words = sorted(_single_words(kb).items())
    for (a, ca), (b, cb) in pairwise(words):
        folded = fold_question(f"{a.upper()} {b}", glossary)
        assert normalize_query(ca) in folded and normalize_query(cb) in folded, (a, b)


def test_phrases_are_read_before_their_words_however_they_are_joined(kb, glossary):
    phrases = {k: v for k, v in kb.english.items() if " " in k}
    assert phrases
    for key, chinese in phrases.items():
        for typed in (key, key.replace(" ", "-"), key.replace(" ", ""), key.title()):
            assert fold_question(f"{typed}是啥", glossary) == normalize_query(f"{chinese}是啥"), typed


def test_regular_endings_find_the_glossary_word(kb, glossary):
    tried = 0
    for key, chinese in _single_words(kb).items():
        if len(key) < 3 or key.endswith(("s", "y", "e")) or f"{key}s" in kb.english or f"{key}ing" in kb.english:
            continue
        for inflected in (f"{key}s", f"{key}ing", f"{key}ed"):
            assert normalize_query(chinese) in fold_question(f"{inflected}了", glossary), inflected
        tried += 1
    assert tried > 50


def test_only_whole_words_are_read(kb, glossary):
    for key in _single_words(kb):
        assert not HAN.search(fold_question(f"qx{key}", glossary)), key  # the "call" inside "recall"


def test_english_fillers_are_dropped_and_unknown_english_keeps_its_word_breaks(kb, glossary):
    fillers = sorted(f for f in kb.fillers if f.isascii() and f.isalpha())
    assert fillers
    for f in fillers:
        assert fold_question(f"{f}, 能吗", glossary) == "能吗"
    assert fold_question("zq xw 能吗", glossary) == "zq xw能吗"
    assert normalize_query("zq xw") == "zqxw"  # what the checker and the phrasebook still read


def test_word_spaces_only_between_latin_words():
    assert normalize_query("电 话 号 码", word_spaces=True) == "电话号码"
    assert normalize_query("ab\u200bcd ef", word_spaces=True) == "abcd ef"  # an invisible joiner joins
    assert normalize_query("ab/cd，12 34", word_spaces=True) == "ab cd 1234"  # digits run on
    assert normalize_query("boss/leader", word_spaces=True) == "boss leader"
    assert normalize_query("ＡＢ　ｃｄ", word_spaces=True) == "ab cd"  # full-width letters and space fold first


def test_the_lexical_signal_reads_english_as_its_chinese(matcher, kb):
    boss, call = kb.english["boss"], kb.english["call"]
    assert matcher._prep("Boss 说 call 要几声内接") == matcher._prep(f"{boss}说{call}要几声内接")
    mixed = matcher.search("Boss说call要几声内接", limit=1)
    plain = matcher.search(f"{boss}说{call}要几声内接", limit=1)
    assert mixed and plain and mixed[0].entry.id == plain[0].entry.id


def test_the_semantic_signal_embeds_the_same_folded_text(kb, semantic_index):
    phone, lost = kb.english["phone"], kb.english["lost"]
    assert np.allclose(semantic_index.vector("PHONE  lost 了"), semantic_index.vector(f"{phone} {lost}了"))


def test_no_piece_of_a_chinese_filler_counts_as_information(matcher, kb):
    # A filler split into characters (请教 -> 请, 教) would count as unexplained information.
    for filler in (f for f in kb.fillers if len(f) > 1 and not f.isascii()):
        assert set(matcher.seg.cut(matcher._prep(filler))) <= matcher.stopwords, filler


@pytest.mark.parametrize("framing", ["兹有一事请教：{}？", "敬请明示：{}。", "烦请告知，{}",
                                     "昨天当时心里有点犹豫，想问问{}"])
def test_formal_and_storytelling_framing_leaves_the_question_words(matcher, framing):
    plain = "会议室的茶杯多久清洗一次"
    assert matcher._words(matcher._prep(framing.format(plain))) == matcher._words(matcher._prep(plain))
