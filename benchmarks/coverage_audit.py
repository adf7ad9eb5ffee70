"""Coverage audit: which clauses of the source documents the knowledge base states, and which key terms it lacks.

Run:  .venv/bin/python benchmarks/coverage_audit.py [SOURCE ...] [--missing] [--json] [--knowledge DIR]
      (SOURCE defaults to ../shared/sources/*.txt)

Each source is split into clauses by the `kb import` splitter (bot/core/rulebook/split.py). For every
clause the audit lists
- the entries that cite it: an entry source with the same file stem, a matching document title and
  the clause's numbering markers in its clause text;
- the clause's key terms, as written in the document: numbers with a unit (三声, 一分钟, 17秒, 1米),
  quoted phrases (“请您稍候”, 「」, ‘’) and the items of forbidden-phrase (禁语/忌语) lists;
- which of those terms appear in no entry's title + answer (after NFKC and without whitespace, the
  way the evaluation compares an answer with its expected strings).
- how much of the clause one answer says: the share of its adjacent-character pairs found in the
  closest entry's title + answer (>= 0.5 counts as stated; a wording-free proxy, headings score low).
Printed: per-document and total figures (clauses cited, stated, terms covered); `--missing` adds every
clause with a term no answer contains or that no answer states. Nothing is written.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz  # noqa: E402

from bot.core.ask.knowledge import Entry, load_knowledge  # noqa: E402
from bot.core.rulebook.split import Clause, split_text  # noqa: E402

DEFAULT_SOURCES = ROOT.parent / "shared" / "sources"

_NUM = r"(?:\d+(?:[.．]\d+)?|[零〇一二两三四五六七八九十百千半几]{1,4})"
# Units after which a number is a rule's figure (rings, minutes, metres…), longest first.
_UNITS = ("毫米|个工作日|工作日|个小时|小时|分钟|秒钟|秒|个月|周岁|周|天|日|年|厘米|公分|米|步|声|下|遍|次|度|倍|"
          "层|级|名|人|件|份|%|％|公斤|元|毫米|寸")
_NUMBER_RE = re.compile(rf"{_NUM}\s*(?:{_UNITS})")
_QUOTED_RE = re.compile(r"“([^”“]{1,30})”|「([^」]{1,30})」|‘([^’]{1,30})’|\"([^\"]{1,30})\"")
_FORBIDDEN_HEAD_RE = re.compile(r"禁语|忌语|禁用语|服务忌语|不准说|不得说")
_HEADING_RE = re.compile(r"(?:^\s*|\d+(?:[.．]\d+)+\s*|[①-⑳]\s*)([\u4e00-\u9fff、]{2,10})[:：]")
_ITEM_SPLIT_RE = re.compile(r"[；;。！!？?\n]|[（(]?\d{1,2}[)）、.．]|[①-⑳]")
# Numbers that are only dates, page numbers or counts of the training plan, not rules.
STATED = 0.5  # a clause whose character pairs are half in one answer is stated by it
_NOT_A_RULE_RE = re.compile(r"^(?:\d{4}年|\d+页)")


def fold(text: str) -> str:
    """The evaluation's comparison form: NFKC, no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _body(clause: Clause) -> str:
    label = clause.path[-1].split()[0] if clause.path else ""
    text = clause.text
    return text[len(label):] if label and text.startswith(label) else text


def key_terms(clause: Clause) -> list[str]:
    """The clause's numbers with units, quoted phrases and forbidden-phrase items, in order, once each."""
    body = _body(clause)
    terms: list[str] = []
    for m in _NUMBER_RE.finditer(body):
        term = m.group(0).strip()
        if not _NOT_A_RULE_RE.match(term) and not re.fullmatch(r"[一二三四五六七八九十]+[、.．]", term):
            terms.append(term)
    for m in _QUOTED_RE.finditer(body):
        terms.append(re.sub(r"\s+", "", next(g for g in m.groups() if g)).rstrip("。，,.!！?？；;"))
    if _FORBIDDEN_HEAD_RE.search(" ".join(clause.path) + body[:20]):
        for item in _ITEM_SPLIT_RE.split(body):
            item = item.strip(" \u3000：:，,、“”\"")
            if 2 <= len(item) <= 14 and not _FORBIDDEN_HEAD_RE.search(item):
                terms.append(item)
    for head in _HEADING_RE.finditer(body):  # titled items: 语音亲切：…, 3.5 维护秩序：…
        if not _FORBIDDEN_HEAD_RE.search(head.group(1)):
            terms.append(head.group(1))
    seen: set[str] = set()
    return [t for t in terms if not (t in seen or seen.add(t))]  # type: ignore[func-returns-value]


def _markers(clause: Clause) -> list[str]:
    return [fold(p.split()[0]).strip("()（）、.") for p in clause.path if p != "前言"]


def _same_doc(cited: str, split: str, stem: str) -> bool:
    """The entry's document title names the split document. The splitter names an untitled document
    after its file (004（2）), so any title of that file may be it; titles are cited loosely."""
    a, b = fold(cited), fold(split)
    if b.startswith(stem[:3]):
        return True
    return bool(a) and bool(b) and (a in b or b in a or fuzz.partial_ratio(a, b) >= 70)


def cites(entry: Entry, clause: Clause, stem: str) -> bool:
    """True when one of the entry's sources names this clause: file, document title, numbering markers."""
    markers = _markers(clause)
    for s in entry.sources:
        if not stem.startswith(s.file) or not _same_doc(s.doc, clause.doc, stem):
            continue
        where = fold(s.clause)
        if markers and all(m in where for m in markers[-2:]):
            return True
    return False


@dataclass(slots=True)
class ClauseReport:
    doc: str
    citation: str
    cited_by: list[str]
    terms: list[str]
    missing: list[str] = field(default_factory=list)
    words: int = 0
    unsaid: list[str] = field(default_factory=list)  # the clause's words found in no answer
    support: float = 0.0  # share of the clause's character pairs found in the closest entry's answer
    closest: str = ""


def words(text: str) -> list[str]:
    """The clause's Chinese words of two characters or more (jieba), once each."""
    import jieba  # only the audit needs the full dictionary

    jieba.setLogLevel(60)
    out: list[str] = []
    for w in jieba.cut(fold(text)):
        if len(w) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", w) and w not in out:
            out.append(w)
    return out


def bigrams(text: str) -> set[str]:
    """Pairs of adjacent Chinese characters: a wording-free measure of how much of a clause an answer says."""
    runs = re.findall(r"[\u4e00-\u9fff]+", fold(text))
    return {r[i:i + 2] for r in runs for i in range(len(r) - 1)}


def _closest(body: set[str], answers: list[tuple[str, set[str]]]) -> tuple[float, str]:
    if not body:
        return 1.0, ""
    best = max(answers, key=lambda a: len(body & a[1]))
    return len(body & best[1]) / len(body), best[0]


def audit(sources: list[Path], entries: list[Entry]) -> dict[str, list[ClauseReport]]:
    haystack = "\n".join(fold(e.title + e.answer) for e in entries)
    answers = [(e.id, bigrams(e.title + e.answer)) for e in entries]
    out: dict[str, list[ClauseReport]] = {}
    for path in sources:
        stem = path.stem
        rows = []
        for clause in split_text(path.read_text(encoding="utf-8"), title=stem[:3]):
            terms = key_terms(clause)
            ws = words(_body(clause))
            support, closest = _closest(bigrams(_body(clause)), answers)
            rows.append(ClauseReport(
                doc=clause.doc, citation=clause.citation(),
                cited_by=[e.id for e in entries if cites(e, clause, stem)],
                terms=terms, missing=[t for t in terms if fold(t) not in haystack],
                support=round(support, 2), closest=closest,
                words=len(ws), unsaid=[w for w in ws if w not in haystack]))
        out[path.name] = rows
    return out


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} ({100 * a / b:.1f} %)" if b else "0/0"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sources", nargs="*", type=Path)
    ap.add_argument("--missing", action="store_true", help="list every clause with a term no answer contains")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--knowledge", type=Path, help="knowledge directory (default: the shipped one)")
    args = ap.parse_args()
    sources = args.sources or sorted(DEFAULT_SOURCES.glob("*.txt"))
    report = audit(sources, load_knowledge(args.knowledge).entries)
    if args.json:
        print(json.dumps({k: [asdict(r) for r in v] for k, v in report.items()}, ensure_ascii=False, indent=1))
        return 0
    totals = [0, 0, 0, 0, 0, 0, 0]  # clauses, cited, stated, terms, terms missing, words, words unsaid
    for name, rows in report.items():
        cited = sum(1 for r in rows if r.cited_by)
        stated = sum(1 for r in rows if r.support >= STATED)
        terms = sum(len(r.terms) for r in rows)
        missing = sum(len(r.missing) for r in rows)
        nwords = sum(r.words for r in rows)
        unsaid = sum(len(r.unsaid) for r in rows)
        for i, n in enumerate((len(rows), cited, stated, terms, missing, nwords, unsaid)):
            totals[i] += n
        print(f"{name}: clauses cited {_pct(cited, len(rows))}, stated by one answer {_pct(stated, len(rows))}, "
              f"key terms in an answer {_pct(terms - missing, terms)}, "
              f"words in an answer {_pct(nwords - unsaid, nwords)}")
        if args.missing:
            for r in rows:
                if r.missing or r.support < STATED or r.unsaid:
                    print(f"  {r.citation}  [{', '.join(r.cited_by) or '-'}] support {r.support:.2f} ({r.closest})"
                          + (f"  missing: {' | '.join(r.missing)}" if r.missing else "")
                          + (f"  unsaid: {' '.join(r.unsaid)}" if r.unsaid else ""))
    n, cited, stated, terms, missing, nwords, unsaid = totals
    print(f"total: clauses cited {_pct(cited, n)}, stated by one answer {_pct(stated, n)}, "
          f"key terms in an answer {_pct(terms - missing, terms)}, words in an answer {_pct(nwords - unsaid, nwords)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
