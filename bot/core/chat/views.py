"""View functions: the one way answers, check results and phrases become text. Every channel and the
CLI print what these return; nothing else formats a core result for a person."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.ask.knowledge import Entry
from bot.core.ask.matcher import Match
from bot.core.check.checker import CheckResult
from bot.core.phrases.messages import t
from bot.core.phrases.phrasebook import Scenario


def preview(text: str, width: int = 40) -> str:
    """`text` on one line, cut to `width` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def check_text(result: CheckResult) -> str:
    """A check result for a person: verdict, the draft with problem spans marked, each finding with
    why and how to fix it, soft hints, and the draft with personal data masked. All of it comes
    from the result's masked text, so no channel can show a full number."""
    lines: list[str] = []
    if not result.findings:
        lines.append(t("check.ok"))
    else:
        lines.append(t("check.found", count=len(result.findings)))
        lines.append(t("check.label.draft"))
        lines.append(result.marked())
        for i, f in enumerate(result.findings, 1):
            category = f.category if f.kind == "forbidden" else t(f"check.kind.{f.kind}")
            lines.append(t("bot.check_finding", n=i, text=f.text, category=category))
            lines.append(t("bot.check_why", why=f.message))
            if f.suggestion:
                lines.append(t("bot.check_suggestion", suggestion=f.suggestion))
    lines += list(result.hints)
    if any(f.kind == "pii" for f in result.findings):
        lines.append(t("bot.check_masked", text=result.masked_draft()))
    return "\n".join(lines)


def answer_text(entry: Entry, related: Sequence[Entry] = (), *, voted: int = 0, list_related: bool = False) -> str:
    """An answer: title, rule, source, the related-questions header (`list_related`: with their titles,
    for outputs without buttons), and the thanks for a vote."""
    lines = [f"【{entry.title}】", entry.answer, t("ask.source", source=entry.source)]
    if related:
        lines.append(t("ask.related"))
        if list_related:
            lines += [f"  · {r.title}" for r in related]
    if voted:
        lines.append(t("vote.thanks_up") if voted > 0 else t("vote.thanks_down"))
    return "\n".join(lines)


def phrase_text(scenario: Scenario, phrases: Sequence[str], *, missing: Sequence[str] = ()) -> str:
    """A scenario's standard phrases filled in, a hint for settings still missing, its note and source."""
    lines = [f"【{scenario.title}】"]
    lines += [f"{i}. {text}" if len(phrases) > 1 else text for i, text in enumerate(phrases, 1)]
    if missing:
        lines.append(t("settings.hint_missing", fields="、".join(missing)))
    if scenario.note:
        lines.append(t("bot.phrase_note", note=scenario.note))
    lines.append(t("ask.source", source=scenario.source))
    return "\n".join(lines)


def clause_text(matches: tuple[Match, ...]) -> str:
    """Clauses of an imported rulebook: labelled 原文条款, quoted verbatim with their citation (the
    first two), the third cited only; never presented like a curated answer."""
    lines = [t("clause.label")]
    for i, m in enumerate(matches[:3]):
        citation = m.entry.title
        if i == 2:
            lines.append(t("clause.more") + citation)
            break
        if i == 1:
            lines.append(t("clause.more"))
        lines.append(f"「{m.entry.answer}」")
        lines.append(t("clause.citation", citation=citation))
    return "\n".join(lines)
