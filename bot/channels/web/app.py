"""The Starlette application: pages, the chat API, anonymous reporting with a receipt, the officers'
console, and the security around them (sessions, CSRF, headers, throttles).

Every state change is a POST with the session's CSRF token in a header; every response carries a
strict Content-Security-Policy (no inline script) and `Cache-Control: no-store`. Content travels
only in request and response bodies, never in a URL, and nothing here logs it.
"""

from __future__ import annotations

import csv
import html
import io
import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.channels.base import Identities
from bot.channels.ratelimit import RateLimiter
from bot.channels.web.auth import (
    Accounts,
    Session,
    Sessions,
    Throttle,
    TrustedHeader,
    WebUser,
    csrf_ok,
    new_receipt,
    parse_receipt,
    receipt_identity,
)
from bot.channels.web.render import reply_json
from bot.config import RateLimitConfig
from bot.core.chat.assistant import Assistant
from bot.core.chat.callbacks import decode
from bot.core.chat.reply import Button, Reply, Sender
from bot.core.phrases.messages import load_messages, t
from bot.core.reports import flow as report_flow
from bot.core.reports.export import CSV_FIELDS, export_rows
from bot.core.reports.sealing import Sealer, SealError
from bot.core.reports.service import Person, ReportService
from bot.core.reports.views import format_time
from bot.storage.web import WebStore

log = logging.getLogger("libao.web")

STATIC = Path(__file__).parent / "static"
MAX_BODY = 16_384
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"cache-control", b"no-store"),
    (b"pragma", b"no-cache"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
OFFICER_ACTIONS = ("ack", "note", "ask", "resolve", "found", "not_found", "reveal")
TEXT_ACTIONS = ("note", "ask", "resolve")
CARRIER_LEAD = 2 * 86400.0  # a carrier decision is "near" two days before it is due


class SecurityHeaders:
    """Pure ASGI middleware: the same protective headers on every response, errors included."""

    def __init__(self, app: ASGIApp, *, hsts: bool):
        self.app = app
        self.headers = SECURITY_HEADERS + ([(b"strict-transport-security", b"max-age=31536000")] if hsts else [])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k for k, _ in self.headers}
                message["headers"] = [(k, v) for k, v in message.get("headers", []) if k not in names] + self.headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Refused(Exception):
    def __init__(self, status: int, key: str):
        self.status = status
        self.key = key


@dataclass
class WebOptions:
    tls: bool = False
    accounts: bool = True
    anonymous_reports: bool = True
    session_idle: float = 1800
    session_max: float = 12 * 3600
    login_attempts: int = 5
    login_window: float = 900


# ----------------------------------------------------------------------------- pages


@lru_cache(maxsize=16)
def _template(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


_TEXT_KEY = re.compile(r"\{\{([a-z0-9_.]+)\}\}")


def _page(name: str, *, csrf: str, extra_texts: tuple[str, ...] = ()) -> Response:
    """An HTML shell: {{key}} filled from the phrasebook (escaped), the CSRF token in a meta tag and
    the texts the script needs as non-executable JSON."""
    body = _TEXT_KEY.sub(lambda m: html.escape(t(m.group(1))), _template(name))
    prefix = "web."
    texts = {k: v for k, v in load_messages().items() if k.startswith(prefix) or k in extra_texts}
    data = html.escape(json.dumps(texts, ensure_ascii=False), quote=False)
    body = body.replace("<!--csrf-->", f'<meta name="csrf" content="{html.escape(csrf)}">')
    body = body.replace("<!--texts-->", f'<script type="application/json" id="texts">{data}</script>')
    return Response(body, media_type="text/html; charset=utf-8")


# ----------------------------------------------------------------------------- the application


class WebApp:
    """Holds the one assistant, the report service and the web's own state (sessions, throttles)."""

    def __init__(self, assistant: Assistant, *, reports: ReportService | None, accounts: Accounts | None,
                 trusted: TrustedHeader | None, identities: Identities, store: WebStore | None = None,
                 options: WebOptions | None = None, clock: Callable[[], float] = time.time,
                 limiter: RateLimiter | None = None):
        self.assistant = assistant
        # The per-user limit of every channel (serve shares one with WeCom and DingTalk).
        self.limiter = limiter or RateLimiter(RateLimitConfig())
        self.reports = reports
        self.accounts = accounts
        self.trusted = trusted
        self.identities = identities
        self.store = store
        self.options = options or WebOptions()
        self.clock = clock
        o = self.options
        self.sessions = Sessions(idle=o.session_idle, max_age=o.session_max, clock=clock, store=store,
                                 sealer=reports.sealer if reports is not None else None)
        self.logins = Throttle(attempts=o.login_attempts, window=o.login_window, clock=clock)
        self.receipts = Throttle(attempts=o.login_attempts * 2, window=o.login_window, clock=clock)
        self.cookie = "__Host-libao" if o.tls else "libao"

    # -- plumbing -----------------------------------------------------------------------------------
    def _session(self, request: Request) -> tuple[str | None, Session | None]:
        token = request.cookies.get(self.cookie)
        session = self.sessions.get(token)
        if self.trusted is not None:
            user = self.trusted.user(request.client.host if request.client else None, dict(request.headers))
            if user is not None and (session is None or session.user != user):
                token, session = self.sessions.new(user=user)
                request.state.new_token = token
        return token, session

    def _ensure_session(self, request: Request) -> Session:
        token, session = self._session(request)
        if session is None:
            token, session = self.sessions.new()
            request.state.new_token = token
        return session

    def _finish(self, request: Request, response: Response) -> Response:
        token = getattr(request.state, "new_token", None)
        if token:
            response.set_cookie(self.cookie, token, httponly=True, secure=self.options.tls, samesite="strict",
                                path="/")
        return response

    async def _post(self, request: Request, *, officer: bool = False, signed_in: bool = True
                    ) -> tuple[Session, dict[str, Any]]:
        """The session and JSON body of a state change; refuses without a valid CSRF token, from
        another origin, without sign-in or the officer role, or with an oversized body."""
        _, session = self._session(request)
        if session is None:
            raise Refused(401, "web.error.signin")
        if not csrf_ok(session, request.headers.get("x-csrf-token")):
            raise Refused(403, "web.error.csrf")
        origin = request.headers.get("origin")
        if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
            raise Refused(403, "web.error.csrf")
        if officer and (session.user is None or not session.user.is_officer):
            log.warning("officer action without the officer role refused")
            raise Refused(403, "web.error.forbidden")
        if signed_in and session.user is None:
            raise Refused(401, "web.error.signin")
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            raise Refused(413, "web.error.too_big")
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise Refused(413, "web.error.too_big")
        try:
            body = json.loads(raw or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise Refused(400, "web.error.bad_request") from None
        if not isinstance(body, dict):
            raise Refused(400, "web.error.bad_request")
        return session, body

    def _officer(self, request: Request) -> Session:
        _, session = self._session(request)
        if session is None or session.user is None:
            raise Refused(401, "web.error.signin")
        if not session.user.is_officer:
            log.warning("officer page without the officer role refused")
            raise Refused(403, "web.error.forbidden")
        return session

    @staticmethod
    def _str(body: dict[str, Any], key: str, *, limit: int = 4000) -> str:
        value = body.get(key, "")
        if not isinstance(value, str) or len(value) > limit:
            raise Refused(400, "web.error.bad_request")
        return value

    def _nonce(self, body: dict[str, Any]) -> str:
        nonce = self._str(body, "nonce", limit=64)
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", nonce):
            raise Refused(400, "web.error.bad_request")
        return nonce

    # -- pages --------------------------------------------------------------------------------------
    async def index(self, request: Request) -> Response:
        _, session = self._session(request)
        if session is None or session.user is None:
            return self._finish(request, RedirectResponse("/login", status_code=303))
        return self._finish(request, _page("chat.html", csrf=session.csrf))

    async def login_page(self, request: Request) -> Response:
        session = self._ensure_session(request)
        if session.user is not None:
            return self._finish(request, RedirectResponse("/officer" if session.user.is_officer else "/",
                                                          status_code=303))
        return self._finish(request, _page("login.html", csrf=session.csrf))

    async def report_page(self, request: Request) -> Response:
        if not self.options.anonymous_reports or self.reports is None:
            return PlainTextResponse(t("report.disabled"), status_code=404)
        session = self._ensure_session(request)
        return self._finish(request, _page("report.html", csrf=session.csrf))

    async def officer_page(self, request: Request) -> Response:
        session = self._officer(request)
        return self._finish(request, _page("officer.html", csrf=session.csrf))

    # -- sign-in ------------------------------------------------------------------------------------
    async def login(self, request: Request) -> Response:
        _, body = await self._post(request, signed_in=False)
        if self.accounts is None:
            raise Refused(404, "web.error.no_accounts")
        name = self._str(body, "username", limit=64).strip().lower()
        password = self._str(body, "password", limit=1024)
        code = self._str(body, "code", limit=16)
        client = request.client.host if request.client else "-"
        keys = (f"user:{name}", f"client:{client}")
        if self.logins.blocked(*keys):
            log.warning("login throttled")
            return JSONResponse({"error": t("web.error.throttled")}, status_code=429)
        user = self.accounts.verify(name, password, code)
        if user is None:
            self.logins.fail(*keys)
            log.info("login failed")
            return JSONResponse({"error": t("web.error.login")}, status_code=401)
        self.logins.clear(f"user:{name}")
        self.sessions.drop(request.cookies.get(self.cookie))  # a fresh token: no session fixation
        token, fresh = self.sessions.new(user=user)
        request.state.new_token = token
        log.info("login ok (%s)", user.role)
        return self._finish(request, JSONResponse({"next": "/officer" if user.is_officer else "/",
                                                   "csrf": fresh.csrf}))

    async def logout(self, request: Request) -> Response:
        await self._post(request, signed_in=False)
        self.sessions.drop(request.cookies.get(self.cookie))
        response = JSONResponse({"next": "/login"})
        response.delete_cookie(self.cookie, path="/", secure=self.options.tls, httponly=True, samesite="strict")
        return response

    # -- chat ---------------------------------------------------------------------------------------
    async def history(self, request: Request) -> Response:
        _, session = self._session(request)
        if session is None or session.user is None:
            raise Refused(401, "web.error.signin")
        if not session.history:
            self._add(session, self.assistant.start(self._sender(session.user)))
        return JSONResponse({"messages": list(session.history), "user": session.user.name,
                             "role": session.user.role})

    def _uid(self, user: WebUser) -> int:
        return self.identities.user_id(user.identity)

    def _sender(self, user: WebUser) -> Sender:
        return Sender(user_id=self._uid(user), role=user.role, first_name=user.name, username=user.identity)

    def _add(self, session: Session, reply: Reply, *, replace: int | None = None) -> dict[str, Any]:
        if replace is not None:
            for i, old in enumerate(session.history):
                if old["id"] == replace and old["from"] == "bot":
                    msg = reply_json(reply, message_id=replace)
                    session.history[i] = msg
                    return msg
        msg = reply_json(reply, message_id=session.next_id)
        session.next_id += 1
        session.history.append(msg)
        return msg

    def _mine(self, session: Session, text: str) -> dict[str, Any]:
        msg = {"id": session.next_id, "from": "me", "text": text, "buttons": []}
        session.next_id += 1
        session.history.append(msg)
        return msg

    def _reporter(self, session: Session) -> tuple[Sender, Person]:
        assert self.reports is not None and session.receipt is not None
        uid = self.identities.user_id(receipt_identity(self.reports.sealer.pseudonym, session.receipt))
        name = session.user.name if session.user else ""
        username = session.user.identity if session.user else ""
        return (Sender(user_id=uid, first_name=name, chat_id=uid, private=True, username=username),
                Person(user_id=uid, chat_id=uid, private=True, name=name, username=username))

    def _in_report(self, session: Session) -> bool:
        if self.reports is None or session.receipt is None:
            return False
        return self.reports.is_active(self._reporter(session)[1])

    def _via_report(self, session: Session, nonce: str, call: Callable[[Sender], Reply]) -> list[Reply]:
        """Run a step of the report conversation as the receipt's reporter; on submission, the
        receipt is added (the one way back to the report without an account)."""
        sender, person = self._reporter(session)
        return self._after_report_step(session, person, call(replace(sender, update_key=f"web:{nonce}")))

    async def _text_in_report(self, session: Session, nonce: str, text: str) -> list[Reply]:
        """`_via_report` for free text: anything the report flow does not claim is matched in a worker thread."""
        sender, person = self._reporter(session)
        reply = await self.assistant.text_async(replace(sender, update_key=f"web:{nonce}"), text)
        return self._after_report_step(session, person, reply)

    def _after_report_step(self, session: Session, person: Person, reply: Reply) -> list[Reply]:
        replies = [reply]
        assert self.reports is not None
        if not self.reports.is_active(person):
            if self.reports.reporter_view(person):
                receipt = session.receipt or ""
                replies.append(Reply(t("web.receipt.issued", receipt=" ".join(
                    receipt[i:i + 4] for i in range(0, 16, 4)))))
            if session.user is not None:
                session.receipt = None  # the chat page may start another report later
                self.sessions.save(session)
        return replies

    def _limited(self, session: Session) -> Response | None:
        """The rate-limit notice when this user (or this anonymous browser) sends too fast; nothing
        of what they sent reaches the assistant. A page gets the notice on every refused request."""
        who = session.user.identity if session.user is not None else f"web-session:{session.key}"
        if self.limiter.check(who) == "ok":
            return None
        return JSONResponse({"messages": [reply_json(Reply(t("bot.rate_limited")), message_id=0)]})

    async def send(self, request: Request) -> Response:
        session, body = await self._post(request, signed_in=False)
        limited = self._limited(session)
        if limited is not None:
            return limited
        text, nonce = self._str(body, "text"), self._nonce(body)
        # A draft may hold personal data: the history keeps the checker's masked version only.
        echo = t("web.chat.check_sent") if text.strip().lower().startswith("/check") else text
        out = [self._mine(session, echo)] if session.user is not None else []
        for reply in await self._dispatch_text(session, text, nonce):
            out.append(self._add(session, reply) if session.user is not None else reply_json(reply, message_id=0))
        return JSONResponse({"messages": out})

    async def _dispatch_text(self, session: Session, text: str, nonce: str) -> list[Reply]:
        stripped = text.strip()
        command, _, args = stripped[1:].partition(" ") if stripped.startswith("/") else ("", "", "")
        command = command.lower()
        if command == "report":
            if self.reports is None:
                return [Reply(t("report.disabled"))]
            session.receipt = new_receipt()
            self.sessions.save(session)
            return self._via_report(session, nonce, lambda s: self.assistant.command(s, "report", args))
        if self._in_report(session):
            if command == "cancel":
                return self._via_report(session, nonce, lambda s: self.assistant.command(s, "cancel"))
            return await self._text_in_report(session, nonce, text)
        if session.user is None:
            return [Reply(t("web.error.signin"))]
        sender = self._sender(session.user)
        if command:
            return [self.assistant.command(sender, command, args)]
        return [await self.assistant.text_async(sender, text)]

    async def tap(self, request: Request) -> Response:
        session, body = await self._post(request, signed_in=False)
        limited = self._limited(session)
        if limited is not None:
            return limited
        data, nonce = self._str(body, "data", limit=128), self._nonce(body)
        message_id = body.get("id")
        parsed = decode(data)
        if parsed is not None and parsed[0] == "r" and session.receipt is not None:
            replies = self._via_report(session, nonce, lambda s: self.assistant.tap(s, data))
        elif parsed is not None and parsed[0] == "r" and session.user is not None and session.user.is_officer \
                and self.reports is not None:
            # A notice's button on an officer's page: the role was checked at sign-in (second factor).
            replies = self.reports.handle_callback(self._actor_person(session.user), data,
                                                   update_key=f"web:{nonce}") or [Reply(t("report.forged"))]
        elif session.user is None:
            replies = [Reply(t("web.error.signin"))]
        else:
            replies = [self.assistant.tap(self._sender(session.user), data)]
        out = []
        for reply in replies:
            replace = message_id if reply.edit and isinstance(message_id, int) else None
            out.append(self._add(session, reply, replace=replace) if session.user is not None
                       else reply_json(reply, message_id=0))
        return JSONResponse({"messages": out})

    # -- notices --------------------------------------------------------------------------------------
    def _recipients(self, session: Session) -> list[str]:
        out = [session.user.identity] if session.user is not None else []
        if session.receipt is not None and self.reports is not None:
            out.append(receipt_identity(self.reports.sealer.pseudonym, session.receipt))
        return out

    def _take_notices(self, session: Session) -> list[Reply]:
        if self.store is None or self.reports is None:
            return []
        out = []
        for row in self.store.take_notices(self._recipients(session)):
            try:
                out.append(open_notice(self.reports.sealer, str(row["recipient"]), bytes(row["body"])))
            except (SealError, ValueError, KeyError, TypeError):
                log.warning("a web notice could not be opened")
        return out

    async def notices(self, request: Request) -> Response:
        """Report notices for this browser's person (officer notices, reporter updates), shown once."""
        _, session = self._session(request)
        if session is None or (session.user is None and session.receipt is None):
            raise Refused(401, "web.error.signin")
        out = [self._add(session, reply) if session.user is not None else reply_json(reply, message_id=0)
               for reply in self._take_notices(session)]
        return JSONResponse({"messages": out})

    # -- receipts -----------------------------------------------------------------------------------
    async def receipt_open(self, request: Request) -> Response:
        session, body = await self._post(request, signed_in=False)
        client = request.client.host if request.client else "-"
        if self.receipts.blocked(f"client:{client}"):
            return JSONResponse({"error": t("web.error.throttled")}, status_code=429)
        receipt = parse_receipt(self._str(body, "receipt", limit=64))
        if receipt is None or self.reports is None:
            self.receipts.fail(f"client:{client}")
            return JSONResponse({"error": t("web.receipt.unknown")}, status_code=404)
        session.receipt = receipt
        view = self._receipt_view(session)
        if not view:
            session.receipt = None
            self.receipts.fail(f"client:{client}")
            return JSONResponse({"error": t("web.receipt.unknown")}, status_code=404)
        self.sessions.save(session)
        return JSONResponse({"reports": view})

    async def receipt_view(self, request: Request) -> Response:
        _, session = self._session(request)
        if session is None or session.receipt is None or self.reports is None:
            raise Refused(404, "web.receipt.unknown")
        return JSONResponse({"reports": self._receipt_view(session)})

    def _receipt_view(self, session: Session) -> list[dict[str, Any]]:
        assert self.reports is not None
        out = []
        for r in self.reports.reporter_view(self._reporter(session)[1]):
            out.append({"ref": r["ref"], "status": t(f"report.status.{r['status']}"),
                        "awaiting_answer": r["status"] == "info_requested",
                        "created": format_time(r["created_at"]),
                        "events": [t(f"report.event.{e['kind']}", at=format_time(e["at"]), body=e["body"] or "")
                                   if e["kind"] != "submitted" else
                                   t("web.receipt.submitted", at=format_time(e["at"])) for e in r["events"]]})
        return out

    async def receipt_answer(self, request: Request) -> Response:
        session, body = await self._post(request, signed_in=False)
        if session.receipt is None or self.reports is None:
            raise Refused(404, "web.receipt.unknown")
        ref, text, nonce = self._str(body, "ref", limit=32), self._str(body, "text"), self._nonce(body)
        replies = self.reports.reporter_answer(self._reporter(session)[1], ref, text, update_key=f"web:{nonce}")
        return JSONResponse({"message": "\n".join(r.text for r in replies), "reports": self._receipt_view(session)})

    # -- officers -----------------------------------------------------------------------------------
    def _actor_person(self, user: WebUser) -> Person:
        uid = self._uid(user)
        return Person(user_id=uid, chat_id=uid, private=True, name=user.name, username=user.identity, officer=True)

    def _actor(self, user: WebUser) -> str:
        assert self.reports is not None
        return self.reports.actor_for(self._uid(user))

    def _flags(self, due: dict[str, float | None], now: float) -> dict[str, str]:
        assert self.reports is not None
        p = self.reports.policy
        leads = {"written_report": p.written_report_lead, "carrier_decision": CARRIER_LEAD, "feedback": p.feedback_lead}
        out = {}
        for name, at in due.items():
            if at is not None:
                out[name] = "overdue" if now >= at else "near" if at - now <= leads[name] else "ok"
        return out

    async def officer_reports(self, request: Request) -> Response:
        session = self._officer(request)
        if self.reports is None:
            return JSONResponse({"reports": []})
        assert session.user is not None
        show_all = request.query_params.get("all") == "1"
        now = self.clock()
        rows = self.reports.list_reports(open_only=not show_all, actor=self._actor(session.user))
        rank = {u: i for i, u in enumerate(report_flow.URGENCIES)}
        rows.sort(key=lambda r: (r["status"] == "resolved", rank.get(r["urgency"], 9), -r["created_at"]))
        out = []
        for r in rows:
            due = self.reports.deadlines(r)
            out.append({"ref": r["ref"], "category": t(f"report.choice.category.{r['category']}"),
                        "urgency": r["urgency"], "urgency_label": t(f"report.urgency.{r['urgency']}"),
                        "status": r["status"], "status_label": t(f"report.status.{r['status']}"),
                        "created": format_time(r["created_at"]),
                        "deadlines": {k: format_time(v) for k, v in due.items() if v is not None},
                        "flags": self._flags(due, now)})
        return JSONResponse({"reports": out})

    async def officer_report(self, request: Request) -> Response:
        session, body = await self._post(request, officer=True)
        assert session.user is not None
        ref = report_flow.parse_reference(self._str(body, "ref", limit=32))
        data = self.reports.open_report(ref, actor=self._actor(session.user)) if ref and self.reports else None
        if data is None:
            raise Refused(404, "web.error.unknown_ref")
        assert self.reports is not None
        content = data["content"]
        draft = report_flow.Draft(nonce="", **{k: v for k, v in content.items()
                                              if k in report_flow.Draft.__dataclass_fields__})
        history = [t(f"report.event.{e['kind']}", at=format_time(e["at"]), body=e["body"] or "")
                   for e in data["events"] if e["kind"] != "submitted"]
        actions = []
        if data["status"] == "new":
            actions.append("ack")
        if data["status"] != "resolved":
            actions += ["ask", "note", "resolve"]
        if data["category"] == "lost_carrier" and not data["carrier_outcome"]:
            actions += ["found", "not_found"]
        if data["confidential"]:
            actions.append("reveal")  # audited, as from the chat button
        return JSONResponse({
            "ref": data["ref"], "summary": report_flow.summary(draft),
            "header": t("report.view.header", ref=data["ref"], urgency=t(f"report.urgency.{data['urgency']}"),
                        status=t(f"report.status.{data['status']}"), created=format_time(data["created_at"])),
            "reporter": t("report.view.reporter_confidential") if data["identity"] is None
            else t("report.view.reporter", who=self.reports.who(data["identity"])),
            "history": history, "actions": actions,
            "deadlines": {k: format_time(v) for k, v in self.reports.deadlines(data).items() if v is not None}})

    async def officer_action(self, request: Request) -> Response:
        session, body = await self._post(request, officer=True)
        assert session.user is not None
        ref, action = self._str(body, "ref", limit=32), self._str(body, "action", limit=16)
        text, nonce = self._str(body, "text"), self._nonce(body)
        if self.reports is None or action not in OFFICER_ACTIONS:
            raise Refused(400, "web.error.bad_request")
        if action in TEXT_ACTIONS and not text.strip():
            return JSONResponse({"message": t("report.text_required")}, status_code=422)
        replies = self.reports.officer_act(self._actor_person(session.user), ref, action, text,
                                           update_key=f"web:{nonce}")
        return JSONResponse({"message": "\n".join(r.text for r in replies)})

    async def officer_export(self, request: Request) -> Response:
        session, _ = await self._post(request, officer=True)
        assert session.user is not None
        if self.reports is None:
            raise Refused(404, "report.disabled")
        actor = self._actor(session.user)
        rows = self.reports.list_reports(open_only=False, actor=actor)
        buffer = io.StringIO()
        buffer.write("\ufeff")  # BOM: spreadsheet programs read the file as UTF-8
        writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows(export_rows(self.reports, rows, actor=actor))
        return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": 'attachment; filename="libao-reports.csv"'})

    async def officer_audit(self, request: Request) -> Response:
        session, _ = await self._post(request, officer=True)
        assert session.user is not None
        if self.reports is None:
            raise Refused(404, "report.disabled")
        broken, count, head = self.reports.verify_audit(actor=self._actor(session.user))
        message = (t("report.cli.audit_broken", seq=broken) if broken is not None
                   else t("report.cli.audit_ok", count=count, head=head))
        return JSONResponse({"intact": broken is None, "message": message})

    # -- assembly -----------------------------------------------------------------------------------
    def starlette(self) -> Starlette:
        def guarded(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
            async def endpoint(request: Request) -> Response:
                try:
                    return self._finish(request, await handler(request))
                except Refused as exc:
                    if request.method == "GET" and not request.url.path.startswith(("/api", "/officer/api")):
                        if exc.status == 401:
                            return self._finish(request, RedirectResponse("/login", status_code=303))
                        return PlainTextResponse(t(exc.key), status_code=exc.status)
                    return self._finish(request, JSONResponse({"error": t(exc.key)}, status_code=exc.status))
            return endpoint

        routes = [
            Route("/", guarded(self.index)),
            Route("/login", guarded(self.login_page)),
            Route("/report", guarded(self.report_page)),
            Route("/officer", guarded(self.officer_page)),
            Route("/api/login", guarded(self.login), methods=["POST"]),
            Route("/api/logout", guarded(self.logout), methods=["POST"]),
            Route("/api/history", guarded(self.history)),
            Route("/api/send", guarded(self.send), methods=["POST"]),
            Route("/api/tap", guarded(self.tap), methods=["POST"]),
            Route("/api/notices", guarded(self.notices)),
            Route("/api/receipt", guarded(self.receipt_view)),
            Route("/api/receipt/open", guarded(self.receipt_open), methods=["POST"]),
            Route("/api/receipt/answer", guarded(self.receipt_answer), methods=["POST"]),
            Route("/officer/api/reports", guarded(self.officer_reports)),
            Route("/officer/api/report", guarded(self.officer_report), methods=["POST"]),
            Route("/officer/api/action", guarded(self.officer_action), methods=["POST"]),
            Route("/officer/api/export", guarded(self.officer_export), methods=["POST"]),
            Route("/officer/api/audit", guarded(self.officer_audit), methods=["POST"]),
            Mount("/static", StaticFiles(directory=STATIC / "assets")),
        ]
        app = Starlette(routes=routes)
        app.add_middleware(SecurityHeaders, hsts=self.options.tls)
        return app


def seal_notice(sealer: Sealer, recipient: str, reply: Reply) -> bytes:
    """A notice for the page, sealed for its recipient (text and report buttons; nothing else)."""
    buttons = [[[b.label, b.data] for b in row if b.data] for row in reply.buttons]
    return sealer.seal_json({"text": reply.text, "buttons": [r for r in buttons if r]},
                            context=f"web-notice:{recipient}")


def open_notice(sealer: Sealer, recipient: str, body: bytes) -> Reply:
    data = sealer.open_json(body, context=f"web-notice:{recipient}")
    return Reply(str(data["text"]), tuple(tuple(Button(str(label), str(cb)) for label, cb in row)
                                          for row in data["buttons"]))


def new_nonce() -> str:
    """A request nonce as the page makes it (tests and benchmarks)."""
    return secrets.token_urlsafe(16)
