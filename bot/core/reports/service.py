"""Leak reports end to end: the one entry point of the channels and the CLI, over the roles in the
sibling modules — conversation (reporter), officer (officers' desk), notifications (timer -> text),
outbox (delivery bookkeeping), views (how reports read).

Channel-neutral: callers pass a `Person`, text / command / button data and, for Telegram, the
update id (`update_key`); they get back `Reply` objects. Every handled input is one database
transaction that also records the update as processed, so a crash either loses the whole step
(Telegram redelivers it) or none of it, and a redelivered update changes nothing.

Confidentiality: content and identity are sealed (bot/core/reports/sealing.py) before they reach storage;
notifications carry reference, category, urgency and deadlines only; logs carry references,
step names and error classes only.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from typing import Any

from bot.core.chat.reply import Reply, Sender
from bot.core.phrases.messages import t
from bot.core.reports import escalation
from bot.core.reports import flow as report_flow
from bot.core.reports.conversation import ReporterConversation
from bot.core.reports.escalation import ReportPolicy
from bot.core.reports.notifications import Notifications
from bot.core.reports.officer import OfficerDesk
from bot.core.reports.outbox import Outbox, Outgoing
from bot.core.reports.person import Person
from bot.core.reports.sealing import Sealer, reseal_legacy
from bot.core.reports.store import ReportStore
from bot.core.reports.views import CALLBACK_PREFIX, REPORTER_EVENTS, compact, who
from bot.core.text.inputs import clean_input

__all__ = ["AssistantReportFlow", "Outgoing", "Person", "ReportService"]

log = logging.getLogger("libao.reports")

COMMANDS = ("report", "cancel", "reports")
MAX_NOTE_CHARS = 2000  # an officer's note or question, a reporter's supplement
# A draft untouched this long no longer takes the person's messages as its answers.
DRAFT_IDLE = 30 * 60
# "/report mine": the reporter's own reports.
MINE_WORDS = ("mine", "my", "我的", "我的报告")


class ReportService:
    """The leak-report workflow over a `ReportStore`; one instance per process.

    Every handled input is one write transaction that also records the update as processed.
    Several processes may share one database: due timers and notifications are leased to one of
    them at a time (`lease_seconds`, with a fencing number), so each fires or is sent once."""

    def __init__(self, *, store: ReportStore, sealer: Sealer, policy: ReportPolicy,
                 clock: Callable[[], float] = time.time,
                 new_ref: Callable[[], str] = report_flow.new_reference, rehearsal: bool = False,
                 owner: str | None = None, lease_seconds: float = 60.0):
        # Keys the audit chain; a key that is not this database's is refused before anything is written.
        # An older database (plain audit chain, reports sealed without their metadata) is adopted once.
        store.attach_ledger(sealer.audit_key, upgrade=lambda: reseal_legacy(store, sealer))
        self.rehearsal = rehearsal  # the console twin: nothing is sent or kept, and every reply says so
        self.store = store
        self.sealer = sealer
        self.policy = policy
        self.clock = clock
        # Host and pid: a lease of a process that died is taken back by the next one with its pid.
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}"
        self.lease_seconds = lease_seconds
        self.notifications = Notifications(store=store, sealer=sealer, policy=policy)
        self.outbox = Outbox(store=store, sealer=sealer, policy=policy, notifications=self.notifications,
                             owner=self.owner, lease_seconds=lease_seconds)
        self.officers = OfficerDesk(store=store, sealer=sealer, notifications=self.notifications)
        self.conversation = ReporterConversation(store=store, sealer=sealer, policy=policy,
                                                 notifications=self.notifications, new_ref=new_ref,
                                                 rehearsal=rehearsal)

    who = staticmethod(who)

    # ------------------------------------------------------------------------- entry points
    def is_staff(self, person: Person) -> bool:
        return person.officer or person.user_id in self.policy.staff

    def owns_callback(self, data: str) -> bool:
        return data.startswith(CALLBACK_PREFIX)

    def is_active(self, person: Person) -> bool:
        """Whether this person is in a report conversation (a draft or an awaited input)."""
        if not person.private:
            return False
        pid = self.sealer.pseudonym(person.user_id)
        return self.store.draft(pid) is not None or self.store.pending(pid) is not None

    def claims_text(self, person: Person) -> bool:
        """Whether plain text from this person is an answer in their report conversation: only
        while it is in use; a draft left alone for `DRAFT_IDLE` seconds lets questions through
        (it is kept: /report shows it again)."""
        if not person.private:
            return False
        pid = self.sealer.pseudonym(person.user_id)
        if self.store.pending(pid) is not None:
            return True
        draft = self.store.draft(pid)
        return draft is not None and self.clock() - float(draft["updated_at"]) < DRAFT_IDLE

    def active_flow(self, person: Person) -> str | None:
        """What this person is in the middle of (for "continue / cancel"), None when nothing."""
        if not self.is_active(person):
            return None
        pending = self.store.pending(self.sealer.pseudonym(person.user_id))
        if pending is not None:
            return t("report.flow_name.pending", ref=pending["ref"])
        return t("report.flow_name.draft")

    def resume(self, person: Person) -> list[Reply]:
        """The current step of this person's report conversation, shown again."""
        pid = self.sealer.pseudonym(person.user_id)
        pending = self.store.pending(pid)
        if pending is not None:
            return [Reply(t(f"report.prompt.{pending['action']}", ref=pending["ref"]))]
        return self.conversation.current(pid)

    def handle_command(self, person: Person, command: str, args: str = "", *,
                       update_key: str | None = None) -> list[Reply] | None:
        """/report, /cancel, /reports [REF]; None when the command is not ours (e.g. a bare /cancel)."""
        command, args = command.lower().lstrip("/"), args.strip()
        if command not in COMMANDS:
            return None
        if command == "report" and args:
            if args.lower() in MINE_WORDS:
                command = "mine"
            elif self.is_staff(person):
                # Officers: "/report list" and "/report REF" (the same as /reports [REF]).
                command, args = "reports", ("" if args.lower() in ("list", "ls", "列表") else args)
            else:  # never start a report from "/report something": say what /report does
                return [Reply(t("report.args_not_officer"))]
        if command == "cancel" and not self.is_active(person) and not self._is_replay(update_key):
            return None
        return self._once(update_key, person, lambda now: self._command(person, command, args, now))

    def cancel(self, person: Person, *, update_key: str | None = None) -> bool:
        """/cancel: end this person's report conversation or awaited input; False if there was none."""
        if not self.is_active(person) and not self._is_replay(update_key):
            return False
        self._once(update_key, person, lambda now: self._command(person, "cancel", "", now))
        return True

    def handle_text(self, person: Person, text: str, *, update_key: str | None = None) -> list[Reply] | None:
        """Free text: an answer in the conversation or an officer's / reporter's awaited input."""
        if not self.claims_text(person) and not self._is_replay(update_key):
            return None
        return self._once(update_key, person, lambda now: self._text(person, text, now))

    def handle_callback(self, person: Person, data: str, *,
                        update_key: str | None = None) -> list[Reply] | None:
        """A button press; None when the data is not ours. Forged or stale data changes nothing."""
        if not self.owns_callback(data):
            return None
        if self._is_replay(update_key):  # a redelivered update: answer as for any replay
            return self._once(update_key, person, lambda now: ([], None))
        payload = self.sealer.verify(data)
        if payload is None:
            log.warning("report callback with a bad signature refused")
            return [Reply(t("report.forged"))]
        return self._once(update_key, person, lambda now: self._callback(person, payload, now))

    # ------------------------------------------------------------------------- background work
    def tick(self) -> int:
        """Fire the due timers this instance claims into the outbox (one transaction); returns how many."""
        return self.notifications.fire_due(self.clock(), owner=self.owner, lease_seconds=self.lease_seconds)

    def next_wakeup(self) -> float | None:
        """The earliest time a timer or a notification is due."""
        return self.notifications.next_wakeup()

    def due_notifications(self, *, limit: int = 20) -> list[Outgoing]:
        """Pending notifications whose time has come, leased to this instance, with recipient and text
        resolved. Send each only after `may_send` said yes; `release` what this instance cannot deliver."""
        return self.outbox.due(now=self.clock(), limit=limit)

    def may_send(self, item: Outgoing) -> bool:
        """Whether this instance still holds `item` (its lease renewed): check right before sending."""
        return self.outbox.may_send(item, now=self.clock())

    def release(self, item: Outgoing) -> None:
        """Hand a leased notification back at once (another instance's channel delivers it)."""
        self.outbox.release(item)

    def delivered(self, item: Outgoing, *, message_id: int | None) -> None:
        self.outbox.delivered(item, now=self.clock(), message_id=message_id)

    def retry_later(self, item: Outgoing, *, delay: float, error: str, flood: bool = False) -> None:
        """Reschedule after a failure; a flood-control wait holds back every notification."""
        self.outbox.retry_later(item, now=self.clock(), delay=delay, error=error, flood=flood)

    def purge(self) -> list[str]:
        """Delete reports resolved longer ago than the retention period (and stale drafts)."""
        now = self.clock()
        with self.store.write():
            refs = self.store.purge(resolved_before=now - self.policy.retention_after_resolution,
                                    drafts_before=now - self.policy.draft_ttl,
                                    seen_before=now - 7 * escalation.DAY)
            for ref in refs:
                self.store.audit(at=now, actor="system", action="purged", ref=ref)
        if refs:
            self.store.checkpoint()
            log.info("purged %d resolved report(s) past retention", len(refs))
        return refs

    # ------------------------------------------------------------------------- officers at a terminal
    def open_report(self, ref: str, *, actor: str, reveal_identity: bool = False) -> dict[str, Any] | None:
        """A report with content opened, for the CLI; the access is audited."""
        return self.officers.open_report(ref, actor=actor, now=self.clock(), reveal_identity=reveal_identity)

    def list_reports(self, *, open_only: bool, actor: str) -> list[dict[str, Any]]:
        return self.officers.list_reports(open_only=open_only, actor=actor, now=self.clock())

    def actor_for(self, user_id: int) -> str:
        """The audit actor name of a staff member (the CLI uses it to label its own actions)."""
        return self.officers.actor(user_id)

    # ------------------------------------------------------------------------- web console and receipts
    def officer_act(self, person: Person, ref: str, action: str, text: str = "", *,
                    update_key: str | None = None) -> list[Reply]:
        """One officer action in one call (the console sends the text with the action): the same
        checks as the chat buttons, then the same prompt-and-text steps. A replayed key changes nothing."""
        if report_flow.parse_reference(ref) != ref:
            return [Reply(t("report.forged"))]
        data = self.notifications.sign("o", compact(ref), action)
        replies = self.handle_callback(person, data, update_key=update_key and update_key + ":a") or []
        pid = self.sealer.pseudonym(person.user_id)
        pending = self.store.pending(pid)
        if action in ("note", "ask", "resolve") and pending is not None and pending["ref"] == ref:
            replies = self.handle_text(person, text, update_key=update_key and update_key + ":t") or []
            with self.store.write():
                self.store.delete_pending(pid)  # an empty text leaves no half-done action behind
        return replies

    def reporter_answer(self, person: Person, ref: str, text: str, *, update_key: str | None = None) -> list[Reply]:
        """The reporter's answer to an officer's question (the receipt page): button and text in one."""
        if report_flow.parse_reference(ref) != ref:
            return [Reply(t("report.supplement.not_requested"))]
        replies = self.handle_callback(person, self.notifications.sign("s", compact(ref)),
                                       update_key=update_key and update_key + ":a") or []
        pid = self.sealer.pseudonym(person.user_id)
        pending = self.store.pending(pid)
        if pending is not None and pending["ref"] == ref:
            replies = self.handle_text(person, text, update_key=update_key and update_key + ":t") or []
            with self.store.write():
                self.store.delete_pending(pid)
        return replies

    def reporter_view(self, person: Person) -> list[dict[str, Any]]:
        """The reports this person filed, with what a reporter may read: status and the
        acknowledgement, questions, answers and conclusion. Nothing is audited as an officer view."""
        out = []
        for row in self.store.reports_of(self.sealer.pseudonym(person.user_id)):
            ref = str(row["ref"])
            events = [self.officers.event(e) for e in self.store.events(ref) if e["kind"] in REPORTER_EVENTS]
            out.append({"ref": ref, "status": row["status"], "created_at": row["created_at"],
                        "category": row["category"], "events": events})
        return out

    def deadlines(self, row: dict[str, Any]) -> dict[str, float | None]:
        """The statutory clocks of a report: written report upward, carrier decision, feedback
        (None when it does not apply or was met)."""
        carrier = None
        if row["category"] == "lost_carrier" and not row["carrier_outcome"]:
            due = [tm["due_at"] for tm in self.store.timers(str(row["ref"]))
                   if tm["kind"] == escalation.CARRIER_DECISION]
            carrier = float(due[0]) if due else None
        open_ = row["status"] != "resolved"
        return {"written_report": self.notifications.written_deadline(row) if open_ else None,
                "carrier_decision": carrier,
                "feedback": row["created_at"] + self.policy.feedback_due if open_ else None}

    def verify_audit(self, *, actor: str) -> tuple[int | None, int, str]:
        """Check the audit hash chain on demand: (first broken sequence number or None, rows, head hash).
        The check is itself audited after verifying, so it never breaks what it reports on."""
        broken = self.store.verify_audit()
        rows = self.store.audit_rows()
        with self.store.write():
            self.store.audit(at=self.clock(), actor=actor, action="audit_verified",
                             detail={"intact": broken is None})
        return broken, len(rows), (rows[-1]["hash"] if rows else "-")

    # ------------------------------------------------------------------------- the one transaction
    def _is_replay(self, update_key: str | None) -> bool:
        return bool(update_key) and self.store.seen(update_key or "") is not None

    def _once(self, update_key: str | None, person: Person,
              handler: Callable[[float], tuple[list[Reply], str | None]]) -> list[Reply]:
        """Run `handler` in one transaction with the update marker; a replayed update changes nothing."""
        now = self.clock()
        with self.store.write():
            seen = self.store.seen(update_key) if update_key else None
            if seen is None:
                replies, created = handler(now)
                if update_key:
                    self.store.mark_seen(update_key, at=now, ref=created)
        if seen is not None:
            log.info("replayed update ignored")
            ref = seen.get("ref")
            if ref:
                return [Reply(t("report.already_submitted", ref=ref))]
            return self.conversation.current(self.sealer.pseudonym(person.user_id))
        return replies

    # ------------------------------------------------------------------------- routing
    def _command(self, person: Person, command: str, args: str, now: float) -> tuple[list[Reply], str | None]:
        pid = self.sealer.pseudonym(person.user_id)
        if command == "cancel":
            return self.conversation.cancel(pid), None
        if command == "report":
            return self.conversation.start(person, pid, now)
        if command == "mine":
            return self.conversation.mine(person, pid), None
        # /reports [REF]
        if not self.is_staff(person):
            return [Reply(t("report.not_officer"))], None
        if not person.private:
            return [Reply(t("report.officer_private_only"))], None
        if args:
            ref = report_flow.parse_reference(args)
            if ref is None:
                problem = report_flow.reference_problem(args)
                return [Reply(t("report.bad_ref_check" if problem == "check" else "report.bad_ref"))], None
            return self.officers.view(person, ref, now), None
        return self.officers.open_list(), None

    def _text(self, person: Person, text: str, now: float) -> tuple[list[Reply], str | None]:
        pid = self.sealer.pseudonym(person.user_id)
        pending = self.store.pending(pid)
        if pending is None:
            return self.conversation.answer(person, pid, text, now)
        cleaned = clean_input(text, max_chars=MAX_NOTE_CHARS)
        if cleaned.problem:
            return [Reply(t("report.text_required"))], None
        if cleaned.truncated:  # said, not silently cut: the input is still awaited
            return [Reply(t("report.note_too_long", limit=MAX_NOTE_CHARS, length=len(text.strip())))], None
        ref, action = str(pending["ref"]), str(pending["action"])
        self.store.delete_pending(pid)
        row = self.store.report(ref)
        if row is None:
            return [Reply(t("report.unknown_ref", ref=ref))], None
        if action == "supplement":
            return self.conversation.supplement(row, pid, cleaned.text, now), None
        if not self.is_staff(person):
            return [Reply(t("report.not_officer"))], None
        return self.officers.awaited_text(person, row, action, cleaned.text, now), None

    def _callback(self, person: Person, payload: str, now: float) -> tuple[list[Reply], str | None]:
        parts = payload[len(CALLBACK_PREFIX):].split(":")
        kind = parts[0]
        pid = self.sealer.pseudonym(person.user_id)
        if kind == "f" and len(parts) == 4:
            return self.conversation.choose(person, pid, parts[1], f"{parts[2]}:{parts[3]}", now)
        ref = report_flow.parse_reference(parts[1]) if len(parts) in (2, 3) else None
        if ref is None:
            return [Reply(t("report.forged"))], None
        if kind == "s" and len(parts) == 2:
            return self.conversation.await_supplement(person, pid, ref, now), None
        if kind != "o" or len(parts) != 3:
            return [Reply(t("report.forged"))], None
        if not self.is_staff(person):
            log.warning("report action by a non-officer refused")
            return [Reply(t("report.not_officer"))], None
        if not person.private:
            return [Reply(t("report.officer_private_only"))], None
        busy = self.conversation.in_the_way(pid) if parts[2] in ("note", "ask", "resolve") else []
        if busy:  # the officer's own unfinished report is kept, not replaced by the awaited input
            return busy, None
        return self.officers.action(person, ref, parts[2], now), None


# ----------------------------------------------------------------------------- the Assistant's dispatch point


class AssistantReportFlow:
    """`bot.core.chat.assistant.ReportFlow` over the service: what `Assistant(report_flow=...)` takes."""

    def __init__(self, service: ReportService):
        self.service = service

    @staticmethod
    def _person(sender: Sender) -> tuple[Person, str | None]:
        chat_id = sender.chat_id if sender.chat_id is not None else sender.user_id
        person = Person(user_id=sender.user_id, chat_id=chat_id, private=sender.private,
                        name=sender.first_name, username=sender.username)
        return person, sender.update_key

    @staticmethod
    def _merge(replies: list[Reply]) -> Reply:
        """Several screens of one step as one message: the texts in order, the last buttons."""
        buttons = next((r.buttons for r in reversed(replies) if r.buttons), ())
        text = "\n\n".join(r.text for r in replies if r.text)
        return Reply(text or t("report.replayed"), buttons)

    def start(self, sender: Sender, args: str) -> Reply:
        person, key = self._person(sender)
        return self._merge(self.service.handle_command(person, "report", args, update_key=key) or [])

    def on_text(self, sender: Sender, text: str) -> Reply | None:
        person, key = self._person(sender)
        replies = self.service.handle_text(person, text, update_key=key)
        return None if replies is None else self._merge(replies)

    def on_tap(self, sender: Sender, payload: str) -> Reply:
        person, key = self._person(sender)
        replies = self.service.handle_callback(person, CALLBACK_PREFIX + payload, update_key=key)
        return self._merge(replies or [Reply(t("report.forged"))])

    def cancel(self, sender: Sender) -> bool:
        person, key = self._person(sender)
        return self.service.cancel(person, update_key=key)

    def active(self, sender: Sender) -> str | None:
        person, _ = self._person(sender)
        return self.service.active_flow(person)

    def resume(self, sender: Sender) -> Reply:
        person, _ = self._person(sender)
        return self._merge(self.service.resume(person))
