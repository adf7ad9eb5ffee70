"""`read_bounded`: the one reader of small files (data files, keys, anchors, side files)."""

from __future__ import annotations

import os

import pytest

from bot.core.yamlfile import DataError, FileRefused, read_bounded


def test_regular_file_within_the_bound_is_read(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"hello")
    assert read_bounded(path, max_bytes=5) == b"hello"
    with pytest.raises(FileRefused) as exc:
        read_bounded(path, max_bytes=4)
    assert exc.value.reason == "too_large" and exc.value.size == 5 and isinstance(exc.value, DataError)


def test_each_refusal_names_its_reason(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # opened non-blocking: refused without waiting for a writer
    cases = {tmp_path / "missing": "missing", tmp_path: "not_regular", fifo: "not_regular"}
    for path, reason in cases.items():
        with pytest.raises(FileRefused) as exc:
            read_bounded(path)
        assert exc.value.reason == reason, path


def test_nofollow_refuses_a_link_that_is_otherwise_followed(tmp_path):
    target = tmp_path / "key"
    target.write_bytes(b"secret")
    link = tmp_path / "link"
    link.symlink_to(target)
    assert read_bounded(link) == b"secret"
    with pytest.raises(FileRefused) as exc:
        read_bounded(link, nofollow=True)
    assert exc.value.reason == "unreadable"


def test_inspect_sees_the_descriptor_before_any_byte_is_read(tmp_path):
    path = tmp_path / "key"
    path.write_bytes(b"secret")
    path.chmod(0o644)
    seen = []

    def private(info: os.stat_result) -> None:
        seen.append(info.st_size)
        if info.st_mode & 0o077:
            raise PermissionError("readable by others")

    with pytest.raises(PermissionError):
        read_bounded(path, inspect=private)
    path.chmod(0o600)
    assert read_bounded(path, inspect=private) == b"secret" and seen == [6, 6]
