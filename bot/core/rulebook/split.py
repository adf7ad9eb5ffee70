"""Split a regulation's text into clauses following Chinese legal numbering.

Recognised markers (full-width and half-width alike, inline or at line starts):
  第X章 / 第X节 (chapters, sections), 第X条 (articles), 一、 (Chinese ordinal items), （一） (bracketed
  ordinals), 1. / 1、 (Arabic items), 2.1 (decimal items), （1） (bracketed Arabic), ① (circled),
  A. (Latin letters).
Chapters and articles have a fixed rank; the other styles nest in the order a document first uses
them, which is how drafters use them (一、 → （一） → 1. → （1） → ① in most rulebooks, but
1. → （1） in others). A marker is only taken when its number continues the sequence of its level
(or starts a new list at 1): "依照第五条" in running text is not a new article.

A source may hold several documents one after another (a web page of rulebooks): a short title
line, or numbering that restarts at 第一章 / 第一条 / 一、, starts a new document.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUM = "零〇一二两三四五六七八九十百千"

# Characters after which a marker may begin a clause in flattened text.
_BOUNDARY = set("。；;：:！!？?）)」』”\"'，,、 \t\u3000") | {"\n"}
_SENTENCE_END = "。；;！!？?"

_LOOKAHEAD_NOT_REF = r"(?![款项规之的所中至和或及、])"
_MARKER_RE = re.compile(
    rf"(?P<chapter>第(?P<chapter_n>[{CN_NUM}\d]{{1,4}})(?P<chapter_kind>[编章节])){_LOOKAHEAD_NOT_REF}"
    rf"|(?P<article>第(?P<article_n>[{CN_NUM}\d]{{1,5}})条){_LOOKAHEAD_NOT_REF}"
    rf"|(?P<cn>(?P<cn_n>[{CN_NUM}]{{1,3}})[、．.](?![\d{CN_NUM}]))"
    rf"|(?P<pcn>[（(](?P<pcn_n>[{CN_NUM}]{{1,3}})[）)])"
    r"|(?P<dec>(?P<dec_n>\d{1,2}(?:[.．]\d{1,2}){1,3})(?![\d%％]))"
    r"|(?P<ar>(?P<ar_n>\d{1,2})(?:[、．]|\.(?!\d))(?![\d%％]))"
    r"|(?P<par>[（(](?P<par_n>\d{1,2})[）)])"
    r"|(?P<circ>(?P<circ_n>[①-⑳]))"
    r"|(?P<lat>(?P<lat_n>[A-H])[.．、](?![A-Za-z\d]))"
    r"|(?P<bul>[?？•●◆◇■□▪★☆√·](?=[\u4e00-\u9fff“\"]))"
)

# Titles glued to the text that follows them, e.g. 客户服务工作人员道德行为规范作为客户服务工作人员…
_TITLE_SUFFIX = r"(?:规范|制度|办法|守则|规定|细则|标准|条例|准则|须知|章程|规程|要求|公约|指引|手册)"
_TITLE_BRACKET = r"(?:[（(](?![一二三四五六七八九十\d]{1,3}[）)])[^）)]{1,6}[）)])?"
_GLUED_TITLE_RE = re.compile(rf"^([^\s。；;：:，,!！?？“”\"《》、]{{4,38}}{_TITLE_SUFFIX}{_TITLE_BRACKET})")
# A name followed by one of these is the subject of a sentence (…管理办法，由…制定; …规定的，可以…),
# not the title of a new document glued to its text.
_SUBJECT_FOLLOWS = set("，,的之、：:；;。")
_NOT_IN_TITLE = re.compile(
    r"应|须|要|得|遵守|按照|根据|依据|依照|执行|适用|本规范|本制度|本办法|以下|第[一二三四五六七八九十百\d]+[条章款]")


def cn_to_int(text: str) -> int:
    """一 -> 1, 十二 -> 12, 二十 -> 20, 一百零五 -> 105; Arabic digits pass through."""
    text = unicodedata.normalize("NFKC", text)
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            total += (current or 1) * CN_UNITS[ch]
            current = 0
    return total + current


@dataclass(frozen=True, slots=True)
class Marker:
    """One numbering marker found in the text."""

    style: str  # chapter, section, article, cn, pcn, dec1..dec3, ar, par, circ, lat
    number: int
    label: str  # as written, e.g. 第三条, （二）, 1.
    start: int
    end: int
    glued: bool = False  # no punctuation or space before it: only taken when its number is the next one


@dataclass(slots=True)
class Clause:
    """One numbered unit of a document with the path of markers above it."""

    doc: str
    path: tuple[str, ...]  # labels from the outermost level to this clause, e.g. (第一章 总则, 第三条, （二）)
    text: str  # verbatim, marker included
    styles: tuple[str, ...] = ()
    numbered: bool = True

    @property
    def key(self) -> str:
        """Stable identity across versions: the document and the markers of the path."""
        return unicodedata.normalize("NFKC", "|".join((self.doc, *(_label_key(p) for p in self.path))))

    def citation(self) -> str:
        return f"《{self.doc}》" + " ".join(self.path)


@dataclass(slots=True)
class _Level:
    style: str
    number: int
    label: str


@dataclass(slots=True)
class _Part:
    title: str
    clauses: list[Clause] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)  # highest number met per fixed style


_FIXED_RANK = {"volume": 0, "chapter": 1, "section": 2, "article": 3}


def _label_key(label: str) -> str:
    return label.split(" ", 1)[0]


def _match_to_marker(m: re.Match[str]) -> Marker | None:
    kind = m.lastgroup
    groups = m.groupdict()
    if groups["chapter"]:
        style = {"编": "volume", "章": "chapter", "节": "section"}[groups["chapter_kind"]]
        return Marker(style, cn_to_int(groups["chapter_n"]), groups["chapter"], m.start(), m.end())
    if groups["article"]:
        return Marker("article", cn_to_int(groups["article_n"]), groups["article"], m.start(), m.end())
    if groups["bul"]:
        return Marker("bul", 0, "", m.start(), m.end())  # numbered by position when placed
    for name in ("cn", "pcn", "ar", "par", "circ", "lat"):
        if groups[name]:
            raw = groups[f"{name}_n"]
            if name == "circ":
                number = ord(raw) - ord("①") + 1
            elif name == "lat":
                number = ord(raw) - ord("A") + 1
            else:
                number = cn_to_int(raw)
            return Marker(name, number, groups[name], m.start(), m.end())
    if groups["dec"]:
        parts = re.split(r"[.．]", groups["dec_n"])
        return Marker(f"dec{len(parts) - 1}", int(parts[-1]), groups["dec"], m.start(), m.end())
    del kind
    return None


def find_markers(line: str) -> list[Marker]:
    """Candidate markers of one line, each at a clause boundary."""
    out = []
    for m in _MARKER_RE.finditer(line):
        marker = _match_to_marker(m)
        if marker is None or (marker.number <= 0 and marker.style != "bul"):
            continue
        glued = m.start() > 0 and line[m.start() - 1] not in _BOUNDARY
        if marker.style == "bul" and m.start() > 0 and not line[m.start() - 1].isspace():
            continue  # a question mark ending a sentence, not a bullet
        # Glued to a heading (岗位职责1. 负责…, 基本要求(2)服务禁语) only where the form is unambiguous.
        glued_ok = (marker.style == "ar" and m.end() < len(line) and line[m.end()].isspace()) \
            or marker.style in ("par", "pcn", "circ")
        if glued and marker.style not in _FIXED_RANK and not glued_ok:
            continue
        out.append(Marker(marker.style, marker.number, marker.label, marker.start, marker.end, glued))
    return out


_TAIL_TITLE_RE = re.compile(rf"([^\s。；;：:，,!！?？《》“”、]{{4,38}}?{_TITLE_SUFFIX}{_TITLE_BRACKET})$")


def _tail_title(before: str) -> str:
    """A title right before a restarting marker: …二十一日重庆市…礼仪规范(试行)第一章."""
    tail = re.split(r"[。；;！!？?\n]", before.strip())[-1]
    tail = re.sub(r"^.*?[〇零一二三四五六七八九十\d]{1,4}日", "", tail)
    m = _TAIL_TITLE_RE.search(tail)
    return m.group(1) if m and not _NOT_IN_TITLE.search(m.group(1)) else ""


def _is_title_line(line: str, next_line: str | None) -> bool:
    s = line.strip()
    if not (2 <= len(s) <= 40) or any(c in s for c in "。；;：:，,!！?？"):
        return False
    if re.fullmatch(r"[\d〇零一二三四五六七八九十年月日号\s.\-/]+", s):
        return False  # a date line (2017年6月5日) closes a document, it does not open one
    if find_markers(s) and find_markers(s)[0].start == 0:
        return False
    if s.startswith(("-", "—", "*", "#")) and not s.startswith("#"):
        return False
    return next_line is None or not next_line.strip() or bool(re.match(r"^[-*]\s", next_line.strip()))


class Splitter:
    """Turns a document's lines into clauses with their citation paths."""

    def __init__(self, title: str, *, single: bool = False):
        self.default_title = title
        self.single = single  # one legal document: never split into parts by titles or restarts
        self.parts: list[_Part] = []
        self.pending_titles: list[str] = []
        self.stack: list[_Level] = []
        self.part: _Part | None = None
        self.buffer: list[str] = []  # text of the clause being read
        self.current: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # (path, styles)
        self.loose: list[str] = []  # unnumbered text before any marker of the part

    # -- parts ---------------------------------------------------------------------------------
    def _title_for_new_part(self) -> str:
        if self.pending_titles:
            counts: dict[str, int] = {}
            for t in self.pending_titles:
                counts[t] = counts.get(t, 0) + 1
            best = max(counts.values())
            return next(t for t in self.pending_titles if counts[t] == best)
        return self.default_title if not self.parts else f"{self.default_title}（{len(self.parts) + 1}）"

    def _start_part(self, title: str | None = None) -> None:
        self._flush()
        self._flush_loose()
        self.part = _Part(title or self._title_for_new_part())
        self.parts.append(self.part)
        self.pending_titles = []
        self.stack = []

    def _ensure_part(self) -> _Part:
        if self.part is None or self.pending_titles:
            self._start_part()
        assert self.part is not None
        return self.part

    # -- clauses -------------------------------------------------------------------------------
    def _flush(self) -> None:
        if self.current is None or self.part is None:
            self.buffer = []
            return
        text = "".join(self.buffer).strip()
        path, styles = self.current
        if text:
            self.part.clauses.append(Clause(self.part.title, path, text, styles))
        self.buffer = []
        self.current = None

    def _flush_loose(self) -> None:
        text = "".join(self.loose).strip()
        self.loose = []
        if text and self.part is not None and text != self.part.title:
            n = sum(1 for c in self.part.clauses if not c.numbered) + 1
            self.part.clauses.append(Clause(self.part.title, (f"前言{n}" if n > 1 else "前言",), text, (), False))

    def _accept(self, mk: Marker) -> bool:
        """Place `mk` on the stack when its number fits the sequence; False = running text."""
        part = self._ensure_part()
        if mk.style in _FIXED_RANK:
            last = part.seen.get(mk.style, 0)
            rank = _FIXED_RANK[mk.style]
            restart = mk.number == 1 and last >= 1
            if mk.glued and mk.number != last + 1 and not (restart and self._after_chapter(mk)):
                return False
            if not (last < mk.number <= last + 3 or restart):
                return False
            if mk.style == "article" and mk.number == 1 and not any(
                    lv.style in ("chapter", "section") and lv.number == 1 for lv in self.stack):
                restart = restart or any(c.numbered for c in part.clauses)
            if mk.style == "chapter" and mk.number == 1 and any(c.numbered for c in part.clauses):
                restart = True
            if restart and not self.single:
                self._start_part(self._glued_title or _tail_title(self._before) or None)
                part = self._ensure_part()
            if mk.style == "chapter":
                part.seen.pop("section", None)  # articles run on through chapters, sections restart
            part.seen[mk.style] = mk.number
            while self.stack and (_FIXED_RANK.get(self.stack[-1].style, 99) >= rank):
                self.stack.pop()
            self.stack.append(_Level(mk.style, mk.number, mk.label))
            return True
        if mk.style == "bul":  # unnumbered bullets are counted in order under their parent
            for i, lv in enumerate(self.stack):
                if lv.style == "bul":
                    del self.stack[i:]
                    self.stack.append(_Level("bul", lv.number + 1, f"第{lv.number + 1}点"))
                    return True
            self.stack.append(_Level("bul", 1, "第1点"))
            return True
        # Dynamic styles: sibling when the style is on the stack, child when it is new and starts at 1.
        for i, lv in enumerate(self.stack):
            if lv.style == mk.style:
                fits = lv.number < mk.number <= lv.number + 2
                if not fits and mk.number == 1:
                    top_dynamic = all(_FIXED_RANK.get(x.style) is not None for x in self.stack[:i])
                    if top_dynamic and i == 0 and any(c.numbered for c in part.clauses):
                        if not self.single:
                            self._start_part(self._glued_title or _tail_title(self._before) or None)
                        self.stack = [_Level(mk.style, mk.number, mk.label)]
                        return True
                    fits = i == len(self.stack) - 1  # a second list under the same parent
                if not fits:
                    return False
                del self.stack[i:]
                self.stack.append(_Level(mk.style, mk.number, mk.label))
                return True
        if mk.number != 1:
            return False
        if not self.stack and any(c.numbered for c in part.clauses) and self._glued_title:
            self._start_part(self._glued_title)
        self.stack.append(_Level(mk.style, mk.number, mk.label))
        return True

    _glued_title: str = ""
    _before: str = ""

    def _after_chapter(self, mk: Marker) -> bool:
        """第一条 right after a new 第一章 heading (第一章总则第一条…) continues that chapter."""
        return mk.style == "article" and bool(self.stack) and self.stack[-1].style == "chapter" \
            and self.stack[-1].number == 1 and len(self._before) <= 20

    def feed(self, lines: list[str]) -> list[_Part]:
        """Split all lines; returns the documents found with their clauses."""
        for idx, raw in enumerate(lines):
            line = raw.rstrip("\n").rstrip()
            nxt = lines[idx + 1] if idx + 1 < len(lines) else None
            if not line.strip():
                if self.current is not None:
                    self.buffer.append("\n")
                continue
            if _is_title_line(line, nxt) and not (self.single and self.part is not None):
                self._flush()
                self.pending_titles.append(line.strip())
                continue
            self._glued_title = ""
            line = line.strip()
            title = ""
            while not self.single and (gm := _GLUED_TITLE_RE.match(line)) \
                    and not _NOT_IN_TITLE.search(gm.group(1)) \
                    and line[gm.end():gm.end() + 1] not in _SUBJECT_FOLLOWS \
                    and not (find_markers(line) and find_markers(line)[0].start == 0):
                title = title or gm.group(1)
                line = line[gm.end():].lstrip()
            if title:
                self._flush()
                self.pending_titles = [title]
                if not line:
                    continue
                self._start_part()
            self._feed_line(line)
        self._flush()
        self._flush_loose()
        return [p for p in self.parts if p.clauses]

    def _feed_line(self, line: str) -> None:
        pos = 0
        for mk in find_markers(line):
            if mk.start < pos:
                continue
            before = line[pos:mk.start]
            path_before = self.current
            self._before = before
            if not self._accept(mk):
                continue
            # Text before the marker belongs to the clause being read (or is loose text).
            if path_before is not None and self.current is path_before:
                self.buffer.append(before)
            elif before.strip():
                self.loose.append(before)
            self._flush()
            if self.loose:
                self._flush_loose()
            self.current = (self._path(), tuple(lv.style for lv in self.stack))
            pos = mk.start
        rest = line[pos:]
        if self.current is not None:
            self.buffer.append(rest + "\n")
        else:
            self._ensure_part()
            self.loose.append(rest + "\n")

    def _path(self) -> tuple[str, ...]:
        return tuple(lv.label for lv in self.stack)


def split_text(text: str, *, title: str) -> list[Clause]:
    """All clauses of `text`, in document order."""
    return split_lines(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), title=title)


def split_lines(lines: list[str], *, title: str) -> list[Clause]:
    """All clauses of a document given as lines (paragraphs), in document order."""
    parts = Splitter(title, single=_one_legal_document(lines)).feed(list(lines))
    return _with_headings([c for p in parts for c in p.clauses])


_LINE_ARTICLE_RE = re.compile(rf"^\s*第([{CN_NUM}\d]{{1,5}})条")


def _one_legal_document(lines: list[str]) -> bool:
    """True when the articles that open lines run 第一条, 第二条… upward without restarting: one statute.
    Its sentences may then start like a title (…管理办法，由…) without opening a new document."""
    numbers = [cn_to_int(m.group(1)) for line in lines if (m := _LINE_ARTICLE_RE.match(line))]
    return len(numbers) >= 3 and numbers[0] == 1 and all(0 < b - a <= 3 for a, b in itertools.pairwise(numbers))


def _with_headings(clauses: list[Clause]) -> list[Clause]:
    """Give chapter and heading-like items their heading in the path: 第一章 总则, 一、仪容仪表."""
    heading: dict[tuple[str, tuple[str, ...]], str] = {}
    for c in clauses:
        if not c.numbered:
            continue
        body = c.text
        label = c.path[-1]
        if body.startswith(label):
            body = body[len(label):]
        body = body.strip(" \u3000：:")
        first = re.split(r"[\n。；;：:，,]", body, maxsplit=1)[0].strip()
        chapter_like = bool(c.styles) and c.styles[-1] in ("chapter", "section", "volume") and 0 < len(first) <= 20
        short_heading = 0 < len(first) <= 14 and (len(first) == len(body) or body[len(first)] in "：:\n")
        if chapter_like or short_heading:
            heading[(c.doc, c.path)] = first
    out = []
    for c in clauses:
        labels = []
        for i in range(1, len(c.path) + 1):
            h = heading.get((c.doc, c.path[:i]))
            labels.append(f"{c.path[i - 1]} {h}" if h and c.styles and c.styles[i - 1] in (
                "chapter", "section", "volume", "cn") else c.path[i - 1])
        out.append(Clause(c.doc, tuple(labels), c.text, c.styles, c.numbered))
    return out
