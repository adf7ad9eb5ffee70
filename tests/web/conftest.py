from __future__ import annotations

import pytest
from support.webkit import make_kit


@pytest.fixture(scope="session")
def shared_assistant(tmp_path_factory):
    from bot.core.chat.assistant import load_assistant
    from bot.storage import ChatStore, connect

    return load_assistant(ChatStore(connect(tmp_path_factory.mktemp("chat") / "chat.db", any_thread=True)))


@pytest.fixture
def kit(tmp_path, shared_assistant):
    return make_kit(tmp_path, assistant=shared_assistant)
