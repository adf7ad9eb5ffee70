"""`libao kb lint` and `libao kb eval FILE`: the knowledge base's own quality gates."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli import exitcodes, rulebook
from bot.cli.common import Progress, cache_dir, json_line, knowledge_dir, load_matcher
from bot.core.ask.knowledge import DEFAULT_KNOWLEDGE_DIR, KnowledgeBase, load_knowledge
from bot.core.yamlfile import DataError, Problem, read_bounded

if TYPE_CHECKING:
    from bot.core.cache import CacheDir


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("kb", help="knowledge base tools: lint, eval, import, export, suggest, test")
    kb_sub = p.add_subparsers(dest="kb_command", metavar="KB_COMMAND", required=True)
    lint = kb_sub.add_parser("lint", help="validate every knowledge file (exit 1 when anything is wrong)")
    lint.add_argument("--strict", action="store_true",
                      help="also fail on alternate questions closer to another entry and near-duplicate entries")
    lint.set_defaults(func=run_lint)
    ev = kb_sub.add_parser("eval", help="measure ask on an evaluation file")
    ev.add_argument("file", type=Path)
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.add_argument("--misses", action="store_true", help="also list every miss (never on a final split)")
    ev.set_defaults(func=run_eval)
    fit = kb_sub.add_parser("fit", help="fit fusion weights and thresholds by cross-validation on FIT sets")
    fit.add_argument("file", type=Path, nargs="+", help="one or more evaluation files; several: one fold per file")
    fit.add_argument("--folds", type=int, default=5, help="random folds of a single file")
    fit.add_argument("--max-wrong", type=float, default=0.03, help="limit on the wrong-confident rate")
    fit.add_argument("--min-refused", type=float, default=0.93, help="limit on out-of-scope questions refused")
    fit.set_defaults(func=run_fit)
    build = kb_sub.add_parser("build", help="rewrite the derived files beside the knowledge: the compact vocabulary, "
                              "the index and the vectors of curated entries and imported clauses "
                              "(embedding only what changed)")
    build.set_defaults(func=run_build)
    rulebook.register(kb_sub)


def _lint_rules(cache: CacheDir | None = None) -> tuple[str, list[Problem]]:
    """Rule files and phrasebook: schema, cross-references, and every rule's examples.

    The result is kept in the sealed cache under a hash of every phrasebook file and of the code
    that judges them: the checker (and its examples) is loaded only when one of them changed.
    """
    from bot.core.check import rules
    from bot.core.paths import PHRASEBOOK_DIR

    files = {*PHRASEBOOK_DIR.rglob("*"), *Path(rules.DEFAULT_RULES_DIR).rglob("*")}
    digest = _files_digest("rules", sorted(files))
    name = f"lint-rules-{digest}.json"
    cached = _cached_json(cache, name) if digest else None
    if cached is not None:
        try:
            return str(cached["summary"]), [Problem(str(f), int(n), str(m)) for f, n, m in cached["problems"]]
        except (KeyError, TypeError, ValueError):
            pass  # not this format: judged afresh below
    summary, problems = _judge_rules()
    if digest and cache is not None:
        _store_json(cache, name, {"summary": summary, "problems": [[p.file, p.line, p.message] for p in problems]})
    return summary, problems


def _judge_rules() -> tuple[str, list[Problem]]:
    from bot.core.check.checker import Checker, example_problems
    from bot.core.phrases.phrasebook import load_phrasebook
    from bot.core.reports.discovery import load_time_words
    from bot.core.text.language import load_check_language

    try:
        load_check_language()
        load_time_words()
        book = load_phrasebook()
        checker = Checker.load(phrasebook=book)
    except DataError as exc:
        return "", exc.problems
    rs = checker.ruleset
    summary = (f"ok: {len(rs.rules)} forbidden rules, {len(rs.markers)} markers, {len(rs.topics)} topics, "
               f"{len(book.scenarios)} phrasebook scenarios")
    return summary, example_problems(checker)


LINT_MAGIC = b"libao-lint-1\n"


def _files_digest(kind: str, files: list[Path]) -> str:
    """Hash of `kind`, of `files` (names and bytes, each read within the data-file bound) and of the
    core's code, which decides what a lint finds; '' when a file cannot be read (then nothing is
    cached, and the lint itself says what is wrong)."""
    import hashlib

    from bot import __version__

    core = Path(__file__).resolve().parents[1] / "core"
    h = hashlib.sha256(f"{kind}|{__version__}".encode())
    try:
        for path in [*sorted(core.rglob("*.py")), *files]:
            if path.is_dir():
                continue
            h.update(str(path).encode("utf-8", "surrogateescape") + b"\0")
            h.update(read_bounded(path) + b"\0")
    except DataError:
        return ""
    return h.hexdigest()[:24]


def _cached_json(cache: CacheDir | None, name: str) -> Any:
    import json

    payload = cache.read(name, LINT_MAGIC) if cache is not None else None
    if payload is None:
        return None
    try:
        return json.loads(payload)
    except ValueError:
        return None


def _store_json(cache: CacheDir, name: str, value: object) -> None:
    import json

    cache.write(name, LINT_MAGIC, json.dumps(value, ensure_ascii=False).encode("utf-8"))


def run_lint(args: argparse.Namespace) -> int:
    problems: list[Problem] = []
    try:
        kb = load_knowledge(knowledge_dir(args))
    except DataError as exc:
        kb = None
        problems += exc.problems
    cache = cache_dir()
    rules_summary, rule_problems = _lint_rules(cache)
    problems += rule_problems
    problems += _register_problems()
    if kb is not None:
        problems += _vocabulary_problems(args)
        problems += _clause_reference_problems(kb)
    if problems or kb is None:
        for p in problems:
            print(p, file=sys.stderr)
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return exitcodes.FINDINGS
    topics = sorted({(e.domain, e.topic) for e in kb.entries})
    print(f"ok: {len(kb)} entries in {len(topics)} topics, {len(kb.synonyms)} synonym groups")
    warnings = _curation_warnings(args, cache)
    if warnings and getattr(args, "strict", False):
        return exitcodes.FINDINGS
    print(rules_summary)
    return exitcodes.OK


def _register_problems() -> list[Problem]:
    """The legal register the clause search reads (knowledge/register.yaml)."""
    from bot.core.rulebook.register import load_register

    try:
        load_register()
    except DataError as exc:
        return list(exc.problems)
    return []


def _clause_reference_problems(kb: KnowledgeBase) -> list[Problem]:
    """Every `clauses:` reference of an entry must name at least one imported clause."""
    from bot.core.rulebook.answer import clause_entries, referenced
    from bot.core.rulebook.store import load_store

    referring = [e for e in kb.entries if e.clauses]
    if not referring or kb.directory is None:
        return []
    try:
        clauses = clause_entries(load_store(kb.directory))
    except DataError as exc:
        return list(exc.problems)
    return [Problem(e.file, e.line, f"{e.id}: clause reference {r!r} names no imported clause "
                                    "(write 《document title》 and its labels, e.g. 《员工手册》第十二条)")
            for e in referring for r in e.clauses if not referenced(r, clauses)]


def _vocabulary_problems(args: argparse.Namespace) -> list[Problem]:
    """The derived files beside the knowledge (compact vocabulary, index) must be those of the
    knowledge as it is now."""
    from bot.core.ask import index_cache
    from bot.core.ask.matcher import MatcherConfig
    from bot.core.text.segment import VOCABULARY_FILE

    matcher = index_cache.lexical_matcher(knowledge_dir(args), cache=cache_dir())
    assert matcher.kb.directory is not None
    directory = matcher.kb.directory
    problems = []
    if not matcher.seg.shipped:
        problems.append(Problem(str(directory / VOCABULARY_FILE), 0,
                                "the compact vocabulary is missing or stale: run `libao kb build`"))
    config = MatcherConfig()
    if index_cache.shipped_index(directory, config=config,
                                 digest=index_cache.knowledge_digest(directory, config)) is None:
        problems.append(Problem(str(directory / index_cache.SHIPPED_INDEX), 0,
                                "the shipped index is missing or stale: run `libao kb build`"))
    return problems


CONFLICT_MARGIN = 5.0  # fused points an alternate question must lean to another entry
WARNINGS_SHOWN = 10


def _curation_warnings(args: argparse.Namespace, cache: CacheDir | None = None) -> int:
    """Alternate questions the matcher sends to another entry, near-duplicate entries, and the
    imported clause store; printed as warnings (errors with --strict).

    The warnings are kept in the sealed cache under a hash of every knowledge file, the signals
    that run and the code: scoring every alternate question is done once per change."""
    from bot.core.ask import index_cache
    from bot.core.rulebook.lint import alternate_conflicts, near_duplicates
    from bot.core.rulebook.store import load_store

    directory = Path(knowledge_dir(args) or DEFAULT_KNOWLEDGE_DIR)
    matcher = load_matcher(args)
    strict = getattr(args, "strict", False)
    knowledge = index_cache.knowledge_digest(directory, matcher.config, clauses=True)
    digest = _files_digest(f"curation|{knowledge}|{'+'.join(matcher.signals)}|{CONFLICT_MARGIN}", [])
    name = f"lint-curation-{digest}.json"
    cached = _cached_json(cache, name) if digest else None
    if isinstance(cached, list) and all(isinstance(w, str) for w in cached):
        found: list[str] = cached
    else:
        # Near-ties are normal between neighbouring rules; only a clear pull to another entry is worth a look.
        found = [str(w) for w in [*alternate_conflicts(matcher, margin=CONFLICT_MARGIN), *near_duplicates(matcher)]]
        if digest and cache is not None:
            _store_json(cache, name, found)
    shown = found if strict else found[:WARNINGS_SHOWN]
    for w in shown:
        print(f"warning: {w}")
    if len(found) > len(shown):
        print(f"… {len(found) - len(shown)} more (all of them with --strict)")
    docs = load_store(directory)
    clauses = sum(len(d.clauses) for d in docs)
    print(f"curation: {len(found)} warning(s); {len(docs)} imported document(s), {clauses} clauses")
    return len(found)


def run_eval(args: argparse.Namespace) -> int:
    from bot.core.ask.evaluation import evaluate_ask, load_eval_file

    data = load_eval_file(args.file)
    matcher = load_matcher(args)
    total = len(data.get("ask", [])) + len(data.get("out_of_scope", []))
    progress = Progress(total, "kb eval")
    report = evaluate_ask(matcher, data, step=progress.step)
    if args.json:
        print(json_line(asdict(report), indent=1))
        return exitcodes.OK
    if report.misses and args.misses:
        print("misses:")
        for m in report.misses:
            print(f"  [{m.kind}] {m.question}  status={m.status} expect={m.expected} got={m.got}")
    print("\n".join(report.lines()))
    print("\n".join(report.breakdown_lines()))
    return exitcodes.OK


def run_fit(args: argparse.Namespace) -> int:
    from bot.core.ask.evaluation import fit, join_eval_files

    data, groups = join_eval_files(args.file)
    matcher = load_matcher(args)
    total = len(data.get("ask", [])) + len(data.get("out_of_scope", []))
    by_file = len(args.file) > 1
    found, cv = fit(matcher, data, folds=max(2, args.folds), max_wrong=args.max_wrong,
                    min_refused=args.min_refused, groups=groups if by_file else None,
                    step=Progress(total, "kb fit").step)
    print(f"signals            {' + '.join(matcher.signals)}")
    print(f"fusion             {found.fusion}")
    print(f"rule               {found.rule}")
    print(f"on the whole set   answer@1 {found.answer_at_1:.3f}  hit@3 {found.hit_at_3:.3f}  "
          f"wrong-confident {found.wrong_confident:.3f}  oos refused {found.oos_refused:.3f}")
    folds = f"leave-1-of-{len(args.file)}-files" if by_file else f"{args.folds}-fold CV"
    print(f"{folds:<18} answer@1 {cv[0]:.3f}  hit@3 {cv[1]:.3f}  "
          f"wrong-confident {cv[2]:.3f}  oos refused {cv[3]:.3f}")
    return exitcodes.OK


def run_build(args: argparse.Namespace) -> int:
    from bot.core.ask import index_cache
    from bot.core.ask.embed import load_embedder
    from bot.core.ask.matcher import Matcher
    from bot.core.ask.semantic import SHIPPED_VECTORS, SemanticTexts, fill_store
    from bot.core.text.segment import VOCABULARY_FILE

    kb = load_knowledge(knowledge_dir(args))
    assert kb.directory is not None
    seg = Matcher(kb).seg
    vocabulary = kb.directory / VOCABULARY_FILE
    if seg.shipped:
        print(f"ok: {vocabulary.name} is current")
    else:
        vocabulary.write_text(seg.file_text(), encoding="utf-8")
        print(f"ok: {vocabulary.name} rewritten ({seg.vocabulary.count(chr(10))} words)")
    embedder, why_not = load_embedder(threads=max(1, args.embed_threads))
    if embedder is None:
        print(f"cannot embed here: {why_not}", file=sys.stderr)
    else:
        progress = Progress(0, "kb build")
        store, embedded = fill_store(kb, embedder, step=progress.step, cache=cache_dir().path)
        path = kb.directory / SHIPPED_VECTORS
        store.save(path, only=SemanticTexts.of(kb).keys(store))
        print(f"ok: {len(store)} vectors in {path.name} ({embedded} embedded now)")
        clauses = rulebook.clause_answerer(kb)
        if clauses is not None:
            embedded = clauses.build_vectors(embedder, step=Progress(0, "kb build (clauses)").step)
            print(f"ok: vectors of {len(clauses)} imported clauses ({embedded} embedded now)")
    index_cache.build_shipped_index(kb.directory)
    print(f"ok: {index_cache.SHIPPED_INDEX} rewritten")
    return exitcodes.OK if embedder is not None else exitcodes.FINDINGS
