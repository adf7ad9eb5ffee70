"""The officers' CSV export of leak reports, one row per report (the CLI and the web console)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.core.phrases.messages import t
from bot.core.reports.sealing import RecordTampered
from bot.core.reports.service import ReportService
from bot.core.reports.views import format_time

CSV_FIELDS = ("ref", "category", "urgency", "status", "level", "discovered_at", "created_at", "acknowledged_at",
              "resolved_at", "detail", "when_where", "containment", "confidential", "reporter",
              "carrier_outcome")


# A spreadsheet treats a cell starting with one of these as a formula (or a DDE command).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def spreadsheet_safe(value: object) -> str:
    """The cell as text a spreadsheet shows literally: a leading formula character gets a ' in front."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_rows(service: ReportService, rows: list[dict[str, Any]], *, actor: str,
                damaged: list[str] | None = None) -> Iterator[dict[str, str]]:
    """Each report opened (an audited view) and flattened for CSV, every cell spreadsheet-safe;
    identities of confidential reporters stay hidden. An altered record gets a row saying so (its
    reference is added to `damaged`) and the export goes on."""
    for r in rows:
        try:
            data = service.open_report(r["ref"], actor=actor)
        except RecordTampered:
            if damaged is not None:
                damaged.append(str(r["ref"]))
            yield {"ref": str(r["ref"]), "detail": t("report.cli.export_damaged")}
            continue
        if data is None:
            continue
        yield {k: spreadsheet_safe(v) for k, v in _flat(service, r, data).items()}


def _flat(service: ReportService, r: dict[str, Any], data: dict[str, Any]) -> dict[str, str]:
    """One opened report as CSV cells (before neutralisation)."""
    c = data["content"]
    identity = data["identity"]
    return {
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
