"""View functions: the one way answers, check results and phrases become text. Every channel and the
CLI print what these return; nothing else formats a core result for a person."""

from __future__ import annotations

from bot.core.ask.matcher import Match
from bot.core.check.checker import CheckResult
from bot.core.phrases.messages import t


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
