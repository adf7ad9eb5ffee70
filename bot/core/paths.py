"""Where the shipped data lives: knowledge/ and phrasebook/.

A wheel or a non-editable install carries the folders inside the package as bot/_data/ (setup.py);
a source checkout and an editable install read them beside the bot package.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]


def _data_dir(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


KNOWLEDGE_DIR = _data_dir("knowledge")
PHRASEBOOK_DIR = _data_dir("phrasebook")
