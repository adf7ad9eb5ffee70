"""The entries spreadsheet: `kb export --xlsx` and the `kb import` of an edited copy.

One row per entry: id, file, title, answer, keywords, sources, tags, related, then the alternate
questions one per cell. Multi-valued cells (keywords, tags, related) hold one value per line;
sources one ``doc | clause | file`` per line. Import compares the sheet with the knowledge files
field by field, writes the changed files into a scratch copy of the knowledge directory, runs the
same validation as `kb lint` there, and only then replaces the real files: an edit that breaks
the knowledge base is refused whole.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.ask.knowledge import Entry, load_knowledge
from bot.core.phrases.messages import t
from bot.core.yamlfile import DataError, Problem

BASE_HEADER = ("id", "file", "title", "answer", "keywords", "sources", "tags", "related")
HEADER = (*BASE_HEADER, "clauses")  # sheets written before the clauses column still import
QUESTION_HEADER = "question"
FIELDS = ("title", "answer", "questions", "keywords", "sources", "tags", "related", "clauses")


def is_entries_sheet(rows: list[list[str]]) -> bool:
    """True when the first row is the entries sheet's header (otherwise the .xlsx is a rulebook)."""
    return bool(rows) and tuple(c.strip() for c in rows[0][: len(BASE_HEADER)]) == BASE_HEADER


def _entry_record(e: Entry) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": e.id, "title": e.title, "answer": e.answer, "questions": list(e.questions),
        "keywords": list(e.keywords),
        "sources": [{"doc": s.doc, "clause": s.clause, "file": s.file} for s in e.sources],
        "tags": list(e.tags),
    }
    if e.related:
        record["related"] = list(e.related)
    if e.clauses:
        record["clauses"] = list(e.clauses)
    return record


def export_sheet(entries: list[Entry], path: Path) -> None:
    """Write the entries to `path` (.xlsx), one row each."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "entries"
    width = max((len(e.questions) for e in entries), default=0)
    ws.append([*HEADER, *(f"{QUESTION_HEADER}{i}" for i in range(1, width + 1))])
    for e in entries:
        sources = "\n".join(f"{s.doc} | {s.clause} | {s.file}" for s in e.sources)
        ws.append([e.id, Path(e.file).name, e.title, e.answer, "\n".join(e.keywords), sources,
                   "\n".join(e.tags), "\n".join(e.related), "\n".join(e.clauses), *e.questions])
    ws.freeze_panes = "C2"
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", suffix=".xlsx.tmp")
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _lines(cell: str) -> list[str]:
    return [x.strip() for x in cell.replace("\r", "\n").split("\n") if x.strip()]


def parse_rows(rows: list[list[str]], name: str) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """(file name, entry record) per data row, and problems with their row numbers."""
    out: list[tuple[str, dict[str, Any]]] = []
    problems: list[str] = []
    header = HEADER if tuple(c.strip() for c in rows[0][: len(HEADER)]) == HEADER else BASE_HEADER
    for number, row in enumerate(rows[1:], start=2):
        cells = [*row, *[""] * (len(header) - len(row))]
        if not any(c.strip() for c in cells):
            continue
        rid, file, title, answer, keywords, sources, tags, related = (c.strip() for c in cells[: len(BASE_HEADER)])
        clauses = cells[len(BASE_HEADER)].strip() if header is HEADER else ""
        if not rid or not file:
            problems.append(t("kb.sheet.bad_row", name=name, row=number, problem="id / file"))
            continue
        srcs = []
        for line in _lines(sources):
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 3:
                problems.append(t("kb.sheet.bad_row", name=name, row=number, problem=f"sources: {line}"))
                continue
            srcs.append({"doc": parts[0], "clause": parts[1], "file": parts[2]})
        record: dict[str, Any] = {
            "id": rid, "title": title, "answer": answer.strip(),
            "questions": [q.strip() for q in cells[len(header):] if q.strip()],
            "keywords": _lines(keywords), "sources": srcs, "tags": _lines(tags),
        }
        if _lines(related):
            record["related"] = _lines(related)
        if _lines(clauses):
            record["clauses"] = _lines(clauses)
        out.append((Path(file).name, record))
    return out, problems


@dataclass(slots=True)
class SheetPlan:
    """What an edited sheet changes: new content per entries file, and a readable diff."""

    count: int = 0
    files: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # file name -> entries, in order
    lines: list[str] = field(default_factory=list)
    added: int = 0
    changed: int = 0
    removed: int = 0
    problems: list[str] = field(default_factory=list)


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else yaml.safe_dump(value, allow_unicode=True,
                                                               default_flow_style=True).strip()
    flat = " ".join(text.split())
    return flat if len(flat) <= 40 else flat[:39] + "…"


def plan_sheet(rows: list[list[str]], directory: Path, *, name: str) -> SheetPlan:
    """Compare the sheet with the knowledge files; nothing is written here."""
    plan = SheetPlan()
    parsed, plan.problems = parse_rows(rows, name)
    if plan.problems:
        return plan
    kb = load_knowledge(directory)
    current = {e.id: (Path(e.file).name, _entry_record(e)) for e in kb.entries}
    seen: set[str] = set()
    touched: set[str] = set()
    for file, record in parsed:
        rid = record["id"]
        seen.add(rid)
        plan.files.setdefault(file, []).append(record)
        old = current.get(rid)
        if old is None:
            plan.added += 1
            touched.add(file)
            plan.lines.append(t("kb.sheet.added", id=rid, title=record["title"]))
            continue
        old_file, old_record = old
        diffs = [f for f in FIELDS if old_record.get(f, []) != record.get(f, [])]
        if old_file != file:
            diffs.append("file")
            touched.add(old_file)
        if diffs:
            plan.changed += 1
            touched.add(file)
            for f in diffs:
                before = old_file if f == "file" else old_record.get(f, [])
                after = file if f == "file" else record.get(f, [])
                if f in ("questions", "keywords", "tags", "related", "clauses") and isinstance(before, list):
                    # exactly the edits: the values taken out and put in
                    gone = [x for x in before if x not in after]
                    new = [x for x in after if x not in before]
                    before, after = "；".join(gone) or "—", "；".join(new) or "—"
                plan.lines.append(t("kb.sheet.changed", id=rid, field=f, old=_short(before), new=_short(after)))
    for rid, (old_file, old_record) in current.items():
        if rid not in seen:
            plan.removed += 1
            touched.add(old_file)
            plan.lines.append(t("kb.sheet.removed", id=rid, title=old_record["title"]))
    # Order within a file changes nothing by itself; a touched file is rewritten whole.
    for file in list(plan.files):
        if file not in touched:
            del plan.files[file]
    for file in touched:
        plan.files.setdefault(file, [])
    plan.count = len(parsed)
    return plan


def _dump(entries: list[dict[str, Any]]) -> str:
    return yaml.safe_dump({"entries": entries}, allow_unicode=True, sort_keys=False, width=1000)


def apply_sheet(plan: SheetPlan, directory: Path) -> list[Problem]:
    """Validate the edited files in a scratch copy (what `kb lint` checks of the knowledge), then
    replace the real ones; [] on success."""
    entries_dir = directory / "entries"
    with tempfile.TemporaryDirectory(prefix="libao-sheet-") as scratch:
        trial = Path(scratch) / directory.name
        shutil.copytree(directory, trial, ignore=shutil.ignore_patterns(".*"))
        for file, entries in plan.files.items():
            target = trial / "entries" / file
            if entries:
                target.write_text(_dump(entries), encoding="utf-8")
            else:
                target.unlink(missing_ok=True)
        try:
            load_knowledge(trial)
        except DataError as exc:
            return exc.problems
        staged: list[tuple[Path, Path | None]] = []
        for file, entries in plan.files.items():
            if entries:
                fd, staged_name = tempfile.mkstemp(dir=entries_dir, prefix=".sheet-", suffix=".tmp")
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(_dump(entries))
                staged.append((entries_dir / file, Path(staged_name)))
            else:
                staged.append((entries_dir / file, None))
        for target, ready in staged:  # every file is complete on disk before the first rename
            if ready is None:
                target.unlink(missing_ok=True)
            else:
                os.replace(ready, target)
    return []
