"""The web page over the real assistant, report service and accounts on a temporary database, and
the client helpers of its tests (sign-in, the anonymous report through the API)."""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pyotp
import uvicorn
from argon2 import PasswordHasher
from starlette.testclient import TestClient

from bot.channels.base import Identities
from bot.channels.ratelimit import RateLimiter
from bot.channels.web.app import WebApp, WebOptions, new_nonce
from bot.channels.web.auth import Accounts, TrustedHeader
from bot.config import RateLimitConfig
from bot.core.chat.assistant import Assistant, load_assistant
from bot.core.reports.escalation import ReportPolicy
from bot.core.reports.sealing import Sealer
from bot.core.reports.service import AssistantReportFlow, ReportService
from bot.storage import AccountStore, ChatStore, ReportStore, connect
from bot.storage.channels import ChannelStore
from bot.storage.engine import Database
from bot.storage.web import WebStore

KEY = bytes(range(32))  # tests only
PASSWORD = "correct horse battery"
PROXY = "10.9.8.7"
RECEIPT_RE = re.compile(r"回执码：(\d{4} \d{4} \d{4} \d{4})")
REF_RE = re.compile(r"编号：([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")


@dataclass
class Kit:
    web: WebApp
    reports: ReportService
    accounts: Accounts
    assistant: Assistant
    totp: dict[str, str]
    identities: Identities
    db: Database

    def code(self, name: str, *, offset: int = 0) -> str:
        return pyotp.TOTP(self.totp[name]).at(time.time() + offset)


GENEROUS = RateLimitConfig(burst=1000, per_minute=6000)


def make_kit(tmp: Path, *, assistant: Assistant | None = None,
             officers: tuple[str, ...] = ("telegram:5550001",),
             rate_limit: RateLimitConfig = GENEROUS) -> Kit:
    """`officers`: identities (`channel:user_id`) that receive report notices; `rate_limit`: generous
    unless a test is about it (the scripted users here type faster than people)."""
    db = connect(tmp / "libao.db", any_thread=True)
    if assistant is None:
        assistant = load_assistant(ChatStore(db))
    identities = Identities(ChannelStore(db))
    reports = ReportService(store=ReportStore(db), sealer=Sealer(KEY),
                            policy=ReportPolicy(officers=tuple(identities.user_id(k) for k in officers)))
    assistant.report_flow = AssistantReportFlow(reports)
    # Argon2id with small parameters: the same code path, a fraction of the production cost.
    accounts = Accounts(AccountStore(db), sealer=reports.sealer,
                        hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    totp = {}
    accounts.add("staff1", PASSWORD, role="staff")
    accounts.add("staff2", PASSWORD, role="staff")
    for name, role in (("officer1", "officer"), ("admin1", "admin")):
        secret = accounts.add(name, PASSWORD, role=role)
        assert secret is not None
        totp[name] = secret
    trusted = TrustedHeader([ipaddress.ip_network(PROXY)], user_header="X-Remote-User",
                            groups_header="X-Remote-Groups", officer_groups=["secrecy"], admin_groups=["it"])
    web = WebApp(assistant, reports=reports, accounts=accounts, trusted=trusted,
                 identities=identities, store=WebStore(db), options=WebOptions(),
                 limiter=RateLimiter(rate_limit))
    return Kit(web, reports, accounts, assistant, totp, identities, db)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """uvicorn on a loopback port in a thread (its own event loop), stopped on close."""

    def __init__(self, web: WebApp):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(web.starlette(), host="127.0.0.1", port=self.port, access_log=False,
                                log_config=None, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("web server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


CSRF_RE = re.compile(r'<meta name="csrf" content="([^"]+)">')


def csrf_of(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    m = CSRF_RE.search(page.text)
    assert m, page.text[:200]
    return m.group(1)


def login(client: TestClient, kit: Kit, name: str, *, code: str = "") -> str:
    token = csrf_of(client)
    if name in kit.totp and not code:
        code = kit.code(name)
    r = client.post("/api/login", json={"username": name, "password": PASSWORD, "code": code},
                    headers={"X-CSRF-Token": token})
    assert r.status_code == 200, r.text
    return str(r.json()["csrf"])


def client_for(kit: Kit, host: str = "127.0.0.1") -> TestClient:
    return TestClient(kit.web.starlette(), base_url="http://127.0.0.1", client=(host, 50000))


def file_anonymous_report(client: TestClient, *, detail: str) -> tuple[str, str]:
    """The anonymous /report conversation through the API; returns (reference, receipt)."""
    token = csrf_of(client, "/report")
    h = {"X-CSRF-Token": token}

    def send(text: str) -> dict:
        r = client.post("/api/send", json={"text": text, "nonce": new_nonce()}, headers=h)
        assert r.status_code == 200, r.text
        return r.json()["messages"][-1]

    def tap(msg: dict, index: int) -> dict:
        data = msg["buttons"][index][0]["data"]
        r = client.post("/api/tap", json={"data": data, "nonce": new_nonce()}, headers=h)
        assert r.status_code == 200, r.text
        return r.json()["messages"][-1]

    msg = send("/report")
    msg = tap(msg, len(msg["buttons"]) - 1)  # category: other
    msg = send(detail)
    msg = tap(msg, 0)  # discovered: just now
    msg = send("今天上午十点，三楼会议室")
    msg = tap(msg, 0)  # level
    msg = send("已通知部门负责人")
    msg = tap(msg, 0)  # confidential: yes
    r = client.post("/api/tap", json={"data": msg["buttons"][0][0]["data"], "nonce": new_nonce()}, headers=h)
    texts = "\n".join(m["text"] for m in r.json()["messages"])
    receipt = RECEIPT_RE.search(texts)
    ref = re.search(r"编号：(\S{19})", texts)
    assert receipt and ref, texts
    return ref.group(1), receipt.group(1)
