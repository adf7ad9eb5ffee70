"""Start-up in a few tens of milliseconds: the built matcher is cached on disk.

The cache key is a hash of every byte under the knowledge directory, the matcher configuration
and the libao version, so an edited (or broken) knowledge base never reuses a stale index: a
cache entry is only ever written after the knowledge base validated and was indexed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path

from bot import __version__
from bot.core.ask.knowledge import DEFAULT_KNOWLEDGE_DIR, load_knowledge
from bot.core.ask.matcher import Matcher, MatcherConfig
from bot.core.text.segment import cache_dir

log = logging.getLogger(__name__)

_FORMAT = "4"


def knowledge_digest(directory: Path, config: MatcherConfig) -> str:
    """Hash of the knowledge files' names and bytes plus everything else the index depends on."""
    from bot.core.rulebook.answer import ClauseConfig

    h = hashlib.sha256(f"{_FORMAT}|{__version__}|{config!r}|{ClauseConfig()!r}".encode())
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(directory)).encode("utf-8") + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()[:24]


def build_matcher(directory: Path, config: MatcherConfig) -> Matcher:
    """Index the curated entries, and the imported clauses as their fallback."""
    from bot.core.rulebook.answer import ClauseAnswerer
    from bot.core.rulebook.store import load_store

    kb = load_knowledge(directory)
    matcher = Matcher(kb, config=config)
    docs = load_store(directory)
    if docs:
        matcher.fallback = ClauseAnswerer(kb, docs, matcher_config=config)
    return matcher


def load_matcher(directory: Path | None = None, *, config: MatcherConfig | None = None,
                 use_cache: bool = True, semantic: bool = True, threads: int = 1) -> Matcher:
    """The matcher for `directory` (default: the shipped knowledge), from cache when valid, with
    the semantic signal attached when `semantic` and an embedder can run here (said once if not).

    Raises bot.core.yamlfile.DataError when the knowledge base is broken.
    """
    matcher = _lexical_matcher(directory, config=config, use_cache=use_cache)
    fallback = getattr(matcher, "fallback", None)
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
    from bot.core.ask.semantic import SemanticIndex

    matcher.attach(SemanticIndex.build(matcher.kb, embedder))
    if fallback is not None:
        fallback.attach(embedder)
    return matcher


def _lexical_matcher(directory: Path | None, *, config: MatcherConfig | None, use_cache: bool) -> Matcher:
    directory = Path(directory or DEFAULT_KNOWLEDGE_DIR)
    config = config or MatcherConfig()
    if not use_cache:
        return build_matcher(directory, config)
    path = cache_dir() / f"index-{knowledge_digest(directory, config)}.pickle"
    if path.exists():
        try:
            with path.open("rb") as f:
                matcher = pickle.load(f)
            if isinstance(matcher, Matcher):
                return matcher
        except Exception:  # a truncated or foreign cache file is rebuilt, never trusted
            log.warning("ignoring unreadable index cache %s", path.name)
    matcher = build_matcher(directory, config)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(matcher, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:  # a read-only cache directory only costs start-up time
        log.warning("cannot write index cache in %s", path.parent)
    return matcher
