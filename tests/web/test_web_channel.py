"""The web page as one channel among the others: report notices through the one outbox shown on the
officer's page, sessions kept in the database across a restart, TOTP secrets and receipts sealed."""

from __future__ import annotations

import io
import json

from support.reports import Answers, submit
from support.webkit import KEY, PASSWORD, client_for, csrf_of, file_anonymous_report, login, make_kit

from bot.channels.console.app import ConsoleChannel, ConsoleChat
from bot.channels.outbox import Outbox
from bot.channels.web.app import WebApp, new_nonce
from bot.channels.web.auth import Accounts, Sessions, WebUser
from bot.channels.web.server import WebChannel
from bot.config import RateLimitConfig, WebConfig
from bot.core.chat.reply import Sender
from bot.core.phrases.messages import t
from bot.core.reports.sealing import Sealer
from bot.core.reports.service import Person
from bot.core.reports.views import format_time
from bot.storage import AccountStore, connect
from bot.storage.web import WebStore


def _restarted(kit) -> WebApp:
    """A new web application over the same database, as after a restart of `serve`."""
    return WebApp(kit.assistant, reports=kit.reports, accounts=kit.accounts, trusted=kit.web.trusted,
                  identities=kit.identities, store=WebStore(kit.db), options=kit.web.options)


async def test_a_console_report_reaches_the_web_officer_and_the_ack_reaches_the_console(tmp_path, shared_assistant):
    kit = make_kit(tmp_path, assistant=shared_assistant, officers=("web:officer1",))
    out = io.StringIO()
    uid = kit.identities.user_id("console:alice")
    console = ConsoleChannel(ConsoleChat(kit.assistant, Sender(user_id=uid)), [], out, echo=False)
    outbox = Outbox(kit.reports, {"web": WebChannel(WebConfig(), kit.web), "console": console},
                    identities=kit.identities)
    ref = submit(kit.reports, Person(user_id=uid, chat_id=uid, username="console:alice"), Answers())
    kit.reports.tick()
    # The new-report notice to the officer's web page, then the reporter's "officers received".
    assert await outbox.send_due() == 2
    assert f"{ref}" in out.getvalue()

    officer = client_for(kit)
    csrf = login(officer, kit, "officer1")
    notices = officer.get("/api/notices").json()["messages"]
    assert len(notices) == 1 and ref in notices[0]["text"]
    ack = next(b["data"] for row in notices[0]["buttons"] for b in row if b["label"] == "受理")
    r = officer.post("/api/tap", json={"data": ack, "nonce": new_nonce()}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and ref in r.json()["messages"][-1]["text"]
    assert kit.reports.store.report(ref)["status"] == "acknowledged"
    assert officer.get("/api/notices").json()["messages"] == []  # shown once

    kit.reports.tick()
    assert await outbox.send_due() >= 1  # the reporter's update, on the console
    assert f"您提交的报告 {ref} 已由保密员受理" in out.getvalue()
    assert all(row["status"] == "sent" for row in kit.reports.store.outbox())


def test_a_restart_signs_nobody_out_and_keeps_the_receipt_sealed(tmp_path, shared_assistant):
    kit = make_kit(tmp_path, assistant=shared_assistant)
    staff = client_for(kit)
    login(staff, kit, "staff1")
    reporter = client_for(kit)
    ref, receipt = file_anonymous_report(reporter, detail="情况说明")
    opened = reporter.post("/api/receipt/open", json={"receipt": receipt},
                           headers={"X-CSRF-Token": csrf_of(reporter, "/report")})
    assert opened.status_code == 200

    kit.web = _restarted(kit)
    for client in (staff, reporter):
        client.app = kit.web.starlette()
    history = staff.get("/api/history")
    assert history.status_code == 200 and history.json()["user"] == "staff1"
    view = reporter.get("/api/receipt")
    assert view.status_code == 200 and view.json()["reports"][0]["ref"] == ref

    rows = list(kit.db.query("SELECT * FROM web_sessions"))
    assert rows
    dump = json.dumps([{k: (v.hex() if isinstance(v, bytes) else v) for k, v in r.items()} for r in rows])
    cookies = [c.value for client in (staff, reporter) for c in client.cookies.jar]
    assert cookies and not any(c in dump for c in cookies)  # only hashes of the tokens are stored
    assert receipt.replace(" ", "") not in dump and receipt not in dump


def test_ending_a_users_sessions_in_the_database_signs_them_out(tmp_path):
    now = [1000.0]
    store = WebStore(connect(tmp_path / "s.db"))
    sessions = Sessions(idle=1800, max_age=3600, clock=lambda: now[0], store=store, sealer=Sealer(KEY))
    token, _ = sessions.new(user=WebUser(name="staff1", role="staff", via="account"))
    assert sessions.get(token) is not None
    store.drop_user_sessions("staff1")  # what `libao user disable` does, from another process
    now[0] += 61
    assert sessions.get(token) is None
    now[0] += 1800
    assert sessions.purge() == 0 and sessions.get("unknown-token") is None


def test_totp_secrets_are_sealed_and_clear_ones_get_sealed(tmp_path, shared_assistant):
    kit = make_kit(tmp_path, assistant=shared_assistant)
    rows = list(kit.db.query("SELECT * FROM web_accounts WHERE role != 'staff'"))
    assert rows and all(r["totp_secret"] is None and r["totp_sealed"] for r in rows)
    for name, secret in kit.totp.items():
        assert all(secret.encode() not in bytes(r["totp_sealed"]) for r in rows), name

    # An account an older version wrote with its secret in clear: sealed at start, sign-in unchanged.
    kit.db.execute("UPDATE web_accounts SET totp_secret = ?, totp_sealed = NULL WHERE username = 'officer1'",
                   [kit.totp["officer1"]])
    assert kit.accounts.seal_legacy() == 1
    row = AccountStore(kit.db).get("officer1")
    assert row is not None and row["totp_secret"] is None and row["totp_sealed"]
    assert kit.accounts.verify("officer1", PASSWORD, kit.code("officer1")) is not None

    # Without the report key, no officer account can be made or sign in.
    keyless = Accounts(AccountStore(kit.db), hasher=kit.accounts.hasher)
    try:
        keyless.add("officer9", PASSWORD, role="officer")
    except ValueError as exc:
        assert "report key" in str(exc)
    else:
        raise AssertionError("an officer account without the report key was created")
    assert keyless.verify("admin1", PASSWORD, kit.code("admin1", offset=30)) is None


def test_the_officer_console_shows_when_the_leak_was_discovered_and_the_clock_from_it(tmp_path, shared_assistant):
    kit = make_kit(tmp_path, assistant=shared_assistant, officers=("web:officer1",))
    uid = kit.identities.user_id("web:staff1")
    late = submit(kit.reports, Person(user_id=uid, chat_id=uid, username="web:staff1"), Answers(discovered="30小时前"))
    fresh = submit(kit.reports, Person(user_id=uid, chat_id=uid, username="web:staff1"), Answers(discovered="now"))
    officer = client_for(kit)
    h = {"X-CSRF-Token": login(officer, kit, "officer1")}
    listed = {r["ref"]: r for r in officer.get("/officer/api/reports").json()["reports"]}
    assert listed[late]["flags"]["written_report"] == "overdue"  # 24 h from discovery, not from submission
    assert listed[fresh]["flags"]["written_report"] == "ok"
    view = officer.post("/officer/api/report", json={"ref": late}, headers=h).json()
    row = kit.reports.store.report(late)
    found = kit.reports.notifications.discovered_at(row)
    assert found is not None and row["created_at"] - found >= 30 * 3600
    assert t("report.summary.discovered", at=format_time(found), said="30小时前") in view["summary"]
    assert view["deadlines"]["written_report"] == format_time(found + 24 * 3600)


def test_the_web_page_has_the_same_per_user_limit_as_every_channel(tmp_path, shared_assistant):
    kit = make_kit(tmp_path, assistant=shared_assistant, rate_limit=RateLimitConfig(burst=3, per_minute=0.01))
    staff = client_for(kit)
    h = {"X-CSRF-Token": login(staff, kit, "staff1")}
    replies = []
    for n in range(5):
        r = staff.post("/api/send", json={"text": f"电话响几声要接？第{n}次", "nonce": new_nonce()}, headers=h)
        assert r.status_code == 200
        replies.append(r.json()["messages"])
    assert all(t("bot.rate_limited") not in m[-1]["text"] for m in replies[:3])
    assert [m[-1]["text"] for m in replies[3:]] == [t("bot.rate_limited")] * 2
    # Nothing of a limited request reached the assistant or the history; a tap is limited the same way.
    history = json.dumps(staff.get("/api/history").json(), ensure_ascii=False)
    assert "第2次" in history and "第3次" not in history and "第4次" not in history
    tapped = staff.post("/api/tap", json={"data": "1x:0", "nonce": new_nonce()}, headers=h).json()["messages"]
    assert [m["text"] for m in tapped] == [t("bot.rate_limited")]
    # Another user is answered as usual: the bucket is per user.
    other = client_for(kit)
    h2 = {"X-CSRF-Token": login(other, kit, "staff2")}
    answer = other.post("/api/send", json={"text": "电话响几声要接？", "nonce": new_nonce()}, headers=h2).json()
    assert t("bot.rate_limited") not in answer["messages"][-1]["text"]


def test_an_older_sqlite_file_keeps_its_accounts_and_sessions(tmp_path):
    from bot.storage.engine import open_database
    from bot.storage.migrations import LATEST, migrate, schema_version

    # The tables as the release before versioned web tables made them: no totp_sealed column.
    old = open_database(tmp_path / "old.db")
    migrate(old, target=3)
    old.execute("CREATE TABLE web_accounts (username TEXT PRIMARY KEY, role TEXT NOT NULL, "
                "password_hash TEXT NOT NULL, "
                "totp_secret TEXT, totp_last_step INTEGER DEFAULT 0, disabled INTEGER NOT NULL DEFAULT 0, "
                "created_at FLOAT NOT NULL, updated_at FLOAT NOT NULL)")
    old.execute("INSERT INTO web_accounts VALUES ('staff1', 'staff', 'hash', NULL, 0, 0, 1.0, 1.0)")
    old.execute("CREATE TABLE web_sessions (key TEXT PRIMARY KEY, csrf TEXT NOT NULL, created REAL NOT NULL, "
                "seen REAL NOT NULL, user TEXT, receipt BLOB, tries INTEGER NOT NULL DEFAULT 0)")
    old.execute("""INSERT INTO web_sessions VALUES ('k1', 'c', 1.0, 1.0, '{"name": "staff1"}', NULL, 0)""")
    old.close()

    db = connect(tmp_path / "old.db")
    assert schema_version(db) == LATEST
    row = AccountStore(db).get("staff1")
    assert row is not None and row["role"] == "staff" and row["totp_sealed"] is None
    assert WebStore(db).drop_user_sessions("staff1") == ["k1"]
