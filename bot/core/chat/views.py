"""View functions: the one way answers, check results and phrases become text. Every channel and the
CLI print what these return; nothing else formats a core result for a person."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.phrases.messages import t

if TYPE_CHECKING:
    from bot.core.ask.knowledge import Entry
    from bot.core.ask.matcher import Match
    from bot.core.check.checker import CheckResult
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


# A lead longer than this keeps to one sentence; a short-source line longer than this is cut.
LEAD_CHARS = 90
SOURCE_CHARS = 40
REPORT_TAG = "report"  # knowledge entries about leaks, lost carriers, suspected disclosure
_SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]+|[^。！？!?]+$")
# A citation written into the answer text: （《文件》条款）, clause parentheses nested one deep.
_INLINE_CITATION = re.compile(r"（《[^》]*》(?:[^（）]|（[^（）]*）)*）")


@dataclass(frozen=True, slots=True)
class AnswerView:
    """An answer as shown: `text`, and what a channel with buttons may offer under it: `expandable`
    (the rule or its citations were shortened; the full view is one tap away, on a button labelled
    "依据" when several documents' citations were collapsed), `report` (the rule is about a leak)."""

    text: str
    expandable: bool
    several_documents: bool
    report: bool


def lead(answer: str) -> str:
    """The actionable part of an answer for a phone screen: its first sentence, or its first two
    when the first is short; citations written into the text are left to the source line."""
    sentences = [s for s in _SENTENCE.findall(_INLINE_CITATION.sub("", answer)) if s.strip()]
    if not sentences:
        return answer
    out = sentences[0]
    if len(sentences) > 1 and len(out) + len(sentences[1]) <= LEAD_CHARS:
        out += sentences[1]
    return out.strip()


def short_source(entry: Entry) -> str:
    """One short line: the first document and the last part of its clause, and how many more."""
    first = entry.sources[0]
    last = first.clause.rsplit("·", 1)[-1]
    clause = last if len(last) >= 4 else first.clause  # "电话接听", not a bare item number
    docs = len(dict.fromkeys(s.doc for s in entry.sources))
    cited = f"《{first.doc}》{clause}"
    text = t("ask.source_more", source=cited, count=docs) if docs > 1 else cited
    return t("ask.source", source=preview(text, SOURCE_CHARS))


def linked_lines(clauses: Sequence[Entry], *, full: bool) -> list[str]:
    """The imported clauses a curated entry points to: quoted verbatim with their citation (`full`),
    else one short line of citations."""
    if not clauses:
        return []
    if not full:
        first = clauses[0].title
        cited = first if len(clauses) == 1 else t("clause.linked_more", citation=first, count=len(clauses))
        return [t("clause.linked_short", citations=preview(cited, SOURCE_CHARS))]
    lines = [t("clause.linked")]
    for c in clauses:
        lines.append(f"「{c.answer}」")
        lines.append(t("clause.citation", citation=c.title))
    return lines


def answer_view(entry: Entry, related: Sequence[Entry] = (), *, voted: int = 0, full: bool = False,
                clauses: Sequence[Entry] = (), also: Entry | None = None) -> AnswerView:
    """An answer for a chat: title, the rule (its lead, unless `full`), the source (one short line,
    unless `full`: then every citation), the clauses it points to (cited, or quoted when `full`),
    the other part of the rule (`also`, an entry one rule with this one: its title and lead), the
    related-questions header and the thanks for a vote."""
    rule = entry.answer if full else lead(entry.answer)
    source = t("ask.source", source=entry.source) if full else short_source(entry)
    lines = [f"【{entry.title}】", rule, source, *linked_lines(clauses, full=full)]
    if also is not None:
        lines += [t("ask.also"), f"【{also.title}】", lead(also.answer)]
    if related:
        lines.append(t("ask.related"))
    if voted:
        lines.append(t("vote.thanks_up") if voted > 0 else t("vote.thanks_down"))
    several = len({s.doc for s in entry.sources}) > 1
    expandable = not full and (rule != entry.answer or source != t("ask.source", source=entry.source)
                               or bool(clauses))
    return AnswerView("\n".join(lines), expandable, several and expandable, REPORT_TAG in entry.tags[2:])


def answer_text(entry: Entry, related: Sequence[Entry] = (), *, voted: int = 0, list_related: bool = False,
                clauses: Sequence[Entry] = (), also: Entry | None = None) -> str:
    """An answer in full, for outputs without buttons: title, rule, every citation, the clauses it
    points to (verbatim), the other part of the rule (`also`: title, rule, citation), the related
    questions (`list_related`: with their titles), and the thanks for a vote."""
    lines = [f"【{entry.title}】", entry.answer, t("ask.source", source=entry.source),
             *linked_lines(clauses, full=True)]
    if also is not None:
        lines += [t("ask.also"), f"【{also.title}】", also.answer, t("ask.source", source=also.source)]
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
