"""`kb import` of a rulebook document: read, split, compare with the stored version, write.

Nothing is written until the whole file has been read and split; the store file is replaced
atomically, so a refused or interrupted import leaves the knowledge directory as it was.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from bot.core.rulebook.readers import ReadDocument, Refused, read_document
from bot.core.rulebook.split import split_lines
from bot.core.rulebook.store import (
    ClauseDiff,
    StoredDocument,
    detect_effective,
    diff_clauses,
    load_document,
    next_version,
    store_path,
    write_document,
)
from bot.core.yamlfile import DataError


@dataclass(slots=True)
class ImportPlan:
    """A document ready to be stored, with what it changes against the stored version."""

    document: StoredDocument
    previous: StoredDocument | None
    diff: ClauseDiff
    target: Path

    @property
    def unchanged(self) -> bool:
        return self.previous is not None and self.diff.empty


def _title(read: ReadDocument, path: Path) -> str:
    if read.title:
        return read.title
    for line in read.lines:
        s = line.strip()
        if s and len(s) <= 40 and not any(c in s for c in ":：›>|"):  # not a breadcrumb or metadata line
            return s
    return path.stem


def plan_import(path: Path, directory: Path, *, read: ReadDocument | None = None,
                version: str | None = None, effective: str | None = None) -> ImportPlan:
    """Read and split `path`; raises Refused for bad files (nothing is written)."""
    read = read or read_document(path)
    title = _title(read, path)
    clauses = split_lines(read.lines, title=title)
    if not clauses:
        raise Refused("kb.import.no_clauses", name=path.name)
    target = store_path(directory, path.name)
    previous = None
    if target.exists():
        try:
            previous = load_document(target)
        except DataError:
            previous = None  # a damaged store file is replaced whole by the new import
    text = "\n".join(read.lines)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    diff = diff_clauses(previous.clauses if previous else [], clauses)
    if version is None:
        version = previous.version if previous is not None and diff.empty else next_version(previous)
    doc = StoredDocument(
        title=title, source=path.name, version=version,
        effective=effective if effective is not None else detect_effective(text),
        sha256=digest, clauses=clauses, file=target,
    )
    return ImportPlan(doc, previous, diff, target)


def apply_import(plan: ImportPlan) -> None:
    write_document(plan.document, plan.target)
