"""The writer groups of benchmarks/blind: each vN directory is one group (one set of writers), read in
numeric order; of one kind of file (ask or check), the file that joins the others where the directory
has one, else every file of the kind. One walk for the check tools (`check_groups.py`, `fit_topics.py`)
and the ask tools (`pair_outcomes.py`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

BLIND = Path(__file__).resolve().parent / "blind"


def writer_groups(kind: Literal["ask", "check"]) -> dict[str, list[Path]]:
    """vN -> its files of `kind`: the joined file (check.yaml of v4–v9; ask_vN.yaml of v3–v8, beside
    its two halves) where there is one, else every ask_*.yaml / check*.yaml."""
    out: dict[str, list[Path]] = {}
    for d in sorted((d for d in BLIND.iterdir() if d.is_dir() and d.name[:1] == "v" and d.name[1:].isdigit()),
                    key=lambda d: int(d.name[1:])):
        whole = d / ("check.yaml" if kind == "check" else f"ask_{d.name}.yaml")
        files = [whole] if whole.exists() else sorted(d.glob("check*.yaml" if kind == "check" else "ask_*.yaml"))
        if files:
            out[d.name] = files
    return out
