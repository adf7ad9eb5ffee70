"""`kb import`, `kb export --xlsx`, `kb suggest`, `kb test`: an organisation's own rulebook."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli import exitcodes
from bot.cli.common import knowledge_dir
from bot.core.ask.knowledge import DEFAULT_KNOWLEDGE_DIR, KnowledgeBase, load_knowledge
from bot.core.phrases.messages import t
from bot.core.rulebook.answer import ClauseAnswerer
from bot.core.rulebook.readers import Refused, read_document

PREVIEW = 36
LISTED = 20  # diff lines shown per kind before "…… 另有 N 条"


def register(kb_sub: argparse._SubParsersAction) -> None:
    imp = kb_sub.add_parser("import", help="import a rulebook (.docx/.txt/.md/.xlsx) or an edited entries sheet")
    imp.add_argument("file", type=Path)
    imp.add_argument("--version", dest="doc_version", help="the document's version (default: next number)")
    imp.add_argument("--effective", help="the document's effective date, e.g. 2024-01-01 (default: from its text)")
    imp.add_argument("--yes", action="store_true",
                     help="apply without asking (the default when stdin is not a terminal)")
    imp.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
    imp.set_defaults(func=run_import)
    exp = kb_sub.add_parser("export", help="export the curated entries to a spreadsheet")
    exp.add_argument("--xlsx", type=Path, required=True, metavar="FILE")
    exp.set_defaults(func=run_export)
    sug = kb_sub.add_parser("suggest", help="cluster unanswered questions and 👎 votes; accept a cluster")
    sug.add_argument("--db", type=Path, help="the bot's database (default: $LIBAO_DB)")
    sug.add_argument("--from-file", type=Path, help="read questions from a text file (one per line) instead")
    sug.add_argument("--accept", type=int, metavar="N",
                     help="accept cluster N (adds an alternate question or drafts an entry)")
    sug.add_argument("--limit", type=int, default=30, help="clusters listed (default 30)")
    sug.add_argument("--json", action="store_true")
    sug.set_defaults(func=run_suggest)
    tst = kb_sub.add_parser("test", help="run golden questions (eval format); exit 1 below the thresholds")
    tst.add_argument("file", type=Path)
    tst.add_argument("--min-hit1", type=float, default=0.6)
    tst.add_argument("--min-hit3", type=float, default=0.8)
    tst.add_argument("--min-oos", type=float, default=0.8)
    tst.set_defaults(func=run_test)


def _directory(args: argparse.Namespace) -> Path:
    return knowledge_dir(args) or DEFAULT_KNOWLEDGE_DIR


def _preview(text: str, n: int = PREVIEW) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= n else flat[:n] + "…"


def _confirm(args: argparse.Namespace) -> bool:
    """Ask on a terminal; without one (scripts, CI) the command line is the decision."""
    if args.yes or not sys.stdin.isatty():
        return True
    try:
        return input(t("kb.import.confirm")).strip().lower() in ("y", "yes", "是", "确认")
    except EOFError:
        return False


def _go_ahead(args: argparse.Namespace) -> bool:
    """Whether a shown change is to be written: not on a dry run, and only once confirmed (a
    cancelled one says so)."""
    if args.dry_run:
        return False
    if not _confirm(args):
        print(t("kb.import.cancelled"))
        return False
    return True


def run_import(args: argparse.Namespace) -> int:
    from bot.core.rulebook.importer import apply_import, plan_import
    from bot.core.rulebook.sheet import is_entries_sheet

    directory = _directory(args)
    try:
        read = read_document(args.file)
        if read.kind == "xlsx" and is_entries_sheet(read.rows):
            return _import_sheet(args, read.rows, directory)
        plan = plan_import(args.file, directory, read=read, version=args.doc_version, effective=args.effective)
    except Refused as exc:
        print(t(exc.key, **exc.values), file=sys.stderr)
        return exitcodes.BAD_INPUT
    doc = plan.document
    print(t("kb.import.summary", title=doc.title, version=doc.version,
            effective=doc.effective or t("kb.import.effective_unknown"), count=len(doc.clauses), source=doc.source))
    counts: dict[str, int] = {}
    for c in doc.clauses:
        counts[c.doc] = counts.get(c.doc, 0) + 1
    for name, n in counts.items():
        print(t("kb.import.part", count=n, doc=name))
    if plan.unchanged:
        print(t("kb.import.unchanged", version=plan.previous.version if plan.previous else ""))
        return exitcodes.OK
    _print_diff(plan)
    if not _go_ahead(args):
        return exitcodes.OK
    apply_import(plan)
    print(t("kb.import.done", path=plan.target))
    _build_clause_vectors(args, directory)
    return exitcodes.OK


def clause_answerer(kb: KnowledgeBase) -> ClauseAnswerer | None:
    """The clause search over the documents imported into `kb`'s directory (None: none imported)."""
    from bot.core.rulebook.store import load_store

    docs = load_store(kb.directory) if kb.directory is not None else []
    return ClauseAnswerer(kb, docs) if docs else None


def _build_clause_vectors(args: argparse.Namespace, directory: Path) -> None:
    """Embed the imported clauses now, so that no question waits for them."""
    if getattr(args, "lexical_only", False):
        return
    from bot.cli.common import Progress
    from bot.core.ask.embed import load_embedder

    embedder, why_not = load_embedder(threads=max(1, int(getattr(args, "embed_threads", 1) or 1)))
    if embedder is None:
        print(t("kb.import.no_vectors", why=why_not))
        return
    clauses = clause_answerer(load_knowledge(directory))
    if clauses is not None:
        embedded = clauses.build_vectors(embedder, step=Progress(0, "kb import (vectors)").step)
        print(t("kb.import.vectors", count=len(clauses), embedded=embedded))


def _print_diff(plan: object) -> None:
    from bot.core.rulebook.importer import ImportPlan

    assert isinstance(plan, ImportPlan)
    d = plan.diff
    if plan.previous is None:
        print(t("kb.import.new", count=len(d.added)))
    else:
        print(t("kb.import.diff", old=plan.previous.version, added=len(d.added), changed=len(d.changed),
                removed=len(d.removed)))
    sections: list[list[str]] = [
        [t("kb.import.added_line", citation=c.citation(), preview=_preview(c.text)) for c in d.added],
        [t("kb.import.changed_line", citation=new.citation(), old=_preview(old.text, 24), new=_preview(new.text, 24))
         for old, new in d.changed],
        [t("kb.import.removed_line", citation=c.citation(), preview=_preview(c.text)) for c in d.removed],
    ]
    for lines in sections:
        for line in lines[:LISTED]:
            print(line)
        if len(lines) > LISTED:
            print(t("kb.import.more", count=len(lines) - LISTED))


def _import_sheet(args: argparse.Namespace, rows: list[list[str]], directory: Path) -> int:
    from bot.core.rulebook.sheet import apply_sheet, plan_sheet

    plan = plan_sheet(rows, directory, name=args.file.name)
    if plan.problems:
        for p in plan.problems:
            print(p, file=sys.stderr)
        print(t("kb.sheet.lint_failed"), file=sys.stderr)
        return exitcodes.FINDINGS
    print(t("kb.sheet.summary", name=args.file.name, count=plan.count))
    if not plan.lines:
        print(t("kb.sheet.no_change"))
        return exitcodes.OK
    print(t("kb.sheet.diff_head", added=plan.added, changed=plan.changed, removed=plan.removed))
    for line in plan.lines:
        print(line)
    if not _go_ahead(args):
        return exitcodes.OK
    refused = apply_sheet(plan, directory)
    if refused:
        print(t("kb.sheet.lint_failed"), file=sys.stderr)
        for problem in refused:
            print(f"  {problem}", file=sys.stderr)
        return exitcodes.FINDINGS
    print(t("kb.sheet.done", count=len(plan.files)))
    return exitcodes.OK


def run_export(args: argparse.Namespace) -> int:
    from bot.core.ask.knowledge import load_knowledge
    from bot.core.rulebook.sheet import export_sheet

    kb = load_knowledge(_directory(args))
    export_sheet(kb.entries, args.xlsx)
    print(t("kb.sheet.exported", count=len(kb.entries), path=args.xlsx))
    return exitcodes.OK


def run_suggest(args: argparse.Namespace) -> int:
    from bot.cli.curation import run_suggest as run

    return run(args, _directory(args))


def run_test(args: argparse.Namespace) -> int:
    from bot.cli.common import load_matcher
    from bot.core.ask.evaluation import evaluate_ask, load_eval_file

    data = load_eval_file(args.file)
    report = evaluate_ask(load_matcher(args), data)
    ok = (report.hit_at_1 >= args.min_hit1 and report.hit_at_3 >= args.min_hit3
          and (report.n_oos == 0 or report.oos_refused >= args.min_oos))
    print(t("kb.test.result", file=args.file.name, a1=report.hit_at_1, min_a1=args.min_hit1,
            h3=report.hit_at_3, min_h3=args.min_hit3, oos=report.oos_refused, min_oos=args.min_oos))
    print(t("kb.test.passed") if ok else t("kb.test.failed"))
    return exitcodes.OK if ok else exitcodes.FINDINGS
