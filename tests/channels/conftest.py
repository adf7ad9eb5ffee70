"""Fixtures of the WeCom/DingTalk tests: loopback fake servers and the real SDK clients.

The DingTalk SDK reads its OpenAPI endpoint from DINGTALK_OPENAPI_ENDPOINT when imported (its
documented override), so the fake's port is chosen here, before anything imports the SDK. The WeCom
SDK always speaks TLS with its own certificate store; the test certificate is added to that store
(transport level only, the client itself is untouched).
"""

from __future__ import annotations

import os
import socket


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


DINGTALK_PORT = int(os.environ.setdefault("LIBAO_TEST_DINGTALK_PORT", str(_free_port())))
os.environ["DINGTALK_OPENAPI_ENDPOINT"] = f"http://127.0.0.1:{DINGTALK_PORT}"
