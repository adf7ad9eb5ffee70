"""The officers' CSV export of leak reports, one row per report (the CLI and the web console)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.core.phrases.messages import t
from bot.core.reports.service import ReportService
from bot.core.reports.views import format_time

CSV_FIELDS = ("ref", "category", "urgency", "status", "level", "discovered_at", "created_at", "acknowledged_at",
              "resolved_at", "detail", "when_where", "containment", "confidential", "reporter",
              "carrier_outcome")


def export_rows(service: ReportService, rows: list[dict[str, Any]], *, actor: str) -> Iterator[dict[str, str]]:
    """Each report opened (an audited view) and flattened for CSV; identities of confidential
    reporters stay hidden."""
    for r in rows:
        data = service.open_report(r["ref"], actor=actor)
        if data is None:
            continue
        c = data["content"]
        identity = data["identity"]
        yield {
            "ref": r["ref"], "category": t(f"report.choice.category.{r['category']}"),
            "urgency": t(f"report.urgency.{r['urgency']}"), "status": t(f"report.status.{r['status']}"),
            "level": t(f"report.choice.level.{c.get('level') or 'unknown'}"),
            "discovered_at": format_time(c["discovered_at"]) if c.get("discovered_at") is not None else "",
            "created_at": format_time(r["created_at"]),
            "acknowledged_at": format_time(r["acknowledged_at"]) if r["acknowledged_at"] else "",
            "resolved_at": format_time(r["resolved_at"]) if r["resolved_at"] else "",
            "detail": c.get("detail") or "", "when_where": c.get("when_where") or "",
            "containment": c.get("containment") or "",
            "confidential": "是" if r["confidential"] else "否",
            "reporter": "" if identity is None else service.who(identity),
            "carrier_outcome": r["carrier_outcome"] or "",
        }
