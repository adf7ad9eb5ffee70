"""The officers' side: the list of open reports, one report's view, and the actions on it (acknowledge,
ask the reporter, note, resolve, carrier found / not found, reveal the reporter), each audited."""

from __future__ import annotations

import logging
from typing import Any

from bot.core.chat.reply import Button, Reply
from bot.core.phrases.messages import t
from bot.core.reports import escalation
from bot.core.reports.notifications import Notifications
from bot.core.reports.person import Person
from bot.core.reports.sealing import RecordTampered, Sealer, SealError, record_context
from bot.core.reports.store import ReportStore
from bot.core.reports.views import MAX_LIST, compact, list_text, officer_buttons, report_text, who

log = logging.getLogger("libao.reports")


class OfficerDesk:
    """What officers do with reports; call inside the caller's write transaction unless noted."""

    def __init__(self, *, store: ReportStore, sealer: Sealer, notifications: Notifications):
        self.store = store
        self.sealer = sealer
        self.notifications = notifications

    def actor(self, user_id: int) -> str:
        """The audit actor name of a staff member."""
        return f"officer:{self.sealer.pseudonym(user_id)[:12]}"

    def open_list(self) -> list[Reply]:
        rows = self.store.reports(open_only=True)
        if not rows:
            return [Reply(t("report.list.empty"))]
        text = list_text(rows)
        sign = self.notifications.sign
        buttons = tuple((Button(t("report.button.view", ref=r["ref"]), sign("o", compact(r["ref"]), "view")),)
                        for r in rows[:MAX_LIST])
        return [Reply(text, buttons)]

    def view(self, person: Person, ref: str, now: float) -> list[Reply]:
        row = self.store.report(ref)
        if row is None:
            return [Reply(t("report.unknown_ref", ref=ref))]
        try:
            content = self.sealer.open_json(row["content"], context=record_context("content", row))
            identity = (None if row["confidential"]
                        else self.sealer.open_json(row["identity"], context=record_context("identity", row)))
        except SealError:
            log.error("report %s: sealed fields do not match the record (tampered with)", ref)
            return [Reply(t("report.tampered", ref=ref))]
        self.store.audit(at=now, actor=self.actor(person.user_id), action="viewed", ref=ref)
        events = [self.event(e) for e in self.store.events(ref)]
        return [Reply(report_text(row, content, identity, events), officer_buttons(row, self.notifications.sign))]

    def event(self, e: dict[str, Any]) -> dict[str, Any]:
        """A stored event with its body opened."""
        try:
            body = self.sealer.open(e["body"], context=f"event:{e['ref']}") if e["body"] is not None else None
        except SealError:  # one altered history entry is marked, the rest of the report still reads
            log.error("report %s: a history entry does not open (tampered with)", e["ref"])
            body = t("report.event_damaged")
        return {"at": e["at"], "kind": e["kind"], "actor": e["actor"], "body": body}

    def action(self, person: Person, ref: str, action: str, now: float) -> list[Reply]:
        """A button on a report: view, reveal, ack, note/ask/resolve (then awaits text), found/not_found."""
        row = self.store.report(ref)
        if row is None:
            return [Reply(t("report.unknown_ref", ref=ref))]
        actor = self.actor(person.user_id)
        pid = self.sealer.pseudonym(person.user_id)
        if action == "view":
            return self.view(person, ref, now)
        if action == "reveal":
            try:
                identity = self.sealer.open_json(row["identity"], context=record_context("identity", row))
            except SealError:
                log.error("report %s: sealed identity does not match the record (tampered with)", ref)
                return [Reply(t("report.tampered", ref=ref))]
            if not row["confidential"]:
                return [Reply(t("report.identity.not_confidential", who=who(identity)))]
            self.store.add_event(ref=ref, at=now, kind="identity_revealed", actor=actor)
            self.store.audit(at=now, actor=actor, action="identity_revealed", ref=ref)
            return [Reply(t("report.identity", who=who(identity)))]
        if row["status"] == "resolved" and action in ("ack", "note", "ask", "resolve"):
            return [Reply(t("report.already_resolved", ref=ref))]
        if action == "ack":
            if row["status"] != "new":
                return [Reply(t("report.ack.already", ref=ref))]
            self.acknowledge(person, ref, now)
            return [Reply(t("report.ack.done", ref=ref))]
        if action in ("note", "ask", "resolve"):
            self.store.put_pending(pid, ref=ref, action=action, at=now)
            return [Reply(t(f"report.prompt.{action}", ref=ref))]
        if action in ("found", "not_found"):
            if row["category"] != "lost_carrier":
                return [Reply(t("report.forged"))]
            if row["carrier_outcome"]:
                return [Reply(t("report.carrier.already", ref=ref))]
            self.store.update_report(ref, carrier_outcome=action, updated_at=now)
            self.store.cancel_timers(ref, kinds=(escalation.CARRIER_DECISION,), at=now)
            self.store.add_event(ref=ref, at=now, kind=f"carrier_{action}", actor=actor)
            self.store.audit(at=now, actor=actor, action=f"carrier_{action}", ref=ref)
            outcome = t(f"report.view.carrier.{action}")
            self.notifications.to_reporter(ref, f"status:carrier_{action}", now,
                                           t("report.notify.to_reporter.carrier", ref=ref, outcome=outcome))
            return [Reply(t("report.carrier.done", outcome=outcome))]
        return [Reply(t("report.forged"))]

    def acknowledge(self, person: Person, ref: str, now: float) -> None:
        """The report is taken on: status, chain stopped, history with who, the reporter and the
        other officers told."""
        actor = self.actor(person.user_id)
        name = person.name or t("report.officer_unnamed")
        self.store.update_report(ref, status="acknowledged", updated_at=now, acknowledged_at=now)
        self.store.cancel_timers(ref, kinds=(escalation.CHAIN,), at=now)
        self.store.add_event(ref=ref, at=now, kind="acknowledged", actor=actor,
                             body=self.sealer.seal(name, context=f"event:{ref}"))
        self.store.audit(at=now, actor=actor, action="acknowledged", ref=ref)
        self.notifications.to_reporter(ref, "status:acknowledged", now,
                                       t("report.notify.to_reporter.acknowledged", ref=ref))
        self.notifications.to_staff(ref, "officers", "acknowledged", now,
                                    t("report.notify.acknowledged_by", ref=ref, who=name),
                                    exclude=self.sealer.pseudonym(person.user_id))

    def awaited_text(self, person: Person, row: dict[str, Any], action: str, text: str, now: float) -> list[Reply]:
        """The text an officer was asked for after note / ask / resolve."""
        ref = str(row["ref"])
        if row["status"] == "resolved":
            return [Reply(t("report.already_resolved", ref=ref))]
        actor = self.actor(person.user_id)
        body = self.sealer.seal(text, context=f"event:{ref}")
        if action == "note":
            self.store.add_event(ref=ref, at=now, kind="comment", actor=actor, body=body)
            self.store.audit(at=now, actor=actor, action="commented", ref=ref)
            return [Reply(t("report.note.done"))]
        if action == "ask":
            if row["status"] == "new":  # asking the reporter is taking the report on
                self.acknowledge(person, ref, now)
            event_id = self.store.add_event(ref=ref, at=now, kind="info_requested", actor=actor, body=body)
            self.store.update_report(ref, status="info_requested", updated_at=now)
            self.store.audit(at=now, actor=actor, action="info_requested", ref=ref)
            self.notifications.to_reporter(
                ref, f"info_requested:{event_id}", now,
                t("report.notify.to_reporter.info_requested", ref=ref, question=text),
                buttons=[[(t("report.button.supplement"), self.notifications.sign("s", compact(ref)))]])
            return [Reply(t("report.ask.done"))]
        if action == "resolve":
            self.store.add_event(ref=ref, at=now, kind="resolved", actor=actor, body=body)
            self.store.update_report(ref, status="resolved", updated_at=now, resolved_at=now)
            self.store.cancel_timers(
                ref, kinds=(escalation.CHAIN, escalation.WRITTEN_REPORT, escalation.FEEDBACK), at=now)
            self.store.audit(at=now, actor=actor, action="resolved", ref=ref)
            self.notifications.to_reporter(ref, "status:resolved", now,
                                           t("report.notify.to_reporter.resolved", ref=ref, conclusion=text))
            return [Reply(t("report.resolve.done", ref=ref))]
        return [Reply(t("report.forged"))]

    def open_report(self, ref: str, *, actor: str, now: float, reveal_identity: bool = False) -> dict[str, Any] | None:
        """A report with content opened, for the CLI; the access is audited (its own transaction)."""
        with self.store.write():
            row = self.store.report(ref)
            if row is None:
                return None
            # Opened before the access is recorded: an altered record is refused, not half shown.
            data = dict(row)
            try:
                data["content"] = self.sealer.open_json(row["content"], context=record_context("content", row))
                data["identity"] = (self.sealer.open_json(row["identity"], context=record_context("identity", row))
                                    if reveal_identity or not row["confidential"] else None)
            except SealError:
                raise RecordTampered(ref) from None
            data["events"] = [self.event(e) for e in self.store.events(ref)]
            self.store.audit(at=now, actor=actor, action="viewed", ref=ref)
            if reveal_identity and row["confidential"]:
                self.store.audit(at=now, actor=actor, action="identity_revealed", ref=ref)
        return data

    def list_reports(self, *, open_only: bool, actor: str, now: float) -> list[dict[str, Any]]:
        """Report rows for the CLI; the listing is audited (its own transaction)."""
        rows = self.store.reports(open_only=open_only)
        with self.store.write():
            self.store.audit(at=now, actor=actor, action="listed", detail={"count": len(rows)})
        return rows
