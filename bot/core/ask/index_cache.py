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
from bot.core.ask.knowledge import DEFAULT_KNOWLEDGE_DIR, knowledge_files, load_knowledge
from bot.core.ask.matcher import Matcher, MatcherConfig
from bot.core.text.segment import cache_dir
from bot.core.yamlfile import read_bounded

log = logging.getLogger(__name__)

_FORMAT = "1"


def knowledge_digest(directory: Path, config: MatcherConfig) -> str:
    """Hash of the knowledge files' names and bytes plus everything else the index depends on."""
    h = hashlib.sha256(f"{_FORMAT}|{__version__}|{config!r}".encode())
    # The loader's own file list and bounds (DataError when broken): a warm cache never hides them.
    for path in sorted(knowledge_files(directory)):
        h.update(str(path.relative_to(directory)).encode("utf-8") + b"\0")
        h.update(read_bounded(path) + b"\0")
    return h.hexdigest()[:24]


def load_matcher(directory: Path | None = None, *, config: MatcherConfig | None = None,
                 use_cache: bool = True) -> Matcher:
    """The matcher for `directory` (default: the shipped knowledge), from cache when valid.

    Raises bot.core.yamlfile.DataError when the knowledge base is broken.
    """
    directory = Path(directory or DEFAULT_KNOWLEDGE_DIR)
    config = config or MatcherConfig()
    if not use_cache:
        return Matcher(load_knowledge(directory), config=config)
    path = cache_dir() / f"index-{knowledge_digest(directory, config)}.pickle"
    if path.exists():
        try:
            with path.open("rb") as f:
                matcher = pickle.load(f)
            if isinstance(matcher, Matcher):
                return matcher
        except Exception:  # a truncated or foreign cache file is rebuilt, never trusted
            log.warning("ignoring unreadable index cache %s", path.name)
    matcher = Matcher(load_knowledge(directory), config=config)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(matcher, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:  # a read-only cache directory only costs start-up time
        log.warning("cannot write index cache in %s", path.parent)
    return matcher
