"""A wheel carries every data file the engine reads (bot/_data/...), so a non-editable install answers
from any directory."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_the_data_folders(tmp_path):
    src = tmp_path / "src"  # a copy: building writes build/ and *.egg-info/ next to the sources
    for name in ("bot", "knowledge", "phrasebook"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, src / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(src)],
                   check=True, capture_output=True, timeout=300)
    [wheel] = tmp_path.glob("libao-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("knowledge", "phrasebook"):
        shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / folder).rglob("*")
                   if p.is_file() and p.suffix in (".yaml", ".txt", ".npz", ".z", ".json")}
        assert shipped
        assert {f"bot/_data/{name}" for name in shipped} <= names
    assert "bot/core/paths.py" in names and not any(n.startswith("tests/") for n in names)
