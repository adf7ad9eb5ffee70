"""Shared fixtures: the shipped knowledge base and matcher are loaded once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The read-only material beside the clone (../shared); LIBAO_SHARED points elsewhere, e.g. from a git worktree,
# where ../shared does not exist and the tests that need it would otherwise be skipped unnoticed.
SHARED = Path(os.environ.get("LIBAO_SHARED") or ROOT.parent / "shared")
DEV_SET = SHARED / "eval" / "dev.yaml"
SOURCES = SHARED / "sources"


@pytest.fixture(scope="session")
def kb():
    from bot.core.ask.knowledge import load_knowledge

    return load_knowledge()


@pytest.fixture(scope="session")
def matcher(kb):
    from bot.core.ask.matcher import Matcher

    return Matcher(kb)


@pytest.fixture(scope="session")
def semantic_index(kb):
    """The shipped knowledge base's semantic index over its stored vectors (skipped without an embedder)."""
    from bot.core.ask.embed import load_embedder
    from bot.core.ask.semantic import SemanticIndex, fill_store

    embedder, why_not = load_embedder()
    if embedder is None:
        pytest.skip(f"no embedder here: {why_not}")
    store, _ = fill_store(kb, embedder, embed=False)
    return SemanticIndex(kb, embedder, store)


# ----------------------------------------------------------------------------- order of the run
# The longest tests first: scripts/test runs the suite on two pytest-xdist workers, a file at a
# time in collection order, so the cluster run and the real-process e2e modules start while the
# other worker works through the short files instead of being left alone at the end.
LONG_FIRST = ("cluster", "e2e", "reliability", "browser")


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        marks = {m.name for m in item.iter_markers()}
        return next((i for i, name in enumerate(LONG_FIRST) if name in marks), len(LONG_FIRST))

    items.sort(key=rank)  # stable: each file keeps its own order


# ----------------------------------------------------------------------------- storage backends
# The single-instance storage and report tests run on both engines: SQLite files (as shipped) and
# databases on a throwaway PostgreSQL server (tests/support/pgserver.py). On "postgres" the module's
# `connect` opens the database named after the path the test gives, so a test that reopens "the
# same file" after a simulated crash reopens the same PostgreSQL database.
BOTH_BACKENDS = {"test_report_service.py", "test_storage_scale.py", "test_report_clock.py", "test_report_outage.py",
                 "test_report_telegram.py", "test_channel_parts.py",
                 "test_bot_parts.py::test_chat_storage_persists_and_purges", "test_web_channel.py",
                 "test_web_security.py"}
# Tests that open the SQLite file itself (raw sqlite3, file modes): meaningful for SQLite only.
SQLITE_FILE_ONLY = {"test_audit_log_is_append_only_and_tamper_evident", "test_officer_cli_list_show_export_audit",
                    "test_an_older_sqlite_file_keeps_its_accounts_and_sessions"}


def pytest_generate_tests(metafunc):
    file = Path(str(metafunc.definition.fspath)).name
    chosen = file in BOTH_BACKENDS or f"{file}::{metafunc.definition.originalname}" in BOTH_BACKENDS
    if chosen and "backend" in metafunc.fixturenames:
        names = ["sqlite"] if metafunc.definition.originalname in SQLITE_FILE_ONLY else ["sqlite", "postgres"]
        metafunc.parametrize("backend", names, indirect=True)


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server for this test session (started on first use)."""
    import os

    from support import pgserver

    if not pgserver.available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL server binaries missing (.ci/run installs the postgresql package)")
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    server = pgserver.PgServer().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def backend(request):
    """The storage engine of this test: "sqlite", or "postgres" for BOTH_BACKENDS modules' second run."""
    name = getattr(request, "param", "sqlite")
    if name == "postgres":
        import itertools
        import sys

        from bot.storage import connect as real_connect

        server = request.getfixturevalue("pg_server")
        fresh = itertools.count()

        def pg_connect(path, **_options):
            memory = str(path) == ":memory:"
            key = f"{request.node.nodeid}|{next(fresh) if memory else path}"
            return real_connect(server.database(key))

        # A private MonkeyPatch: a test's own monkeypatch.undo() must not switch it back to SQLite.
        patch = pytest.MonkeyPatch()
        for module in (sys.modules.get("support.reports"), sys.modules.get("support.webkit"), request.module):
            if module is not None and hasattr(module, "connect"):
                patch.setattr(module, "connect", pg_connect)
        yield name
        patch.undo()
        return
    yield name
