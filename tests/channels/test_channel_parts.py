"""The parts under the WeCom/DingTalk adapters: config and secrets, the access gate, the inbox,
the bot lease and the reconnect back-off."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.channels.gateway import Backoff, Card, ChannelAccess, Gateway, Incoming
from bot.channels.ratelimit import RateLimiter
from bot.config import ChannelAccessConfig, ConfigError, RateLimitConfig, load_config
from bot.storage import connect
from bot.storage.channels import ChannelStore, process_owner


def write_config(tmp: Path, channels: dict) -> Path:
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump({"channels": channels}), encoding="utf-8")
    return path


WECOM = {"wecom": {"bot_id": "bot-1", "access": {"allowed_users": ["u1"]}}}


def test_secrets_come_from_the_environment_and_are_masked(tmp_path):
    config = load_config({"WECOM_BOT_SECRET": "s3cret-value-123"}, config_path=write_config(tmp_path, WECOM))
    wecom = config.file.channels.wecom
    assert wecom is not None and wecom.secret.get_secret_value() == "s3cret-value-123"
    assert "s3cret-value-123" not in repr(config) and "s3cret-value-123" not in str(wecom)


def test_a_missing_or_filed_secret_refuses_start(tmp_path):
    with pytest.raises(ConfigError) as missing:
        load_config({}, config_path=write_config(tmp_path, WECOM))
    assert any("WECOM_BOT_SECRET is not set" in p for p in missing.value.problems)
    filed = {"wecom": {**WECOM["wecom"], "secret": "in-the-file-123"}}
    with pytest.raises(ConfigError) as in_file:
        load_config({"WECOM_BOT_SECRET": "s3cret-value-123"}, config_path=write_config(tmp_path, filed))
    assert any("keep the secret out of the config file" in p for p in in_file.value.problems)
    assert not any("in-the-file-123" in p for p in in_file.value.problems)


def test_a_channel_nobody_may_use_is_refused(tmp_path):
    closed = {"dingtalk": {"client_id": "ding1", "access": {}}}
    with pytest.raises(ConfigError) as exc:
        load_config({"DINGTALK_CLIENT_SECRET": "s3cret-value-123"}, config_path=write_config(tmp_path, closed))
    assert any("nobody could use this bot" in p for p in exc.value.problems)


def test_roles_by_user_and_department_and_everybody_else_refused():
    access = ChannelAccess(ChannelAccessConfig(allowed_users=["a"], officers=["o"], admins=["x"],
                                               allowed_departments=["42"], departments={"42": ["m"]}))
    assert access.role("a") == "staff" and access.role("o") == "officer" and access.role("x") == "admin"
    assert access.role("m") == "staff"  # listed in department 42
    assert access.role("n", ("42",)) == "staff"  # the platform says n is in department 42
    assert access.role("n") is None and access.role("n", ("7",)) is None and access.role("") is None


def test_a_broken_rule_refuses():
    class Broken(ChannelAccessConfig):
        def role_of(self, user, departments=()):
            raise RuntimeError("directory unavailable")

    assert ChannelAccess(Broken(allowed_users=["a"])).role("a") is None


def test_a_message_is_handled_once_unless_its_handler_died(tmp_path):
    store = ChannelStore(connect(tmp_path / "db.sqlite"))
    me = process_owner()
    assert store.claim("wecom:m1", owner=me)
    assert not store.claim("wecom:m1", owner=me)  # redelivered while being handled
    store.done("wecom:m1")
    assert not store.claim("wecom:m1", owner=process_owner())  # redelivered after it was answered
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    ghost = f"{me.split(':')[0]}:{dead.stdout.strip()}:0000"
    store.acquire_lease("wecom:bot", owner=ghost, ttl=600)
    assert store.claim("wecom:m2", owner=ghost, tap='{"user": "u", "tap": "1a:x", "departments": []}')
    assert store.claim("wecom:m2", owner=me)  # its handler's process is gone: taken over
    assert store.user_id("wecom:u") == store.user_id("wecom:u") < 0
    assert store.user_key(store.user_id("dingtalk:v")) == "dingtalk:v" and store.user_key(5) is None


async def test_a_reply_the_platform_did_not_take_leaves_the_message_to_its_redelivery(tmp_path):
    store = ChannelStore(connect(tmp_path / "db.sqlite"))
    access = {"wecom": ChannelAccess(ChannelAccessConfig(allowed_users=["u1"]))}
    # A "复制话术" press is answered by the gateway alone (no assistant needed for this path).
    gateway = Gateway(None, store, access, owner=process_owner(), limiter=RateLimiter(RateLimitConfig()))  # type: ignore[arg-type]
    phrase = "您好，请稍等，我帮您确认。"
    inc = Incoming(channel="wecom", user="u1", key="m1", tap=gateway.copies.put(phrase))

    async def refused(card: Card) -> None:
        raise ConnectionError("wecom not connected")

    with pytest.raises(ConnectionError):
        await gateway.handle(inc, refused)
    sent: list[str] = []

    async def taken(card: Card) -> None:
        sent.append(card.text)

    assert await gateway.handle(inc, taken)  # the redelivery is answered
    assert not await gateway.handle(inc, taken)  # and nothing after that
    assert sent == [phrase]


def test_one_live_process_per_bot(tmp_path):
    store = ChannelStore(connect(tmp_path / "db.sqlite"))
    first, second = process_owner(), process_owner()
    assert store.acquire_lease("dingtalk:app", owner=first, ttl=600)
    assert not store.acquire_lease("dingtalk:app", owner=second, ttl=600)
    store.release_lease("dingtalk:app", owner=first)
    assert store.acquire_lease("dingtalk:app", owner=second, ttl=600)


def test_backoff_grows_to_its_cap_with_jitter():
    backoff = Backoff(base=1, cap=30, rng=random.Random(7))
    delays = [backoff.next() for _ in range(12)]
    assert all(0.5 <= d <= 30 for d in delays)
    assert delays[0] <= 1 and max(delays[-4:]) > 15
    assert len({round(d, 6) for d in delays[-4:]}) == 4  # capped, but not in lockstep
    backoff.reset()
    assert backoff.next() <= 1
