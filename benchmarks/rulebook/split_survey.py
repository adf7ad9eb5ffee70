"""How many regulations split into every article they number, as one document.

    python benchmarks/rulebook/split_survey.py FILE_OR_DIR [...]

For each .md/.txt/.docx file: the articles that open a line in the source (第N条) against the
articles found in the clause paths after `kb import`'s reader and splitter, and the number of
documents the splitter made. A file is OK when every article is found and it stays one document
(run it on single statutes, e.g. a sample of LawRefBook/Laws's 地方性法规).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from bot.core.rulebook.readers import read_document
from bot.core.rulebook.split import cn_to_int, split_lines

ARTICLE = re.compile(r"^\s*第([一二三四五六七八九十百零〇\d]+)条", re.M)


def survey(path: Path) -> tuple[int, int, int]:
    """(articles in the source, of those found in clause paths, documents made)."""
    read = read_document(path)
    source = {cn_to_int(n) for n in ARTICLE.findall("\n".join(read.lines))}
    clauses = split_lines(read.lines, title=read.title or path.stem)
    found = {cn_to_int(m.group(1)) for c in clauses for label in c.path if (m := ARTICLE.fullmatch(label))}
    return len(source), len(source & found), len({c.doc for c in clauses})


def main(argv: list[str]) -> int:
    files = [f for a in argv for f in (sorted(Path(a).iterdir()) if Path(a).is_dir() else [Path(a)])
             if f.suffix.lower() in (".md", ".txt", ".docx")]
    ok = 0
    for f in files:
        n, found, docs = survey(f)
        good = found == n and docs == 1
        ok += good
        print(f"{'OK ' if good else 'BAD'} {f.name}: articles {found}/{n}, documents {docs}")
    print(f"{ok} of {len(files)} files split into every article as one document")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
