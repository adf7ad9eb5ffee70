"""Escalation chain and statutory clocks of a leak report, computed from an injected time (pure).

Times are POSIX seconds (float). The service stores the planned timers in the database, so a
restart neither loses nor repeats a step; this module only says what is due when and to whom.
"""

from __future__ import annotations

from dataclasses import dataclass

MINUTE = 60.0
HOUR = 60 * MINUTE
DAY = 24 * HOUR

GROUPS = ("officers", "deputy", "head")

# Timer kinds and what stops them (see `timer_still_due`).
CHAIN = "chain"  # stopped by acknowledgement (or resolution)
WRITTEN_REPORT = "written_report"  # stopped by resolution
CARRIER_DECISION = "carrier_decision"  # stopped by a found / not-found decision
FEEDBACK = "feedback"  # stopped by resolution (the conclusion is the feedback)


@dataclass(frozen=True, slots=True)
class ChainStep:
    after: float  # seconds after submission
    notify: str  # one of GROUPS


@dataclass(frozen=True, slots=True)
class ReportPolicy:
    """Who gets leak reports and when; the defaults are the single source of the escalation chain and clocks."""

    officers: tuple[int, ...] = ()
    deputy: tuple[int, ...] = ()
    head: tuple[int, ...] = ()
    chain: tuple[ChainStep, ...] = (
        ChainStep(0, "officers"),
        ChainStep(10 * MINUTE, "officers"),
        ChainStep(30 * MINUTE, "deputy"),
        ChainStep(2 * HOUR, "head"),
    )
    written_report_due: float = 24 * HOUR  # written report upward, from discovery
    written_report_lead: float = 4 * HOUR  # remind this long before it is due
    carrier_top_secret: float = 10 * DAY
    carrier_other: float = 60 * DAY
    feedback_due: float = 90 * DAY  # feedback to the reporter within 3 months
    feedback_lead: float = 14 * DAY
    retention_after_resolution: float = 90 * DAY
    draft_ttl: float = 1 * DAY  # unfinished conversations are dropped after this

    def group(self, name: str) -> tuple[int, ...]:
        return {"officers": self.officers, "deputy": self.deputy, "head": self.head}.get(name, ())

    @property
    def staff(self) -> frozenset[int]:
        """Everyone who may read and act on reports: officers, deputy and head."""
        return frozenset(self.officers) | frozenset(self.deputy) | frozenset(self.head)


@dataclass(frozen=True, slots=True)
class TimerPlan:
    step: str  # unique per report, e.g. "chain:2", "written_report"
    kind: str
    due_at: float
    notify: str  # group to notify


def plan(*, submitted_at: float, category: str, level: str, policy: ReportPolicy,
         discovered_at: float | None = None) -> list[TimerPlan]:
    """Every timer of a new report. The written report and its reminder run from discovery (the
    submission when not given); a reminder whose time has passed fires at submission."""
    timers = [TimerPlan(f"{CHAIN}:{i}", CHAIN, submitted_at + s.after, s.notify)
              for i, s in enumerate(policy.chain)]
    start = clock_start(submitted_at=submitted_at, discovered_at=discovered_at)
    remind = start + max(0.0, policy.written_report_due - policy.written_report_lead)
    timers.append(TimerPlan(WRITTEN_REPORT, WRITTEN_REPORT, max(submitted_at, remind), "officers"))
    if category == "lost_carrier":
        # Unknown level: the shorter 绝密 clock, because the carrier may be 绝密.
        short = level not in ("secret", "confidential")
        days = policy.carrier_top_secret if short else policy.carrier_other
        timers.append(TimerPlan(CARRIER_DECISION, CARRIER_DECISION, submitted_at + days, "officers"))
    timers.append(TimerPlan(FEEDBACK, FEEDBACK,
                            submitted_at + max(0.0, policy.feedback_due - policy.feedback_lead), "officers"))
    return timers


def timer_still_due(*, kind: str, status: str, carrier_decided: bool) -> bool:
    """Whether a due timer should still notify given the report's state now."""
    if status == "resolved":
        return kind == CARRIER_DECISION and not carrier_decided
    if kind == CHAIN:
        return status == "new"
    if kind == CARRIER_DECISION:
        return not carrier_decided
    return True


def clock_start(*, submitted_at: float, discovered_at: float | None) -> float:
    """When the written-report clock starts: discovery, never after the submission."""
    return submitted_at if discovered_at is None else min(discovered_at, submitted_at)


def deadline(*, submitted_at: float, policy: ReportPolicy, discovered_at: float | None = None) -> float:
    """When the written report upward is due (24 hours after discovery by default)."""
    return clock_start(submitted_at=submitted_at, discovered_at=discovered_at) + policy.written_report_due
