"""Run `python -m bot ...` as a real process from the repository root."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, stdin: bytes = b"", env: Mapping[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    """The finished process (stdout/stderr as bytes); never raises on a non-zero exit."""
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, cwd=ROOT,
                          env=dict(env) if env is not None else None, timeout=timeout, check=False)
