"""Leak reports end to end: conversation, officers' workflow, escalation timers and the outbox.

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
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from bot.core.chat import callbacks
from bot.core.chat.reply import Button, Reply, Sender
from bot.core.phrases.messages import t
from bot.core.reports import escalation
from bot.core.reports import flow as report_flow
from bot.core.reports.escalation import ReportPolicy
from bot.core.reports.flow import Draft, FlowResult, Screen
from bot.core.reports.sealing import Sealer, SealError, record_context
from bot.core.reports.store import ReportStore
from bot.core.text.inputs import clean_input

log = logging.getLogger("libao.reports")

BEIJING = timezone(timedelta(hours=8), "北京时间")
COMMANDS = ("report", "cancel", "reports")
# Callback data of our buttons: kind "r" of the callback codec, so the Assistant hands taps to us;
# each part matches the codec's [A-Za-z0-9_.-] rule and all fits in 64 bytes.
CALLBACK_PREFIX = callbacks.prefix("r")
_MAX_LIST = 30
MAX_NOTE_CHARS = 2000  # an officer's note or question, a reporter's supplement


@dataclass(frozen=True, slots=True)
class Person:
    """Who sent an input. `private` is False in groups, where nothing confidential is shown."""

    user_id: int
    chat_id: int
    private: bool = True
    name: str = ""
    username: str = ""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A notification ready to send: the sender marks it sent only after Telegram answered ok."""

    row_id: int
    idem_key: str
    chat_id: int
    text: str
    buttons: tuple[tuple[Button, ...], ...]
    attempts: int


def format_time(ts: float) -> str:
    return datetime.fromtimestamp(ts, BEIJING).strftime("%Y-%m-%d %H:%M")


def _elapsed(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 120:
        return t("report.elapsed.minutes", n=minutes)
    return t("report.elapsed.hours", n=round(minutes / 60, 1) if minutes % 60 else minutes // 60)


def _compact(ref: str) -> str:
    return ref.replace("-", "")


class RecordTampered(Exception):
    """A report's sealed fields do not open with its metadata: the record was altered in the database."""

    def __init__(self, ref: str):
        super().__init__(f"report {ref}: record altered (its sealed content does not match its metadata)")
        self.ref = ref


class ReportService:
    """The leak-report workflow over a `ReportStore`; one instance per process."""

    def __init__(self, *, store: ReportStore, sealer: Sealer, policy: ReportPolicy,
                 clock: Callable[[], float] = time.time,
                 new_ref: Callable[[], str] = report_flow.new_reference, rehearsal: bool = False):
        self.rehearsal = rehearsal  # nothing is sent or kept: every reply says so
        self.store = store
        self.sealer = sealer
        self.policy = policy
        self.clock = clock
        self.new_ref = new_ref
        # Keys the audit chain; a key that is not this database's is refused before anything is written.
        store.attach_ledger(sealer.audit_key)
        # Recipients are stored as pseudonyms too, so no raw Telegram id is ever written.
        self._staff_by_pid = {sealer.pseudonym(uid): uid for uid in policy.staff}

    # ------------------------------------------------------------------------- entry points
    def is_staff(self, person: Person) -> bool:
        return person.user_id in self.policy.staff

    def owns_callback(self, data: str) -> bool:
        return data.startswith(CALLBACK_PREFIX)

    def _cb(self, *parts: str) -> str:
        """Signed callback data: "1r:" (the Assistant routes kind "r" to us) + parts + MAC."""
        return self.sealer.sign(CALLBACK_PREFIX + ":".join(parts))

    def is_active(self, person: Person) -> bool:
        """Whether plain text from this person belongs to a report conversation right now."""
        if not person.private:
            return False
        pid = self.sealer.pseudonym(person.user_id)
        return self.store.draft(pid) is not None or self.store.pending(pid) is not None

    def handle_command(self, person: Person, command: str, args: str = "", *,
                       update_key: str | None = None) -> list[Reply] | None:
        """/report, /cancel, /reports [REF]; None when the command is not ours (e.g. a bare /cancel)."""
        command, args = command.lower().lstrip("/"), args.strip()
        if command not in COMMANDS:
            return None
        if command == "report" and args and self.is_staff(person):
            # Officers: "/report list" and "/report REF" (the same as /reports [REF]).
            command, args = "reports", ("" if args.lower() in ("list", "ls", "列表") else args)
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
        if not self.is_active(person) and not self._is_replay(update_key):
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
        """Fire every due timer into the outbox (one transaction); returns how many fired."""
        now = self.clock()
        with self.store.write():
            due = self.store.timers_due(now=now)
            for timer in due:
                self._fire(timer, now)
        return len(due)

    def next_wakeup(self) -> float | None:
        """The earliest time a timer or a notification is due."""
        times = [x for x in (self.store.next_timer_at(), self.store.outbox_next_at()) if x is not None]
        return min(times) if times else None

    def due_notifications(self, *, limit: int = 20) -> list[Outgoing]:
        """Pending notifications whose time has come, with recipient and text resolved."""
        out = []
        for row in self.store.outbox_due(now=self.clock(), limit=limit):
            chat_id = self._recipient_chat(row)
            if chat_id is None:
                with self.store.write():
                    self.store.drop_outbox(row["id"], reason="recipient unknown")
                log.warning("report %s: dropped notification %s, recipient no longer known",
                            row["ref"], row["step"])
                continue
            body = self.sealer.open_json(row["body"], context=f"outbox:{row['idem_key']}")
            buttons = tuple(tuple(Button(label, data) for label, data in line)
                            for line in body.get("buttons", []))
            out.append(Outgoing(row["id"], row["idem_key"], chat_id, body["text"], buttons,
                                int(row["attempts"])))
        return out

    def delivered(self, item: Outgoing, *, message_id: int | None) -> None:
        now = self.clock()
        with self.store.write():
            row = self.store.outbox_row(item.row_id)
            if row is None or row["status"] != "pending":
                return
            self.store.mark_sent(item.row_id, at=now, message_id=message_id)
            self.store.audit(at=now, actor="system", action="notified", ref=row["ref"],
                             detail={"step": row["step"], "to": self._recipient_kind(row["recipient"])})

    def retry_later(self, item: Outgoing, *, delay: float, error: str, flood: bool = False) -> None:
        """Reschedule after a failure; a flood-control wait holds back every notification."""
        now = self.clock()
        with self.store.write():
            self.store.reschedule(item.row_id, next_at=now + delay, error=error[:200],
                                  count_attempt=not flood)
            if flood:
                self.store.postpone_all(until=now + delay)

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
        now = self.clock()
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
            data["events"] = [self._event_dict(e) for e in self.store.events(ref)]
            self.store.audit(at=now, actor=actor, action="viewed", ref=ref)
            if reveal_identity and row["confidential"]:
                self.store.audit(at=now, actor=actor, action="identity_revealed", ref=ref)
        return data

    def list_reports(self, *, open_only: bool, actor: str) -> list[dict[str, Any]]:
        now = self.clock()
        rows = self.store.reports(open_only=open_only)
        with self.store.write():
            self.store.audit(at=now, actor=actor, action="listed", detail={"count": len(rows)})
        return rows

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
            return self._replay_view(person, seen.get("ref"))
        return replies

    def _replay_view(self, person: Person, ref: str | None) -> list[Reply]:
        if ref:
            return [Reply(t("report.already_submitted", ref=ref))]
        draft = self._load_draft(self.sealer.pseudonym(person.user_id))
        return [self._reply(report_flow.prompt(draft), draft)] if draft else []

    # ------------------------------------------------------------------------- reporter side
    def _command(self, person: Person, command: str, args: str, now: float) -> tuple[list[Reply], str | None]:
        pid = self.sealer.pseudonym(person.user_id)
        if command == "cancel":
            had_draft = self.store.draft(pid) is not None
            self.store.delete_draft(pid)
            self.store.delete_pending(pid)
            return [Reply(t("report.cancelled" if had_draft else "report.pending_cancelled"))], None
        if command == "report":
            if not person.private:
                return [Reply(t("report.private_only"))], None
            self.store.delete_pending(pid)
            result = report_flow.start(nonce=secrets.token_hex(8))
            replies, ref = self._apply(person, pid, result, now)
            if self.rehearsal:
                replies = [Reply(t("report.rehearsal.banner")), *replies]
            return replies, ref
        # /reports [REF]
        if not self.is_staff(person):
            return [Reply(t("report.not_officer"))], None
        if not person.private:
            return [Reply(t("report.officer_private_only"))], None
        if args:
            ref = report_flow.parse_reference(args)
            if ref is None:
                return [Reply(t("report.bad_ref"))], None
            return self._view(person, ref, now), None
        return self._list(), None

    def _load_draft(self, pid: str) -> Draft | None:
        row = self.store.draft(pid)
        if row is None:
            return None
        return Draft.from_dict(self.sealer.open_json(row["state"], context=f"draft:{pid}"))

    def _text(self, person: Person, text: str, now: float) -> tuple[list[Reply], str | None]:
        pid = self.sealer.pseudonym(person.user_id)
        pending = self.store.pending(pid)
        if pending is not None:
            return self._pending_text(person, pid, pending, text, now), None
        draft = self._load_draft(pid)
        if draft is None:
            return [], None
        return self._apply(person, pid, report_flow.answer(draft, text=text), now, before=draft)

    def _apply(self, person: Person, pid: str, result: FlowResult, now: float,
               before: Draft | None = None) -> tuple[list[Reply], str | None]:
        if result.cancelled:
            self.store.delete_draft(pid)
            return [Reply(s.text) for s in result.screens], None
        assert result.draft is not None
        if result.submit:
            ref = self._submit(person, pid, result.draft, now)
            key = "report.rehearsal.submitted" if self.rehearsal else "report.submitted"
            return [Reply(t(key, ref=ref, ref_spoken=" ".join(ref.split("-"))))], ref
        if result.draft != before:  # a refused input leaves the stored draft untouched
            self.store.put_draft(pid, nonce=result.draft.nonce, at=now,
                                 state=self.sealer.seal_json(result.draft.to_dict(), context=f"draft:{pid}"))
        return [self._reply(s, result.draft) for s in result.screens], None

    def _reply(self, screen: Screen, draft: Draft | None) -> Reply:
        if not screen.choices or draft is None:
            return Reply(screen.text)
        rows = tuple((Button(c.label, self._cb("f", draft.nonce[:8], *c.token.split(":"))),)
                     for c in screen.choices)
        return Reply(screen.text, rows)

    def _submit(self, person: Person, pid: str, draft: Draft, now: float) -> str:
        existing = self.store.report_by_nonce(draft.nonce)
        if existing is not None:  # the same draft cannot become two reports
            self.store.delete_draft(pid)
            return str(existing["ref"])
        ref = self.new_ref()
        while self.store.report(ref) is not None:  # 75 random bits: practically never
            ref = self.new_ref()
        category, level = draft.category or "other", draft.level or "unknown"
        urgency = report_flow.urgency_of(category=category, level=level)
        content = {k: v for k, v in draft.to_dict().items() if k not in ("nonce", "step")}
        identity = {"user_id": person.user_id, "chat_id": person.chat_id,
                    "name": person.name, "username": person.username}
        row: dict[str, Any] = {
            "ref": ref, "draft_nonce": draft.nonce, "reporter": pid,
            "category": category, "urgency": urgency, "confidential": 1 if draft.confidential else 0,
            "status": "new", "created_at": now, "updated_at": now,
        }
        row["identity"] = self.sealer.seal_json(identity, context=record_context("identity", row))
        row["content"] = self.sealer.seal_json(content, context=record_context("content", row))
        self.store.insert_report(row)
        self.store.add_event(ref=ref, at=now, kind="submitted", actor="reporter")
        self.store.audit(at=now, actor="reporter", action="submitted", ref=ref,
                         detail={"category": category, "urgency": urgency})
        for plan in escalation.plan(submitted_at=now, category=category, level=level, policy=self.policy):
            self.store.add_timer(ref=ref, step=plan.step, kind=plan.kind, notify=plan.notify,
                                 due_at=plan.due_at)
        for timer in self.store.timers_due(now=now):  # "officers at once": in the same commit
            if timer["ref"] == ref:
                self._fire(timer, now)
        self.store.delete_draft(pid)
        log.info("report %s submitted (%s, %s)", ref, category, urgency)
        return ref

    def _pending_text(self, person: Person, pid: str, pending: dict[str, Any], text: str,
                      now: float) -> list[Reply]:
        cleaned = clean_input(text, max_chars=MAX_NOTE_CHARS)
        if cleaned.problem:
            return [Reply(t("report.text_required"))]
        if cleaned.truncated:  # said, not silently cut: the input is still awaited
            return [Reply(t("report.note_too_long", limit=MAX_NOTE_CHARS, length=len(text.strip())))]
        ref, action = str(pending["ref"]), str(pending["action"])
        self.store.delete_pending(pid)
        row = self.store.report(ref)
        if row is None:
            return [Reply(t("report.unknown_ref", ref=ref))]
        if action == "supplement":
            return self._supplement(row, pid, cleaned.text, now)
        if not self.is_staff(person):
            return [Reply(t("report.not_officer"))]
        if row["status"] == "resolved":
            return [Reply(t("report.already_resolved", ref=ref))]
        actor = self._officer_actor(person)
        body = self.sealer.seal(cleaned.text, context=f"event:{ref}")
        if action == "note":
            self.store.add_event(ref=ref, at=now, kind="comment", actor=actor, body=body)
            self.store.audit(at=now, actor=actor, action="commented", ref=ref)
            return [Reply(t("report.note.done"))]
        if action == "ask":
            event_id = self.store.add_event(ref=ref, at=now, kind="info_requested", actor=actor, body=body)
            self._set_status(ref, "info_requested", now)
            self.store.audit(at=now, actor=actor, action="info_requested", ref=ref)
            self._to_reporter(ref, f"info_requested:{event_id}", now,
                              t("report.notify.to_reporter.info_requested", ref=ref, question=cleaned.text),
                              buttons=[[(t("report.button.supplement"),
                                         self._cb("s", _compact(ref)))]])
            return [Reply(t("report.ask.done"))]
        if action == "resolve":
            self.store.add_event(ref=ref, at=now, kind="resolved", actor=actor, body=body)
            self._set_status(ref, "resolved", now, resolved_at=now)
            self.store.cancel_timers(
                ref, kinds=(escalation.CHAIN, escalation.WRITTEN_REPORT, escalation.FEEDBACK), at=now)
            self.store.audit(at=now, actor=actor, action="resolved", ref=ref)
            self._to_reporter(ref, "status:resolved", now,
                              t("report.notify.to_reporter.resolved", ref=ref, conclusion=cleaned.text))
            return [Reply(t("report.resolve.done", ref=ref))]
        return [Reply(t("report.forged"))]

    def _supplement(self, row: dict[str, Any], pid: str, text: str, now: float) -> list[Reply]:
        ref = str(row["ref"])
        if row["reporter"] != pid or row["status"] != "info_requested":
            return [Reply(t("report.supplement.not_requested"))]
        event_id = self.store.add_event(ref=ref, at=now, kind="info_provided", actor="reporter",
                                        body=self.sealer.seal(text, context=f"event:{ref}"))
        self._set_status(ref, "acknowledged", now)
        self.store.audit(at=now, actor="reporter", action="info_provided", ref=ref)
        self._to_staff(ref, "officers", f"supplement:{event_id}", now, t("report.notify.supplement", ref=ref))
        return [Reply(t("report.supplement.done"))]

    # ------------------------------------------------------------------------- buttons
    def _callback(self, person: Person, payload: str, now: float) -> tuple[list[Reply], str | None]:
        parts = payload[len(CALLBACK_PREFIX):].split(":")
        kind = parts[0]
        pid = self.sealer.pseudonym(person.user_id)
        if kind == "f" and len(parts) == 4:
            nonce, token = parts[1], f"{parts[2]}:{parts[3]}"
            draft = self._load_draft(pid)
            if draft is None or not person.private:
                return [Reply(t("report.stale_button"))], None
            # A button of an earlier draft carries another nonce: refused, the current step is re-shown.
            result = report_flow.choose(draft, token=token, nonce=draft.nonce if nonce == draft.nonce[:8] else "")
            return self._apply(person, pid, result, now, before=draft)
        ref = report_flow.parse_reference(parts[1]) if len(parts) in (2, 3) else None
        if ref is None:
            return [Reply(t("report.forged"))], None
        if kind == "s" and len(parts) == 2:
            row = self.store.report(ref)
            if (row is None or row["reporter"] != pid or row["status"] != "info_requested"
                    or not person.private):
                return [Reply(t("report.supplement.not_requested"))], None
            self.store.delete_draft(pid)
            self.store.put_pending(pid, ref=ref, action="supplement", at=now)
            return [Reply(t("report.prompt.supplement", ref=ref))], None
        if kind != "o" or len(parts) != 3:
            return [Reply(t("report.forged"))], None
        if not self.is_staff(person):
            log.warning("report action by a non-officer refused")
            return [Reply(t("report.not_officer"))], None
        if not person.private:
            return [Reply(t("report.officer_private_only"))], None
        return self._officer_action(person, ref, parts[2], now), None

    def _officer_action(self, person: Person, ref: str, action: str, now: float) -> list[Reply]:
        row = self.store.report(ref)
        if row is None:
            return [Reply(t("report.unknown_ref", ref=ref))]
        actor = self._officer_actor(person)
        pid = self.sealer.pseudonym(person.user_id)
        if action == "view":
            return self._view(person, ref, now)
        if action == "reveal":
            try:
                identity = self.sealer.open_json(row["identity"], context=record_context("identity", row))
            except SealError:
                log.error("report %s: sealed identity does not match the record (tampered with)", ref)
                return [Reply(t("report.tampered", ref=ref))]
            who = self.who(identity)
            if not row["confidential"]:
                return [Reply(t("report.identity.not_confidential", who=who))]
            self.store.add_event(ref=ref, at=now, kind="identity_revealed", actor=actor)
            self.store.audit(at=now, actor=actor, action="identity_revealed", ref=ref)
            return [Reply(t("report.identity", who=who))]
        if row["status"] == "resolved" and action in ("ack", "note", "ask", "resolve"):
            return [Reply(t("report.already_resolved", ref=ref))]
        if action == "ack":
            if row["status"] != "new":
                return [Reply(t("report.ack.already", ref=ref))]
            self._set_status(ref, "acknowledged", now, acknowledged_at=now)
            self.store.cancel_timers(ref, kinds=(escalation.CHAIN,), at=now)
            self.store.add_event(ref=ref, at=now, kind="acknowledged", actor=actor)
            self.store.audit(at=now, actor=actor, action="acknowledged", ref=ref)
            self._to_reporter(ref, "status:acknowledged", now,
                              t("report.notify.to_reporter.acknowledged", ref=ref))
            return [Reply(t("report.ack.done", ref=ref))]
        if action in ("note", "ask", "resolve"):
            self.store.delete_draft(pid)
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
            return [Reply(t("report.carrier.done", outcome=t(f"report.view.carrier.{action}")))]
        return [Reply(t("report.forged"))]

    def _list(self) -> list[Reply]:
        rows = self.store.reports(open_only=True)
        if not rows:
            return [Reply(t("report.list.empty"))]
        urgency_rank = {u: i for i, u in enumerate(report_flow.URGENCIES)}
        rows.sort(key=lambda r: (urgency_rank.get(r["urgency"], 9), r["created_at"]))
        lines = [t("report.list.title", count=len(rows))]
        buttons = []
        for r in rows[:_MAX_LIST]:
            lines.append(self._list_line(r))
            buttons.append((Button(t("report.button.view", ref=r["ref"]),
                                   self._cb("o", _compact(r['ref']), "view")),))
        return [Reply("\n".join(lines), tuple(buttons))]

    @staticmethod
    def _list_line(r: dict[str, Any]) -> str:
        return t("report.list.item", ref=r["ref"], category=t(f"report.choice.category.{r['category']}"),
                 urgency=t(f"report.urgency.{r['urgency']}"), status=t(f"report.status.{r['status']}"),
                 created=format_time(r["created_at"]))

    def _view(self, person: Person, ref: str, now: float) -> list[Reply]:
        row = self.store.report(ref)
        if row is None:
            return [Reply(t("report.unknown_ref", ref=ref))]
        try:
            content = self.sealer.open_json(row["content"], context=record_context("content", row))
            if not row["confidential"]:
                self.sealer.open_json(row["identity"], context=record_context("identity", row))
        except SealError:
            log.error("report %s: sealed fields do not match the record (tampered with)", ref)
            return [Reply(t("report.tampered", ref=ref))]
        self.store.audit(at=now, actor=self._officer_actor(person), action="viewed", ref=ref)
        draft = Draft(nonce="", **{k: v for k, v in content.items() if k in Draft.__dataclass_fields__})
        lines = [t("report.view.header", ref=ref, urgency=t(f"report.urgency.{row['urgency']}"),
                   status=t(f"report.status.{row['status']}"), created=format_time(row["created_at"])),
                 report_flow.summary(draft)]
        if row["confidential"]:
            lines.append(t("report.view.reporter_confidential"))
        else:
            identity = self.sealer.open_json(row["identity"], context=record_context("identity", row))
            lines.append(t("report.view.reporter", who=self.who(identity)))
        if row["carrier_outcome"]:
            lines.append(t("report.view.carrier", outcome=t(f"report.view.carrier.{row['carrier_outcome']}")))
        history = [self._event_line(e) for e in self.store.events(ref) if e["kind"] != "submitted"]
        if history:
            lines += [t("report.view.history"), *history]
        return [Reply("\n".join(lines), self._officer_buttons(row))]

    def _officer_buttons(self, row: dict[str, Any]) -> tuple[tuple[Button, ...], ...]:
        ref = str(row["ref"])

        def b(action: str, key: str) -> Button:
            return Button(t(f"report.button.{key}"), self._cb("o", _compact(ref), action))

        rows: list[tuple[Button, ...]] = []
        if row["status"] == "new":
            rows.append((b("ack", "ack"),))
        if row["status"] != "resolved":
            rows.append((b("ask", "ask"), b("note", "note")))
            rows.append((b("resolve", "resolve"),))
        if row["category"] == "lost_carrier" and not row["carrier_outcome"]:
            rows.append((b("found", "found"), b("not_found", "not_found")))
        if row["confidential"]:
            rows.append((b("reveal", "reveal"),))
        return tuple(rows)

    def _event_dict(self, e: dict[str, Any]) -> dict[str, Any]:
        body = self.sealer.open(e["body"], context=f"event:{e['ref']}") if e["body"] is not None else None
        return {"at": e["at"], "kind": e["kind"], "actor": e["actor"], "body": body}

    def _event_line(self, e: dict[str, Any]) -> str:
        d = self._event_dict(e)
        key = f"report.event.{d['kind']}"
        return t(key, at=format_time(d["at"]), body=d["body"] or "")

    @staticmethod
    def who(identity: dict[str, Any]) -> str:
        parts = [identity.get("name") or t("report.identity.unknown_name")]
        if identity.get("username"):
            parts.append(f"@{identity['username']}")
        parts.append(f"(Telegram ID {identity.get('user_id')})")
        return " ".join(str(p) for p in parts)

    # ------------------------------------------------------------------------- helpers
    def _officer_actor(self, person: Person) -> str:
        return f"officer:{self.sealer.pseudonym(person.user_id)[:12]}"

    def actor_for(self, user_id: int) -> str:
        """The audit actor name of a staff member (the CLI uses it to label its own actions)."""
        return f"officer:{self.sealer.pseudonym(user_id)[:12]}"

    def _set_status(self, ref: str, status: str, now: float, **extra: float) -> None:
        self.store.update_report(ref, status=status, updated_at=now, **extra)

    def _enqueue(self, ref: str, recipient: str, step: str, now: float, text: str,
                 buttons: Sequence[Sequence[tuple[str, str]]] = ()) -> None:
        idem_key = f"{ref}|{recipient}|{step}"
        body = self.sealer.seal_json({"text": text, "buttons": [list(map(list, line)) for line in buttons]},
                                     context=f"outbox:{idem_key}")
        self.store.enqueue(idem_key=idem_key, ref=ref, recipient=recipient, step=step, body=body, at=now)

    def _to_reporter(self, ref: str, step: str, now: float, text: str,
                     buttons: Sequence[Sequence[tuple[str, str]]] = ()) -> None:
        self._enqueue(ref, "reporter", step, now, text, buttons)

    def _to_staff(self, ref: str, group: str, step: str, now: float, text: str,
                  buttons: Sequence[Sequence[tuple[str, str]]] = ()) -> None:
        members = self.policy.group(group) or self.policy.officers  # an empty group falls back to officers
        if not members:
            log.warning("report %s: nobody configured to notify for %s", ref, step)
        for uid in members:
            self._enqueue(ref, f"staff:{self.sealer.pseudonym(uid)}", step, now, text, buttons)

    def _recipient_chat(self, row: dict[str, Any]) -> int | None:
        recipient = str(row["recipient"])
        if recipient == "reporter":
            report = self.store.report(str(row["ref"]))
            if report is None:
                return None
            identity = self.sealer.open_json(report["identity"], context=record_context("identity", report))
            return int(identity["chat_id"])
        if recipient.startswith("staff:"):
            return self._staff_by_pid.get(recipient[len("staff:"):])
        return None

    @staticmethod
    def _recipient_kind(recipient: str) -> str:
        return "reporter" if recipient == "reporter" else f"officer:{recipient[len('staff:'):][:12]}"

    def _fire(self, timer: dict[str, Any], now: float) -> None:
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
        deadline = format_time(escalation.deadline(submitted_at=row["created_at"], policy=self.policy))
        view = [[(t("report.button.view", ref=ref), self._cb("o", _compact(ref), "view"))]]
        buttons: list[list[tuple[str, str]]] = view
        if kind == escalation.CHAIN:
            elapsed = _elapsed(timer["due_at"] - row["created_at"])
            n = int(step.split(":")[1])
            if n == 0:
                text = t("report.notify.new", ref=ref, category=category, urgency=urgency, deadline=deadline)
            elif timer["notify"] == "officers":
                text = t("report.notify.repeat", n=n + 1, ref=ref, elapsed=elapsed, category=category,
                         urgency=urgency)
            else:
                text = t("report.notify.escalated", ref=ref, elapsed=elapsed, category=category,
                         urgency=urgency)
            buttons = [[(t("report.button.ack"), self._cb("o", _compact(ref), "ack"))], *view]
        elif kind == escalation.WRITTEN_REPORT:
            text = t("report.notify.written_report", ref=ref, deadline=deadline)
        elif kind == escalation.CARRIER_DECISION:
            days = round((timer["due_at"] - row["created_at"]) / escalation.DAY)
            text = t("report.notify.carrier_decision", ref=ref, days=days)
            buttons = [[(t("report.button.found"), self._cb("o", _compact(ref), "found")),
                        (t("report.button.not_found"), self._cb("o", _compact(ref), "not_found"))],
                       *view]
        else:
            due = format_time(row["created_at"] + self.policy.feedback_due)
            text = t("report.notify.feedback", ref=ref, deadline=due)
        self._to_staff(ref, str(timer["notify"]), step, now, text, buttons)
        self.store.timer_fired(timer["id"], at=now)
        self.store.audit(at=now, actor="system", action="timer_fired", ref=ref, detail={"step": step})
        log.info("report %s: %s fired", ref, step)


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
