"""The outbox: queued notifications with recipient and text resolved, and their delivery bookkeeping
(sent, retry later, flood-control pause). The channel sends; this decides what and to whom.

Several instances may share the database: each due row is leased to one of them (`owner`, for
`lease_seconds`, with a fencing number that grows with every claim). The sender asks `may_send`
right before sending, which renews the lease only while this claim is still the newest, and the
delivery is recorded only under the same fencing number: a paused worker whose lease was taken
over neither sends nor records. What remains is the at-least-once case of every sender: killed (or
stalled past the lease) after the platform accepted a message but before recording it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.core.chat.reply import Button
from bot.core.phrases.messages import t
from bot.core.reports import escalation
from bot.core.reports.escalation import ReportPolicy
from bot.core.reports.notifications import Notifications
from bot.core.reports.sealing import Sealer, record_context
from bot.core.reports.store import ReportStore

log = logging.getLogger("libao.reports")

# The step of the first notification to officers (the chain's first step).
FIRST_NOTICE = f"{escalation.CHAIN}:0"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A notification ready to send: the sender marks it sent only after the platform answered ok."""

    row_id: int
    idem_key: str
    chat_id: int
    text: str
    buttons: tuple[tuple[Button, ...], ...]
    attempts: int
    fence: int = 0  # the fencing number of this instance's lease on the row


class Outbox:
    """Delivery side of the notifications queued by `Notifications`."""

    def __init__(self, *, store: ReportStore, sealer: Sealer, policy: ReportPolicy, notifications: Notifications,
                 owner: str, lease_seconds: float = 60.0):
        self.store = store
        self.sealer = sealer
        self.notifications = notifications
        self.owner = owner
        self.lease_seconds = lease_seconds
        # Recipients are stored as pseudonyms too, so no raw user id is ever written.
        self._staff_by_pid = {sealer.pseudonym(uid): uid for uid in policy.staff}

    def due(self, *, now: float, limit: int) -> list[Outgoing]:
        """Pending notifications whose time has come, leased to this instance, with recipient and text
        resolved."""
        out = []
        for row in self.store.claim_outbox(owner=self.owner, now=now, ttl=self.lease_seconds, limit=limit):
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
                                int(row["attempts"]), int(row["fence"])))
        return out

    def may_send(self, item: Outgoing, *, now: float) -> bool:
        """Renew this instance's lease on `item` right before sending it; False (do not send) when the
        lease expired, another instance claimed the row since, or it is no longer pending."""
        ok = self.store.confirm_outbox(item.row_id, owner=self.owner, fence=item.fence, now=now,
                                       ttl=self.lease_seconds)
        if not ok:
            log.warning("notification %d: lease lost, not sent by this instance", item.row_id)
        return ok

    def release(self, item: Outgoing) -> None:
        """Hand a leased notification back at once (another instance's channel delivers it)."""
        self.store.release_outbox(item.row_id, fence=item.fence)

    def delivered(self, item: Outgoing, *, now: float, message_id: int | None) -> None:
        with self.store.write():
            row = self.store.outbox_row(item.row_id)
            if row is None or row["status"] != "pending":
                return
            if not self.store.mark_sent(item.row_id, at=now, message_id=message_id, fence=item.fence or None):
                log.warning("notification %d: its lease was taken over before the delivery was recorded",
                            item.row_id)
                return
            self.store.audit(at=now, actor="system", action="notified", ref=row["ref"],
                             detail={"step": row["step"], "to": _recipient_kind(row["recipient"])})
            if row["step"] == FIRST_NOTICE and str(row["recipient"]).startswith("staff:"):
                # Only now may the reporter be told that an officer has the report.
                self.notifications.to_reporter(str(row["ref"]), "status:received", now,
                                               t("report.notify.to_reporter.received", ref=row["ref"]))

    def retry_later(self, item: Outgoing, *, now: float, delay: float, error: str, flood: bool = False) -> None:
        """Reschedule after a failure; a flood-control wait holds back every notification."""
        with self.store.write():
            self.store.reschedule(item.row_id, next_at=now + delay, error=error[:200], count_attempt=not flood,
                                  fence=item.fence or None)
            if flood:
                self.store.postpone_all(until=now + delay)

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


def _recipient_kind(recipient: str) -> str:
    return "reporter" if recipient == "reporter" else f"officer:{recipient[len('staff:'):][:12]}"
