"""Accepting an inbox cluster: an alternate question for its entry, or a drafted entry.

The one place the curation inbox writes the knowledge directory (`kb suggest --accept` and the
admins' buttons in chat). An edited entries file is validated in a scratch copy of the knowledge
directory first and replaced atomically, so a change that `kb lint` would refuse changes nothing.
Drafts go to drafts/, outside entries/: a draft is never served until a person moves it there.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import yaml

from bot.core.ask.knowledge import load_knowledge
from bot.core.ask.matcher import Matcher
from bot.core.rulebook.answer import ClauseAnswerer
from bot.core.rulebook.inbox import Cluster
from bot.core.yamlfile import DataError, Problem, load_with_lines

DRAFTS = "drafts/inbox.yaml"


@dataclass(frozen=True, slots=True)
class Accepted:
    """What accepting did: `kind` "alternate" (question added to entry `id`) or "draft" (entry `id`
    drafted), the file written; or the lint problems that refused it (nothing written)."""

    kind: str
    id: str
    path: Path
    question: str
    problems: tuple[Problem, ...] = field(default=())


def token(cluster: Cluster) -> str:
    """A short stable name of a cluster for a button: its home and representative question."""
    key = f"{cluster.kind}\x1f{cluster.target_id}\x1f{cluster.representative}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


class Inbox(Protocol):
    """Where the inbox's questions are kept (bot.storage.sqlite.ChatStore)."""

    def remove_unanswered(self, questions: list[str]) -> int: ...


def accept(cluster: Cluster, matcher: Matcher, directory: Path, inbox: Inbox | None = None) -> Accepted:
    """Apply `cluster`: an alternate question when it has an entry home, else a draft entry; once
    applied, its questions leave `inbox` (the store they were read from, None for a file)."""
    if cluster.kind == "entry":
        done = _add_alternate(cluster, matcher, directory)
    else:
        done = _draft_entry(cluster, matcher, directory)
    if inbox is not None and not done.problems:
        inbox.remove_unanswered(cluster.questions)
    return done


def _add_alternate(cluster: Cluster, matcher: Matcher, directory: Path) -> Accepted:
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
    return Accepted("alternate", entry.id, path, question, tuple(problems))


def _node_at(node: yaml.Node | None, *path: str | int) -> yaml.SequenceNode:
    current = node
    for key in path:
        if isinstance(current, yaml.MappingNode):
            current = next(v for k, v in current.value if getattr(k, "value", None) == key)
        elif isinstance(current, yaml.SequenceNode) and isinstance(key, int):
            current = current.value[key]
    assert isinstance(current, yaml.SequenceNode)
    return current


def _write_checked(directory: Path, path: Path, text: str) -> list[Problem]:
    """Validate the edited file in a scratch copy of the knowledge directory, then replace it."""
    with tempfile.TemporaryDirectory(prefix="libao-accept-") as scratch:
        trial = Path(scratch) / directory.name
        shutil.copytree(directory, trial, ignore=shutil.ignore_patterns(".*"))
        (trial / path.relative_to(directory)).write_text(text, encoding="utf-8")
        try:
            load_knowledge(trial)
        except DataError as exc:
            return list(exc.problems)
    _replace(path, text)
    return []


def _replace(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".accept-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _draft_entry(cluster: Cluster, matcher: Matcher, directory: Path) -> Accepted:
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
        draft["clauses"] = [clause.title]
    existing.append(draft)
    _replace(path, yaml.safe_dump({"entries": existing}, allow_unicode=True, sort_keys=False, width=1000))
    return Accepted("draft", draft_id, path, cluster.representative)
