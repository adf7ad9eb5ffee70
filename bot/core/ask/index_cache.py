"""Start-up in a few tens of milliseconds: the built matcher is cached on disk.

The cache key is a hash of every byte under the knowledge directory, the matcher configuration
and the libao version, so an edited (or broken) knowledge base never reuses a stale index: a
cache entry is only ever written after the knowledge base validated and was indexed.

What is read back is never trusted on its name: the cache lives in a folder only this user can
write (`private_dir`; none at all when that cannot be had), and each file carries an HMAC-SHA256
under a random key kept in that folder (mode 0600). The MAC is checked before a single byte is
decoded, so a planted, edited or damaged file is rebuilt, never loaded. At most `MAX_FILES`
index files are kept (the least recently used go).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import pickle
import secrets
import tempfile
from pathlib import Path

from bot import __version__
from bot.core.ask.knowledge import DEFAULT_KNOWLEDGE_DIR, MAX_VECTORS_BYTES, knowledge_files, load_knowledge
from bot.core.ask.matcher import Matcher, MatcherConfig
from bot.core.text.segment import cache_dir, private_dir
from bot.core.yamlfile import read_bounded

log = logging.getLogger(__name__)

_FORMAT = "4"
_MAGIC = b"LIBAO-INDEX-4\n"
_KEY_FILE = "index.key"
MAX_FILES = 3


def knowledge_digest(directory: Path, config: MatcherConfig) -> str:
    """Hash of the knowledge files' names and bytes plus everything else the index depends on."""
    from bot.core.rulebook.answer import ClauseConfig

    h = hashlib.sha256(f"{_FORMAT}|{__version__}|{config!r}|{ClauseConfig()!r}".encode())
    # The loader's own file list and bounds (DataError when broken): a warm cache never hides them.
    for path in sorted(knowledge_files(directory)):
        h.update(str(path.relative_to(directory)).encode("utf-8") + b"\0")
        h.update(read_bounded(path, max_bytes=MAX_VECTORS_BYTES) + b"\0")  # each already checked to its own limit
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
    folder = cache_dir()
    key = _key(folder) if private_dir(folder) else None
    if key is None:
        log.warning("index cache unavailable (no private cache folder): building the index")
        return build_matcher(directory, config)
    path = folder / f"index-{knowledge_digest(directory, config)}.bin"
    if path.exists():
        cached = read_entry(path, key)
        if cached is not None:
            os.utime(path)  # recently used: kept by the eviction
            _evict(folder, keep=path)
            return cached
        log.warning("index cache %s failed its check: rebuilding it", path.name)
    matcher = build_matcher(directory, config)
    if not write_entry(path, key, matcher):
        log.warning("cannot write the index cache: the next start builds the index again")
    _evict(folder, keep=path)
    return matcher


def _key(folder: Path) -> bytes | None:
    """This cache folder's MAC key (created on first use, readable by the owner only)."""
    path = folder / _KEY_FILE
    try:
        if not path.exists():
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(32))
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        key = path.read_bytes()
    except OSError:
        return None
    return key if len(key) == 32 else None


def read_entry(path: Path, key: bytes) -> Matcher | None:
    """The matcher stored in `path`, or None unless its MAC under `key` checks out (then nothing of
    it has been decoded)."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC)
    if not blob.startswith(_MAGIC) or len(blob) < head + 32:
        return None
    mac, payload = blob[head:head + 32], blob[head + 32:]
    if not hmac.compare_digest(mac, hmac.new(key, payload, hashlib.sha256).digest()):
        return None
    try:
        matcher = pickle.loads(payload)  # written by us, under our key (checked above)
    except Exception:
        return None
    return matcher if isinstance(matcher, Matcher) else None


def write_entry(path: Path, key: bytes, matcher: Matcher) -> bool:
    """Store `matcher` with its MAC (atomically, mode 0600); False when the folder refuses."""
    payload = pickle.dumps(matcher, protocol=pickle.HIGHEST_PROTOCOL)
    blob = _MAGIC + hmac.new(key, payload, hashlib.sha256).digest() + payload
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError:
        return False
    return True


def _evict(folder: Path, *, keep: Path) -> None:
    """Keep the `MAX_FILES` most recently used index files (an edited knowledge base leaves its old
    index behind); older formats and stray temporary files go too."""
    try:
        stale = [*folder.glob("index-*.pickle"), *folder.glob("*.tmp")]
        entries = sorted(folder.glob("index-*.bin"), key=lambda p: p.stat().st_mtime, reverse=True)
        stale += [p for p in entries[MAX_FILES:] if p != keep]
        for p in stale:
            p.unlink(missing_ok=True)
    except OSError:
        log.warning("could not tidy the index cache")
