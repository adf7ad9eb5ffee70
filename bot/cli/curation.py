"""`kb suggest`: the curation inbox on the command line (list clusters, accept one)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

from bot.cli import exitcodes
from bot.cli.common import load_matcher
from bot.core.ask.knowledge import load_knowledge
from bot.core.ask.matcher import Matcher
from bot.core.phrases.messages import t
from bot.core.rulebook.answer import ClauseAnswerer
from bot.core.rulebook.inbox import Cluster, cluster_questions
from bot.core.yamlfile import DataError, load_with_lines

DRAFTS = "drafts/inbox.yaml"  # outside entries/: a draft is never served until a person moves it
SHOWN_MEMBERS = 5


def _questions(args: argparse.Namespace) -> list[str]:
    if args.from_file:
        return [x.strip() for x in args.from_file.read_text(encoding="utf-8").splitlines() if x.strip()]
    from bot.storage.sqlite import ChatStore, connect

    db = args.db or (Path(os.environ["LIBAO_DB"]) if os.environ.get("LIBAO_DB") else None)
    if db is None or not Path(db).exists():
        return []
    store = ChatStore(connect(db))
    return [str(r["question"]) for r in store.unanswered(limit=100_000)]


def run_suggest(args: argparse.Namespace, directory: Path) -> int:
    matcher = load_matcher(args)
    clusters = cluster_questions(matcher, _questions(args))
    if args.accept is not None:
        if not 1 <= args.accept <= len(clusters):
            print(t("kb.suggest.bad_cluster", n=args.accept), file=sys.stderr)
            return exitcodes.BAD_INPUT
        return _accept(clusters[args.accept - 1], matcher, directory)
    if args.json:
        print(json.dumps([{"n": i, "size": len(c.questions), "kind": c.kind, "target": c.target_id,
                           "title": c.target_title, "score": c.score, "questions": c.questions}
                          for i, c in enumerate(clusters, 1)], ensure_ascii=False, indent=1))
        return exitcodes.OK
    if not clusters:
        print(t("kb.suggest.none"))
        return exitcodes.OK
    print(t("kb.suggest.head", questions=sum(len(c.questions) for c in clusters), clusters=len(clusters)))
    for i, c in enumerate(clusters[: args.limit], 1):
        print(t("kb.suggest.cluster", n=i, size=len(c.questions), example=c.representative))
        for q in c.questions[1:SHOWN_MEMBERS]:
            print(t("kb.suggest.member", question=q))
        if c.kind == "entry":
            print(t("kb.suggest.target_entry", id=c.target_id, title=c.target_title, score=c.score))
        elif c.kind == "clause":
            print(t("kb.suggest.target_clause", citation=c.target_title, score=c.score))
        else:
            print(t("kb.suggest.target_none"))
    return exitcodes.OK


def _accept(cluster: Cluster, matcher: Matcher, directory: Path) -> int:
    if cluster.kind == "entry":
        return _add_alternate(cluster, matcher, directory)
    return _draft_entry(cluster, matcher, directory)


def _add_alternate(cluster: Cluster, matcher: Matcher, directory: Path) -> int:
    """Insert the representative question under the entry's alternates, keeping the file's layout."""
    entry = matcher.kb.get(cluster.target_id)
    assert entry is not None
    path = directory / "entries" / Path(entry.file).name
    data, node = load_with_lines(path)
    index = next(i for i, e in enumerate(data["entries"]) if e.get("id") == entry.id)
    seq = _node_at(node, "entries", index, "questions")
    last = seq.value[-1]
    lines = path.read_text(encoding="utf-8").split("\n")
    item_line = lines[last.start_mark.line]
    indent = item_line[: len(item_line) - len(item_line.lstrip())]
    question = cluster.representative
    lines.insert(last.end_mark.line + (0 if last.end_mark.column == 0 else 1),
                 f"{indent}- {json.dumps(question, ensure_ascii=False)}")
    problems = _write_checked(directory, path, "\n".join(lines))
    if problems:
        print(t("kb.suggest.lint_failed"), file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return exitcodes.FINDINGS
    print(t("kb.suggest.accepted_alt", question=question, id=entry.id, path=path))
    return exitcodes.OK


def _node_at(node: yaml.Node | None, *path: str | int) -> yaml.SequenceNode:
    current = node
    for key in path:
        if isinstance(current, yaml.MappingNode):
            current = next(v for k, v in current.value if getattr(k, "value", None) == key)
        elif isinstance(current, yaml.SequenceNode) and isinstance(key, int):
            current = current.value[key]
    assert isinstance(current, yaml.SequenceNode)
    return current


def _write_checked(directory: Path, path: Path, text: str) -> list[object]:
    """Validate the edited file in a scratch copy of the knowledge directory, then replace it."""
    with tempfile.TemporaryDirectory(prefix="libao-accept-") as scratch:
        trial = Path(scratch) / directory.name
        shutil.copytree(directory, trial, ignore=shutil.ignore_patterns(".*"))
        (trial / path.relative_to(directory)).write_text(text, encoding="utf-8")
        try:
            load_knowledge(trial)
        except DataError as exc:
            return list(exc.problems)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".accept-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
    return []


def _draft_entry(cluster: Cluster, matcher: Matcher, directory: Path) -> int:
    """A new entry drafted from the cluster (and its clause, quoted verbatim) in drafts/."""
    path = directory / DRAFTS
    existing: list[dict[str, object]] = []
    if path.exists():
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        existing = list(loaded.get("entries") or [])
    draft_id = f"draft.inbox_{len(existing) + 1}"
    draft: dict[str, object] = {"id": draft_id, "title": cluster.representative, "answer": "",
                                "questions": cluster.questions[:10], "keywords": [], "sources": [],
                                "tags": []}
    fallback = matcher.fallback
    clause = (fallback.matcher.kb.get(cluster.target_id)
              if cluster.kind == "clause" and isinstance(fallback, ClauseAnswerer) else None)
    if clause is not None:
        draft["answer"] = clause.answer
        draft["sources"] = [{"doc": s.doc, "clause": s.clause, "file": s.file} for s in clause.sources]
    existing.append(draft)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(yaml.safe_dump({"entries": existing}, allow_unicode=True, sort_keys=False, width=1000))
    os.replace(tmp, path)
    print(t("kb.suggest.accepted_draft", id=draft_id, path=path))
    return exitcodes.OK
