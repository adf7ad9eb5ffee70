"""The index cache holds data only, checks every byte, lives only where no one else can write, stays
bounded, and every problem with it degrades to a rebuild with one warning (never a traceback)."""

from __future__ import annotations

import logging
import os
import pickle
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.ask import index_cache
from bot.core.cache import KEY_FILE, CacheDir, seal

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ["电话响几声要接", "客户投诉了怎么处理", "脱密期是几年", "可以染头发吗", "今天会下雨吗", "电话"]


def _answers(matcher) -> list[tuple[str, list[tuple[str, float]]]]:
    return [(r.status, [(m.entry.id, m.score) for m in r.matches]) for r in map(matcher.ask, QUESTIONS)]


@pytest.fixture(scope="module")
def kdir(tmp_path_factory, kb) -> Path:
    """A private copy of the shipped knowledge (its compact vocabulary included, its shipped index not:
    these tests are about the cache)."""
    assert kb.directory is not None
    target = tmp_path_factory.mktemp("kb") / "knowledge"
    shutil.copytree(kb.directory, target, ignore=shutil.ignore_patterns(index_cache.SHIPPED_INDEX))
    return target


@pytest.fixture(scope="module")
def built(kdir):
    """The matcher built from the YAML, and the cache file it wrote."""
    cache_path = kdir.parent / "built-cache"
    matcher = index_cache.lexical_matcher(kdir, cache=CacheDir.open(cache_path))
    (file,) = cache_path.glob("index-*")
    return matcher, file


def _cache_like(built_file: Path, folder: Path, *, copy: bool = True) -> CacheDir:
    """A cache directory with the same key as the one `built_file` was written in (and the file)."""
    folder.mkdir(mode=0o700, exist_ok=True)
    shutil.copy(built_file.parent / KEY_FILE, folder / KEY_FILE)
    (folder / KEY_FILE).chmod(0o600)
    if copy:
        shutil.copy(built_file, folder / built_file.name)
    return CacheDir.open(folder)


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_restored_index_answers_exactly_like_a_built_one(kdir, built, tmp_path):
    matcher, file = built
    assert matcher.seg.shipped  # the shipped compact vocabulary was used, jieba's full one never
    cache = _cache_like(file, tmp_path / "cache")
    assert cache.read(file.name, index_cache.MAGIC) is not None
    restored = index_cache.lexical_matcher(kdir, cache=cache)
    assert restored is not matcher and _answers(restored) == _answers(matcher)
    assert restored.kb.entries == matcher.kb.entries and restored.kb.decoys == matcher.kb.decoys


def test_the_file_holds_no_pickle_only_checksummed_data(built):
    _, file = built
    data = file.read_bytes()
    assert data.startswith(index_cache.MAGIC)
    assert b"\x80\x04\x95" not in data[:64] and not data.startswith(b"\x80")  # no pickle protocol header
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads(data)


class _Payload:
    """What an attacker plants: unpickling it would create `marker`."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_planted_file_with_executable_content_runs_nothing_and_is_rebuilt(kdir, built, tmp_path, caplog):
    matcher, file = built
    marker = tmp_path / "pwned"
    cache_path = tmp_path / "cache"
    cache = _cache_like(file, cache_path, copy=False)
    evil = pickle.dumps(_Payload(marker))
    # Under the exact name the index would have, with and without a forged header, and under the
    # names earlier versions used.
    planted = [cache_path / file.name, cache_path / "index-0123456789abcdef01234567.pickle",
               cache_path / "jieba.u0123.cache"]
    planted[0].write_bytes(evil)
    planted[1].write_bytes(evil)
    planted[2].write_bytes(evil)
    with caplog.at_level(logging.WARNING):
        restored = index_cache.lexical_matcher(kdir, cache=cache)
    assert not marker.exists()
    assert _answers(restored) == _answers(matcher)
    assert planted[0].read_bytes() == file.read_bytes()  # rebuilt in its place
    assert not planted[1].exists() and not planted[2].exists()  # old formats are removed, never read
    assert len(_warnings(caplog)) == 1
    # A forged header does not help either: the checksum covers the payload.
    planted[0].write_bytes(index_cache.MAGIC + b"\0" * 32 + evil)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        again = index_cache.lexical_matcher(kdir, cache=CacheDir.open(cache_path))
    assert not marker.exists() and _answers(again) == _answers(matcher)
    assert len(_warnings(caplog)) == 1


def test_every_random_byte_flip_is_detected(built, tmp_path):
    _, file = built
    original = file.read_bytes()
    cache = _cache_like(file, tmp_path / "cache", copy=False)
    target = tmp_path / "cache" / file.name
    rng = random.Random(20240601)
    positions = rng.sample(range(len(original)), 300)
    positions += [0, len(index_cache.MAGIC), len(original) - 1]  # the magic, the digest, the last byte
    for pos in positions:
        damaged = bytearray(original)
        damaged[pos] ^= rng.randrange(1, 256)
        target.write_bytes(bytes(damaged))
        assert cache.read(file.name, index_cache.MAGIC) is None, pos
        assert not target.exists()  # a damaged file is deleted
    for cut in (0, 5, len(original) // 2, len(original) - 1):
        target.write_bytes(original[:cut])
        assert cache.read(file.name, index_cache.MAGIC) is None
    target.write_bytes(original)
    assert cache.read(file.name, index_cache.MAGIC) is not None


def test_a_flipped_file_is_rebuilt_not_trusted(kdir, built, tmp_path, caplog):
    matcher, file = built
    damaged = bytearray(file.read_bytes())
    damaged[len(damaged) // 3] ^= 0x01
    cache = _cache_like(file, tmp_path / "cache", copy=False)
    (tmp_path / "cache" / file.name).write_bytes(bytes(damaged))
    with caplog.at_level(logging.WARNING):
        restored = index_cache.lexical_matcher(kdir, cache=cache)
    assert _answers(restored) == _answers(matcher)
    assert (tmp_path / "cache" / file.name).read_bytes() == file.read_bytes()
    assert len(_warnings(caplog)) == 1


def test_a_valid_file_of_another_knowledge_base_is_not_used(kdir, built, tmp_path, caplog):
    """A well-formed, correctly checksummed index copied under this knowledge base's name."""
    matcher, file = built
    foreign = index_cache.encode(matcher, "0" * 24)
    cache = _cache_like(file, tmp_path / "cache", copy=False)
    cache.write(file.name, index_cache.MAGIC, foreign)
    with caplog.at_level(logging.WARNING):
        restored = index_cache.lexical_matcher(kdir, cache=cache)
    assert _answers(restored) == _answers(matcher)
    assert (tmp_path / "cache" / file.name).read_bytes() == file.read_bytes()
    assert len(_warnings(caplog)) == 1


def test_a_file_with_a_valid_checksum_but_without_the_directory_s_key_is_not_used(kdir, built, tmp_path):
    """Whoever could plant a file still cannot forge one: the MAC needs the key only the owner reads."""
    matcher, file = built
    digest = file.name.removeprefix("index-").removesuffix(".json.z")
    payload = index_cache.encode(matcher, digest)
    cache = _cache_like(file, tmp_path / "cache", copy=False)
    (tmp_path / "cache" / file.name).write_bytes(seal(index_cache.MAGIC, payload))
    assert cache.read(file.name, index_cache.MAGIC) is None
    other_key = CacheDir.open(tmp_path / "other")
    other_key.write(file.name, index_cache.MAGIC, payload)
    shutil.copy(tmp_path / "other" / file.name, tmp_path / "cache" / file.name)
    assert cache.read(file.name, index_cache.MAGIC) is None


def test_a_symlink_in_the_cache_is_not_followed(built, tmp_path):
    _, file = built
    elsewhere = tmp_path / "elsewhere"
    shutil.copy(file, elsewhere)
    cache_path = tmp_path / "cache"
    cache = _cache_like(file, cache_path, copy=False)
    (cache_path / file.name).symlink_to(elsewhere)
    assert cache.read(file.name, index_cache.MAGIC) is None
    assert elsewhere.exists()


def test_a_directory_writable_by_others_is_not_used(kdir, built, tmp_path, caplog):
    matcher, file = built
    shared = tmp_path / "shared"
    _cache_like(file, shared)
    shared.chmod(0o777)
    with caplog.at_level(logging.WARNING):
        cache = CacheDir.open(shared)
        restored = index_cache.lexical_matcher(kdir, cache=cache)
    assert cache.path is None and "writable by others" in cache.problem
    assert _answers(restored) == _answers(matcher)
    assert len(_warnings(caplog)) == 1


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a directory to another user needs root")
def test_a_directory_of_another_user_is_not_used(tmp_path):
    other = tmp_path / "other"
    other.mkdir(mode=0o700)
    os.chown(other, 65534, 65534)
    cache = CacheDir.open(other)
    assert cache.path is None and "another user" in cache.problem


def test_a_file_writable_by_others_is_not_read(built, tmp_path):
    _, file = built
    cache = _cache_like(file, tmp_path / "cache")
    assert cache.read(file.name, index_cache.MAGIC) is not None
    (tmp_path / "cache" / file.name).chmod(0o666)
    assert cache.read(file.name, index_cache.MAGIC) is None


def test_the_directory_is_created_private(tmp_path):
    cache = CacheDir.open(tmp_path / "a" / "b")
    assert cache.path is not None
    assert (tmp_path / "a" / "b").stat().st_mode & 0o777 == 0o700


def test_an_unusable_location_still_answers_with_one_warning(kdir, built, tmp_path, caplog):
    matcher, _ = built
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        cache = CacheDir.open(blocker / "cache")
        restored = index_cache.lexical_matcher(kdir, cache=cache)
        again = index_cache.lexical_matcher(kdir, cache=cache)
    assert _answers(restored) == _answers(matcher) == _answers(again)
    assert len(_warnings(caplog)) == 1 and "building in memory" in _warnings(caplog)[0]


def test_the_cli_answers_with_one_warning_when_the_cache_cannot_be_created(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    env = dict(os.environ, LIBAO_CACHE_DIR=str(blocker / "cache"))
    proc = subprocess.run([sys.executable, "-m", "bot", "--lexical-only", "ask", "电话响几声要接"], cwd=ROOT,
                          env=env, capture_output=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "三声" in proc.stdout.decode()
    stderr = proc.stderr.decode().strip().splitlines()
    assert len(stderr) == 1 and "cache" in stderr[0] and "Traceback" not in proc.stderr.decode()


def test_the_cache_is_bounded_least_recently_used_first(tmp_path):
    cache = CacheDir.open(tmp_path, max_files=3, max_bytes=10_000)
    for i in range(3):
        assert cache.write(f"index-{i}", b"m", b"x" * 100)
        os.utime(tmp_path / f"index-{i}", (1000 + i, 1000 + i))
    assert cache.read("index-0", b"m") == b"x" * 100  # used: now the most recent
    cache.write("index-3", b"m", b"x" * 100)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index-0", "index-2", "index-3", KEY_FILE]
    cache.write("big", b"m", b"y" * 9_900)  # over the byte budget: everything older goes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big", KEY_FILE]


def test_the_shipped_index_serves_a_fresh_install_and_only_while_it_is_current(kb, built, tmp_path):
    """`kb build` ships the index beside the knowledge: an empty cache builds nothing; after an edit
    the shipped index is stale and the knowledge is indexed from its YAML."""
    matcher, _ = built
    assert kb.directory is not None
    kdir = tmp_path / "knowledge"
    shutil.copytree(kb.directory, kdir)
    assert (kdir / index_cache.SHIPPED_INDEX).exists()
    empty = tmp_path / "cache"
    fresh = index_cache.lexical_matcher(kdir, cache=CacheDir.open(empty))
    assert _answers(fresh) == _answers(matcher) and list(empty.glob("index-*")) == []
    entries = kdir / "entries" / "etiquette_phone.yaml"
    entries.write_text(entries.read_text(encoding="utf-8").replace("三声", "四声"), encoding="utf-8")
    edited = index_cache.lexical_matcher(kdir, cache=CacheDir.open(empty))
    assert any("四声" in e.answer for e in edited.kb.entries)
    assert len(list(empty.glob("index-*"))) == 1


def test_lint_reports_stale_derived_files_and_build_refreshes_them(kb, tmp_path):
    assert kb.directory is not None
    kdir = tmp_path / "knowledge"
    shutil.copytree(kb.directory, kdir)
    entries = kdir / "entries" / "etiquette_phone.yaml"
    entries.write_text(entries.read_text(encoding="utf-8").replace("三声", "3声", 1), encoding="utf-8")
    env = dict(os.environ, LIBAO_CACHE_DIR=str(tmp_path / "cache"))

    def cli(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "bot", "--knowledge", str(kdir), "kb", *args], cwd=ROOT,
                              env=env, capture_output=True, timeout=600, check=False)

    lint = cli("lint")
    assert lint.returncode == 1
    assert "vocabulary.txt" in lint.stderr.decode() and index_cache.SHIPPED_INDEX in lint.stderr.decode()
    build = cli("build")
    assert b"vocabulary.txt rewritten" in build.stdout and index_cache.SHIPPED_INDEX.encode() in build.stdout
    assert cli("lint").returncode == 0


def test_the_cache_location_is_read_once_from_the_environment_never_a_shared_temp_dir():
    from bot.environment import read_environment

    assert read_environment({"LIBAO_CACHE_DIR": "/c", "HOME": "/h"}).cache_dir == Path("/c")
    assert read_environment({"XDG_CACHE_HOME": "/x", "HOME": "/h"}).cache_dir == Path("/x/libao")
    assert read_environment({"HOME": "/h"}).cache_dir == Path("/h/.cache/libao")
    assert read_environment({}).cache_dir is None
    assert CacheDir.open(None).path is None


def test_imported_clauses_come_back_from_the_cache_as_the_fallback(kdir, tmp_path):
    """Clauses of an imported rulebook are indexed once and restored from the same sealed plain data;
    the import leaves the curated index (and so the shipped one) valid."""
    from bot.core.ask.matcher import MatcherConfig

    library = ROOT / "benchmarks" / "rulebook" / "shanghai_public_library_regulations.md"
    directory = tmp_path / "knowledge"
    shutil.copytree(kdir, directory)
    env = {**os.environ, "LIBAO_CACHE_DIR": str(tmp_path / "import-cache")}
    proc = subprocess.run([sys.executable, "-m", "bot", "--knowledge", str(directory), "--lexical-only",
                           "kb", "import", str(library)], capture_output=True, cwd=ROOT, env=env, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    config = MatcherConfig()
    assert index_cache.knowledge_digest(directory, config) == index_cache.knowledge_digest(kdir, config)
    cache_path = tmp_path / "cache"
    first = index_cache.load_matcher(directory, cache=CacheDir.open(cache_path), semantic=False)
    (file,) = cache_path.glob("clauses-*")
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads(file.read_bytes())
    again = index_cache.load_matcher(directory, cache=CacheDir.open(cache_path), semantic=False)
    assert first.fallback is not None and again.fallback is not None
    assert len(again.fallback) == len(first.fallback) > 0
    questions = ["想去图书馆当志愿者", "图书馆的开放时间有什么规定", "今天天气怎么样", *QUESTIONS]
    results = [(first.ask(q), again.ask(q)) for q in questions]
    for a, b in results:
        assert (a.status, [(m.entry.id, m.score) for m in a.matches]) == (
            b.status, [(m.entry.id, m.score) for m in b.matches])
    assert results[0][1].status == "clause"
