"""A private directory for derived data (the lexical index, embedding vectors), never trusted blindly.

Derived data only saves time, so every problem degrades to "rebuild in memory" with one warning,
never a traceback and never code run on load:

- the directory must belong to this process's user and be writable by no one else (created 0700);
  any other directory is not used at all;
- files are data only (no pickle, no marshal): ``MAGIC`` + an HMAC-SHA256 of the payload under a
  random key kept in the directory (``index.key``, 0600) + the payload. A file that is not a regular
  file owned by this user, is foreign, truncated, altered in any byte or written without the key
  fails the check before anything of it is decoded, is deleted and rebuilt;
- the directory is bounded: after a write, the least recently used files beyond `max_bytes` or
  `max_files` are evicted (a new index per knowledge edit would otherwise pile up).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import secrets
import stat
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

DIGEST_BYTES = 32
MAX_BYTES = 256 * 1024 * 1024
MAX_FILES = 8
# Files of earlier versions (pickled indexes, jieba's marshal cache): never read, only removed.
_LEGACY = ("*.pickle", "jieba.*.cache", "vocab-*.txt")


KEY_FILE = "index.key"


def _digest(magic: bytes, payload: bytes, key: bytes | None) -> bytes:
    if key is None:
        return hashlib.sha256(magic + payload).digest()
    return hmac.new(key, magic + payload, hashlib.sha256).digest()


def seal(magic: bytes, payload: bytes, *, key: bytes | None = None) -> bytes:
    """A data file's bytes: `magic`, the SHA-256 (HMAC under `key`) of magic and payload, the payload."""
    return magic + _digest(magic, payload, key) + payload


def unseal(data: bytes, magic: bytes, *, key: bytes | None = None) -> bytes | None:
    """The payload of sealed `data`; None unless it starts with `magic` and matches its checksum."""
    head, digest, payload = data[:len(magic)], data[len(magic):len(magic) + DIGEST_BYTES], \
        data[len(magic) + DIGEST_BYTES:]
    if head != magic or not hmac.compare_digest(_digest(magic, payload, key), digest):
        return None
    return payload


def _directory_key(path: Path) -> bytes:
    """The directory's MAC key (created on first use, 0600); OSError/ValueError when unusable."""
    file = path / KEY_FILE
    if not file.exists():
        fd, tmp = tempfile.mkstemp(dir=path, prefix=".tmp-", suffix=".part")
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
        os.replace(tmp, file)
    fd = os.open(file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        key = f.read(64)
    if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o077 or len(key) != 32:
        raise ValueError("key file not private")
    return key


def _owned_private(st: os.stat_result) -> str:
    """Why a file or directory with this stat may not be trusted ('' when it may)."""
    if st.st_uid != os.geteuid():
        return "owned by another user"
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "writable by others"
    return ""


class CacheDir:
    """The cache directory, or none (`path` None, `problem` says why): then reads find nothing and
    writes are skipped, so the caller simply rebuilds."""

    def __init__(self, path: Path | None, *, problem: str = "", max_bytes: int = MAX_BYTES,
                 max_files: int = MAX_FILES):
        self.path = path
        self.problem = problem
        self.max_bytes, self.max_files = max_bytes, max_files
        self._warned = False
        self._key: bytes | None = None

    @classmethod
    def open(cls, path: Path | None, *, max_bytes: int = MAX_BYTES, max_files: int = MAX_FILES) -> CacheDir:
        """Use (creating it 0700 if needed) the directory `path`; say once why not when it is unusable."""
        if path is None:
            return cls(None, problem="no cache directory configured")
        path = Path(path)
        problem = ""
        try:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            st = os.lstat(path)
            problem = "not a directory" if not stat.S_ISDIR(st.st_mode) else _owned_private(st)
            if not problem and not os.access(path, os.W_OK | os.X_OK):
                problem = "not writable"
            key = None if problem else _directory_key(path)
        except OSError as exc:
            problem = f"cannot create it ({exc.strerror or type(exc).__name__})"
        except ValueError as exc:
            problem = str(exc)
        cache = cls(None if problem else path, problem=problem, max_bytes=max_bytes, max_files=max_files)
        cache._key = None if problem else key
        if problem:
            cache.warn(f"not using the cache directory {path} ({problem}): building in memory")
        return cache

    def warn(self, message: str) -> None:
        """Log `message` unless this cache already warned once (one warning per process and cache)."""
        if not self._warned:
            self._warned = True
            log.warning("%s", message)

    def file(self, name: str) -> Path | None:
        """Where a cache file called `name` lives (None without a usable directory)."""
        return self.path / name if self.path is not None else None

    def read(self, name: str, magic: bytes) -> bytes | None:
        """The payload of `name` when it is this user's regular file, starts with `magic` and
        matches its checksum; otherwise None (and a damaged file is deleted)."""
        path = self.file(name)
        if path is None:
            return None
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            return None
        except OSError:
            self._reject(path, "unreadable")
            return None
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            why = "not a regular file" if not stat.S_ISREG(st.st_mode) else _owned_private(st)
            data = b"" if why else f.read()
        if why:
            self._reject(path, why)
            return None
        payload = unseal(data, magic, key=self._key)
        if payload is None:
            self._reject(path, "checksum mismatch")
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # least recently used goes first when evicting
        return payload

    def write(self, name: str, magic: bytes, payload: bytes) -> bool:
        """Store `payload` under `name` atomically (0600), then evict beyond the bounds."""
        path = self.file(name)
        if path is None:
            return False
        tmp = ""
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
            with os.fdopen(fd, "wb") as f:
                f.write(seal(magic, payload, key=self._key))
            os.replace(tmp, path)
        except OSError as exc:
            if tmp:
                Path(tmp).unlink(missing_ok=True)
            self.warn(f"cannot write the cache in {path.parent} ({exc.strerror or type(exc).__name__})")
            return False
        self.evict(keep=path)
        return True

    def evict(self, *, keep: Path | None = None) -> list[str]:
        """Remove legacy files, then least recently used files until within the bounds; returns
        the names removed. `keep` (the file just written) always stays."""
        if self.path is None:
            return []
        removed: list[str] = []
        for pattern in _LEGACY:
            for p in self.path.glob(pattern):
                if p.is_file() and not p.is_symlink():
                    p.unlink(missing_ok=True)
                    removed.append(p.name)
        files: list[tuple[float, int, Path]] = []
        for p in self.path.iterdir():
            try:
                st = os.lstat(p)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode) and p != keep and p.name != KEY_FILE:
                files.append((st.st_mtime, st.st_size, p))
        files.sort(key=lambda f: f[0], reverse=True)
        total = os.lstat(keep).st_size if keep is not None and keep.exists() else 0
        count = 1 if keep is not None else 0
        for _, size, p in files:
            if total + size > self.max_bytes or count + 1 > self.max_files:
                p.unlink(missing_ok=True)
                removed.append(p.name)
            else:
                total += size
                count += 1
        return removed

    def _reject(self, path: Path, why: str) -> None:
        self.warn(f"ignoring cache file {path.name} ({why}): rebuilding it")
        try:
            if why != "owned by another user":
                path.unlink(missing_ok=True)
        except OSError:
            pass
