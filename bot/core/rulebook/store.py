"""The clause store: one YAML file per imported document under ``knowledge/clauses/``.

A file holds the document's metadata (title, source file name, version, effective date, content
hash) and its clauses in document order, each with its citation path and verbatim text. Files are
written whole and atomically (temporary file + rename), so an import either lands or changes nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.rulebook.split import Clause, cn_to_int
from bot.core.schema import pydantic_problems
from bot.core.yamlfile import DataError, Problem, load_with_lines

CLAUSES_DIR = "clauses"

@dataclass(slots=True)
class StoredDocument:
    """An imported document: metadata and clauses, as kept in the store."""

    title: str
    source: str
    version: str
    effective: str
    sha256: str
    clauses: list[Clause] = field(default_factory=list)
    file: Path | None = None

    def to_yaml(self) -> str:
        data = {
            "document": {"title": self.title, "source": self.source, "version": self.version,
                         "effective": self.effective, "sha256": self.sha256},
            "clauses": [{"doc": c.doc, "path": list(c.path), "text": c.text,
                         **({} if c.numbered else {"numbered": False})}
                        for c in self.clauses],
        }
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def slug(name: str) -> str:
    """A file name for a document: its stem with anything unsafe replaced (CJK kept)."""
    stem = re.sub(r"[^\w\-]+", "_", Path(name).stem, flags=re.UNICODE).strip("_")
    return (stem or "document")[:60]


def store_path(directory: Path, source_name: str) -> Path:
    return directory / CLAUSES_DIR / f"{slug(source_name)}.yaml"


def content_hash(clauses: list[Clause]) -> str:
    h = hashlib.sha256()
    for c in clauses:
        h.update("\x1f".join((c.doc, *c.path, c.text)).encode("utf-8") + b"\x1e")
    return h.hexdigest()[:16]


def load_document(path: Path) -> StoredDocument:
    """One store file, validated (DataError with file:line otherwise)."""
    from pydantic import ValidationError

    from bot.core.rulebook.store_schema import StoreFileModel

    data, node = load_with_lines(path)
    try:
        m = StoreFileModel.model_validate(data)
    except ValidationError as exc:
        raise DataError(pydantic_problems(exc, str(path), node, ())) from None
    d = m.document
    clauses = [Clause(c.doc, tuple(c.path), c.text, (), c.numbered) for c in m.clauses]
    return StoredDocument(d.title, d.source, d.version, d.effective, d.sha256, clauses, path)


def load_store(directory: Path) -> list[StoredDocument]:
    """Every imported document under `directory`/clauses, in file-name order."""
    folder = directory / CLAUSES_DIR
    if not folder.is_dir():
        return []
    docs: list[StoredDocument] = []
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            docs.append(load_document(path))
        except DataError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DataError(problems)
    return docs


def write_document(doc: StoredDocument, path: Path) -> None:
    """Write atomically: the old file stays intact until the new one is complete on disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".import-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(doc.to_yaml())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True, slots=True)
class ClauseDiff:
    """What a new version changes: clauses keyed by document and numbering path."""

    added: tuple[Clause, ...]
    changed: tuple[tuple[Clause, Clause], ...]  # (old, new)
    removed: tuple[Clause, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


def _keyed(clauses: list[Clause]) -> dict[str, Clause]:
    out: dict[str, Clause] = {}
    for c in clauses:
        key = c.key
        n = 1
        while key in out:  # two clauses with the same path (a list restarted under one parent)
            n += 1
            key = f"{c.key}#{n}"
        out[key] = c
    return out


def diff_clauses(old: list[Clause], new: list[Clause]) -> ClauseDiff:
    """Added, changed (same path, other text) and removed clauses, in document order."""
    a, b = _keyed(old), _keyed(new)
    norm = _norm_text
    return ClauseDiff(
        added=tuple(c for k, c in b.items() if k not in a),
        changed=tuple((a[k], c) for k, c in b.items() if k in a and norm(a[k].text) != norm(c.text)),
        removed=tuple(c for k, c in a.items() if k not in b),
    )


def _norm_text(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


_CN_DATE = "[〇零一二三四五六七八九十]"
_DATE = rf"(\d{{4}}|{_CN_DATE}{{4}})\s*年\s*(\d{{1,2}}|{_CN_DATE}{{1,3}})\s*月\s*(\d{{1,2}}|{_CN_DATE}{{1,3}})\s*日"
_EFFECTIVE_RES = (
    re.compile(rf"(?:施行|实施|生效|执行)日期\s*[:：为]?\s*{_DATE}"),
    re.compile(rf"自\s*{_DATE}\s*起\s*(?:施行|实施|生效|执行)"),
    re.compile(rf"{_DATE}\s*(?:起)?\s*(?:施行|实施|生效)"),
)


def _year(text: str) -> int:
    if text.isdigit():
        return int(text)
    return int("".join(str(cn_to_int(ch)) for ch in text))


def detect_effective(text: str) -> str:
    """The effective date the document states (施行日期 / 自…起施行), as YYYY-MM-DD, or ""."""
    for rx in _EFFECTIVE_RES:
        m = rx.search(text)
        if m:
            y, mo, d = _year(m.group(1)), cn_to_int(m.group(2)), cn_to_int(m.group(3))
            if 1949 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31:
                return f"{y:04d}-{mo:02d}-{d:02d}"
    return ""


def next_version(previous: StoredDocument | None) -> str:
    """1, 2, 3… when the user gives none; a non-numeric previous version gets a suffix."""
    if previous is None:
        return "1"
    if previous.version.isdigit():
        return str(int(previous.version) + 1)
    return previous.version + "+1"


def as_yaml_dict(doc: StoredDocument) -> dict[str, Any]:
    """The store file's content as data (used by tests and `kb import --json`)."""
    loaded = yaml.safe_load(doc.to_yaml())
    return loaded if isinstance(loaded, dict) else {}
