"""Subprocess driver of the kill -9 test: feeds scripted leak-report conversations through the real
service and prints "SHOWN <n> <ref>" only after the service returned (i.e. after the commit).

usage: python -m support.report_driver DB START COUNT [KILL_AT_STATEMENT]   (with tests/ on PYTHONPATH)
Each submission n uses fixed update ids, so a restart from an earlier n replays updates exactly as
Telegram would redeliver them. With KILL_AT_STATEMENT the process SIGKILLs itself just before
executing that SQL statement (inside or at the end of a transaction)."""

from __future__ import annotations

import os
import signal
import sys
import time

from bot.core.reports.flow import CATEGORIES, LEVELS
from support.reports import button, make_service, reporter, shown_ref


def script(n: int) -> list[tuple[str, str]]:
    """The updates of submission n: ("cmd"|"tap"|"text", value)."""
    category = CATEGORIES[n % len(CATEGORIES)]
    steps = [("cmd", "report"), ("tap", f":category:{category}:")]
    if category == "other":
        steps.append(("text", f"说明{n}"))
    steps.append(("text", "3小时前") if n % 2 else ("tap", ":discovered:now:"))
    steps += [("text", expected_when_where(n)), ("tap", f":level:{LEVELS[n % len(LEVELS)]}:"),
              ("text", f"已采取措施{n}"), ("tap", ":confidential:yes:" if n % 2 else ":confidential:no:"),
              ("tap", ":confirm:submit:")]
    return steps


def expected_when_where(n: int) -> str:
    return f"第{n}号情况，三楼会议室 KILL-CANARY-{n:04d}"


def main() -> None:
    db, start, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    kill_at = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    service = make_service(db, clock=time.time)
    if kill_at:
        statements = [0]

        def trace(sql: str) -> None:
            statements[0] += 1
            if statements[0] >= kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

        service.store.db.conn.set_trace_callback(trace)
    for n in range(start, count):
        person = reporter(7_000_000 + n % 37)  # users report more than once
        replies = None
        for i, (kind, value) in enumerate(script(n)):
            key = f"tg:{n * 100 + i}"
            if kind == "cmd":
                replies = service.handle_command(person, value, update_key=key)
            elif kind == "text":
                replies = service.handle_text(person, value, update_key=key)
            else:
                try:
                    data = button(replies, value)
                except AssertionError:  # a replayed, already processed tap: its data no longer matters
                    data = "1r:f:00000000:x:y:AAAAAAAAAAAA"
                replies = service.handle_callback(person, data, update_key=key)
        ref = shown_ref(replies)
        if ref is None:
            print(f"NOREF {n}", flush=True)
            sys.exit(3)
        print(f"SHOWN {n} {ref}", flush=True)
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
