"""The web page's defences, through Starlette's test client against the real app, assistant and service."""

from __future__ import annotations

import logging

import pytest
from support.webkit import PASSWORD, PROXY, client_for, csrf_of, file_anonymous_report, login

from bot.channels.web.app import new_nonce

CANARY = "金丝雀甲乙丙丁7391"


def test_post_without_csrf_token_is_rejected_and_changes_nothing(kit):
    client = client_for(kit)
    token = login(client, kit, "staff1")
    for path, body in (("/api/send", {"text": "/settings 单位 某某公司", "nonce": new_nonce()}),
                       ("/api/logout", {})):
        assert client.post(path, json=body).status_code == 403
        assert client.post(path, json=body, headers={"X-CSRF-Token": token + "x"}).status_code == 403
    # a wrong Origin is refused even with the token
    r = client.post("/api/send", json={"text": "你好", "nonce": new_nonce()},
                    headers={"X-CSRF-Token": token, "Origin": "http://evil.example"})
    assert r.status_code == 403
    history = client.get("/api/history").json()["messages"]
    assert not any("某某公司" in m["text"] for m in history)
    assert client.post("/api/login", json={"username": "staff1", "password": PASSWORD}).status_code == 403


def test_staff_session_cannot_open_any_officer_route(kit):
    client = client_for(kit)
    token = login(client, kit, "staff1")
    h = {"X-CSRF-Token": token}
    officer_routes = [r.path for r in kit.web.starlette().routes if getattr(r, "path", "").startswith("/officer")]
    assert len(officer_routes) >= 6
    for path in officer_routes:
        assert client.get(path, follow_redirects=False).status_code in (403, 405), path
        r = client.post(path, json={"ref": "X", "action": "ack", "text": "x", "nonce": new_nonce()}, headers=h)
        assert r.status_code in (403, 405), path
    # signed out: no officer data either
    anon = client_for(kit)
    assert anon.get("/officer/api/reports").status_code == 401


def test_forged_or_replayed_report_action_changes_nothing(kit):
    reporter = client_for(kit)
    ref, _ = file_anonymous_report(reporter, detail="普通情况说明")
    officer = client_for(kit)
    h = {"X-CSRF-Token": login(officer, kit, "officer1")}
    nonce = new_nonce()
    body = {"ref": ref, "action": "ask", "text": "请说明当时在场人员", "nonce": nonce}
    assert officer.post("/officer/api/action", json=body, headers=h).status_code == 200
    events = kit.reports.store.events(ref)
    audit = len(kit.reports.store.audit_rows())
    # the same request again (a replay) adds no event and no audit entry
    assert officer.post("/officer/api/action", json=body, headers=h).status_code == 200
    assert kit.reports.store.events(ref) == events
    assert len(kit.reports.store.audit_rows()) == audit
    # forged: an unknown action, a made-up reference, a reference with a bad check character
    bad_ref = ref[:-1] + ("A" if ref[-1] != "A" else "B")
    for forged in ({"ref": ref, "action": "delete"}, {"ref": "ABCD-EFGH-JKLM-NPQR", "action": "ack"},
                   {"ref": bad_ref, "action": "resolve", "text": "x"}):
        officer.post("/officer/api/action", json={"text": "", "nonce": new_nonce(), **forged}, headers=h)
    assert kit.reports.store.events(ref) == events
    assert kit.reports.store.report(ref)["status"] == "info_requested"
    assert kit.reports.store.verify_audit() is None


def test_trusted_header_only_from_the_proxy(kit):
    headers = {"X-Remote-User": "officer9", "X-Remote-Groups": "secrecy"}
    outsider = client_for(kit, host="127.0.0.1")
    assert outsider.get("/officer/api/reports", headers=headers).status_code == 401
    assert outsider.get("/", headers=headers, follow_redirects=False).status_code == 303
    proxied = client_for(kit, host=PROXY)
    assert proxied.get("/officer/api/reports", headers=headers).status_code == 200
    staff = client_for(kit, host=PROXY)
    assert staff.get("/officer/api/reports", headers={"X-Remote-User": "zhang.san"}).status_code == 403


def test_login_brute_force_is_throttled(kit):
    client = client_for(kit)
    token = csrf_of(client)
    h = {"X-CSRF-Token": token}
    codes = [client.post("/api/login", json={"username": "staff1", "password": f"guess{i}", "code": ""},
                         headers=h).status_code for i in range(kit.web.options.login_attempts)]
    assert codes == [401] * kit.web.options.login_attempts
    # now even the right password is refused for a while
    r = client.post("/api/login", json={"username": "staff1", "password": PASSWORD, "code": ""}, headers=h)
    assert r.status_code == 429
    # another address guessing the same account is refused too (the limit is per account as well)
    other = client_for(kit, host="127.0.0.2")
    r = other.post("/api/login", json={"username": "staff1", "password": PASSWORD, "code": ""},
                   headers={"X-CSRF-Token": csrf_of(other)})
    assert r.status_code == 429


def test_officer_needs_a_fresh_totp_code(kit):
    client = client_for(kit)
    h = {"X-CSRF-Token": csrf_of(client)}
    no_code = client.post("/api/login", json={"username": "officer1", "password": PASSWORD, "code": ""}, headers=h)
    assert no_code.status_code == 401
    code = kit.code("officer1")
    ok = client.post("/api/login", json={"username": "officer1", "password": PASSWORD, "code": code}, headers=h)
    assert ok.status_code == 200
    again = client_for(kit)
    replay = again.post("/api/login", json={"username": "officer1", "password": PASSWORD, "code": code},
                        headers={"X-CSRF-Token": csrf_of(again)})
    assert replay.status_code == 401  # a code is accepted once


def test_cookies_and_headers(kit):
    client = client_for(kit)
    page = client.get("/login")
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in page.text  # no inline script anywhere
    assert page.headers["cache-control"] == "no-store"


def test_each_user_sees_only_their_own_conversation(kit):
    a, b = client_for(kit), client_for(kit)
    ha = {"X-CSRF-Token": login(a, kit, "staff1")}
    login(b, kit, "staff2")
    a.post("/api/send", json={"text": "投诉" + CANARY, "nonce": new_nonce()}, headers=ha)
    assert any(CANARY in m["text"] for m in a.get("/api/history").json()["messages"])
    assert CANARY not in b.get("/api/history").text


def test_report_canaries_reach_only_officers(kit, caplog):
    caplog.set_level(logging.DEBUG)
    reporter = client_for(kit)
    ref, receipt = file_anonymous_report(reporter, detail="情况说明" + CANARY)
    staff = client_for(kit)
    hs = {"X-CSRF-Token": login(staff, kit, "staff1")}
    responses = [staff.get("/"), staff.get("/api/history"), staff.get("/officer/api/reports"),
                 staff.post("/officer/api/report", json={"ref": ref}, headers=hs),
                 staff.post("/officer/api/export", headers=hs), client_for(kit).get("/report")]
    officer = client_for(kit)
    ho = {"X-CSRF-Token": login(officer, kit, "officer1")}
    seen = officer.post("/officer/api/report", json={"ref": ref}, headers=ho)
    export = officer.post("/officer/api/export", headers=ho)
    assert CANARY in seen.text and CANARY in export.text  # the officer does see it
    for r in [*responses, seen, export]:
        assert r.headers["cache-control"] == "no-store"
        assert CANARY not in r.url.path
    for r in responses:
        assert CANARY not in r.text
    assert CANARY not in caplog.text and receipt not in caplog.text
    # the database holds it sealed only
    assert all(CANARY.encode() not in bytes(v) for row in kit.reports.store.events(ref)
               for v in row.values() if isinstance(v, bytes))


@pytest.mark.parametrize("body", [b"\x00\xff" * 10, b"[1,2]", b"{" * 20_000])
def test_bad_bodies_get_a_clear_refusal(kit, body):
    client = client_for(kit)
    token = login(client, kit, "staff1")
    r = client.post("/api/send", content=body, headers={"X-CSRF-Token": token, "Content-Type": "application/json"})
    assert r.status_code in (400, 413) and r.json()["error"]
