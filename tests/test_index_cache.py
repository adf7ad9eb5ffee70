"""The index cache trusts nothing it finds: a planted file with executable content runs nothing and
is rebuilt, every random byte flip is detected, an unusable cache location still answers (with one
warning, no traceback), the folder is the owner's alone, and the cache stays bounded."""

from __future__ import annotations

import logging
import os
import pickle
import random
import shutil
import stat
from pathlib import Path

import pytest

from bot.core.ask import index_cache
from bot.core.ask.knowledge import DEFAULT_KNOWLEDGE_DIR
from bot.core.ask.matcher import MatcherConfig

QUESTION = "电话响几声要接"


class _Planted:
    """What an attacker would plant: unpickling it creates the marker file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A cache folder holding one valid index of the shipped knowledge (built once)."""
    folder = tmp_path_factory.mktemp("cache") / "libao"
    previous = os.environ.get("LIBAO_CACHE_DIR")
    os.environ["LIBAO_CACHE_DIR"] = str(folder)
    try:
        index_cache.load_matcher()
    finally:
        if previous is None:
            del os.environ["LIBAO_CACHE_DIR"]
        else:
            os.environ["LIBAO_CACHE_DIR"] = previous
    return folder


def _entry(folder: Path) -> Path:
    return folder / f"index-{index_cache.knowledge_digest(Path(DEFAULT_KNOWLEDGE_DIR), MatcherConfig())}.bin"


def _copy(built: Path, tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "libao"
    shutil.copytree(built, folder)
    folder.chmod(0o700)
    monkeypatch.setenv("LIBAO_CACHE_DIR", str(folder))
    return folder


def test_a_planted_file_runs_nothing_and_is_rebuilt(built, tmp_path, monkeypatch, caplog):
    folder = _copy(built, tmp_path, monkeypatch)
    marker = tmp_path / "pwned"
    entry = _entry(folder)
    for planted in (pickle.dumps(_Planted(marker)),  # a bare pickle under the expected name
                    index_cache._MAGIC + os.urandom(32) + pickle.dumps(_Planted(marker))):  # a forged MAC
        entry.write_bytes(planted)
        with caplog.at_level(logging.WARNING, logger="bot.core.ask.index_cache"):
            matcher = index_cache.load_matcher()
        assert not marker.exists()
        assert matcher.ask(QUESTION).status == "answer"
        assert "failed its check" in caplog.text
        key = (folder / "index.key").read_bytes()
        assert index_cache.read_entry(entry, key) is not None  # rebuilt, valid again
        caplog.clear()


def test_every_random_byte_flip_is_detected(built):
    entry = _entry(built)
    key = (built / "index.key").read_bytes()
    blob = entry.read_bytes()
    assert index_cache.read_entry(entry, key) is not None
    rng = random.Random(20261201)
    damaged = entry.with_name("damaged.bin")
    positions = [*rng.sample(range(len(blob)), 300), 0, len(blob) - 1]
    for pos in positions:
        flipped = bytearray(blob)
        flipped[pos] ^= rng.randrange(1, 256)
        damaged.write_bytes(bytes(flipped))
        assert index_cache.read_entry(damaged, key) is None, pos
    damaged.write_bytes(blob[:-1])  # truncated
    assert index_cache.read_entry(damaged, key) is None
    damaged.unlink()


def test_an_unusable_cache_location_still_answers_with_one_warning(tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("LIBAO_CACHE_DIR", str(blocker / "libao"))
    with caplog.at_level(logging.WARNING):
        matcher = index_cache.load_matcher()
    assert matcher.ask(QUESTION).status == "answer"
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and warnings[0].name == "bot.core.ask.index_cache"
    assert warnings[0].exc_info is None


def test_the_cache_folder_is_the_owner_s_alone(built, tmp_path, monkeypatch):
    folder = _copy(built, tmp_path, monkeypatch)
    folder.chmod(0o777)  # made world-writable behind our back: tightened before use
    index_cache.load_matcher()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in (folder / "index.key", _entry(folder)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(built.stat().st_mode) == 0o700
    if os.geteuid() != 0:
        return  # only root can hand the folder to another user
    os.chown(folder, 4242, -1)
    marker = tmp_path / "pwned"
    _entry(folder).write_bytes(pickle.dumps(_Planted(marker)))
    assert index_cache.load_matcher().ask(QUESTION).status == "answer"
    assert not marker.exists()  # someone else's folder is not used at all


def test_the_cache_is_bounded(built, tmp_path, monkeypatch):
    folder = _copy(built, tmp_path, monkeypatch)
    for i in range(6):  # indexes of earlier edits of the knowledge base, oldest first
        old = folder / f"index-{i:024d}.bin"
        old.write_bytes(b"old")
        os.utime(old, (1_000_000 + i, 1_000_000 + i))
    (folder / "index-000000000000000000000009.pickle").write_bytes(b"old format")
    index_cache.load_matcher()
    left = sorted(p.name for p in folder.glob("index-*"))
    assert len(left) == index_cache.MAX_FILES and _entry(folder).name in left
    assert "index-000000000000000000000005.bin" in left  # the most recent of the old ones stays
