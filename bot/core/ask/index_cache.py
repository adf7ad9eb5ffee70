"""Start-up without rebuilding: the knowledge base, its lexical index and its semantic index cached
as plain data.

The file is JSON (compressed, behind the cache directory's checksum: see bot.core.cache), never a
pickle: loading it creates strings, numbers, lists and dicts, nothing else, so a planted or edited
file can at worst be rejected. It is named by a hash of every byte under the knowledge directory,
the matcher configuration and the libao version, and that hash is stored inside and checked again,
so an edited (or broken) knowledge base never reuses a stale index: an entry is only written after
the knowledge base validated and was indexed. The semantic index (the vectors of every knowledge text,
grouped by document) is a NumPy .npz read with ``allow_pickle=False`` behind the same checksum.
The clauses of imported documents (the fallback, bot.core.rulebook) have an index of their own in
the same format, named by a hash that also covers the imported store. Anything unusable is rebuilt.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import zipfile
import zlib
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bot import __version__
from bot.core.ask.knowledge import (
    DEFAULT_KNOWLEDGE_DIR,
    MAX_VECTORS_BYTES,
    Decoy,
    Entry,
    KnowledgeBase,
    knowledge_files,
    load_knowledge,
)
from bot.core.ask.matcher import Matcher, MatcherConfig
from bot.core.cache import CacheDir, seal, unseal
from bot.core.schema import Source
from bot.core.text.asking import AskingWords
from bot.core.text.language import ASK_FILE, AskLanguage, restore_shipped_ask_language
from bot.core.text.segment import Segmenter
from bot.core.text.synonyms import SynonymGroup
from bot.core.yamlfile import read_bounded

if TYPE_CHECKING:
    from bot.core.ask.embed import Embedder
    from bot.core.ask.semantic import SemanticIndex, SemanticTexts

log = logging.getLogger(__name__)

_FORMAT = "5"
MAGIC = b"libao-index-2\n"
# The shipped knowledge base's index, written by `kb build` beside the knowledge: a fresh install
# answers without building it (like the shipped vectors); used only while its digest matches.
SHIPPED_INDEX = "index.json.z"
SEMANTIC_MAGIC = b"libao-semantic-1\n"
CLAUSES_DIR = "clauses"  # bot.core.rulebook.store: the imported documents, indexed on their own


def knowledge_digest(directory: Path, config: MatcherConfig, *, clauses: bool = False) -> str:
    """Hash of the knowledge files' names and bytes plus everything else the index depends on: the
    shipped index aside, and the imported clauses only for the clause index (`clauses`), so an
    import leaves the curated index valid."""
    h = hashlib.sha256(f"{_FORMAT}|{__version__}|{config!r}".encode())
    if clauses:
        from bot.core.rulebook.answer import ClauseConfig, shipped_language_files

        h.update(f"|clauses|{ClauseConfig()!r}".encode())
        for path in shipped_language_files():  # the clause index reads these beside the directory's own
            h.update(read_bounded(path, max_bytes=MAX_VECTORS_BYTES) + b"\0")
    # The loader's own file list and bounds (DataError when broken): a warm cache never hides them.
    for path in sorted(p for p in knowledge_files(directory)
                       if clauses or p.relative_to(directory).parts[0] != CLAUSES_DIR):
        h.update(str(path.relative_to(directory)).encode("utf-8") + b"\0")
        h.update(read_bounded(path, max_bytes=MAX_VECTORS_BYTES) + b"\0")  # each already checked to its own limit
    return h.hexdigest()[:24]


def attach_clauses(matcher: Matcher, *, cache: CacheDir) -> None:
    """The documents imported beside the matcher's knowledge as its fallback: their clause index
    restored from `cache` (the same sealed plain data as the curated one), else built and stored."""
    from bot.core.rulebook.store import load_store

    directory = matcher.kb.directory
    docs = load_store(directory) if directory is not None else []
    if not docs:
        return
    from bot.core.rulebook.answer import ClauseAnswerer, ClauseConfig  # only with imported documents

    assert directory is not None
    clause_config = ClauseConfig()
    config = clause_config.matcher_config(matcher.config)
    digest = knowledge_digest(directory, config, clauses=True) if cache.path is not None else ""
    name = f"clauses-{digest}.json.z"
    payload = cache.read(name, MAGIC) if digest else None
    if payload is not None:
        try:
            restored = decode(payload, directory, config=config, digest=digest)
            matcher.fallback = ClauseAnswerer(matcher.kb, docs, config=clause_config, matcher=restored)
            return
        except _NOT_AN_INDEX:
            cache.warn(f"ignoring cache file {name} (not a clause index of this knowledge base): rebuilding it")
    answerer = ClauseAnswerer(matcher.kb, docs, matcher_config=matcher.config, config=clause_config)
    matcher.fallback = answerer
    if digest:
        cache.write(name, MAGIC, encode(answerer.matcher, digest))


def load_matcher(directory: Path | None = None, *, config: MatcherConfig | None = None,
                 cache: CacheDir | None = None, semantic: bool = True, threads: int = 1) -> Matcher:
    """The matcher for `directory` (default: the shipped knowledge), from `cache` when valid (no
    cache: built in memory), with the semantic signal attached when `semantic` and an embedder
    can run here (said once if not).

    Raises bot.core.yamlfile.DataError when the knowledge base is broken.
    """
    cache = cache or CacheDir(None)
    directory = Path(directory or DEFAULT_KNOWLEDGE_DIR)
    config = config or MatcherConfig()
    digest = knowledge_digest(directory, config) if cache.path is not None else ""
    matcher = lexical_matcher(directory, config=config, cache=cache, digest=digest)
    fallback = matcher.fallback
    if not semantic:
        matcher.attach(None, "switched off")
        if fallback is not None:
            fallback.attach(None, "switched off")
        return matcher
    from bot.core.ask.embed import load_embedder

    embedder, why_not = load_embedder(threads=threads)
    if embedder is None:
        log.warning("semantic signal off (%s): answering on the lexical signal alone", why_not)
        matcher.attach(None, why_not)
        if fallback is not None:
            fallback.attach(None, why_not)
        return matcher
    matcher.attach(semantic_index(matcher, embedder, cache=cache, digest=digest))
    if fallback is not None:
        fallback.attach(embedder)
    return matcher


def semantic_index(matcher: Matcher, embedder: Embedder, *, cache: CacheDir, digest: str) -> SemanticIndex:
    """The semantic index of the matcher's knowledge base: its arrays restored from `cache`, else
    assembled from the vectors (shipped, cached, or embedded now) and stored there."""
    from bot.core.ask.semantic import SemanticIndex, SemanticTexts

    # semantic2: the folded texts are stored with the vectors (files of the first form are not read);
    # semantic3: with each document's pooled direction and which texts it pools.
    name = f"semantic3-{digest}-{re.sub(r'[^A-Za-z0-9.-]+', '_', embedder.model_id)}.npz"
    payload = cache.read(name, SEMANTIC_MAGIC) if digest else None
    if payload is not None:
        try:
            with np.load(io.BytesIO(payload), allow_pickle=False) as z:
                stored = {k: z[k] for k in z.files}
            return SemanticIndex.from_arrays(embedder, stored, _texts_from_arrays(stored, matcher.kb))
        except (ValueError, KeyError, OSError, EOFError, UnicodeDecodeError, zipfile.BadZipFile):
            cache.warn(f"ignoring cache file {name} (not a semantic index of this knowledge base): rebuilding it")
    texts = SemanticTexts.of(matcher.kb)
    index = SemanticIndex.build(matcher.kb, embedder, cache=cache.path, texts=texts)
    if digest:
        arrays: dict[str, Any] = index.arrays()
        for key in ("queries", "passages"):  # the vectors are float16 at heart: keep them so, exactly
            half = arrays[key].astype(np.float16)
            if np.array_equal(half.astype(np.float32), arrays[key]):
                arrays[key] = half
        arrays.update(_texts_arrays(texts))
        out = io.BytesIO()
        np.savez(out, **arrays)
        cache.write(name, SEMANTIC_MAGIC, out.getvalue())
    return index


# The folded texts of a semantic index are stored with it: folding the knowledge base's ~7,000 texts
# again was a tenth of a warm start. Each list is one UTF-8 array and its texts' lengths.
def _texts_arrays(texts: SemanticTexts) -> dict[str, np.ndarray]:
    out = {"owners": np.asarray(texts.owners, dtype=np.int64), "pooled_texts": np.asarray(texts.pooled, dtype=bool)}
    for key, items in (("query_texts", texts.queries), ("passage_texts", texts.passages)):
        out[key] = np.frombuffer("".join(items).encode("utf-8"), dtype=np.uint8)
        out[f"{key}_lengths"] = np.asarray([len(t) for t in items], dtype=np.int64)
    return out


def _texts_from_arrays(arrays: dict[str, np.ndarray], kb: KnowledgeBase) -> SemanticTexts:
    from bot.core.ask.semantic import SemanticTexts

    def strings(key: str) -> list[str]:
        blob = arrays[key]
        lengths = arrays[f"{key}_lengths"]
        if blob.dtype != np.uint8 or blob.ndim != 1 or lengths.ndim != 1 or np.any(lengths < 0):
            raise ValueError("malformed texts")
        text = blob.tobytes().decode("utf-8")
        ends = np.cumsum(lengths).tolist()
        if (ends[-1] if ends else 0) != len(text):
            raise ValueError("malformed texts")
        return [text[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]

    owners = arrays["owners"]
    if owners.ndim != 1 or owners.dtype != np.int64:
        raise ValueError("malformed owners")
    queries = strings("query_texts")
    if len(queries) != len(owners):
        raise ValueError("one owner per text")
    # The readings of a question come from the knowledge base, as in SemanticTexts.of: restored
    # without them, a warm start read a long question once where a cold one read it twice.
    pooled = arrays["pooled_texts"]
    if pooled.ndim != 1 or pooled.dtype != np.bool_ or len(pooled) not in (0, len(owners)):
        raise ValueError("malformed pooled texts")
    return SemanticTexts(queries, owners.tolist(), strings("passage_texts"), kb.fold, kb.asking_part, kb.matter,
                         tuple(bool(x) for x in pooled))


def lexical_matcher(directory: Path | None = None, *, config: MatcherConfig | None = None,
                    cache: CacheDir | None = None, digest: str = "") -> Matcher:
    """The lexical matcher of `directory`: restored from `cache`, else built (and stored there);
    the imported clauses, if any, as its fallback."""
    directory = Path(directory or DEFAULT_KNOWLEDGE_DIR)
    config = config or MatcherConfig()
    cache = cache or CacheDir(None)
    matcher = _curated_matcher(directory, config, cache, digest or knowledge_digest(directory, config))
    attach_clauses(matcher, cache=cache)
    return matcher


def _curated_matcher(directory: Path, config: MatcherConfig, cache: CacheDir, digest: str) -> Matcher:
    name = f"index-{digest}.json.z"
    payload = cache.read(name, MAGIC)
    if payload is not None:
        try:
            return decode(payload, directory, config=config, digest=digest)
        except _NOT_AN_INDEX:
            cache.warn(f"ignoring cache file {name} (not an index of this knowledge base): rebuilding it")
    shipped = shipped_index(directory, config=config, digest=digest)
    if shipped is not None:
        return shipped
    matcher = Matcher(load_knowledge(directory), config=config)
    cache.write(name, MAGIC, encode(matcher, digest))
    return matcher


_NOT_AN_INDEX = (ValueError, KeyError, TypeError, IndexError, AttributeError, zlib.error)


def shipped_index(directory: Path, *, config: MatcherConfig, digest: str) -> Matcher | None:
    """The matcher from the index shipped in `directory`, if it is the index of exactly these files."""
    try:
        payload = unseal((directory / SHIPPED_INDEX).read_bytes(), MAGIC)
    except OSError:
        return None
    if payload is None:
        log.warning("ignoring %s (checksum mismatch): building the index", SHIPPED_INDEX)
        return None
    try:
        return decode(payload, directory, config=config, digest=digest)
    except _NOT_AN_INDEX:
        return None  # stale: the knowledge changed since `kb build` (kb lint says so)


def build_shipped_index(directory: Path, *, config: MatcherConfig | None = None) -> Matcher:
    """Index `directory` from its YAML and write the shipped index beside it (`kb build`)."""
    config = config or MatcherConfig()
    matcher = Matcher(load_knowledge(directory), config=config)
    target = directory / SHIPPED_INDEX
    tmp = target.with_name(target.name + ".part")
    tmp.write_bytes(seal(MAGIC, encode(matcher, knowledge_digest(directory, config))))
    tmp.replace(target)
    return matcher


# -- the data format ------------------------------------------------------------------------------------


def _entry_json(e: Entry) -> list[Any]:
    return [e.id, e.title, e.answer, list(e.questions), list(e.keywords),
            [[s.doc, s.clause, s.file] for s in e.sources], e.domain, e.topic, list(e.tags), list(e.related),
            e.file, e.line, *([list(e.clauses)] if e.clauses else [])]  # an entry without clauses encodes as before


def _entry(row: list[Any]) -> Entry:
    (id_, title, answer, questions, keywords, sources, domain, topic, tags, related, file, line) = row[:12]
    return Entry(id=_str(id_), title=_str(title), answer=_str(answer), questions=_strs(questions),
                 keywords=_strs(keywords), sources=tuple(Source(*_strs(s)) for s in sources),
                 domain=_str(domain), topic=_str(topic), tags=_strs(tags), related=_strs(related),
                 file=_str(file), line=int(line), clauses=_strs(row[12]) if len(row) > 12 else ())


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def _strs(values: object) -> tuple[str, ...]:
    if not isinstance(values, list):
        raise TypeError("expected a list")
    return tuple(_str(v) for v in values)


def encode(matcher: Matcher, digest: str) -> bytes:
    """The payload of an index cache file: the knowledge base, the vocabulary and the index."""
    kb = matcher.kb
    data = {
        "format": _FORMAT,
        "digest": digest,
        "entries": [_entry_json(e) for e in kb.entries],
        "synonyms": [[g.canonical, list(g.terms)] for g in kb.synonyms],
        "decoys": [[d.id, d.label, list(d.questions)] for d in kb.decoys],
        "language": {"stopwords": sorted(kb.language.stopwords),
                     "exclusive": [list(g) for g in kb.language.exclusive],
                     "typos": [list(p) for p in kb.language.typos],
                     "asking": [list(kb.language.asking.words), list(kb.language.asking.endings),
                                list(kb.language.asking.frame)]},
        "fillers": sorted(kb.fillers),
        "english": kb.english,
        "standard": kb.standard,
        "userdict": kb.userdict.name if kb.userdict is not None else None,
        "vocabulary": {"digest": matcher.seg.digest, "text": matcher.seg.vocabulary, "shipped": matcher.seg.shipped},
        "index": matcher.index_state(),
        "config": asdict(matcher.config),
    }
    # Sorted keys: the same knowledge gives the same bytes (the shipped index is in version control).
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return zlib.compress(text.encode("utf-8"), 1)


def decode(payload: bytes, directory: Path, *, config: MatcherConfig, digest: str) -> Matcher:
    """A matcher from an index cache payload; ValueError (or TypeError, KeyError) when it is not
    the index of `directory` under `config`."""
    data = json.loads(zlib.decompress(payload).decode("utf-8"))
    if data["format"] != _FORMAT or data["digest"] != digest or data["config"] != json.loads(
            json.dumps(asdict(config))):
        raise ValueError("index of another knowledge base or configuration")
    lang = data["language"]
    language = AskLanguage(frozenset(_strs(lang["stopwords"])), tuple(_strs(g) for g in lang["exclusive"]),
                           tuple((_str(a), _str(b)) for a, b in lang["typos"]),
                           AskingWords(*(_strs(part) for part in lang["asking"])))
    if directory.resolve() == DEFAULT_KNOWLEDGE_DIR.resolve() and (directory / ASK_FILE).exists():
        restore_shipped_ask_language(language)  # the digest covered it: not read and validated again
    userdict = directory / _str(data["userdict"]) if data["userdict"] is not None else None
    kb = KnowledgeBase(
        [_entry(row) for row in data["entries"]],
        [SynonymGroup(_str(c), _strs(t)) for c, t in data["synonyms"]],
        [Decoy(_str(i), _str(label), _strs(q)) for i, label, q in data["decoys"]],
        userdict, directory, language, frozenset(_strs(data["fillers"])),
        {_str(k): _str(v) for k, v in data["english"].items()},
        {_str(k): _str(v) for k, v in data["standard"].items()},
    )
    vocab = data["vocabulary"]
    seg = Segmenter(_str(vocab["text"]), _str(vocab["digest"]), shipped=bool(vocab["shipped"]))
    return Matcher.from_index_state(kb, seg, data["index"], config=config)
