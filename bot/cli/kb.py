"""`libao kb lint` and `libao kb eval FILE`: the knowledge base's own quality gates."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from bot.cli import exitcodes
from bot.cli.common import Progress, knowledge_dir, load_matcher
from bot.core.evaluation import evaluate_ask, load_eval_file
from bot.core.knowledge import load_knowledge
from bot.core.yamlfile import DataError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("kb", help="knowledge base tools: lint, eval")
    kb_sub = p.add_subparsers(dest="kb_command", metavar="KB_COMMAND", required=True)
    lint = kb_sub.add_parser("lint", help="validate every knowledge file (exit 1 when anything is wrong)")
    lint.set_defaults(func=run_lint)
    ev = kb_sub.add_parser("eval", help="measure ask on an evaluation file")
    ev.add_argument("file", type=Path)
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.set_defaults(func=run_eval)


def run_lint(args: argparse.Namespace) -> int:
    try:
        kb = load_knowledge(knowledge_dir(args))
    except DataError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found", file=sys.stderr)
        return exitcodes.FINDINGS
    topics = sorted({(e.domain, e.topic) for e in kb.entries})
    print(f"ok: {len(kb)} entries in {len(topics)} topics, {len(kb.synonyms)} synonym groups")
    return exitcodes.OK


def run_eval(args: argparse.Namespace) -> int:
    data = load_eval_file(args.file)
    matcher = load_matcher(args)
    total = len(data.get("ask", [])) + len(data.get("out_of_scope", []))
    progress = Progress(total, "kb eval")
    report = evaluate_ask(matcher, data, step=progress.step)
    if args.json:
        print(json.dumps(asdict(report), ensure_ascii=False, indent=1))
        return exitcodes.OK
    if report.misses:
        print("misses:")
        for m in report.misses:
            print(f"  [{m.kind}] {m.question}  status={m.status} expect={m.expected} got={m.got}")
    print("\n".join(report.lines()))
    return exitcodes.OK
