"""Where the shipped data lives: knowledge/ and phrasebook/ beside the bot package."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE_DIR = ROOT / "knowledge"
PHRASEBOOK_DIR = ROOT / "phrasebook"
