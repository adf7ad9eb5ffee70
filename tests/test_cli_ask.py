"""`python -m bot ask` and `kb lint` as a user runs them: real processes, real exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli import run_cli

from bot.cli import exitcodes

ROOT = Path(__file__).resolve().parents[1]


def test_ask_json_shape_and_source():
    proc = run_cli("ask", "电话响几声要接", "--json")
    assert proc.returncode == exitcodes.OK, proc.stderr.decode()
    data = json.loads(proc.stdout)
    assert data["status"] in {"answer", "clarify"}
    top = data["answers"][0]
    assert set(top) == {"id", "title", "answer", "source", "score"}
    assert "三声" in top["answer"] and top["source"]
    assert 0 <= top["score"] <= 100


@pytest.mark.parametrize("question", ["", "   \t ", "😂😂🙏", "？？！！"])
def test_ask_rejects_empty_and_emoji_only(question):
    proc = run_cli("ask", question)
    assert proc.returncode == exitcodes.BAD_INPUT
    assert proc.stderr.decode().strip()  # a message, not a traceback
    assert b"Traceback" not in proc.stderr


def test_ask_stdin_one_json_line_per_line_in_order_even_with_bad_lines():
    lines = ["电话响几声要接".encode(), b"", b"\xff\xfe\xfa", "😂".encode(), ("长" * 10000).encode(),
             "今天上海会下雨吗".encode()]
    proc = run_cli("ask", stdin=b"\n".join(lines) + b"\n")
    assert proc.returncode == exitcodes.OK, proc.stderr.decode()
    out = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert len(out) == len(lines)
    assert out[0]["status"] != "unknown"
    assert out[1]["status"] == "unknown" and "error" in out[1]
    assert "UTF-8" in out[2]["error"]
    assert out[3]["status"] == "unknown" and "error" in out[3]
    assert out[4]["status"] in {"answer", "clarify", "unknown"}
    assert out[5]["status"] == "unknown"


def _write_kb(tmp_path: Path, body: str) -> Path:
    kdir = tmp_path / "knowledge"
    (kdir / "entries").mkdir(parents=True)
    (kdir / "entries" / "x.yaml").write_text(body, encoding="utf-8")
    return kdir


GOOD_ENTRY = """entries:
  - id: demo.one
    title: 演示
    answer: 演示答案
    questions: [问一, 问二, 问三, 问四, 问五]
    keywords: [演示]
    sources: [{doc: 文档, clause: 第一条, file: "000"}]
    tags: [etiquette, demo]
"""


def test_lint_reports_malformed_yaml_with_file_and_line(tmp_path):
    kdir = _write_kb(tmp_path, GOOD_ENTRY + "  - id: [unclosed\n")
    proc = run_cli("--knowledge", str(kdir), "kb", "lint")
    assert proc.returncode == exitcodes.FINDINGS
    err = proc.stderr.decode()
    assert "x.yaml:10" in err and "malformed YAML" in err
    # ask refuses to start on the same broken knowledge base, with the same message
    proc = run_cli("--knowledge", str(kdir), "ask", "演示")
    assert proc.returncode == exitcodes.DATA_ERROR
    assert "x.yaml:10" in proc.stderr.decode() and b"Traceback" not in proc.stderr


def test_lint_reports_schema_violations_and_duplicates(tmp_path):
    bad = GOOD_ENTRY + GOOD_ENTRY.split("\n", 1)[1].replace("questions: [问一, 问二, 问三, 问四, 问五]",
                                                             "questions: [问一, 问六]")
    bad += """  - id: demo.three
    title: 无来源
    answer: 答
    questions: [a1, a2, a3, a4, a5]
    keywords: [k]
    sources: []
    tags: [etiquette, demo]
"""
    kdir = _write_kb(tmp_path, bad)
    proc = run_cli("--knowledge", str(kdir), "kb", "lint")
    err = proc.stderr.decode()
    assert proc.returncode == exitcodes.FINDINGS
    assert "questions" in err and "x.yaml:12" in err  # too few alternate questions, at its line
    assert "sources" in err  # entry without a source
    lines = [x for x in err.splitlines() if "x.yaml" in x]
    assert len(lines) >= 2


def test_lint_reports_duplicate_ids_and_colliding_questions(tmp_path):
    body = GOOD_ENTRY + GOOD_ENTRY.split("\n", 1)[1]
    kdir = _write_kb(tmp_path, body)
    proc = run_cli("--knowledge", str(kdir), "kb", "lint")
    err = proc.stderr.decode()
    assert proc.returncode == exitcodes.FINDINGS
    assert "duplicate id 'demo.one'" in err


def test_lint_ok_on_shipped_knowledge():
    proc = run_cli("kb", "lint")
    assert proc.returncode == exitcodes.OK, proc.stderr.decode()
    assert proc.stdout.startswith(b"ok:")


def test_ask_imports_only_what_answering_needs():
    """Start-up time goes to answering: `ask` never imports the bot's channels, reports, draft checker
    or configuration schema, nor pydantic (a quarter of a warm start): the shipped index, current
    after `kb build`, restores the knowledge without reading its YAML."""
    import subprocess
    import sys

    code = ("import sys\nfrom bot.cli.main import main\nmain(['--lexical-only', 'ask', '电话响几声要接'])\n"
            "print('\\n'.join(sorted(sys.modules)))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    modules = set(proc.stdout.decode().splitlines())
    assert "bot.core.ask.matcher" in modules
    forbidden = ("telegram", "starlette", "httpx", "sqlite_utils", "cryptography", "bot.channels", "bot.storage",
                 "bot.core.reports", "bot.core.check", "bot.config", "bot.wiring", "pkg_resources", "pydantic")
    assert sorted(m for m in modules if m.split(".")[0] in forbidden or m.startswith(forbidden)) == []


def test_numpy_matrix_products_run_on_one_thread_unless_told_otherwise():
    """A question's similarities are one small product: BLAS threads only wait for each other."""
    import subprocess
    import sys

    code = "import os, bot, numpy\nprint(os.environ['OPENBLAS_NUM_THREADS'])"
    env = {"PATH": "/usr/bin:/bin"}
    for preset, expected in ((None, "1"), ("2", "2")):
        run_env = env if preset is None else {**env, "OPENBLAS_NUM_THREADS": preset}
        proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=run_env, capture_output=True, timeout=120,
                              check=True)
        assert proc.stdout.decode().strip() == expected


def test_a_paired_answer_states_both_entries_of_one_rule(matcher):
    from bot.cli.ask import render_text, result_json
    from bot.core.ask.matcher import AskResult, Match
    from bot.core.phrases.messages import t

    first, second = matcher.kb.get("email.password"), matcher.kb.get("it.password")
    assert first is not None and second is not None
    paired = AskResult("answer", (Match(first, 60.0), Match(second, 30.0)), "q", paired=True)
    assert paired.answered == paired.matches
    text = render_text(paired, matcher)
    assert t("ask.also") in text and second.answer in text and text.index(first.answer) < text.index(second.answer)
    assert result_json(paired)["paired"] is True
    alone = AskResult("answer", paired.matches, "q")
    assert alone.answered == paired.matches[:1] and t("ask.also") not in render_text(alone, matcher)
    assert AskResult("clarify", paired.matches, "q", paired=True).answered == ()
