"""The emulator and the real bot process, started once per e2e module and stopped after it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from emulator import STAFF, BotProcess, Client, emulator, node_missing_reason, start_bot, write_config


@dataclass
class E2E:
    client: Client
    bot: BotProcess


@pytest.fixture(scope="module")
def e2e(tmp_path_factory) -> Iterator[E2E]:
    reason = node_missing_reason()
    if reason:
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("e2e")
    with emulator() as emu:
        config = write_config(tmp / "config.yaml", emu.url, allowed=list(STAFF))
        bot = start_bot(config, tmp / "libao.db", tmp / "bot.log")
        client = Client(emu.url)
        try:
            client.wait_until_ready(bot)
            yield E2E(client, bot)
        finally:
            client.close()
            bot.stop()
