"""kill -9 of the bot process at random points during 200 scripted submissions.

Every reference ever shown to a reporter must exist afterwards with identical content, and the
updates replayed after each restart (as Telegram redelivers unconfirmed updates) must create no
duplicates. Kill points are drawn from a seeded RNG: inside transactions (the driver SIGKILLs
itself before the Nth SQL statement) and from outside at arbitrary moments (the test SIGKILLs it
after it showed some references)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support import report_driver
from support.clock import Clock
from support.reports import make_service

from bot.core.reports.sealing import record_context

pytestmark = pytest.mark.reliability

SUBMISSIONS = 200


def _expected_content(n: int) -> dict:
    from bot.core.reports.flow import CATEGORIES, LEVELS

    category = CATEGORIES[n % len(CATEGORIES)]
    return {"category": category, "detail": f"说明{n}" if category == "other" else None,
            "when_where": report_driver.expected_when_where(n), "level": LEVELS[n % len(LEVELS)],
            "containment": f"已采取措施{n}", "confidential": bool(n % 2)}


def test_kill9_during_200_submissions_loses_and_duplicates_nothing(tmp_path):
    rng = random.Random(20260101)
    db = tmp_path / "reports.db"
    shown: dict[int, str] = {}
    start, runs, kills = 0, 0, 0
    tests = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tests.parent), str(tests)])}
    while True:
        runs += 1
        assert runs < 80, "the driver never finished"
        mode = "done" if runs > 30 else rng.choice(["statement", "statement", "outside"])
        args = [sys.executable, "-m", "support.report_driver", str(db), str(start), str(SUBMISSIONS)]
        if mode == "statement":
            args.append(str(rng.randint(1, 1200)))
        kill_after_lines = rng.randint(1, 12) if mode == "outside" else None
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        assert proc.stdout is not None
        lines = 0
        done = False
        for line in proc.stdout:
            parts = line.split()
            if parts[0] == "SHOWN":
                n, ref = int(parts[1]), parts[2]
                assert shown.setdefault(n, ref) == ref, f"submission {n} shown with two references"
                lines += 1
                if kill_after_lines is not None and lines >= kill_after_lines:
                    proc.send_signal(signal.SIGKILL)
            elif parts[0] == "DONE":
                done = True
            else:
                raise AssertionError(line)
        proc.wait(timeout=120)
        stderr = proc.stderr.read() if proc.stderr else ""
        if done:
            assert proc.returncode == 0, stderr
            break
        assert proc.returncode == -signal.SIGKILL, stderr
        kills += 1
        # Restart a little before the first unconfirmed submission: its updates and those of a
        # few finished ones are replayed, exactly like Telegram redelivering unconfirmed updates.
        first_unshown = next(n for n in range(SUBMISSIONS + 1) if n not in shown)
        start = max(0, first_unshown - rng.randint(0, 3))

    print(f"kill -9: {kills} kills in {runs} runs, {len(shown)} references shown")
    assert kills >= 15
    assert sorted(shown) == list(range(SUBMISSIONS))

    service = make_service(db, clock=Clock())
    store = service.store
    assert store.count_reports() == SUBMISSIONS  # replays created no duplicates
    for n, ref in shown.items():
        row = store.report(ref)
        assert row is not None, f"reference {ref} shown for submission {n} is missing"
        content = service.sealer.open_json(row["content"], context=record_context("content", row))
        found = content.pop("discovered_at")
        assert content.pop("discovered_said") == ("3小时前" if n % 2 else "刚刚")
        assert content == _expected_content(n)
        # typed "3 hours ago" or tapped "just now": before the submission
        assert row["created_at"] - found >= (3 * 3600 if n % 2 else 0)
    # Every report got its first notifications exactly once (idempotency keys) and its timers.
    for row in store.reports(open_only=False):
        steps = [o["step"] for o in store.outbox(ref=row["ref"])]
        assert steps.count("chain:0") == 2
        assert len(store.timers(row["ref"])) >= 6
    assert store.verify_audit() is None
    assert store.verify() == []  # no kill -9 leaves the anchor and the database out of step
    submitted = [a for a in store.audit_rows() if a["action"] == "submitted"]
    assert len(submitted) == SUBMISSIONS
