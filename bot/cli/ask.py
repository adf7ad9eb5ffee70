"""`libao ask "QUESTION"`: answer one question, or one JSON line per stdin line."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from bot.cli import exitcodes
from bot.cli.common import guarded, json_line, load_matcher, stdin_lines
from bot.core.chat.views import answer_text, clause_text
from bot.core.phrases.messages import t
from bot.core.text.inputs import MAX_QUESTION_CHARS, clean_input

if TYPE_CHECKING:
    from bot.core.ask.matcher import AskResult, Matcher


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="ask a question (no QUESTION: read one per stdin line, write JSON lines)")
    p.add_argument("question", nargs="?", help="the question; omit to read questions from stdin")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--limit", type=int, default=3, help="how many candidates at most (default 3)")
    p.set_defaults(func=run)


def result_json(result: AskResult) -> dict:
    """The documented JSON shape of an ask result."""
    return {
        "status": result.status,
        "paired": result.paired,
        "answers": [
            {"id": m.entry.id, "title": m.entry.title, "answer": m.entry.answer,
             "source": m.entry.source, "score": m.score}
            for m in result.matches
        ],
    }


def render_text(result: AskResult, matcher: Matcher) -> str:
    """Human output: the answer, its source, related questions (or candidates / unknown)."""
    if result.status == "unknown":
        return t("ask.unknown")
    if result.status == "clause":
        return clause_text(result.matches)
    if result.status == "clarify":
        lines = [t("ask.clarify")]
        lines += [f"  {i}. {m.entry.title}  ({t('ask.score', score=m.score)})" for i, m in enumerate(result.matches, 1)]
        return "\n".join(lines)
    entry = result.matches[0].entry
    also = result.answered[1].entry if len(result.answered) > 1 else None
    related = [r for r in (matcher.kb.get(i) for i in entry.related) if r is not None and r is not also]
    clauses = []
    if entry.clauses and matcher.fallback is not None:  # imported documents: their module only then
        from bot.core.rulebook.answer import linked_clauses

        clauses = linked_clauses(matcher, entry)
    return answer_text(entry, related, list_related=True, clauses=clauses, also=also)


def _error_json(key: str, **kw: object) -> dict:
    return {"status": "unknown", "answers": [], "error": t(key, **kw)}


def _answer(matcher: Matcher, question: str, limit: int) -> dict:
    return result_json(matcher.ask(question, limit=limit))


def run(args: argparse.Namespace) -> int:
    limit = max(1, min(args.limit, 10))
    if args.question is not None:
        cleaned = clean_input(args.question, max_chars=MAX_QUESTION_CHARS)
        if cleaned.problem:
            print(t(cleaned.problem), file=sys.stderr)
            return exitcodes.BAD_INPUT
        matcher = load_matcher(args)
        result = matcher.ask(cleaned.text, limit=limit)
        if cleaned.truncated:
            print(t("input.truncated", limit=MAX_QUESTION_CHARS), file=sys.stderr)
        print(json_line(result_json(result)) if args.json else render_text(result, matcher))
        return exitcodes.OK
    matcher = load_matcher(args)
    out = sys.stdout
    for number, line in stdin_lines():
        if line is None:
            record = _error_json("input.bad_encoding", line=number)
        else:
            cleaned = clean_input(line, max_chars=MAX_QUESTION_CHARS)
            record = (_error_json(cleaned.problem) if cleaned.problem
                      else guarded(_error_json("input.failed"), _answer, matcher, cleaned.text, limit))
        out.write(json_line(record) + "\n")
        out.flush()
    return exitcodes.OK
