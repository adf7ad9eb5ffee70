"""The documentation matches the code: every CLI command is in the README's command table and every
command there exists, every option of every command is in the README's command-line section, every
command the README and docs/ show being run parses with the CLI's own parser, every message key the
code uses exists in phrasebook/messages/ and every key there is used, every exit code is documented
and every command that returns one itself is named in its row."""

from __future__ import annotations

import argparse
import ast
import importlib
import re
import shlex
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.cli import exitcodes
from bot.cli.main import build_parser
from bot.core.phrases.messages import load_messages

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
# The docs a reader runs commands from; docs/history.md records earlier rounds as they were.
DOCS = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").rglob("*.md") if p.name != "history.md")]


def _section(title: str) -> str:
    start = README.index(title)
    end = README.find("\n#", start + len(title))
    return README[start:end if end > 0 else None]


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices) if actions else {}


def _command_parsers() -> dict[str, argparse.ArgumentParser]:
    """Every command path ("ask", "kb lint", "report show", ...) and its parser, to any depth."""
    out: dict[str, argparse.ArgumentParser] = {}

    def walk(path: str, parser: argparse.ArgumentParser) -> None:
        children = _subcommands(parser)
        if not children:
            out[path] = parser
        for name, child in children.items():
            walk(f"{path} {name}".strip(), child)

    walk("", build_parser())
    return out


def _commands() -> list[str]:
    """Every command path: "ask", "kb lint", "report show", ..."""
    return list(_command_parsers())


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {o for a in parser._actions for o in a.option_strings if o.startswith("--") and o != "--help"}


def _table_cells() -> list[str]:
    """The command cells of the README's command table, without their backticks (`kb lint`, ...)."""
    table = [line for line in _section("## Command line").splitlines() if line.startswith("| `")]
    return [line.split("` |")[0][3:].replace("\\|", "|") for line in table]


def test_every_cli_command_is_in_the_readme_table():
    cells = _table_cells()
    assert len(_commands()) >= 10
    for command in _commands():
        name, _, child = command.partition(" ")
        assert any(c.split()[0] == name and (not child or re.search(rf"(^| |\|){child}\b", c)) for c in cells), command


def test_every_command_of_the_readme_table_exists():
    """A row of a removed or renamed command fails, and so does one naming a sub-command its group
    does not have (`report list|show REF|...`: each alternative's first word)."""
    top = _subcommands(build_parser())
    for cell in _table_cells():
        name, _, rest = cell.partition(" ")
        assert name in top, cell
        children = _subcommands(top[name])
        if children:
            # Alternatives are split by | outside brackets (`user add NAME [--role staff|officer]|list`).
            for alternative in re.sub(r"\[[^\]]*\]", "", rest).split("|"):
                assert alternative.split()[0] in children, cell


def test_every_option_is_in_the_readme_command_line_section():
    """Each command's options (`check --rules`, `report show --reveal-identity`, ...), those of its group
    (`report --db`) and the global ones (`--embed-threads`) are named where the commands are listed."""
    named = set(re.findall(r"--[a-z][a-z0-9-]*", _section("## Command line")))
    groups = {name: sub for name, sub in _subcommands(build_parser()).items() if _subcommands(sub)}
    parsers = {"(global)": build_parser(), **groups, **_command_parsers()}
    missing = sorted(f"{command} {option}" for command, parser in parsers.items()
                     for option in _options(parser) - {"--version"} - named)
    assert missing == []


_CODE = re.compile(r"```.*?```|`[^`\n]+`", re.S)
# A run of the CLI inside a code span or block where a command starts (a line, a span, bin/, after a
# prompt, pipe or &&; not an image name: docker -t libao), up to a pipe, a shell separator or a comment.
_INVOKED = re.compile(r"(?:^\s*|(?<=`)|(?<=bin/)|(?<=\$ )|(?<=\| )|(?<=&& ))"
                      r"(?:libao|python -m bot)(?![\w.-])([^|;&#\n`]*)", re.M)


def _invocations() -> Iterator[tuple[str, list[str]]]:
    """(file:line, the words after the program) of every run of the CLI the docs show."""
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for code in _CODE.finditer(text):
            for m in _INVOKED.finditer(code.group()):
                line = text.count("\n", 0, code.start() + m.start()) + 1
                # A command substitution ($(date +%F)) stands for one word.
                yield f"{path.name}:{line}", shlex.split(re.sub(r"\$\([^)]*\)", "X", m.group(1)))


def test_every_command_the_docs_run_parses():
    """What the README and docs/ show being run is a command line the CLI takes (`report --db X list`,
    not `report list --db X`); a command named without its arguments (`libao user add`) is a mention."""
    mentions = set(_commands()) | set(_subcommands(build_parser()))
    runs = list(_invocations())
    assert len(runs) >= 20
    for where, words in runs:
        if " ".join(words) in mentions:
            continue
        try:
            build_parser().parse_args(words)
        except SystemExit:
            pytest.fail(f"{where}: {' '.join(words)} is not a command line the CLI takes")


def test_every_exit_code_is_documented():
    codes = {v for k, v in vars(exitcodes).items() if k.isupper() and isinstance(v, int)}
    documented = {int(m) for m in re.findall(r"^\| (\d+) \|", _section("### Exit codes"), flags=re.M)}
    assert codes == documented


def _returned_codes(func: Callable[..., object]) -> set[str]:
    """The exit codes (exitcodes.NAME) a command's function and the bot.cli functions it calls use."""
    trees: dict[str, dict[str, ast.FunctionDef]] = {}

    def defs(module: str) -> dict[str, ast.FunctionDef]:
        if module not in trees:
            source = importlib.import_module(module).__file__
            tree = ast.parse(Path(str(source)).read_text(encoding="utf-8"))
            trees[module] = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        return trees[module]

    seen: set[tuple[str, str]] = set()
    todo, out = [(func.__module__, func.__name__)], set()
    while todo:
        module, name = todo.pop()
        if (module, name) in seen or name not in defs(module):
            continue
        seen.add((module, name))
        imported = {a.asname or a.name: (n.module, a.name) for n in ast.walk(defs(module)[name])
                    if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("bot.cli") for a in n.names}
        for node in ast.walk(defs(module)[name]):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "exitcodes":
                out.add(node.attr)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                todo.append(imported.get(node.func.id, (module, node.func.id)))  # type: ignore[arg-type]
    return out


def test_every_exit_code_a_command_returns_names_it_in_the_table():
    """A command that returns 1, 3 or 5 itself is named in that code's row (`kb test`: a threshold
    missed); the start-up codes (2, 4, 130, and 3/5 raised before a command runs) are the CLI's own."""
    names = {k: v for k, v in vars(exitcodes).items() if k.isupper() and isinstance(v, int)}
    rows = {int(m[0]): m[1] for m in re.findall(r"^\| (\d+) \|(.*)$", _section("### Exit codes"), flags=re.M)}
    groups = _subcommands(build_parser())
    by_func: dict[Callable[..., object], list[str]] = {}
    for command, parser in _command_parsers().items():
        func = parser.get_default("func") or groups[command.split()[0]].get_default("func")
        by_func.setdefault(func, []).append(command)
    assert len(by_func) >= 10
    missing = []
    for func, commands in by_func.items():
        # A command named with its arguments (`check eval --gate`), or its group alone (`report`).
        named = [rf"`{re.escape(c)}(?![\w-])" for c in commands] + [rf"`{re.escape(c.split()[0])}`" for c in commands]
        for code in sorted(_returned_codes(func) - {"OK", "USAGE", "INTERRUPTED"}):
            if not any(re.search(pattern, rows[names[code]]) for pattern in named):
                missing.append(f"exit {names[code]}: {' / '.join(commands)}")
    assert missing == []


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
