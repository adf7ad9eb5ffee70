"""The parts around the handlers: config validation, token redaction, message splitting, the chat
storage (settings, votes, retention), callback data, and the console twin."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from support.tgbot import SCENARIOS, TOKEN, StubChecker

from bot.channels.telegram.render import split_text
from bot.config import ConfigError, load_config
from bot.core.chat.assistant import Assistant
from bot.core.chat.callbacks import decode, encode
from bot.core.chat.reply import Reply
from bot.core.chat.store import MemoryStore
from bot.core.phrases.messages import t
from bot.core.phrases.phrasebook import Phrasebook
from bot.logs import PayloadFilter
from bot.storage import ChatStore, connect

ROOT = Path(__file__).resolve().parents[2]
GOOD = "channels:\n  telegram:\n    access:\n      allowed_user_ids: [1, 2]\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- config


def test_config_reads_env_and_yaml(tmp_path):
    path = write(tmp_path, GOOD + "    mode: polling\nprivacy:\n  retention_days: 30\n")
    config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "LIBAO_CONFIG": str(path), "LIBAO_DB": "/tmp/x.db"})
    assert config.access.role_of(1) == "staff" and config.access.role_of(3) is None
    assert config.privacy.retention_days == 30 and not config.privacy.store_unanswered
    assert config.database == Path("/tmp/x.db")
    assert TOKEN not in repr(config) and TOKEN not in str(config)


@pytest.mark.parametrize(("yaml_text", "expected"), [
    ("channels:\n  telegram:\n    access: {}\n", "nobody could use the bot"),
    (GOOD + "rate_limit:\n  burst: 0\n", "rate_limit.burst"),
    (GOOD + "privacy:\n  store_questions: true\n", "privacy.store_questions"),  # typo: unknown key
    (GOOD + "    mode: webhook\n", "webhook"),
    ("privacy: {}\n", "no channel would run"),
    ("channels: [\n", "malformed YAML"),
    ("- just a list\n", "must be a mapping"),
])
def test_config_problems_are_clear(tmp_path, yaml_text, expected):
    path = write(tmp_path, yaml_text)
    with pytest.raises(ConfigError) as info:
        load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "LIBAO_CONFIG": str(path)})
    assert expected in "\n".join(info.value.problems)


def test_config_token_missing_or_malformed_never_echoed(tmp_path):
    path = write(tmp_path, GOOD)
    with pytest.raises(ConfigError) as info:
        load_config({"LIBAO_CONFIG": str(path)})
    assert "TELEGRAM_BOT_TOKEN is not set" in info.value.problems[0]
    bad = "not-a-token-but-secret-looking-value"
    with pytest.raises(ConfigError) as info:
        load_config({"TELEGRAM_BOT_TOKEN": bad, "LIBAO_CONFIG": str(tmp_path / "missing.yaml")})
    text = "\n".join(info.value.problems)
    assert "does not look like a bot token" in text and "not found" in text and bad not in text


def test_serve_refuses_bad_config_with_exit_code_5(tmp_path):
    closed = write(tmp_path, "channels:\n  telegram:\n    access: {}\n")
    env = {"PATH": "/usr/bin:/bin", "TELEGRAM_BOT_TOKEN": TOKEN, "LIBAO_CONFIG": str(closed)}
    proc = subprocess.run([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env, capture_output=True,
                          timeout=120, check=False)
    assert proc.returncode == 5
    assert b"nobody could use the bot" in proc.stderr and TOKEN.encode() not in proc.stderr + proc.stdout


def test_log_redaction_masks_token_in_messages_and_tracebacks():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PayloadFilter([TOKEN]))
    log = logging.getLogger("test.redact")
    log.addHandler(handler)
    try:
        log.warning("POST https://api.telegram.org/bot%s/getMe", TOKEN)
        try:
            raise RuntimeError(f"url bot{TOKEN}/x")
        except RuntimeError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
    out = stream.getvalue()
    assert TOKEN not in out and TOKEN.split(":")[1] not in out
    assert "getMe" in out and "RuntimeError" in out and "failed" in out


# ----------------------------------------------------------------------------- rendering, callback data


def test_split_text_respects_telegram_limit_and_keeps_everything():
    text = "\n".join(f"第{i}行：" + "很长的内容" * 30 for i in range(100)) + "\n" + "😀" * 5000
    chunks = split_text(text)
    assert all(len(c.encode("utf-16-le")) // 2 <= 4096 for c in chunks)
    assert "".join(chunks).replace("\n", "") == text.replace("\n", "")
    assert split_text("短") == ["短"]


def test_callback_data_is_versioned_and_validated():
    assert decode(encode("v", "phone.ring", "+")) == ("v", ("phone.ring", "+"))
    for bad in ("", "2a:x", "a:x", "1a:x y", "1a:" + "x" * 100, "1a:<script>"):
        assert decode(bad) is None
    with pytest.raises(ValueError):
        encode("a", "x" * 80)


# ----------------------------------------------------------------------------- storage


def test_chat_storage_persists_and_purges(tmp_path):
    now = [1_000_000.0]
    db_path = tmp_path / "libao.db"
    store = ChatStore(connect(db_path), clock=lambda: now[0])
    store.set_setting(7, "单位", "城东服务中心")
    store.add_vote(7, "phone.ring", 1)
    store.add_vote(7, "phone.ring", -1)
    store.add_unanswered("茅台股票")
    reopened = ChatStore(connect(db_path), clock=lambda: now[0])
    assert reopened.get_settings(7) == {"单位": "城东服务中心"}
    assert reopened.vote_summary() == [{"entry_id": "phone.ring", "up": 0, "down": 1}]
    voters = [row["voter"] for row in reopened.db.query("select voter from chat_votes")]
    assert voters and all(len(v) == 32 and v != "7" for v in voters)  # a salted hash, not the user id
    now[0] += 91 * 86400
    assert reopened.purge(retention_days=90, settings_retention_days=365) == 2
    assert reopened.vote_summary() == [] and reopened.unanswered() == []
    assert reopened.get_settings(7)  # settings have their own, longer retention
    now[0] += 300 * 86400
    reopened.purge(retention_days=90, settings_retention_days=365)
    assert reopened.get_settings(7) == {}


# ----------------------------------------------------------------------------- console twin


def test_console_numbers_buttons_and_taps_them(matcher):
    from bot.channels.console.app import ConsoleChat

    assistant = Assistant(matcher, MemoryStore(), checker=StubChecker(), phrasebook=Phrasebook(SCENARIOS))  # type: ignore[arg-type]
    chat = ConsoleChat(assistant)
    out = chat.handle("/phrase")
    assert out is not None and "[1] 致歉" in out
    out = chat.handle("1")
    assert out is not None and "非常抱歉" in out
    chat.handle("/phrase")
    assert chat.handle("9") == t("bot.console_no_button", count=3)
    out = chat.handle("@道歉")
    assert out is not None and "致歉" in out
    assert chat.handle("/quit") is None
    assert chat.render(Reply("x", toast="好", edit=True)).splitlines() == ["💬 好", t("bot.console_edited"), "x"]


def test_python_m_bot_chat_transcript():
    """The README's first command for a newcomer: piped input reads as a transcript."""
    lines = "电话响几声要接？\n3\n/check 这事不归我管\n/settings 单位 城东服务中心\n/phrase 接电话\n/quit\n"
    proc = subprocess.run([sys.executable, "-m", "bot", "chat"], cwd=ROOT, input=lines.encode(),
                          capture_output=True, timeout=120, check=False)
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr.decode()
    assert "你> 电话响几声要接？" in out and "依据" in out
    assert t("vote.toast") in out or "【" in out
    assert "【不归我管】" in out
    assert "城东服务中心" in out.split("你> /phrase 接电话")[1]
    assert "Traceback" not in proc.stderr.decode()


def test_config_example_is_valid():
    from bot.config import read_file_config

    config = read_file_config(ROOT / "config.example.yaml")
    assert config.channels.telegram is not None and config.channels.telegram.mode == "polling"
    assert config.channels.active() == ["telegram", "wecom", "dingtalk", "web"] and not config.privacy.store_unanswered


def test_dockerfile_runs_serve_as_non_root_with_data_volume():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "USER libao" in text and 'VOLUME ["/data"]' in text and "LIBAO_DB=/data/" in text
    assert text.index("USER libao") < text.index('CMD ["python", "-m", "bot", "serve"]')
    assert "COPY knowledge" in text and "COPY phrasebook" in text
