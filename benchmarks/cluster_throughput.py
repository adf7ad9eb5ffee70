"""Leak-report throughput with 1 and 3 `libao serve` instances, on PostgreSQL and on SQLite, in one run.

Run:  .venv/bin/python benchmarks/cluster_throughput.py [--reports 100] [--reporters 20]

Each configuration starts the fake WeCom server (tests/channels/fakes.py, the vendor SDK's real
frames) and N instances over one fresh database: a throwaway PostgreSQL server started from the
distribution's binaries (durable settings: fsync on, as in production) or a SQLite file (WAL,
synchronous=FULL). --reporters users then file --reports reports through the whole /report
conversation (7 steps each), as fast as the bot answers. Measured:

- reports/s: confirmed reports / (last confirmation - first message);
- notifications/s: officer notices delivered (2 officers per report) / (last notice - first message).

Nobody is killed here (tests/cluster does that). The WeCom connection has one holder whatever the
number of instances, so conversations go through one process; extra instances share the timers
and the outbox and stand by for failover. Ratios are against the 1-instance SQLite run of the same
invocation.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.pgserver import PgServer  # noqa: E402

from tests.cluster.stage import Cluster, Person  # noqa: E402


async def _measure(tmp: Path, database: str, *, instances: int, reports: int, reporters: int) -> dict[str, float]:
    cluster = Cluster(tmp, database, count=instances, reporters=reporters, chain=(0.0,))
    await cluster.start()
    try:
        people = [Person(cluster, u, patience=30.0) for u in cluster.staff]
        quota = [reports // reporters + (1 if i < reports % reporters else 0) for i in range(reporters)]
        done: list[float] = []
        start = time.perf_counter()

        async def one(p: Person, n: int) -> None:
            for _ in range(n):
                assert await p.file_report() is not None
                done.append(time.perf_counter())

        await asyncio.gather(*(one(p, n) for p, n in zip(people, quota, strict=True) if n))
        want = reports * len(cluster.officers)
        deadline = time.monotonic() + 120
        while len([f for f in cluster.notices() if "【泄密报告】" in str(f["body"])]) < want:
            assert time.monotonic() < deadline, "notices did not all arrive"
            await asyncio.sleep(0.05)
        notices = [f["_at"] for f in cluster.notices() if "【泄密报告】" in str(f["body"])]
        return {"reports_s": len(done) / (max(done) - start), "notices_s": len(notices) / (max(notices) - start)}
    finally:
        await cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100)
    parser.add_argument("--reporters", type=int, default=20)
    args = parser.parse_args()
    rows = []
    with PgServer(durable=True) as pg, tempfile.TemporaryDirectory() as tmp:
        for engine in ("sqlite", "postgres"):
            for instances in (1, 3):
                work = Path(tmp) / f"{engine}-{instances}"
                work.mkdir()
                database = pg.database(str(work)) if engine == "postgres" else str(work / "libao.db")
                result = asyncio.run(_measure(work, database, instances=instances, reports=args.reports,
                                              reporters=args.reporters))
                rows.append((engine, instances, result))
                print(f"{engine:8} x{instances}: {result['reports_s']:.1f} reports/s, "
                      f"{result['notices_s']:.1f} notifications/s", flush=True)
    base = rows[0][2]
    print("\n| database | instances | reports/s | notifications/s | vs SQLite x1 |")
    print("| --- | --- | --- | --- | --- |")
    for engine, instances, r in rows:
        print(f"| {engine} | {instances} | {r['reports_s']:.1f} | {r['notices_s']:.1f} | "
              f"{r['reports_s'] / base['reports_s']:.2f} / {r['notices_s'] / base['notices_s']:.2f} |")


if __name__ == "__main__":
    main()
