"""The documentation matches the code: every CLI command is in the README's command table, every
message key the code uses exists in phrasebook/messages/ and every key there is used, every exit
code is documented."""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

from bot.cli import exitcodes
from bot.cli.main import build_parser
from bot.core.phrases.messages import load_messages

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(title)
    end = README.find("\n#", start + len(title))
    return README[start:end if end > 0 else None]


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices) if actions else {}


def _commands() -> list[str]:
    """Every command path: "ask", "kb lint", "report show", ..."""
    out = []
    for name, sub in _subcommands(build_parser()).items():
        children = _subcommands(sub)
        out += [f"{name} {child}" for child in children] if children else [name]
    return out


def test_every_cli_command_is_in_the_readme_table():
    table = [line for line in _section("## Command line").splitlines() if line.startswith("| `")]
    cells = [line.split("` |")[0][3:].replace("\\|", "|") for line in table]
    assert len(_commands()) >= 10
    for command in _commands():
        name, _, child = command.partition(" ")
        assert any(c.split()[0] == name and (not child or re.search(rf"(^| |\|){child}\b", c)) for c in cells), command


def test_every_exit_code_is_documented():
    codes = {v for k, v in vars(exitcodes).items() if k.isupper() and isinstance(v, int)}
    documented = {int(m) for m in re.findall(r"^\| (\d+) \|", _section("### Exit codes"), flags=re.M)}
    assert codes == documented


def _code_strings() -> tuple[set[str], list[re.Pattern[str]], set[str]]:
    """String constants in bot/, f-string patterns passed to t(), literal first arguments of t()."""
    constants: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    called: set[str] = set()
    for path in sorted(p for p in (ROOT / "bot").rglob("*.py") if "storage" not in p.parts):  # t = db.table there
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                constants.add(node.value)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t" and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    called.add(arg.value)
                elif isinstance(arg, ast.JoinedStr):
                    regex = "".join(re.escape(v.value) if isinstance(v, ast.Constant) else ".+" for v in arg.values)
                    patterns.append(re.compile(regex + "$"))
    # The web page's templates ({{key}}) and scripts (tx("key"), tx("prefix." + name)) use keys too.
    for path in sorted((ROOT / "bot" / "channels" / "web" / "static").rglob("*")):
        if path.suffix in (".html", ".js"):
            text = path.read_text(encoding="utf-8")
            constants |= set(re.findall(r"\{\{([a-z0-9_.]+)\}\}", text))
            constants |= set(re.findall(r'tx\("([a-z0-9_.]+[a-z0-9_])"\)', text))
            patterns += [re.compile(re.escape(p) + ".+$") for p in re.findall(r'tx\("([a-z0-9_.]+\.)" \+', text)]
    return constants, patterns, called


def test_every_message_key_used_exists_and_every_key_is_used():
    keys = set(load_messages())
    constants, patterns, called = _code_strings()
    assert sorted(called - keys) == []
    for pattern in patterns:
        assert any(pattern.match(k) for k in keys), pattern.pattern
    unused = sorted(k for k in keys if k not in constants and not any(p.match(k) for p in patterns))
    assert unused == []
