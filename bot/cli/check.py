"""`libao check "DRAFT" [--json]`, `libao check` (stdin, JSON lines) and `libao check eval FILE`.

Exit codes: 0 nothing found (and always for stdin mode and eval), 1 the draft has findings
(eval with --gate: a threshold is missed), 3 empty/unreadable draft, 4 broken rule file or
phrasebook.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path

from bot.cli import exitcodes
from bot.cli.common import Progress, guarded, json_line, stdin_lines
from bot.core.ask.evaluation import load_eval_file
from bot.core.chat.views import check_text
from bot.core.check.checker import Checker, CheckResult
from bot.core.check.evaluation import CheckReport, evaluate_check
from bot.core.phrases.messages import t
from bot.core.phrases.phrasebook import load_phrasebook
from bot.core.phrases.placeholders import PLACEHOLDERS
from bot.core.text.inputs import MAX_DRAFT_CHARS, clean_input, has_surrogates

# Goals of the issue, checked by `check eval --gate`: (precision, recall).
GATES = {"forbidden": (0.95, 0.90), "pii": (0.97, 0.97), "secret": (0.90, 0.85)}
_PROBLEM_KEYS = {"input.empty": "check.empty", "input.no_text": "check.no_text"}


def add_settings_arguments(p: argparse.ArgumentParser) -> None:
    """--unit/--dept/--name/...: values for the phrasebook placeholders."""
    for field in PLACEHOLDERS:
        p.add_argument(f"--{field.key}", help=f"{field.name} for {{{field.name}}} in standard phrases")


def settings_from(args: argparse.Namespace) -> dict[str, str]:
    """Placeholder values given on the command line, by placeholder name."""
    return {f.name: value for f in PLACEHOLDERS if (value := getattr(args, f.key, None))}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="check a reply draft (no DRAFT: one per stdin line, JSON lines); "
                                     "`check eval FILE` measures precision/recall")
    p.add_argument("draft", nargs="*", help='the draft, quoted; or "eval FILE"')
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--gate", action="store_true", help="eval: exit 1 when a goal of the issue is missed")
    p.add_argument("--misses", action="store_true",
                   help="eval: also print the missed and falsely flagged drafts (never on a blind final set)")
    p.add_argument("--rules", metavar="DIR", type=Path, help="rule directory (default: phrasebook/rules)")
    p.add_argument("--phrasebook", metavar="FILE", type=Path,
                   help="phrasebook file (default: phrasebook/scenarios.yaml)")
    add_settings_arguments(p)
    p.set_defaults(func=run)


def load_checker(args: argparse.Namespace) -> Checker:
    """Validate rules and phrasebook (DataError with file:line when broken) and build the checker."""
    phrasebook = load_phrasebook(args.phrasebook)
    return Checker.load(args.rules, phrasebook=phrasebook, settings=settings_from(args))


def result_json(result: CheckResult, **extra: object) -> dict:
    """The documented JSON shape: findings with offsets into the draft as given, masked PII."""
    out: dict[str, object] = {
        "findings": [
            {"kind": f.kind, "category": f.category, "rule": f.rule, "start": f.start, "end": f.end,
             "text": f.text, "message": f.message, "suggestion": f.suggestion, "severity": f.severity}
            for f in result.findings
        ],
        "hints": list(result.hints),
    }
    out.update(extra)
    return out


def _prepare(draft: str) -> tuple[str | None, str | None, bool]:
    """(draft to check, problem message key, truncated) — offsets stay those of the draft as given."""
    if has_surrogates(draft):
        return None, "check.bad_encoding", False
    cleaned = clean_input(draft, max_chars=MAX_DRAFT_CHARS)
    if cleaned.problem:
        return None, _PROBLEM_KEYS.get(cleaned.problem, cleaned.problem), False
    if cleaned.truncated:
        lead = len(draft) - len(draft.lstrip())
        return draft[:lead + MAX_DRAFT_CHARS], None, True
    return draft, None, False


def _check_record(checker: Checker, draft: str, truncated: bool) -> dict:
    result = checker.check(draft)
    return result_json(result, truncated=True) if truncated else result_json(result)


def run(args: argparse.Namespace) -> int:
    words: list[str] = args.draft
    if len(words) == 2 and words[0] == "eval":
        return run_eval(args, Path(words[1]))
    if words:
        draft, problem, truncated = _prepare(" ".join(words))
        if problem or draft is None:
            print(t(problem or "check.empty"), file=sys.stderr)
            return exitcodes.BAD_INPUT
        checker = load_checker(args)
        result = checker.check(draft)
        if truncated:
            print(t("check.truncated", limit=MAX_DRAFT_CHARS), file=sys.stderr)
        if args.json:
            print(json_line(result_json(result, truncated=truncated)))
        else:
            print(check_text(result))
        return exitcodes.FINDINGS if result.findings else exitcodes.OK
    checker = load_checker(args)
    out = sys.stdout
    for number, line in stdin_lines():
        if line is None:
            record = {"findings": [], "error": t("input.bad_encoding", line=number)}
        else:
            draft, problem, truncated = _prepare(line)
            if problem or draft is None:
                record = {"findings": [], "error": t(problem or "check.empty")}
            else:
                record = guarded({"findings": [], "error": t("input.failed")}, _check_record, checker, draft,
                                 truncated)
        out.write(json_line(record) + "\n")
        out.flush()
    return exitcodes.OK


def _gate_failures(report: CheckReport) -> list[str]:
    failures = []
    for name, (p_min, r_min) in GATES.items():
        score = getattr(report, name)
        if score.precision < p_min or score.recall < r_min:
            failures.append(f"{name}: precision {score.precision:.3f} (goal {p_min}), "
                            f"recall {score.recall:.3f} (goal {r_min})")
    return failures


def run_eval(args: argparse.Namespace, path: Path) -> int:
    data = load_eval_file(path)
    if not data.get("check") and not data.get("leak"):
        print(t("check.eval.missing", file=path), file=sys.stderr)
        return exitcodes.BAD_INPUT
    checker = load_checker(args)
    progress = Progress(len(data.get("check", [])) + len(data.get("leak", [])), "check eval")
    report = evaluate_check(checker, data, step=progress.step)
    if args.json:
        out = asdict(report)
        if not args.misses:
            out.pop("misses")
        print(json_line(out, indent=1))
    else:
        if report.misses and args.misses:
            print("misses:")
            for m in report.misses:
                print(f"  [{m.kind} {m.category}] {m.draft}  got={m.got}")
        print("\n".join(report.lines()))
    failures = _gate_failures(report)
    if args.gate and failures:
        for f in failures:
            print(f"below goal: {f}", file=sys.stderr)
        return exitcodes.FINDINGS
    return exitcodes.OK
