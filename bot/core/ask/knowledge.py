"""The knowledge base: curated rules from the source documents, loaded and validated from YAML.

Layout of `knowledge/`:
  entries/*.yaml   one file per topic, ``entries:`` a list of rules (schema: `EntryModel`)
  synonyms.yaml    ``groups:`` a list of ``{canonical: 客户, terms: [顾客, 业主, ...]}``
  out_of_scope.yaml ``topics:`` areas neither rulebook covers (HR, IT, chit-chat): a reject class
  userdict.txt     jieba user dictionary of domain terms (``word [freq] [tag]`` per line)
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot.core.paths import KNOWLEDGE_DIR
from bot.core.schema import Source, cite_all, pydantic_problems, sources_from, validate_file
from bot.core.text.asking import all_frame, asking_part, matter
from bot.core.text.english import EnglishGlossary, fold_question
from bot.core.text.inputs import MAX_QUESTION_CHARS as QUESTION_LIMIT
from bot.core.text.language import ASK_FILE, AskLanguage, load_ask_language, shipped_ask_language
from bot.core.text.normalize import normalize_query
from bot.core.text.segment import MAX_USERDICT_BYTES, MAX_VOCABULARY_BYTES, VOCABULARY_FILE, read_userdict
from bot.core.text.standard import StandardWords
from bot.core.text.synonyms import SynonymGroup
from bot.core.yamlfile import MAX_DATA_FILE_BYTES, DataError, Problem, line_of

DEFAULT_KNOWLEDGE_DIR = KNOWLEDGE_DIR

DOMAINS = ("etiquette", "secrecy")
# Bounds the loader checks before and while reading, and `kb lint` enforces (it runs this loader):
# the shipped base is far below them (largest file 53 kB, longest answer under 300 characters).
MAX_ENTRY_FILES = 500
MAX_ENTRIES_FILE_BYTES = 2_000_000
MAX_ENTRIES = 50_000
MAX_TITLE_CHARS = 100
MAX_ANSWER_CHARS = 3_000
MAX_QUESTION_CHARS = QUESTION_LIMIT
MAX_KEYWORD_CHARS = 40
MAX_LIST_ITEMS = 100
MAX_VECTORS_BYTES = 64_000_000  # knowledge/vectors.npz (4 MB shipped)
MIN_QUESTIONS = 5

@dataclass(frozen=True, slots=True)
class Entry:
    """One rule of the knowledge base, ready for matching and display."""

    id: str
    title: str
    answer: str
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    sources: tuple[Source, ...]
    domain: str
    topic: str
    tags: tuple[str, ...]
    related: tuple[str, ...]
    file: str = ""
    line: int = 0
    clauses: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        return cite_all(self.sources)


@dataclass(frozen=True, slots=True)
class Decoy:
    """A topic outside both rulebooks: when it is the best match, the honest answer is unknown."""

    id: str
    label: str
    questions: tuple[str, ...]


# An asking part that only frames the question is not read on its own (README "How `ask` decides").
FRAME_ASKING_DROPPED = True

# An item of a listed clause (`第六条·4`) is kin of an entry citing the whole list (`第六条`): the list's
# entry states the item among the others, so either answers a question about the item (round 43).
LIST_ITEM_KIN = True
# A citation naming several parts in one string (`第六条、第九条`, `(一)至(七)`, `第六条·4、5`) is kin of
# an entry citing one of them (round 43); False: only `；` separates parts, as before.
CLAUSE_PARTS = True

_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
_NUMBER = r"[一二三四五六七八九十]+|\d+"
# A label that numbers a part: 第六条, (三) or （三）, a bare number (in a range or after `·`).
_LABEL = re.compile(rf"^(?P<pre>第|[(（]|)(?P<n>{_NUMBER})(?P<post>条|[)）]|)$")
_RANGE = re.compile(rf"^(.*?)((?:第|[(（])?(?:{_NUMBER})[条)）]?)至((?:第|[(（])?(?:{_NUMBER})[条)）]?)$")


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)
    return _CN_DIGITS[text] if len(text) == 1 else 0


def _numeral(n: int, like: str) -> str:
    if like.isdigit():
        return str(n)
    tens, units = divmod(n, 10)
    return ("" if tens == 0 else "十" if tens == 1 else "零一二三四五六七八九"[tens] + "十") + \
        ("零一二三四五六七八九"[units] if units or not tens else "")


def _expand(tail: str) -> list[str]:
    """The parts a clause's last step names: a range (`一至八`, `第五条至第八条`, `(一)至(十)`, `3至5`)
    or a list of labels (`第六条、第九条`, `(八)、(十)`, `4、5`); otherwise `tail` itself."""
    m = _RANGE.match(tail)
    if m and not m.group(1).endswith("、"):  # 序言、一至三: a list whose last piece is a range, left whole
        lo, hi = _LABEL.match(m.group(2)), _LABEL.match(m.group(3))
        if lo and hi:
            first, last = _number(lo["n"]), _number(hi["n"])
            if 0 < first < last <= 60:
                return [f"{m.group(1)}{lo['pre']}{_numeral(n, lo['n'])}{lo['post']}" for n in range(first, last + 1)]
    pieces = tail.split("、")
    labels = [_LABEL.match(p) for p in pieces]
    # 一、… is a heading's number, not a list of parts: bare Chinese numbers only in a range
    if len(pieces) > 1 and all(labels) and not all(m and m["pre"] == "" and not m["n"].isdigit() for m in labels):
        return pieces
    return [tail]


def clause_parts(clause: str) -> tuple[set[str], set[str]]:
    """(the parts `clause` names, the wholes of which it names an item): `第六条·4、5；第七条·2` ->
    ({第六条·4, 第六条·5, 第七条·2}, {第六条, 第七条}). Parts are separated by `；`, a range or a list of
    labels names each (`CLAUSE_PARTS`); every step before a `·` is a whole (`LIST_ITEM_KIN`)."""
    parts: set[str] = set()
    wholes: set[str] = set()
    for part in clause.split("；"):
        steps = part.split("·")
        if LIST_ITEM_KIN:
            wholes.update("·".join(steps[:k]) for k in range(1, len(steps)))
        head = "·".join(steps[:-1])
        for tail in (_expand(steps[-1]) if CLAUSE_PARTS else [steps[-1]]):
            parts.add(f"{head}·{tail}" if head else tail)
    return parts, wholes


@dataclass(slots=True)
class KnowledgeBase:
    entries: list[Entry]
    synonyms: list[SynonymGroup] = field(default_factory=list)
    decoys: list[Decoy] = field(default_factory=list)
    userdict: Path | None = None
    directory: Path | None = None
    language: AskLanguage = field(default_factory=shipped_ask_language)
    fillers: frozenset[str] = frozenset()  # voices.yaml: words that say how, not what, is asked
    english: dict[str, str] = field(default_factory=dict)  # voices.yaml: office English -> Chinese
    standard: dict[str, str] = field(default_factory=dict)  # voices.yaml: dialect, formal -> standard
    _by_id: dict[str, Entry] = field(init=False, repr=False)
    _glossary: EnglishGlossary = field(init=False, repr=False)
    _standard: StandardWords = field(init=False, repr=False)
    _kin: list[frozenset[int]] = field(init=False, repr=False)
    _frame: re.Pattern[str] | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {e.id: e for e in self.entries}
        self._frame = self.language.asking.frame_pattern if self.language.asking.frame else None
        # Entries are kin when they cite a part in common, or one cites the whole of which the other
        # cites an item; an entry's own citation string counts as one of its parts.
        citing: dict[tuple[str, str], set[int]] = defaultdict(set)
        item_of: dict[tuple[str, str], set[int]] = defaultdict(set)
        named: list[tuple[set[tuple[str, str]], set[tuple[str, str]]]] = []
        for i, e in enumerate(self.entries):
            mine: set[tuple[str, str]] = set()
            wholes: set[tuple[str, str]] = set()
            for s in e.sources:
                parts, heads = clause_parts(s.clause)
                mine.update((s.doc, p) for p in (*parts, s.clause))
                wholes.update((s.doc, h) for h in heads)
            named.append((mine, wholes))
            for key in mine:
                citing[key].add(i)
            for key in wholes:
                item_of[key].add(i)
        self._kin = [frozenset({j for key in mine for j in (*citing[key], *item_of.get(key, ()))}
                               | {j for key in wholes for j in citing.get(key, ())}) - {i}
                     for i, (mine, wholes) in enumerate(named)]
        self._glossary = EnglishGlossary(self.english, (f for f in self.fillers if f.isascii()))
        self._standard = StandardWords(self.standard)

    def fold(self, text: str) -> str:
        """`text` as both signals read it: office English in Chinese, then folded (`fold_question`),
        regional and formal words read as standard Mandarin (bot/core/text/standard.py)."""
        return self._standard(fold_question(text, self._glossary))

    def asking_part(self, text: str) -> str:
        """The sentences of a long message that ask, as written ('' when that is all of it):
        bot/core/text/asking.py, with the asking words of knowledge/language.yaml."""
        part = asking_part(text, self.language.asking, self.fold) if self.language.asking else ""
        # A story's closing "规范里这种情况是怎么要求的？" names no subject: the story is what it asks
        # about, read whole and without its frame clauses (`matter`).
        return "" if part and FRAME_ASKING_DROPPED and all_frame(part, self._frame, self.fold) else part

    def matter(self, text: str) -> str:
        """`text` without the clauses that only frame it ("这算违规吗", "规范里是怎么要求的"), as
        written ('' when none does, or little remains): bot/core/text/asking.py, with the frame words
        of knowledge/language.yaml."""
        return matter(text, self._frame, self.fold)

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    def one_rule(self, first: int, second: int) -> bool:
        """Entries `first` and `second` (indices) point to each other (`related` both ways) and cite a
        clause in common: parts of one rule, so a reply can carry both and neither is the other's rival.
        Two-way links between entries of different clauses are neighbours (handing over vs receiving a
        business card), not one rule: answering with the one when the other was asked is wrong."""
        a, b = self.entries[first], self.entries[second]
        return a.id in b.related and b.id in a.related and second in self._kin[first]

    def kin(self, entry: int) -> frozenset[int]:
        """The other entries (indices) citing a clause `entry` cites: parts or readings of its rule; and
        (`LIST_ITEM_KIN`) those citing the whole list of which `entry` cites an item, or an item of a
        list `entry` cites whole. Two items of one list are not kin through the list."""
        return self._kin[entry]

    def __len__(self) -> int:
        return len(self.entries)


def _load_entries_file(path: Path, rel: str) -> tuple[list[Entry], list[Problem]]:
    from pydantic import ValidationError

    from bot.core.ask.knowledge_schema import EntryModel, FileModel

    fm, node, broken = validate_file(path, FileModel, name=rel, max_bytes=MAX_ENTRIES_FILE_BYTES, what="entry")
    if fm is None:
        return [], broken
    entries: list[Entry] = []
    problems: list[Problem] = []
    for i, raw in enumerate(fm.entries):
        try:
            m = EntryModel.model_validate(raw)
        except ValidationError as exc:
            problems.extend(pydantic_problems(exc, rel, node, ("entries", i), what="entry"))
            continue
        line = line_of(node, "entries", i)
        if m.tags[0] not in DOMAINS:
            problems.append(Problem(rel, line_of(node, "entries", i, "tags"),
                                    f"{m.id}: first tag must be one of {', '.join(DOMAINS)}, got {m.tags[0]!r}"))
            continue
        entries.append(Entry(
            id=m.id, title=m.title, answer=tidy_answer(m.answer), questions=tuple(m.questions),
            keywords=tuple(m.keywords), sources=sources_from(m.sources),
            domain=m.tags[0], topic=m.tags[1], tags=tuple(m.tags), related=tuple(m.related),
            file=rel, line=line, clauses=tuple(m.clauses),
        ))
    return entries, problems


def _load_synonyms(path: Path, rel: str) -> tuple[list[SynonymGroup], list[Problem]]:
    from bot.core.ask.knowledge_schema import SynonymFileModel

    if not path.exists():
        return [], []
    sm, node, broken = validate_file(path, SynonymFileModel, name=rel, what="entry")
    if sm is None:
        return [], broken
    groups = [SynonymGroup(g.canonical, tuple(g.terms)) for g in sm.groups]
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for i, g in enumerate(groups):
        for t in (g.canonical, *g.terms):
            if t in seen and seen[t] != g.canonical:
                problems.append(Problem(rel, line_of(node, "groups", i),
                                        f"term {t!r} is in two synonym groups ({seen[t]}, {g.canonical})"))
            seen[t] = g.canonical
    return groups, problems


def _load_decoys(path: Path, rel: str) -> tuple[list[Decoy], list[Problem]]:
    from bot.core.ask.knowledge_schema import DecoyFileModel

    if not path.exists():
        return [], []
    dm, _, broken = validate_file(path, DecoyFileModel, name=rel, what="entry")
    if dm is None:
        return [], broken
    return [Decoy(d.id, d.label, tuple(d.questions)) for d in dm.topics], []


def _cross_checks(entries: list[Entry]) -> list[Problem]:
    problems: list[Problem] = []
    by_id: dict[str, Entry] = {}
    for e in entries:
        if e.id in by_id:
            first = by_id[e.id]
            problems.append(Problem(e.file, e.line, f"duplicate id {e.id!r} (first at {first.file}:{first.line})"))
        else:
            by_id[e.id] = e
    owners: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        for q in {normalize_query(q) for q in e.questions}:
            owners[q].append(e)
        if not any(s.doc and s.clause for s in e.sources):
            problems.append(Problem(e.file, e.line, f"{e.id}: entry without a source"))
    for q, es in owners.items():
        ids = sorted({e.id for e in es})
        if len(ids) > 1:
            e = es[-1]
            message = f"alternate question {q!r} collides between entries {', '.join(ids)}"
            problems.append(Problem(e.file, e.line, message))
    for e in entries:
        for r in e.related:
            if r not in by_id:
                problems.append(Problem(e.file, e.line, f"{e.id}: related id {r!r} does not exist"))
            elif r == e.id:
                problems.append(Problem(e.file, e.line, f"{e.id}: related to itself"))
    return problems


_ENTRY_FILE = re.compile(r".+\.ya?ml$")
# YAML folded blocks join lines with a space; between Chinese characters that space is noise.
_CJK = "[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’—]"
_CJK_GAP = re.compile(rf"(?<={_CJK})\s+(?={_CJK})")


def tidy_answer(text: str) -> str:
    """Strip the answer and remove line-folding spaces between Chinese characters."""
    return _CJK_GAP.sub("", text.strip())


def _entry_files(entries_dir: Path) -> list[Path]:
    """The candidate entry files, listed without following anything (bounded count)."""
    try:
        if not stat.S_ISDIR(entries_dir.stat().st_mode):
            return []
        names = []
        with os.scandir(entries_dir) as it:
            for item in it:
                if _ENTRY_FILE.match(item.name):
                    names.append(entries_dir / item.name)
                    if len(names) > MAX_ENTRY_FILES:
                        break
    except OSError:
        return []
    return sorted(names)


def _file_problem(path: Path, rel: str, max_bytes: int) -> Problem | None:
    """Why `path` cannot be a data file (type, size, link loop), checked with stat before any read."""
    try:
        info = path.stat()
    except OSError as exc:
        reason = "symbolic link loop" if exc.errno == errno.ELOOP else exc.strerror
        return Problem(rel, 0, f"cannot read file: {reason}")
    if not stat.S_ISREG(info.st_mode):
        return Problem(rel, 0, "not a regular file (device, FIFO, socket or directory)")
    if info.st_size > max_bytes:
        return Problem(rel, 0, f"file too large: {info.st_size:,} bytes (limit {max_bytes:,})")
    return None


def knowledge_files(directory: Path | None = None) -> list[Path]:
    """Every file the knowledge base consists of, after the loader's type and size checks.

    Cheap (stat only): a cached index is only valid for a directory that passes these checks, so
    a warm cache cannot hide a FIFO, a device, a link loop or an oversized file.
    Raises DataError listing every problem.
    """
    directory = Path(directory or DEFAULT_KNOWLEDGE_DIR)
    entries_dir = directory / "entries"
    files = _entry_files(entries_dir)
    clauses = _entry_files(directory / "clauses")  # an imported rulebook (bot/core/rulebook)
    if not files and not clauses and not (directory / "clauses").is_dir():  # a rulebook alone is a knowledge base
        raise DataError([Problem(str(entries_dir), 0, "no knowledge files (*.yaml) found")])
    if len(files) > MAX_ENTRY_FILES:
        raise DataError([Problem(str(entries_dir), 0, f"too many knowledge files (limit {MAX_ENTRY_FILES})")])
    problems: list[Problem] = []
    out: list[Path] = []
    names = ("synonyms.yaml", "out_of_scope.yaml", "voices.yaml", ASK_FILE)
    extra = [(directory / n, MAX_DATA_FILE_BYTES) for n in names]
    extra.append((directory / "userdict.txt", MAX_USERDICT_BYTES))
    extra.append((directory / VOCABULARY_FILE, MAX_VOCABULARY_BYTES))  # derived by `kb build`
    extra.append((directory / "vectors.npz", MAX_VECTORS_BYTES))  # the semantic signal's shipped vectors
    extra += [(c, MAX_DATA_FILE_BYTES) for c in clauses]
    extra.append((directory / "clauses" / "vectors.npz", MAX_VECTORS_BYTES))
    for path, limit in [*((f, MAX_ENTRIES_FILE_BYTES) for f in files), *extra]:
        if path not in files and path not in clauses and not os.path.lexists(path):
            continue  # optional files
        problem = _file_problem(path, _rel(directory, path), limit)
        if problem:
            problems.append(problem)
        else:
            out.append(path)
    if problems:
        raise DataError(problems)
    return out


def _rel(directory: Path, path: Path) -> str:
    return str(path.relative_to(directory.parent)) if directory.parent in path.parents else str(path)


def _bound_problems(entries: list[Entry]) -> list[Problem]:
    """Length limits of the fields (the matcher's work and a reply's size grow with them)."""
    problems = []
    for e in entries:
        for what, values, limit in (("title", [e.title], MAX_TITLE_CHARS), ("answer", [e.answer], MAX_ANSWER_CHARS),
                                    ("question", e.questions, MAX_QUESTION_CHARS),
                                    ("keyword", e.keywords, MAX_KEYWORD_CHARS)):
            longest = max((len(v) for v in values), default=0)
            if longest > limit:
                problems.append(Problem(e.file, e.line, f"{e.id}: {what} too long: {longest:,} characters "
                                                        f"(limit {limit:,})"))
        if len(e.questions) > MAX_LIST_ITEMS or len(e.keywords) > MAX_LIST_ITEMS:
            problems.append(Problem(e.file, e.line, f"{e.id}: more than {MAX_LIST_ITEMS} questions or keywords"))
    if len(entries) > MAX_ENTRIES:
        problems.append(Problem(entries[-1].file, 0, f"too many entries: {len(entries):,} (limit {MAX_ENTRIES:,})"))
    return problems


def load_knowledge(directory: Path | None = None) -> KnowledgeBase:
    """Load and validate the knowledge base; raise DataError listing every problem found."""
    directory = Path(directory or DEFAULT_KNOWLEDGE_DIR)
    found = knowledge_files(directory)
    files = [p for p in found if p.parent == directory / "entries"]
    entries: list[Entry] = []
    problems: list[Problem] = []
    userdict = directory / "userdict.txt"
    if userdict in found:
        try:
            read_userdict(userdict, name=_rel(directory, userdict))
        except DataError as exc:
            problems.extend(exc.problems)
    for path in files:
        rel = str(path.relative_to(directory.parent)) if directory.parent in path.parents else str(path)
        try:
            es, ps = _load_entries_file(path, rel)
        except DataError as exc:
            problems.extend(exc.problems)
            continue
        entries.extend(es)
        problems.extend(ps)
    try:
        synonyms, ps = _load_synonyms(directory / "synonyms.yaml", directory.name + "/synonyms.yaml")
        problems.extend(ps)
    except DataError as exc:
        synonyms = []
        problems.extend(exc.problems)
    try:
        decoys, ps = _load_decoys(directory / "out_of_scope.yaml", directory.name + "/out_of_scope.yaml")
        problems.extend(ps)
    except DataError as exc:
        decoys = []
        problems.extend(exc.problems)
    try:
        fillers, english, standard = _load_voices(directory / "voices.yaml", directory.name + "/voices.yaml")
    except DataError as exc:
        fillers, english, standard = frozenset(), {}, {}
        problems.extend(exc.problems)
    language = shipped_ask_language()
    if (directory / ASK_FILE).exists():
        try:
            language = load_ask_language(directory)
        except DataError as exc:
            problems.extend(exc.problems)
    problems.extend(_cross_checks(entries))
    problems.extend(_bound_problems(entries))
    if problems:
        raise DataError(problems)
    return KnowledgeBase(entries, synonyms, decoys, userdict if userdict.exists() else None, directory, language,
                         fillers, english, standard)


Voices = tuple[frozenset[str], dict[str, str], dict[str, str]]


def _load_voices(path: Path, rel: str) -> Voices:
    """Filler words (folded), the English -> Chinese map (lower case) and the regional/formal ->
    standard map of voices.yaml."""
    from bot.core.ask.knowledge_schema import VoicesModel

    if not path.exists():
        return frozenset(), {}, {}
    vm, _, broken = validate_file(path, VoicesModel, name=rel, what="item")
    if vm is None:
        raise DataError(broken)
    fillers = frozenset(normalize_query(w) for group in vm.fillers for w in group)
    return fillers, {k.strip().lower(): v for k, v in vm.english.items()}, dict(vm.standard)


@lru_cache(maxsize=1)
def shipped_voices() -> Voices:
    """The shipped knowledge/voices.yaml's fillers, English and standard maps (loaded once per process)."""
    return _load_voices(KNOWLEDGE_DIR / "voices.yaml", "knowledge/voices.yaml")
