"""All persistence of libao: the one module that speaks SQL (sqlite-utils, WAL, synchronous=FULL).

Sections (each owned by a feature; keep them apart and keep every SQL statement in this file):
- schema / connection
- chat: user settings, answer votes, unanswered questions (retention-limited)
- reports: leak reports, outbox, escalation timers, audit log
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

# ----------------------------------------------------------------------------- schema / connection


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open (creating) the database with WAL and synchronous=FULL: a commit survives a crash."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(str(path))
    if str(path) != ":memory:":
        db.enable_wal()
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA busy_timeout=5000")
    return db


# ----------------------------------------------------------------------------- chat


# ----------------------------------------------------------------------------- reports
