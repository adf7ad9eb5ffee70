"""Regional and formal words (knowledge/voices.yaml ``standard:``) read as standard Mandarin by both
signals: the data tested like code, over the whole map, against the knowledge base's own texts."""

from __future__ import annotations

import re

import numpy as np
import pytest

from bot.core.text.english import fold_question
from bot.core.text.normalize import normalize_query
from bot.core.text.standard import StandardWords


@pytest.fixture(scope="module")
def words(kb) -> dict[str, str]:
    assert len(kb.standard) > 100, "knowledge/voices.yaml reads regional and formal words"
    return StandardWords(kb.standard).words


def _knowledge_texts(kb) -> list[str]:
    texts = [t for e in kb.entries for t in (e.title, e.answer, *e.questions, *e.keywords)]
    return texts + [q for d in kb.decoys for q in d.questions]


def test_every_word_is_read_as_its_standard_word_inside_a_question(kb, words):
    for word, standard in words.items():
        assert kb.fold(f"请问{word}。") == f"请问{standard}", word


def test_the_longest_word_at_a_place_is_read_and_a_reading_is_not_read_again(kb):
    reader = StandardWords({"啥": "什么", "啥子": "什么", "什么": "X"})
    assert reader("说啥子好") == "说什么好"  # not 什么子, and the 什么 it wrote stays
    assert reader("") == "" and not StandardWords({})


def test_no_reading_cuts_a_word_of_the_knowledge_s_own_texts(kb, words):
    # 本人系统 is not 本人系 + 统, 如何处置 not 如 + 何处 + 置: a word listed must never be read out of
    # the middle of an ordinary word, which the knowledge's texts, cut by jieba's general dictionary
    # (not the compact vocabulary, which is built from the texts as read), would show.
    import jieba

    reader = StandardWords(words)
    assert reader._pattern is not None
    seen = 0
    for text in _knowledge_texts(kb):
        folded = fold_question(text, kb._glossary)
        found = list(reader._pattern.finditer(folded))
        if not found:
            continue
        seen += 1
        spans, at = [], 0
        for w in jieba.cut(folded):
            spans.append((at, at + len(w), w))
            at += len(w)
        for m in found:
            for a, b, w in spans:
                inside_it = a <= m.start() and m.end() <= b
                inside_word = m.start() <= a and b <= m.end()
                overlaps = a < m.end() and m.start() < b
                assert not overlaps or inside_it or inside_word, (m.group(0), w, folded)
    assert seen > 100  # the knowledge writes some alternate questions in these voices too


_QUOTED = re.compile(r"“[^”]*”|‘[^’]*’|「[^」]*」|『[^』]*』|\"[^\"]*\"|'[^']*'")


def test_the_rules_own_writing_uses_no_word_read_as_standard_except_quoted(kb, words):
    # The rules are standard written Chinese: a word they write themselves (是否, 为宜) belongs to
    # no other voice, and rewriting it would change the rules' own text. Quoted speech (a reply
    # the rules forbid, "啥？") may be in any voice.
    reader = StandardWords(words)
    assert reader._pattern is not None
    for e in kb.entries:
        for text in (e.title, e.answer):
            found = reader._pattern.findall(fold_question(_QUOTED.sub("。", text), kb._glossary))
            assert not found, (e.id, found)


def test_every_reading_is_words_the_knowledge_base_knows(matcher, words):
    # A reading the knowledge never uses would count as unexplained information, as the dialect
    # word did: every word of it is scaffolding or a word of the knowledge's texts.
    for word, standard in words.items():
        cut = matcher._words(matcher._prep(standard))
        unknown = {w for w in cut if w not in matcher._idf}
        assert not unknown, (word, standard, unknown)


def test_the_lexical_signal_reads_a_regional_word_as_its_standard_word(matcher, words):
    for word, standard in words.items():
        assert matcher._words(matcher._prep(f"{word}吗")) == matcher._words(matcher._prep(f"{standard}吗")), word


def test_no_word_listed_is_a_term_of_the_knowledge(kb, words):
    # A rewrite of an entry's keyword or of a synonym term would change what the knowledge says.
    terms = {normalize_query(k) for e in kb.entries for k in e.keywords}
    terms |= {normalize_query(t) for g in kb.synonyms for t in (g.canonical, *g.terms)}
    assert not set(words) & terms


def test_no_filler_is_also_a_word_read_as_standard(kb, words):
    # A word read as standard never reaches the filler list; listing it there too misleads a reader.
    assert not kb.fillers & set(words)


def test_the_map_survives_the_index_cache(kb, tmp_path):
    from bot.core.ask.index_cache import decode, encode
    from bot.core.ask.matcher import Matcher, MatcherConfig

    small = type(kb)(kb.entries[:5], kb.synonyms, kb.decoys, kb.userdict, kb.directory, kb.language, kb.fillers,
                     kb.english, kb.standard)
    built = Matcher(small)
    restored = decode(encode(built, "d"), kb.directory, config=MatcherConfig(), digest="d")
    assert restored.kb.standard == kb.standard
    assert restored.kb.fold("侬晓得伐") == built.kb.fold("侬晓得伐") == "你知道吗"


def test_the_semantic_signal_embeds_the_standard_reading(semantic_index):
    assert np.allclose(semantic_index.vector("俺上班穿个运动鞋中不中"), semantic_index.vector("我上班穿个运动鞋行不行"))
