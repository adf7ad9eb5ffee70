"""The reporter's side: the guided conversation (flow steps kept sealed as a draft), submission with
its escalation plan, and the supplement an officer asked for."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any

from bot.core.chat.reply import Button, Reply
from bot.core.phrases.messages import t
from bot.core.reports import escalation
from bot.core.reports import flow as report_flow
from bot.core.reports.escalation import ReportPolicy
from bot.core.reports.flow import Draft, FlowResult, Screen
from bot.core.reports.notifications import Notifications
from bot.core.reports.person import Person
from bot.core.reports.sealing import Sealer, record_context
from bot.core.reports.store import ReportStore
from bot.core.reports.views import MAX_LIST, format_time

log = logging.getLogger("libao.reports")


class ReporterConversation:
    """A reporter's draft from /report to submission; call inside the caller's write transaction."""

    def __init__(self, *, store: ReportStore, sealer: Sealer, policy: ReportPolicy,
                 notifications: Notifications, new_ref: Callable[[], str], rehearsal: bool = False):
        self.rehearsal = rehearsal
        self.store = store
        self.sealer = sealer
        self.policy = policy
        self.notifications = notifications
        self.new_ref = new_ref

    def start(self, person: Person, pid: str, now: float) -> tuple[list[Reply], str | None]:
        if not person.private:
            return [Reply(t("report.private_only"))], None
        stored, draft = self.store.draft(pid), self.load_draft(pid)
        if stored is not None and draft is not None:  # never replace a draft silently: show where it is
            self.store.put_draft(pid, nonce=draft.nonce, at=now, state=stored["state"])
            return [Reply(t("report.draft_exists")), *self.current(pid)], None
        self.store.delete_pending(pid)
        replies, ref = self.apply(person, pid, report_flow.start(nonce=secrets.token_hex(8)), now)
        if self.rehearsal:
            replies = [Reply(t("report.rehearsal.banner")), *replies]
        return replies, ref

    def cancel(self, pid: str) -> list[Reply]:
        had_draft = self.store.draft(pid) is not None
        self.store.delete_draft(pid)
        self.store.delete_pending(pid)
        return [Reply(t("report.cancelled" if had_draft else "report.pending_cancelled"))]

    def load_draft(self, pid: str) -> Draft | None:
        row = self.store.draft(pid)
        if row is None:
            return None
        return Draft.from_dict(self.sealer.open_json(row["state"], context=f"draft:{pid}"))

    def answer(self, person: Person, pid: str, text: str, now: float) -> tuple[list[Reply], str | None]:
        draft = self.load_draft(pid)
        if draft is None:
            return [], None
        return self.apply(person, pid, report_flow.answer(draft, text=text, now=now), now, before=draft)

    def choose(self, person: Person, pid: str, nonce: str, token: str, now: float) -> tuple[list[Reply], str | None]:
        draft = self.load_draft(pid)
        if draft is None or not person.private:
            return [Reply(t("report.stale_button"))], None
        # A button of an earlier draft carries another nonce: refused, the current step is re-shown.
        result = report_flow.choose(draft, token=token, nonce=draft.nonce if nonce == draft.nonce[:8] else "",
                                    now=now)
        return self.apply(person, pid, result, now, before=draft)

    def in_the_way(self, pid: str) -> list[Reply]:
        """A draft this person has not finished, shown with how to end it (instead of deleted)."""
        draft = self.load_draft(pid)
        if draft is None:
            return []
        return [Reply(t("report.draft_in_the_way")), self.screen(report_flow.prompt(draft), draft)]

    def mine(self, person: Person, pid: str) -> list[Reply]:
        """The reporter's own reports: reference, status and date, nothing else."""
        if not person.private:
            return [Reply(t("report.private_only"))]
        rows = self.store.reports_of(pid)
        if not rows:
            return [Reply(t("report.mine.empty"))]
        lines = [t("report.mine.title", count=len(rows))]
        lines += [t("report.mine.item", ref=r["ref"], status=t(f"report.status.{r['status']}"),
                    created=format_time(r["created_at"])) for r in rows[-MAX_LIST:]]
        return [Reply("\n".join(lines))]

    def current(self, pid: str) -> list[Reply]:
        """The current step again (a redelivered update shows where the reporter is)."""
        draft = self.load_draft(pid)
        return [self.screen(report_flow.prompt(draft), draft)] if draft else []

    def apply(self, person: Person, pid: str, result: FlowResult, now: float,
              before: Draft | None = None) -> tuple[list[Reply], str | None]:
        if result.cancelled:
            self.store.delete_draft(pid)
            return [Reply(s.text) for s in result.screens], None
        assert result.draft is not None
        if result.submit:
            ref = self.submit(person, pid, result.draft, now)
            key = "report.rehearsal.submitted" if self.rehearsal else "report.submitted"
            return [Reply(t(key, ref=ref, ref_spoken=" ".join(ref.split("-"))))], ref
        if result.draft != before:  # a refused input leaves the stored draft untouched
            self.store.put_draft(pid, nonce=result.draft.nonce, at=now,
                                 state=self.sealer.seal_json(result.draft.to_dict(), context=f"draft:{pid}"))
        return [self.screen(s, result.draft) for s in result.screens], None

    def screen(self, screen: Screen, draft: Draft | None) -> Reply:
        if not screen.choices or draft is None:
            return Reply(screen.text)
        sign = self.notifications.sign
        rows = tuple((Button(c.label, sign("f", draft.nonce[:8], *c.token.split(":"))),) for c in screen.choices)
        return Reply(screen.text, rows)

    def submit(self, person: Person, pid: str, draft: Draft, now: float) -> str:
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
        # The metadata is the sealed fields' associated data: flipping it later breaks decryption.
        row["identity"] = self.sealer.seal_json(identity, context=record_context("identity", row))
        row["content"] = self.sealer.seal_json(content, context=record_context("content", row))
        self.store.insert_report(row)
        self.store.add_event(ref=ref, at=now, kind="submitted", actor="reporter")
        self.store.audit(at=now, actor="reporter", action="submitted", ref=ref,
                         detail={"category": category, "urgency": urgency})
        for plan in escalation.plan(submitted_at=now, category=category, level=level, policy=self.policy,
                                    discovered_at=draft.discovered_at):
            self.store.add_timer(ref=ref, step=plan.step, kind=plan.kind, notify=plan.notify, due_at=plan.due_at)
        for timer in self.store.timers_due(now=now):  # "officers at once": in the same commit
            if timer["ref"] == ref:
                self.notifications.fire(timer, now)
        self.store.delete_draft(pid)
        log.info("report %s submitted (%s, %s)", ref, category, urgency)
        return ref

    def await_supplement(self, person: Person, pid: str, ref: str, now: float) -> list[Reply]:
        """The reporter tapped "supplement" under an officer's question: the next text is the answer."""
        row = self.store.report(ref)
        if row is None or row["reporter"] != pid or row["status"] != "info_requested" or not person.private:
            return [Reply(t("report.supplement.not_requested"))]
        busy = self.in_the_way(pid)
        if busy:
            return busy
        self.store.put_pending(pid, ref=ref, action="supplement", at=now)
        return [Reply(t("report.prompt.supplement", ref=ref))]

    def supplement(self, row: dict[str, Any], pid: str, text: str, now: float) -> list[Reply]:
        ref = str(row["ref"])
        if row["reporter"] != pid or row["status"] != "info_requested":
            return [Reply(t("report.supplement.not_requested"))]
        event_id = self.store.add_event(ref=ref, at=now, kind="info_provided", actor="reporter",
                                        body=self.sealer.seal(text, context=f"event:{ref}"))
        self.store.update_report(ref, status="acknowledged", updated_at=now)
        self.store.audit(at=now, actor="reporter", action="info_provided", ref=ref)
        self.notifications.to_staff(ref, "officers", f"supplement:{event_id}", now,
                                    t("report.notify.supplement", ref=ref))
        return [Reply(t("report.supplement.done"))]
