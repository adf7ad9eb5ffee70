"""The directions that matter between packages, checked on the import statements of every module.

- bot/core never imports a channel, storage, config or a platform library (it returns plain data);
- bot/core/check never imports bot/core/ask (a draft check needs no question matcher);
- bot/core/text imports no other feature of the core (it is what the features share);
- a channel never imports another channel, nor the CLI.
"""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"
PLATFORMS = {"telegram", "sqlite_utils", "sqlite3"}


def _imports(path: Path, root: Path) -> set[str]:
    """Every module `path` imports (absolute names; relative imports resolved against its package)."""
    package = ".".join(path.relative_to(root.parent).with_suffix("").parts[:-1])
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            out.add(base)
            out |= {f"{base}.{a.name}" for a in node.names}
    return out


def _offenders(folder: str, forbidden: tuple[str, ...], *, root: Path = BOT) -> list[str]:
    files = sorted((root / folder).rglob("*.py"))
    assert files, folder
    return [f"{path.relative_to(root.parent).as_posix()} imports {name}"
            for path in files for name in sorted(_imports(path, root))
            if any(name == f or name.startswith(f + ".") for f in forbidden)]


def test_core_imports_no_channel_storage_config_or_platform():
    assert _offenders("core", ("bot.channels", "bot.cli", "bot.storage", "bot.config", "bot.wiring",
                               *PLATFORMS)) == []


def test_check_never_imports_ask():
    assert _offenders("core/check", ("bot.core.ask",)) == []


def test_text_imports_no_feature():
    features = ("bot.core.ask", "bot.core.check", "bot.core.phrases", "bot.core.reports", "bot.core.chat")
    assert _offenders("core/text", features) == []


def test_channels_never_import_each_other_or_the_cli():
    channels = sorted(p.name for p in (BOT / "channels").iterdir() if (p / "__init__.py").is_file())
    assert {"telegram", "console", "wecom", "dingtalk", "web"} <= set(channels)
    for channel in channels:
        others = tuple(f"bot.channels.{c}" for c in channels if c != channel)
        assert _offenders(f"channels/{channel}", (*others, "bot.cli")) == []


def test_the_checks_see_a_forbidden_import(tmp_path):
    fake = tmp_path / "bot" / "core" / "check" / "x.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("from ..ask.matcher import Matcher\nimport telegram\n", encoding="utf-8")
    root = tmp_path / "bot"
    assert "bot/core/check/x.py imports bot.core.ask.matcher" in _offenders("core/check", ("bot.core.ask",), root=root)
    assert _offenders("core", ("telegram",), root=root) == ["bot/core/check/x.py imports telegram"]


def test_every_channel_implements_the_one_interface():
    import inspect

    from bot.channels.base import Channel
    from bot.channels.console.app import ConsoleChannel
    from bot.channels.dingtalk.adapter import DingTalkChannel
    from bot.channels.telegram.app import TelegramChannel
    from bot.channels.web.server import WebChannel
    from bot.channels.wecom.adapter import WeComChannel

    names = set()
    for cls in (TelegramChannel, WeComChannel, DingTalkChannel, WebChannel, ConsoleChannel):
        names.add(cls.name)
        for method in ("run", "notify"):
            ours, theirs = inspect.signature(getattr(cls, method)), inspect.signature(getattr(Channel, method))
            assert inspect.iscoroutinefunction(getattr(cls, method)), (cls, method)
            assert list(ours.parameters) == list(theirs.parameters), (cls, method, ours)
    assert names == {"telegram", "wecom", "dingtalk", "web", "console"}
