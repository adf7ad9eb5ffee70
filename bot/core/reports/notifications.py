"""Notifications: due escalation timers become outbox messages to officers, deputies and the head,
and status changes become messages to the reporter. Everything queued is sealed."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from bot.core.phrases.messages import t
from bot.core.reports import escalation
from bot.core.reports.escalation import ReportPolicy
from bot.core.reports.sealing import Sealer, record_context
from bot.core.reports.store import ReportStore
from bot.core.reports.views import CALLBACK_PREFIX, compact, elapsed, format_time

log = logging.getLogger("libao.reports")

ButtonRows = Sequence[Sequence[tuple[str, str]]]  # (label, callback data) rows, as stored


class Notifications:
    """Timer -> text, queued in the outbox; call inside the caller's write transaction."""

    def __init__(self, *, store: ReportStore, sealer: Sealer, policy: ReportPolicy):
        self.store = store
        self.sealer = sealer
        self.policy = policy

    def sign(self, *parts: str) -> str:
        """Signed callback data: "1r:" (the Assistant routes kind "r" to the service) + parts + MAC."""
        return self.sealer.sign(CALLBACK_PREFIX + ":".join(parts))

    def fire_due(self, now: float, *, owner: str, lease_seconds: float, limit: int = 100) -> int:
        """Fire the due timers this instance claims; returns how many it claimed.

        One transaction claims them (PostgreSQL: FOR UPDATE SKIP LOCKED, so instances split the
        work) and writes their outbox rows, audit entries and fired marks: a crash leaves neither a
        half-fired step nor a claim behind, and no step can fire twice.
        """
        with self.store.write():
            due = self.store.claim_timers(owner=owner, now=now, ttl=lease_seconds, limit=limit)
            for timer in due:
                self.fire(timer, now)
        return len(due)

    def next_wakeup(self) -> float | None:
        """The earliest time a timer or a notification is due."""
        times = [x for x in (self.store.next_timer_at(), self.store.outbox_next_at()) if x is not None]
        return min(times) if times else None

    def discovered_at(self, row: dict[str, Any]) -> float | None:
        """The discovery time the reporter gave (kept sealed in the content), None when not given.
        `row["content"]` is the sealed blob of a stored row or the already opened dict."""
        content = row["content"]
        if not isinstance(content, dict):
            content = self.sealer.open_json(bytes(content), context=record_context("content", row))
        at = content.get("discovered_at")
        return float(at) if isinstance(at, (int, float)) else None

    def written_deadline(self, row: dict[str, Any]) -> float:
        """When the written report upward is due: from discovery when given, else from submission."""
        return escalation.deadline(submitted_at=row["created_at"], policy=self.policy,
                                   discovered_at=self.discovered_at(row))

    def to_reporter(self, ref: str, step: str, now: float, text: str, buttons: ButtonRows = ()) -> None:
        self._enqueue(ref, "reporter", step, now, text, buttons)

    def to_staff(self, ref: str, group: str, step: str, now: float, text: str, buttons: ButtonRows = (), *,
                 exclude: str = "") -> None:
        """Queue `text` to every member of `group` but the one with pseudonym `exclude`."""
        members = self.policy.group(group) or self.policy.officers  # an empty group falls back to officers
        if not members:
            log.warning("report %s: nobody configured to notify for %s", ref, step)
        for uid in members:
            pid = self.sealer.pseudonym(uid)
            if pid != exclude:
                self._enqueue(ref, f"staff:{pid}", step, now, text, buttons)

    def _enqueue(self, ref: str, recipient: str, step: str, now: float, text: str, buttons: ButtonRows) -> None:
        idem_key = f"{ref}|{recipient}|{step}"
        body = self.sealer.seal_json({"text": text, "buttons": [list(map(list, line)) for line in buttons]},
                                     context=f"outbox:{idem_key}")
        self.store.enqueue(idem_key=idem_key, ref=ref, recipient=recipient, step=step, body=body, at=now)

    def fire(self, timer: dict[str, Any], now: float) -> None:
        """Turn one due timer into outbox rows, or cancel it if the report no longer needs it."""
        ref = str(timer["ref"])
        row = self.store.report(ref)
        if row is None or not escalation.timer_still_due(kind=timer["kind"], status=row["status"],
                                                         carrier_decided=bool(row["carrier_outcome"])):
            self.store.cancel_timer(timer["id"], at=now)
            return
        step, kind = str(timer["step"]), str(timer["kind"])
        category = t(f"report.choice.category.{row['category']}")
        urgency = t(f"report.urgency.{row['urgency']}")
        due_at = self.written_deadline(row)
        deadline, late = format_time(due_at), elapsed(now - due_at)
        overdue = now >= due_at
        view = [[(t("report.button.view", ref=ref), self.sign("o", compact(ref), "view"))]]
        buttons: list[list[tuple[str, str]]] = view
        if kind == escalation.CHAIN:
            waited = elapsed(timer["due_at"] - row["created_at"])
            n = int(step.split(":")[1])
            if n == 0:
                text = t("report.notify.new_overdue" if overdue else "report.notify.new", ref=ref,
                         category=category, urgency=urgency, deadline=deadline, late=late)
            elif timer["notify"] == "officers":
                text = t("report.notify.repeat", n=n + 1, ref=ref, elapsed=waited, category=category,
                         urgency=urgency)
            else:
                text = t("report.notify.escalated", ref=ref, elapsed=waited, category=category,
                         urgency=urgency)
            buttons = [[(t("report.button.ack"), self.sign("o", compact(ref), "ack"))], *view]
        elif kind == escalation.WRITTEN_REPORT:
            text = t("report.notify.written_report_overdue" if overdue else "report.notify.written_report",
                     ref=ref, deadline=deadline, late=late)
        elif kind == escalation.CARRIER_DECISION:
            days = round((timer["due_at"] - row["created_at"]) / escalation.DAY)
            text = t("report.notify.carrier_decision", ref=ref, days=days)
            buttons = [[(t("report.button.found"), self.sign("o", compact(ref), "found")),
                        (t("report.button.not_found"), self.sign("o", compact(ref), "not_found"))],
                       *view]
        else:
            due = format_time(row["created_at"] + self.policy.feedback_due)
            text = t("report.notify.feedback", ref=ref, deadline=due)
        self.to_staff(ref, str(timer["notify"]), step, now, text, buttons)
        self.store.timer_fired(timer["id"], at=now)
        self.store.audit(at=now, actor="system", action="timer_fired", ref=ref, detail={"step": step})
        log.info("report %s: %s fired", ref, step)
