"""`python -m bot check` and `phrase`: output shapes, exit codes, bad input, broken data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support.cli import run_cli

from bot.cli import exitcodes
from bot.cli.main import main

ROOT = Path(__file__).resolve().parents[1]


def test_json_shape_and_offsets(capsys):
    draft = "  你好，我晕，手机13912345678"
    assert main(["check", draft, "--json"]) == exitcodes.FINDINGS
    data = json.loads(capsys.readouterr().out)
    kinds = {(f["kind"], f["category"]) for f in data["findings"]}
    assert ("pii", "mobile") in kinds and ("forbidden", "口头语") in kinds
    for f in data["findings"]:
        assert set(f) >= {"kind", "category", "rule", "start", "end", "text", "message", "suggestion"}
        if f["kind"] == "pii":
            assert f["text"] == "139****5678"
        else:
            assert draft[f["start"]:f["end"]] == f["text"]
    assert "13912345678" not in json.dumps(data, ensure_ascii=False)


def test_human_output_marks_spans_and_explains(capsys):
    assert main(["check", "下班了，明天再来"]) == exitcodes.FINDINGS
    out = capsys.readouterr().out
    assert "【下班了" in out and "原因" in out and "建议" in out and "依据" in out


def test_clean_draft_exit_ok(capsys):
    assert main(["check", "您好，请稍等，我马上为您查询，谢谢！"]) == exitcodes.OK
    assert "没有发现问题" in capsys.readouterr().out


@pytest.mark.parametrize("draft", ["", "   \n\t", "😂🙏👍", "……！！"])
def test_bad_single_draft(draft, capsys):
    assert main(["check", draft]) == exitcodes.BAD_INPUT
    err = capsys.readouterr().err
    assert err.strip() and "Traceback" not in err


def test_very_long_draft_is_truncated_with_a_message(capsys):
    draft = "您好" * 5000 + "下班了"
    assert main(["check", draft, "--json"]) == exitcodes.OK
    captured = capsys.readouterr()
    assert json.loads(captured.out)["truncated"] is True
    assert "只检查了前" in captured.err


def test_stdin_json_lines_with_bad_lines():
    stdin = "你好\n\n".encode() + b"\xff\xfe\n" + "😂\n身份证11010519491231002X\n".encode()
    proc = run_cli("check", stdin=stdin)
    assert proc.returncode == exitcodes.OK, proc.stderr.decode()
    lines = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert len(lines) == 5
    assert lines[0]["findings"][0]["rule"] == "tone.ni_for_nin"
    assert all("error" in lines[i] and lines[i]["findings"] == [] for i in (1, 2, 3))
    assert lines[4]["findings"][0]["text"] == "1101**********002X"
    assert b"Traceback" not in proc.stderr


def test_broken_rule_file_refuses_to_start_with_file_and_line(tmp_path):
    bad = tmp_path / "rules"
    bad.mkdir()
    (bad / "x.yaml").write_text("kind: forbidden\nrules:\n  - id: a.b\n    category: 乱写\n", encoding="utf-8")
    proc = run_cli("check", "您好", "--rules", str(bad))
    assert proc.returncode == exitcodes.DATA_ERROR
    err = proc.stderr.decode()
    assert "x.yaml:4" in err and "Traceback" not in err


def test_broken_phrasebook_refuses_to_start(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("scenarios: [\n", encoding="utf-8")
    proc = run_cli("phrase", "道歉", "--phrasebook", str(path))
    assert proc.returncode == exitcodes.DATA_ERROR
    assert "p.yaml:2" in proc.stderr.decode()


def test_invalid_utf8_argument():
    proc = subprocess.run([sys.executable.encode(), b"-m", b"bot", b"check", b"\xff\xfe"], capture_output=True,
                          cwd=ROOT, timeout=60, check=False)
    assert proc.returncode == exitcodes.BAD_INPUT
    assert "UTF-8" in proc.stderr.decode()


def test_phrase_list_and_lookup(capsys):
    assert main(["phrase"]) == exitcodes.OK
    assert "apology" in capsys.readouterr().out
    assert main(["phrase", "客户生气了", "--unit", "便民中心"]) == exitcodes.OK
    assert "别着急" in capsys.readouterr().out
    assert main(["phrase", "phone_open", "--unit", "便民中心", "--dept", "3号窗口", "--json"]) == exitcodes.OK
    data = json.loads(capsys.readouterr().out)
    assert data["scenarios"][0]["phrases"][0] == "您好，便民中心3号窗口，请讲。"
    assert main(["phrase", "量子力学黑洞"]) == exitcodes.BAD_INPUT
    assert "没有找到" in capsys.readouterr().err


def test_kb_lint_fails_on_broken_rules(monkeypatch, tmp_path, capsys):
    import bot.core.check.rules as rules

    bad = tmp_path / "rules"
    bad.mkdir()
    (bad / "y.yaml").write_text("kind: forbidden\nrules:\n  - id: a.b\n    patterns: [x]\n", encoding="utf-8")
    monkeypatch.setattr(rules, "DEFAULT_RULES_DIR", bad)
    assert main(["kb", "lint"]) == exitcodes.FINDINGS
    assert "y.yaml:3" in capsys.readouterr().err
