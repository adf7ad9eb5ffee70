"""How reports read: times, list lines, the officer's report view and its buttons, event lines.

Plain functions over store rows and opened (unsealed) content; the channel only renders the replies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.core.chat import callbacks
from bot.core.chat.reply import Button
from bot.core.phrases.messages import t
from bot.core.reports import flow as report_flow
from bot.core.reports.discovery import format_time
from bot.core.reports.flow import Draft

# Callback data of our buttons: kind "r" of the callback codec, so the Assistant hands taps to us;
# each part matches the codec's [A-Za-z0-9_.-] rule and all fits in 64 bytes.
CALLBACK_PREFIX = callbacks.prefix("r")
MAX_LIST = 30
# Event kinds a reporter may read back (with the receipt): never officers' notes or identity views.
REPORTER_EVENTS = ("submitted", "acknowledged", "info_requested", "info_provided", "resolved")

Sign = Callable[..., str]  # parts -> signed callback data


def elapsed(seconds: float) -> str:
    if seconds < 60:
        return t("report.elapsed.under_minute")
    minutes = round(seconds / 60)
    if minutes < 120:
        return t("report.elapsed.minutes", n=minutes)
    return t("report.elapsed.hours", n=round(minutes / 60, 1) if minutes % 60 else minutes // 60)


def compact(ref: str) -> str:
    """A reference without dashes, as it travels in callback data."""
    return ref.replace("-", "")


def who(identity: dict[str, Any]) -> str:
    """The reporter as officers see them: name and Telegram @handle and id, or the identity
    `channel:user_id` on the other channels (their `username`)."""
    parts = [identity.get("name") or t("report.identity.unknown_name")]
    username = str(identity.get("username") or "")
    if ":" in username:
        parts.append(f"({username})")
    else:
        if username:
            parts.append(f"@{username}")
        parts.append(f"(Telegram ID {identity.get('user_id')})")
    return " ".join(str(p) for p in parts)


def list_line(r: dict[str, Any]) -> str:
    return t("report.list.item", ref=r["ref"], category=t(f"report.choice.category.{r['category']}"),
             urgency=t(f"report.urgency.{r['urgency']}"), status=t(f"report.status.{r['status']}"),
             created=format_time(r["created_at"]))


def list_text(rows: list[dict[str, Any]]) -> str:
    """The open reports, most urgent first (at most MAX_LIST lines); `rows` is sorted in place."""
    urgency_rank = {u: i for i, u in enumerate(report_flow.URGENCIES)}
    rows.sort(key=lambda r: (urgency_rank.get(r["urgency"], 9), r["created_at"]))
    return "\n".join([t("report.list.title", count=len(rows)), *(list_line(r) for r in rows[:MAX_LIST])])


def event_line(event: dict[str, Any]) -> str:
    """One history line of an opened event ({"at", "kind", "actor", "body"})."""
    return t(f"report.event.{event['kind']}", at=format_time(event["at"]),
             body=event["body"] or t("report.officer_unnamed"))


def report_text(row: dict[str, Any], content: dict[str, Any], identity: dict[str, Any] | None,
                events: list[dict[str, Any]], *, hidden: str | None = None) -> str:
    """The officer's view of a report: header, summary, reporter (None: not opened, shown as
    `hidden` or the chat's confidential note), history."""
    ref = row["ref"]
    draft = Draft(nonce="", **{k: v for k, v in content.items() if k in Draft.__dataclass_fields__})
    lines = [t("report.view.header", ref=ref, urgency=t(f"report.urgency.{row['urgency']}"),
               status=t(f"report.status.{row['status']}"), created=format_time(row["created_at"])),
             report_flow.summary(draft)]
    if identity is None:
        lines.append(hidden or t("report.view.reporter_confidential"))
    else:
        lines.append(t("report.view.reporter", who=who(identity)))
    if row["carrier_outcome"]:
        lines.append(t("report.view.carrier", outcome=t(f"report.view.carrier.{row['carrier_outcome']}")))
    history = [event_line(e) for e in events if e["kind"] != "submitted"]
    if history:
        lines += [t("report.view.history"), *history]
    return "\n".join(lines)


def officer_buttons(row: dict[str, Any], sign: Sign) -> tuple[tuple[Button, ...], ...]:
    """What an officer can do with the report now."""
    ref = str(row["ref"])

    def b(action: str) -> Button:
        return Button(t(f"report.button.{action}"), sign("o", compact(ref), action))

    rows: list[tuple[Button, ...]] = []
    if row["status"] == "new":
        rows.append((b("ack"),))
    if row["status"] != "resolved":
        rows.append((b("ask"), b("note")))
        rows.append((b("resolve"),))
    if row["category"] == "lost_carrier" and not row["carrier_outcome"]:
        rows.append((b("found"), b("not_found")))
    if row["confidential"]:
        rows.append((b("reveal"),))
    return tuple(rows)
