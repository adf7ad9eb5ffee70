"""Read a rulebook file (.docx, .txt/.md, .xlsx) into lines of text, refusing bad files early.

Every check that can be made without parsing is made before parsing: the file size, the archive's
declared uncompressed sizes and compression ratios (a zip bomb is refused before python-docx or
openpyxl inflates anything), an encrypted Office file (an OLE container, not a zip), binary data
posing as text. A refusal is a `Refused` carrying a message key of phrasebook/messages.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core.yamlfile import FileRefused, read_bounded

MAX_FILE_BYTES = 20 * 1024 * 1024  # far above any rulebook; a 200 MB "manual" is refused unread
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_MEMBER_RATIO = 200  # XML compresses about 10x; hundreds of times more is a bomb
MAX_MEMBERS = 5000
MAX_TEXT_CHARS = 2_000_000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .docx/.xlsx, and legacy .doc/.xls
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
SUFFIXES = (".docx", ".xlsx", *TEXT_SUFFIXES)


class Refused(Exception):
    """A file that cannot be imported; `key` names the message explaining why."""

    def __init__(self, key: str, **values: Any):
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(slots=True)
class ReadDocument:
    """The text of a file, one paragraph a line, and the title its metadata gives (may be empty)."""

    lines: list[str]
    title: str = ""
    kind: str = "text"
    rows: list[list[str]] = field(default_factory=list)  # .xlsx: cell values of the first sheet


def read_document(path: Path) -> ReadDocument:
    """Lines of `path`; raises Refused with a clear reason for anything that is not a readable rulebook."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise Refused("kb.import.bad_type", name=path.name, types=" ".join(SUFFIXES))
    # One non-blocking descriptor, checked with fstat: a FIFO does not wait for a writer, a link to a
    # device is refused, and the bytes read are those of the file that was checked.
    try:
        data = read_bounded(path, max_bytes=MAX_FILE_BYTES)
    except FileRefused as exc:
        if exc.reason == "missing":
            raise Refused("kb.import.missing", name=str(path)) from None
        if exc.reason == "not_regular":
            raise Refused("kb.import.not_regular", name=str(path)) from None
        if exc.reason == "too_large":
            raise Refused("kb.import.too_big", name=path.name, mb=max(exc.size, exc.limit) // (1024 * 1024),
                          limit=MAX_FILE_BYTES // (1024 * 1024)) from None
        raise Refused("kb.import.unreadable", name=str(path), reason=exc.detail) from None
    if not data:
        raise Refused("kb.import.empty", name=path.name)
    head = data[:8]
    if suffix in TEXT_SUFFIXES:
        return _read_text(path, data)
    if head == OLE_MAGIC:
        raise Refused("kb.import.encrypted", name=path.name)
    _check_archive(io.BytesIO(data), path.name)
    return _read_docx(path) if suffix == ".docx" else _read_xlsx(path)


def _read_text(path: Path, data: bytes) -> ReadDocument:
    if b"\x00" in data[:65536]:
        raise Refused("kb.import.binary", name=path.name)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Refused("kb.import.bad_encoding", name=path.name)
    if len(text) > MAX_TEXT_CHARS:
        raise Refused("kb.import.too_long", name=path.name, limit=MAX_TEXT_CHARS)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if path.suffix.lower() in (".md", ".markdown"):
        # HTML comments in Markdown are invisible markup; their line breaks are kept (line numbers).
        text = _HTML_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    lines = [_strip_markdown(x) for x in text.split("\n")]
    if not any(x.strip() for x in lines):
        raise Refused("kb.import.empty", name=path.name)
    return ReadDocument(lines)


_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _strip_markdown(line: str) -> str:
    """Markdown headings and emphasis are layout, not words: `## 第一章 总则` reads as 第一章 总则."""
    line = re.sub(r"^\s{0,3}#{1,6}\s+", "", line)
    return re.sub(r"(\*\*|__)(.+?)\1", r"\2", line)


def _check_archive(data: io.BytesIO, name: str) -> None:
    """Refuse a zip bomb or a broken archive before any parser touches it."""
    try:
        with zipfile.ZipFile(data) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused("kb.import.corrupt", name=name) from None
    if len(infos) > MAX_MEMBERS:
        raise Refused("kb.import.bomb", name=name)
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(1, info.compress_size)
        if total > MAX_UNCOMPRESSED_BYTES or (info.file_size > 1024 * 1024 and ratio > MAX_MEMBER_RATIO):
            raise Refused("kb.import.bomb", name=name)
        if info.flag_bits & 0x1:
            raise Refused("kb.import.encrypted", name=name)


def _read_docx(path: Path) -> ReadDocument:
    import docx  # python-docx: imported here so that `ask` never pays for it
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile):
        raise Refused("kb.import.corrupt", name=path.name) from None
    except Exception:  # lxml and python-docx raise many kinds on malformed XML
        raise Refused("kb.import.corrupt", name=path.name) from None
    lines: list[str] = []
    counters: dict[tuple[str, int], int] = {}
    for block in _docx_blocks(document):
        if isinstance(block, list):  # a table: one line per row, cells separated by a space
            lines.extend(" ".join(c for c in row if c) for row in block)
            continue
        text, num = block
        if num is not None and text.strip():
            text = _auto_number(num, counters) + text
        lines.append(text)
    title = (document.core_properties.title or "").strip()
    if not any(x.strip() for x in lines):
        has_images = any("image" in rel.reltype for rel in document.part.rels.values())
        raise Refused("kb.import.scanned" if has_images else "kb.import.empty", name=path.name)
    return ReadDocument(lines, title, "docx")


def _docx_blocks(document: Any) -> list[Any]:
    """Paragraphs (text, numbering) and tables (rows of cell texts) in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out: list[Any] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = Paragraph(child, document)
            out.append((p.text, _numbering(child)))
        elif tag == "tbl":
            table = Table(child, document)
            out.append([[cell.text.strip() for cell in row.cells] for row in table.rows])
    return out


def _numbering(p_element: Any) -> tuple[str, int] | None:
    """(list id, level) of a paragraph that Word numbers automatically (the number is not in its text)."""
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    num_id = p_element.find("./w:pPr/w:numPr/w:numId", ns)
    if num_id is None:
        return None
    ilvl = p_element.find("./w:pPr/w:numPr/w:ilvl", ns)
    key = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val"
    return str(num_id.get(key)), int(ilvl.get(key)) if ilvl is not None else 0


_AUTO_STYLES = ("{n}. ", "({n}) ", "{c} ")


def _auto_number(num: tuple[str, int], counters: dict[tuple[str, int], int]) -> str:
    """A visible marker for Word's automatic numbering: 1. at level 0, (1) at level 1, ① below."""
    list_id, level = num
    for key in [k for k in counters if k[0] == list_id and k[1] > level]:
        del counters[key]
    counters[(list_id, level)] = n = counters.get((list_id, level), 0) + 1
    style = _AUTO_STYLES[min(level, 2)]
    return style.format(n=n, c=chr(ord("①") + min(n, 20) - 1))


def _read_xlsx(path: Path) -> ReadDocument:
    import openpyxl  # imported here so that `ask` never pays for it

    try:
        wb = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    except Exception:  # openpyxl raises KeyError, InvalidFileException, lxml errors... on malformed files
        raise Refused("kb.import.corrupt", name=path.name) from None
    try:
        sheet = wb.worksheets[0] if wb.worksheets else None
        rows: list[list[str]] = []
        if sheet is not None:
            for row in sheet.iter_rows(values_only=True):
                rows.append(["" if v is None else str(v) for v in row])
    finally:
        wb.close()
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    lines = [" ".join(c.strip() for c in row if c.strip()) for row in rows]
    if not any(lines):
        raise Refused("kb.import.empty", name=path.name)
    return ReadDocument(lines, "", "xlsx", rows)
