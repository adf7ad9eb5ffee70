"""A digest of a directory tree: names and bytes of every file (what "changes nothing" is checked by)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def tree_digest(directory: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(directory.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(directory)).encode() + p.read_bytes())
    return h.hexdigest()
