"""Long questions: the asking sentences of a story, situation or formal message (bot/core/text/asking.py,
`asking` of knowledge/language.yaml), read beside the whole by the semantic and lexical signals."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np
import pytest

from bot.core.ask import semantic
from bot.core.ask.semantic import MAX_EMBEDDED_CHARS, SemanticIndex, SemanticTexts
from bot.core.ask.vectors import VectorStore
from bot.core.text.asking import AskingWords, asking_part, matter, sentences
from bot.core.text.language import load_ask_language
from bot.core.text.normalize import normalize_query

WORDS = AskingWords(("怎么", "是否", "算不算"), ("吗", "呢"))


def test_sentences_end_at_sentence_marks_not_commas():
    assert sentences("我在前台，客户来了。这样可以吗？谢谢！") == ["我在前台，客户来了。", "这样可以吗？", "谢谢！"]
    assert sentences("  ") == []


@pytest.mark.parametrize(("text", "part"), [
    # the story first, its question last: the question alone
    ("上周我在银行大堂做引导，有位老客户想拉我一起跳槽。接待客户时递名片应该怎么递才合乎礼仪？",
     "接待客户时递名片应该怎么递才合乎礼仪？"),
    # a question mark makes a sentence ask, whatever its words; a closing courtesy is not asked
    ("我们部门下周要接待外宾。外宾到达后先安排座次还是先介绍来宾？谢谢！", "外宾到达后先安排座次还是先介绍来宾？"),
    # a question particle at the end asks too
    ("我在营业厅上班。今天客户递来的名片我直接塞进口袋了这合适吗", "今天客户递来的名片我直接塞进口袋了这合适吗"),
    # too short to name its subject: the sentence before it is read with it
    ("我在酒店前台工作。有位客户要我把别的客人的房号告诉他。这样做可以吗？",
     "有位客户要我把别的客人的房号告诉他。这样做可以吗？"),
    # one sentence, commas only: the whole message is what it asks
    ("我在医院挂号处上班，午饭时跟同事聊起一份涉密文件的内容，这算不算违规？", ""),
    # nothing asks: no part of its own
    ("我在前台上班。客户来了。", ""),
    # the short asking sentence needs everything before it: that is the whole message
    ("我是新人。这样可以吗？", ""),
])
def test_the_asking_part_is_the_last_asking_sentence_long_enough_to_name_its_subject(text, part):
    assert asking_part(text, WORDS, normalize_query) == part


def test_asking_words_of_the_language_file_are_folded_and_cover_the_voices():
    asking = load_ask_language().asking
    assert asking.words and asking.endings
    assert all(w == normalize_query(w) for w in (*asking.words, *asking.endings))
    # the formal voice's markers and the story's "can I" forms are general language data
    for w in ("是否", "告知", "明示", "能不能", "算不算", "怎么"):
        assert any(w in m or m in w for m in asking.words), w
    assert "吗" in asking.endings


def test_the_knowledge_base_reads_the_asking_part_of_a_traditional_or_formal_message(kb):
    formal = "本人系新入职員工，前日接待來訪客戶時遞名片的順序有誤。煩請告知：交換名片時應當由誰先遞？"
    assert kb.asking_part(formal) == "煩請告知：交換名片時應當由誰先遞？"
    assert kb.asking_part("电话响几声必须接") == ""


class _HashEmbedder:
    """Deterministic unit vectors from the text (no model needed)."""

    model_id = "hash-test"
    dim = 16

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed(self, texts, *, kind="query"):
        self.calls.append(list(texts))
        rows = [np.frombuffer(hashlib.sha256(f"{kind}{t}".encode()).digest()[:16], dtype=np.uint8) for t in texts]
        m = np.asarray(rows, dtype=np.float32) + 1.0
        return m / np.linalg.norm(m, axis=1, keepdims=True)


def _index(kb) -> tuple[SemanticIndex, _HashEmbedder]:
    small = replace(kb, entries=kb.entries[:4], decoys=kb.decoys[:2])
    texts = SemanticTexts.of(small)
    embedder = _HashEmbedder()
    store = VectorStore(embedder.model_id, embedder.dim)
    store.add("query", texts.queries, embedder.embed(texts.queries))
    store.add("passage", texts.passages, embedder.embed(texts.passages, kind="passage"))
    return SemanticIndex(small, embedder, store, texts), embedder


def test_a_long_question_is_embedded_whole_and_by_its_asking_part_in_one_call(kb):
    index, embedder = _index(kb)
    story = "昨天我在营业厅值班，有位客户情绪激动地投诉了很久。这种情况下应该怎么安抚客户才对？"
    embedder.calls.clear()
    vector = index.vector(story)
    assert vector.shape == (2, embedder.dim)
    asked_part = normalize_query("这种情况下应该怎么安抚客户才对")
    assert embedder.calls == [[normalize_query(story)[:MAX_EMBEDDED_CHARS], asked_part]]
    whole, asked = index.similarities(vector[0]), index.similarities(vector[1])
    per_doc, answers = index.similarities(vector)
    # each document's reading lies between the two (mean or max of them), never outside
    for fused, a, b in ((per_doc, whole[0], asked[0]), (answers, whole[1], asked[1])):
        assert np.all(fused >= np.minimum(a, b) - 1e-6) and np.all(fused <= np.maximum(a, b) + 1e-6)
    short = index.vector("客户投诉怎么办")
    assert short.shape == (embedder.dim,)  # a question of one sentence costs one embedding


def test_narrative_words_weigh_less_in_coverage_when_asked(matcher):
    story = "上周我们营业厅来了很多办业务的老人，大家排队排了很久。电话响几声之内必须接起来？"
    plain = matcher._lexical_parts(story)[1]
    lighter = replace(matcher.config, narrative_weight=0.5)
    matcher_config, matcher.config = matcher.config, lighter
    try:
        weighted = matcher._lexical_parts(story)[1]
    finally:
        matcher.config = matcher_config
    best = max(plain, key=plain.__getitem__)
    assert best in weighted and weighted[best] > plain[best]  # the narrative costs the entry less coverage


def _with_config(matcher, **changes):
    """Run `matcher` with some config fields changed (restored by the caller's `finally`)."""
    saved = matcher.config
    matcher.config = replace(saved, **changes)
    return saved


@pytest.mark.parametrize("how", ["max", "mean"])
def test_a_story_is_also_read_lexically_on_its_asking_sentence(matcher, how):
    story = ("上周我们营业厅来了很多办业务的老人，大家排队排了很久，我一直在窗口帮他们填表，忙得团团转。"
             "电话响几声之内必须接起来？")
    whole = matcher._lexical(story)
    asked = matcher._lexical(matcher.kb.asking_part(story))
    saved = _with_config(matcher, asking_lexical=how)
    try:
        both = matcher._asking_lexical(story, (), unknown_weight=None)
        plain = matcher._asking_lexical("电话响几声之内必须接起来", (), unknown_weight=None)
    finally:
        matcher.config = saved
    rings = next(i for i, e in enumerate(matcher.kb.entries) if e.id == "phone.answer_rings")
    # the asking sentence alone scores its entry higher than the story diluted by its narrative ...
    assert asked[rings] > whole[rings]
    # ... and each document's combined score lies between its two readings (the max: the higher)
    for i, s in both.items():
        a = matcher._lexical(matcher.kb.asking_part(story), (i,))[i]
        w = matcher._lexical(story, (i,))[i]
        assert min(a, w) - 1e-9 <= s <= max(a, w) + 1e-9
        if how == "max":
            assert s == pytest.approx(max(a, w))
    assert max(both, key=both.__getitem__) == rings
    # a question of one sentence has no asking part of its own: read once, as before
    assert plain == matcher._lexical("电话响几声之内必须接起来")


def test_without_asking_lexical_the_whole_question_is_read_once(matcher):
    story = "上周我们营业厅来了很多办业务的老人。电话响几声之内必须接起来？"
    saved = _with_config(matcher, asking_lexical="off")
    try:
        assert matcher._asking_lexical(story, (), unknown_weight=None) == matcher._lexical(story)
    finally:
        matcher.config = saved



FRAME = AskingWords(("怎么", "算不算"), ("吗",),
                    ("这", "这样", "做", "违规", "规范", "里", "是", "要求", "的", "可以", "算", "我"))
_FRAME = FRAME.frame_pattern


@pytest.mark.parametrize(("text", "rest"), [
    # a situation's trailing judgement names no subject: the situation alone
    ("我下班时把合同摊在桌上没收，这算违规吗？", "我下班时把合同摊在桌上没收，"),
    # a story's closing question about "the rules" likewise, whatever the sentence marks
    ("客户在电话里骂了我几句，我跟同事吐槽了他。规范里是怎么要求的？", "客户在电话里骂了我几句，我跟同事吐槽了他。"),
    # a clause keeps its place as soon as it names anything besides the frame
    ("我下班时把合同摊在桌上没收，这样做违规吗，要求锁柜子吗？", "我下班时把合同摊在桌上没收，要求锁柜子吗？"),
    # no clause is frame only: nothing of its own
    ("电话响几声之内必须接起来？", ""),
    # every clause is frame: nothing is left to read
    ("这样做可以吗？这算不算违规？", ""),
    # too little left to say anything on its own
    ("没收，这算违规吗？", ""),
])
def test_the_matter_of_a_question_is_it_without_the_clauses_that_only_frame_it(text, rest):
    assert matter(text, _FRAME, normalize_query) == rest


def test_without_frame_words_there_is_no_matter():
    assert WORDS.frame_pattern is not None  # asking words alone still make a pattern ...
    assert matter("我下班时把合同摊在桌上没收，这算违规吗？", None, normalize_query) == ""


def test_frame_words_of_the_language_file_are_folded_and_name_no_subject(kb):
    asking = load_ask_language().asking
    assert asking.frame and all(w == normalize_query(w) for w in asking.frame)
    # words that name what the knowledge is about are never frame (they are its subjects)
    for subject in ("保密", "礼貌", "着装", "电话", "客户", "名片", "文件", "秘密"):
        assert subject not in asking.frame, subject
    situation = "我用家里座机给同事念了一段文件的内容，这样算违规不？"
    assert kb.matter(situation) == "我用家里座机给同事念了一段文件的内容，"
    formal = "烦請告知：本人系新入職員工，交換名片時應當由誰先遞？敬請明示。"
    assert kb.matter(formal) == "本人系新入職員工，交換名片時應當由誰先遞？"


def test_a_question_with_a_frame_clause_is_embedded_without_it(kb, monkeypatch):
    index, embedder = _index(kb)
    situation = "我下班时把合同摊在桌上没收，这算违规吗？"
    rest = normalize_query("我下班时把合同摊在桌上没收")
    embedder.calls.clear()
    monkeypatch.setattr(semantic, "MATTER_REPLACES_WHOLE", True)
    assert index.vector(situation).shape == (embedder.dim,)  # one embedding, as before
    monkeypatch.setattr(semantic, "MATTER_REPLACES_WHOLE", False)
    assert index.vector(situation).shape == (2, embedder.dim)  # beside the whole
    assert embedder.calls == [[rest], [normalize_query(situation), rest]]


def test_the_lexical_signal_reads_the_matter_beside_the_whole_when_configured(matcher):
    situation = "我下班时把合同摊在桌上没收，这算违规吗？"
    rest = matcher.kb.matter(situation)
    assert rest
    saved = _with_config(matcher, matter_lexical=True)
    try:
        both = matcher._asking_lexical(situation, (), unknown_weight=None)
    finally:
        matcher.config = saved
    saved = _with_config(matcher, matter_lexical=False)
    try:
        off = matcher._asking_lexical(situation, (), unknown_weight=None)
    finally:
        matcher.config = saved
    assert off == matcher._lexical(situation)  # off: read once, as before
    for i, s in both.items():  # the mean of the two readings
        w = matcher._lexical(situation, (i,))[i]
        m = matcher._lexical(rest, (i,))[i]
        assert s == pytest.approx((w + m) / 2)


def test_the_readings_of_a_long_message_are_its_rows_split_by_reading(kb):
    from bot.core.ask.matcher import Matcher, fuse

    index, _ = _index(kb)
    m = Matcher(replace(kb, entries=kb.entries[:4], decoys=kb.decoys[:2]))  # the index's knowledge
    m.attach(index)
    story = "昨天我在营业厅值班，有位客户情绪激动地投诉了很久。这种情况下应该怎么安抚客户才对？"
    rows, readings, long = m.readings(story)
    assert long and rows == m.features(story) and set(readings) == {r[0] for r in rows}
    vector = index.vector(story)
    whole, asked = index.similarities(vector[0]), index.similarities(vector[1])
    part = kb.asking_part(story)
    for doc, *_ in rows:
        fw, fa, lw, la, qw, qa = readings[doc]
        assert lw == pytest.approx(m._lexical(story, (doc,))[doc])
        assert la == pytest.approx(m._lexical(part, (doc,))[doc])
        assert qw == pytest.approx(whole[0][doc]) and qa == pytest.approx(asked[0][doc])
        assert fw == pytest.approx(fuse(m.config, lw, qw, float(whole[1][doc])))
        assert fa == pytest.approx(fuse(m.config, la, qa, float(asked[1][doc])))
    # one sentence: read once, the same values for both readings
    rows, readings, long = m.readings("客户投诉怎么办")
    assert not long and rows == m.features("客户投诉怎么办")
    assert all(r[0] == r[1] and r[2] == r[3] and r[4] == r[5] for r in readings.values())
