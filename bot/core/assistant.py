"""The channel-neutral assistant: what a user sends in, plain replies (text + buttons) out.

Telegram (bot/tg) and the console chat (bot/console.py) only render what this returns; all decisions
live here. Nothing in this module knows about Telegram or SQL: storage is the `ChatStore` protocol
(SQLite in bot/storage.py, `MemoryStore` below for the console and tests).

Button callback data is compact, versioned and validated: ``"<version><kind>:<payload>..."``, e.g.
``"1a:phone.ring_three"`` (show an answer; ``"1c:…"`` the same chosen among clarify candidates),
``"1v:phone.ring_three:+"`` (vote). Anything that does not
parse, names an unknown entry/scenario, or carries another version gets the polite "expired" reply,
never an error.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from bot.core.checker import Checker, CheckResult
from bot.core.inputs import MAX_DRAFT_CHARS, MAX_QUESTION_CHARS, clean_input
from bot.core.knowledge import Entry
from bot.core.matcher import AskResult, Matcher
from bot.core.phrasebook import Phrasebook
from bot.core.texts import t

Role = Literal["staff", "officer", "admin"]

CB_VERSION = "1"
CB_MAX_BYTES = 64  # Telegram's limit for callback_data
_PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_.+\-]{1,56}$")
COPY_MAX_CHARS = 256  # Telegram's limit for a copy-text button

# Placeholder values used in phrases: (callback key, stored key = the placeholder's name).
SETTINGS_FIELDS: tuple[tuple[str, str], ...] = (("unit", "单位"), ("dept", "部门"), ("name", "姓名"))
SETTING_MAX_CHARS = 40


# ----------------------------------------------------------------------------- reply model


@dataclass(frozen=True, slots=True)
class Button:
    """A button under a reply. Exactly one of: `data` (tap comes back to `Assistant.tap`),
    `copy_text` (copies that text), `switch_inline` (opens inline mode in another chat)."""

    label: str
    data: str = ""
    copy_text: str | None = None
    switch_inline: str | None = None


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Reply:
    """What the assistant says. `edit`: replace the message whose button was tapped instead of
    sending a new one; `toast`: a short notice for a tapped button (shown briefly)."""

    text: str
    buttons: Keyboard = ()
    edit: bool = False
    toast: str | None = None


@dataclass(frozen=True, slots=True)
class InlineItem:
    """One result of inline mode (a standard phrase ready to insert)."""

    id: str
    title: str
    description: str
    text: str


@dataclass(frozen=True, slots=True)
class Sender:
    """Who is talking: an already admitted user (access control happens in the channel)."""

    user_id: int
    role: Role = "staff"
    first_name: str = ""


# ----------------------------------------------------------------------------- collaborators


class ChatStore(Protocol):
    """Persistence the chat needs (bot.storage.ChatStore in production)."""

    def get_settings(self, user_id: int) -> dict[str, str]: ...
    def set_setting(self, user_id: int, key: str, value: str) -> None: ...
    def clear_settings(self, user_id: int) -> None: ...
    def add_vote(self, user_id: int, entry_id: str, vote: int) -> None: ...
    def add_unanswered(self, question: str) -> None: ...
    def vote_summary(self) -> list[dict[str, Any]]: ...
    def unanswered(self, *, limit: int = 100) -> list[dict[str, Any]]: ...


class MemoryStore:
    """ChatStore in memory: the console chat and tests (nothing touches the disk)."""

    def __init__(self) -> None:
        self.settings: dict[int, dict[str, str]] = {}
        self.votes: dict[tuple[int, str], int] = {}
        self.questions: list[str] = []

    def get_settings(self, user_id: int) -> dict[str, str]:
        return dict(self.settings.get(user_id, {}))

    def set_setting(self, user_id: int, key: str, value: str) -> None:
        self.settings.setdefault(user_id, {})[key] = value

    def clear_settings(self, user_id: int) -> None:
        self.settings.pop(user_id, None)

    def add_vote(self, user_id: int, entry_id: str, vote: int) -> None:
        self.votes[(user_id, entry_id)] = 1 if vote > 0 else -1

    def add_unanswered(self, question: str) -> None:
        self.questions.append(question)

    def vote_summary(self) -> list[dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for (_, entry_id), vote in self.votes.items():
            row = out.setdefault(entry_id, {"entry_id": entry_id, "up": 0, "down": 0})
            row["up" if vote > 0 else "down"] += 1
        return sorted(out.values(), key=lambda r: (-r["down"], r["up"], r["entry_id"]))

    def unanswered(self, *, limit: int = 100) -> list[dict[str, Any]]:
        return [{"question": q} for q in reversed(self.questions[-limit:])]


# ============================================================================= REPORT DISPATCH POINT
# The leak-report conversation (its own issue, bot/core/report_flow.py) plugs in here: pass an
# object with these three methods as `Assistant(report_flow=...)`. `/report` calls `start`; while a
# user is inside the conversation, `on_text` receives their messages first (return None when the
# user is not in a report conversation); buttons with callback kind "r" go to `on_tap` with the
# payload after "1r:". Until it lands, `UnavailableReportFlow` answers "暂未开放".
class ReportFlow(Protocol):
    def start(self, sender: Sender, args: str) -> Reply: ...
    def on_text(self, sender: Sender, text: str) -> Reply | None: ...
    def on_tap(self, sender: Sender, payload: str) -> Reply: ...
    def cancel(self, sender: Sender) -> bool: ...


class UnavailableReportFlow:
    """Placeholder until the leak-report issue lands: a clear "not available yet"."""

    def start(self, sender: Sender, args: str) -> Reply:
        return Reply(t("report.unavailable"))

    def on_text(self, sender: Sender, text: str) -> Reply | None:
        return None

    def on_tap(self, sender: Sender, payload: str) -> Reply:
        return Reply(t("report.unavailable"), toast=t("report.unavailable_short"))

    def cancel(self, sender: Sender) -> bool:
        return False
# ============================================================================= end REPORT DISPATCH POINT


@dataclass(frozen=True, slots=True)
class AssistantOptions:
    """Privacy switches (config `privacy:`) and display limits."""

    store_votes: bool = True
    store_unanswered: bool = False
    max_candidates: int = 4
    max_related: int = 3


# ----------------------------------------------------------------------------- callback data


def encode(kind: str, *parts: str) -> str:
    """Callback data for a button: version + kind, then the payload parts."""
    data = ":".join((CB_VERSION + kind, *parts))
    if len(data.encode()) > CB_MAX_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def decode(data: str) -> tuple[str, tuple[str, ...]] | None:
    """(kind, parts) of well-formed current-version data, else None (forged, stale or foreign)."""
    if not data or len(data.encode()) > CB_MAX_BYTES:
        return None
    head, *parts = data.split(":")
    if len(head) != len(CB_VERSION) + 1 or not head.startswith(CB_VERSION):
        return None
    if any(not _PAYLOAD_RE.match(p) for p in parts):
        return None
    return head[-1], tuple(parts)


# ----------------------------------------------------------------------------- the assistant


class Assistant:
    """Turns commands, free text and button taps into replies. One instance serves all users."""

    COMMANDS = ("start", "help", "check", "phrase", "settings", "report", "cancel", "stats")

    def __init__(self, matcher: Matcher, store: ChatStore, *, checker: Checker | None = None,
                 phrasebook: Phrasebook | None = None, report_flow: ReportFlow | None = None,
                 options: AssistantOptions | None = None):
        self.matcher = matcher
        self.store = store
        self.checker = checker
        self.phrasebook = phrasebook
        self.report_flow: ReportFlow = report_flow or UnavailableReportFlow()
        self.options = options or AssistantOptions()
        # user id -> settings field awaiting its value (bounded: abandoned prompts age out).
        self._pending: OrderedDict[int, str] = OrderedDict()
        self._taps: dict[str, Callable[[Sender, tuple[str, ...]], Reply]] = {
            "a": self._tap_answer, "c": self._tap_choice, "v": self._tap_vote, "n": self._tap_none,
            "x": self._tap_example, "p": self._tap_phrase, "s": self._tap_setting, "r": self._tap_report,
        }

    # -- entry points ------------------------------------------------------------------------------
    def command(self, sender: Sender, name: str, args: str = "") -> Reply:
        """A slash command by name (without the slash), e.g. ("check", "草稿")."""
        name = name.lower()
        if name in ("start", "help"):
            return self.start(sender) if name == "start" else self.help(sender)
        if name == "check":
            return self.check(sender, args)
        if name == "phrase":
            return self.phrase(sender, args)
        if name == "settings":
            return self.settings(sender, args)
        if name == "report":
            return self.report(sender, args)
        if name == "cancel":
            return self.cancel(sender)
        if name == "stats":
            return self.stats(sender)
        return Reply(t("bot.unknown_command"))

    def text(self, sender: Sender, text: str) -> Reply:
        """Free text: an answer to a pending prompt (report, settings), otherwise a question."""
        claimed = self.report_flow.on_text(sender, text)
        if claimed is not None:
            return claimed
        pending = self._pending.pop(sender.user_id, None)
        if pending is not None:
            return self._set_setting(sender, pending, text)
        return self.ask(sender, text)

    def tap(self, sender: Sender, data: str) -> Reply:
        """A button tap with its callback data; forged or stale data gets the polite 'expired'."""
        parsed = decode(data)
        handler = self._taps.get(parsed[0]) if parsed else None
        if parsed is None or handler is None:
            return self.expired()
        return handler(sender, parsed[1])

    def inline(self, sender: Sender, query: str, *, limit: int = 10) -> tuple[InlineItem, ...]:
        """Inline mode: standard phrases matching `query`, filled with the user's settings."""
        if self.phrasebook is None:
            return ()
        query = query.strip()[:64]
        settings = self.store.get_settings(sender.user_id)
        if query:
            ids = [sid for sid, _ in self._find_scenarios(query, limit=limit)]
        else:
            ids = [sid for sid, _ in self._scenario_list()][:limit]
        items = []
        for sid in ids:
            title = self._scenario_title(sid)
            for i, text in enumerate(self._render_phrases(sid, settings)):
                items.append(InlineItem(id=f"{sid}.{i}"[:64], title=title, description=_preview(text), text=text))
        return tuple(items[:limit])

    def expired(self) -> Reply:
        return Reply(t("bot.expired"), toast=t("bot.expired_short"))

    # -- /start, /help, /cancel, /stats ---------------------------------------------------------------
    def start(self, sender: Sender) -> Reply:
        greeting = t("start.greeting_name", name=sender.first_name) if sender.first_name else t("start.greeting")
        buttons = tuple((Button(t(f"start.example{i}_label"), encode("x", str(i))),) for i in range(3))
        return Reply(greeting + "\n" + t("start.body"), buttons)

    def help(self, sender: Sender, *, bot_username: str = "") -> Reply:
        """Usage; `bot_username` (Telegram) adds the inline-mode hint."""
        text = t("help.body")
        if bot_username:
            text += "\n" + t("help.inline", bot=bot_username)
        if sender.role == "admin":
            text += "\n" + t("help.admin")
        return Reply(text)

    def cancel(self, sender: Sender) -> Reply:
        had = self._pending.pop(sender.user_id, None) is not None
        had = self.report_flow.cancel(sender) or had
        return Reply(t("bot.cancelled") if had else t("bot.nothing_to_cancel"))

    def stats(self, sender: Sender) -> Reply:
        """Admins: what users found unhelpful, and questions without an answer (curation)."""
        if sender.role != "admin":
            return Reply(t("access.admin_only"))
        votes = self.store.vote_summary()[:10]
        lines = [t("bot.stats_votes_title")]
        for row in votes:
            entry = self.matcher.kb.get(str(row["entry_id"]))
            title = entry.title if entry else str(row["entry_id"])
            lines.append(t("bot.stats_vote_line", title=title, up=row["up"], down=row["down"]))
        if not votes:
            lines.append(t("bot.stats_none"))
        lines.append(t("bot.stats_unanswered_title"))
        questions = self.store.unanswered(limit=10)
        lines += [f"· {_preview(str(q['question']))}" for q in questions] or [t("bot.stats_none")]
        return Reply("\n".join(lines))

    # -- questions -------------------------------------------------------------------------------------
    def ask(self, sender: Sender, question: str) -> Reply:
        cleaned = clean_input(question, max_chars=MAX_QUESTION_CHARS)
        if cleaned.problem:
            return Reply(t(cleaned.problem))
        result = self.matcher.ask(cleaned.text, limit=self.options.max_candidates)
        reply = self._render_result(result)
        if result.status == "unknown" and self.options.store_unanswered:
            self.store.add_unanswered(cleaned.text)
        if cleaned.truncated:
            reply = Reply(t("input.truncated", limit=MAX_QUESTION_CHARS) + "\n" + reply.text, reply.buttons)
        return reply

    def _render_result(self, result: AskResult) -> Reply:
        if result.status == "unknown":
            return Reply(t("ask.unknown"))
        if result.status == "clarify":
            rows = tuple((Button(m.entry.title, encode("c", m.entry.id)),) for m in result.matches)
            return Reply(t("ask.clarify"), (*rows, (Button(t("bot.none_of_these"), encode("n")),)))
        return self.answer(result.matches[0].entry)

    def answer(self, entry: Entry, *, voted: int = 0) -> Reply:
        """An entry as a reply: answer, source, related questions, and 👍/👎 (until voted)."""
        lines = [f"【{entry.title}】", entry.answer, t("ask.source", source=entry.source)]
        related = [r for r in (self.matcher.kb.get(i) for i in entry.related) if r is not None]
        related = related[: self.options.max_related]
        rows: list[tuple[Button, ...]] = []
        if related:
            lines.append(t("ask.related"))
            rows += [(Button("↪ " + r.title, encode("a", r.id)),) for r in related]
        if voted:
            lines.append(t("vote.thanks_up") if voted > 0 else t("vote.thanks_down"))
        else:
            rows.append((Button(t("vote.up_label"), encode("v", entry.id, "+")),
                         Button(t("vote.down_label"), encode("v", entry.id, "-"))))
        return Reply("\n".join(lines), tuple(rows))

    def _tap_answer(self, sender: Sender, parts: tuple[str, ...]) -> Reply:
        entry = self.matcher.kb.get(parts[0]) if len(parts) == 1 else None
        if entry is None:
            return self.expired()
        return self.answer(entry)

    def _tap_choice(self, sender: Sender, parts: tuple[str, ...]) -> Reply:
        """A candidate of a clarify reply: the answer replaces the candidates."""
        reply = self._tap_answer(sender, parts)
        return reply if reply.toast else Reply(reply.text, reply.buttons, edit=True)

    def _tap_vote(self, sender: Sender, parts: tuple[str, ...]) -> Reply:
        if len(parts) != 2 or parts[1] not in ("+", "-"):
            return self.expired()
        entry = self.matcher.kb.get(parts[0])
        if entry is None:
            return self.expired()
        vote = 1 if parts[1] == "+" else -1
        if self.options.store_votes:
            self.store.add_vote(sender.user_id, entry.id, vote)
        reply = self.answer(entry, voted=vote)
        return Reply(reply.text, reply.buttons, edit=True, toast=t("vote.toast"))

    def _tap_none(self, sender: Sender, parts: tuple[str, ...]) -> Reply:
        if parts:
            return self.expired()
        return Reply(t("bot.rephrase"), edit=True)

    def _tap_example(self, sender: Sender, parts: tuple[str, ...]) -> Reply:
        if parts == ("0",):
            return self.ask(sender, t("start.example0_text"))
        if parts == ("1",):
            return self.check(sender, t("start.example1_text"))
        if parts == ("2",):
            return self.phrase(sender, t("start.example2_text"))
        return self.expired()

    # -- draft check -----------------------------------------------------------------------------------
    def check(self, sender: Sender, draft: str) -> Reply:
        if self.checker is None:
            return Reply(t("bot.feature_unavailable"))
        if not draft.strip():
            return Reply(t("bot.check_usage"))
        cleaned = clean_input(draft, max_chars=MAX_DRAFT_CHARS)
        if cleaned.problem:
            return Reply(t(cleaned.problem))
        result = self.checker.check(cleaned.text)
        reply = self._render_check(result)
        if cleaned.truncated:
            reply = Reply(t("check.truncated", limit=MAX_DRAFT_CHARS) + "\n" + reply.text, reply.buttons)
        return reply

    def _render_check(self, result: CheckResult) -> Reply:
        """Findings: the draft with spans marked, one line per finding with its suggestion; offered
        rewrites: the standard phrase of each scenario a rule points to (buttons, filled with the
        user's settings) and, when personal data was found, the draft with it masked (copy)."""
        draft: str = result.draft
        findings = tuple(result.findings)
        lines: list[str] = []
        if not findings:
            lines.append(t("check.ok"))
        else:
            lines.append(t("check.found", count=len(findings)))
            lines.append(t("check.label.draft"))
            lines.append(mark_spans(draft, findings))
            for i, f in enumerate(findings, 1):
                category = f.category if f.kind == "forbidden" else t(f"check.kind.{f.kind}")
                lines.append(t("bot.check_finding", n=i, text=f.text, category=category, message=f.message))
                if f.suggestion:
                    lines.append(t("bot.check_suggestion", suggestion=f.suggestion))
        lines += list(result.hints)
        rows: list[tuple[Button, ...]] = []
        known = dict(self._scenario_list())
        scenario_of = {r.id: r.scenario for r in self.checker.ruleset.rules} if self.checker else {}
        for sid in dict.fromkeys(scenario_of.get(f.rule) for f in findings):
            if sid and sid in known:
                rows.append((Button(t("bot.check_phrase_label", title=known[sid]), encode("p", sid)),))
        if any(f.kind == "pii" for f in findings):
            masked = result.masked_draft()
            lines.append(t("bot.check_masked", text=masked))
            if len(masked) <= COPY_MAX_CHARS:
                rows.append((Button(t("bot.copy_masked_label"), copy_text=masked),))
        return Reply("\n".join(lines), tuple(rows))

    # -- phrases -----------------------------------------------------------------------------------------
    def _scenario_list(self) -> list[tuple[str, str]]:
        """(id, title) of every scenario of the phrasebook, in its order."""
        return [(sc.id, sc.title) for sc in self.phrasebook.scenarios] if self.phrasebook else []

    def _scenario_title(self, scenario_id: str) -> str:
        scenario = self.phrasebook.get(scenario_id) if self.phrasebook else None
        return scenario.title if scenario else scenario_id

    def _find_scenarios(self, query: str, *, limit: int) -> list[tuple[str, float]]:
        assert self.phrasebook is not None
        return [(sc.id, score) for sc, score in self.phrasebook.find(query, limit=limit)]

    def _render_phrases(self, scenario_id: str, settings: dict[str, str]) -> list[str]:
        assert self.phrasebook is not None
        return self.phrasebook.render(scenario_id, settings)

    def phrase(self, sender: Sender, query: str) -> Reply:
        if self.phrasebook is None:
            return Reply(t("bot.feature_unavailable"))
        query = query.strip()
        if query:
            hits = self._find_scenarios(query[:64], limit=5)
            if len(hits) == 1 or (len(hits) > 1 and hits[0][1] - hits[1][1] >= 10):
                return self.render_phrase(sender, hits[0][0])
            if hits:
                rows = tuple((Button(self._scenario_title(sid), encode("p", sid)),) for sid, _ in hits)
                return Reply(t("bot.phrase_pick"), rows)
            return Reply(t("bot.phrase_not_found", query=_preview(query)), self._scenario_keyboard())
        return Reply(t("bot.phrase_menu"), self._scenario_keyboard())

    def _scenario_keyboard(self) -> Keyboard:
        buttons = [Button(title, encode("p", sid)) for sid, title in self._scenario_list()]
        return tuple(tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2))

    def render_phrase(self, sender: Sender, scenario_id: str) -> Reply:
        settings = self.store.get_settings(sender.user_id)
        texts = self._render_phrases(scenario_id, settings)
        lines = [f"【{self._scenario_title(scenario_id)}】"]
        lines += [f"{i}. {text}" if len(texts) > 1 else text for i, text in enumerate(texts, 1)]
        scenario = self.phrasebook.get(scenario_id) if self.phrasebook else None
        raw = "".join(scenario.phrases) if scenario else ""
        missing = [label for _, label in SETTINGS_FIELDS if label not in settings and "{" + label + "}" in raw]
        if missing:
            lines.append(t("settings.hint_missing", fields="、".join(missing)))
        if scenario is not None and scenario.note:
            lines.append(t("bot.phrase_note", note=scenario.note))
        if scenario is not None:
            lines.append(t("ask.source", source=scenario.source))
        rows: list[tuple[Button, ...]] = []
        copies = [Button(t("bot.copy_label") + (f" {i}" if len(texts) > 1 else ""), copy_text=text)
                  for i, text in enumerate(texts, 1) if len(text) <= COPY_MAX_CHARS]
        rows += [tuple(copies[i:i + 3]) for i in range(0, len(copies), 3)]
        rows.append((Button(t("bot.insert_elsewhere_label"), switch_inline=self._scenario_title(scenario_id)),))
        return Reply("\n".join(lines), tuple(rows))

    def _tap_phrase(self, sender: Sender, parts: tuple[str, ...]) -> Reply:
        if self.phrasebook is None or len(parts) != 1 or parts[0] not in dict(self._scenario_list()):
            return self.expired()
        return self.render_phrase(sender, parts[0])

    # -- settings ----------------------------------------------------------------------------------------
    def settings(self, sender: Sender, args: str = "") -> Reply:
        """Show the placeholder values; "/settings 单位 某某公司" sets one directly."""
        args = args.strip()
        if args:
            label, _, value = args.partition(" ")
            key = _field_by_label(label.strip())
            if key is None:
                return Reply(t("settings.usage"), self._settings_keyboard())
            if not value.strip():
                return self._prompt(sender, key)
            return self._set_setting(sender, key, value)
        return self._settings_view(sender)

    def _settings_view(self, sender: Sender, *, prefix: str = "", edit: bool = False) -> Reply:
        values = self.store.get_settings(sender.user_id)
        lines = ([prefix] if prefix else []) + [t("settings.title")]
        for _, label in SETTINGS_FIELDS:
            lines.append(t("settings.line", field=label, value=values.get(label) or t("settings.unset")))
        lines.append(t("settings.explain"))
        return Reply("\n".join(lines), self._settings_keyboard(), edit=edit)

    def _settings_keyboard(self) -> Keyboard:
        fields = tuple(Button(t("settings.set_label", field=label), encode("s", key)) for key, label in SETTINGS_FIELDS)
        return (fields, (Button(t("settings.clear_label"), encode("s", "clear")),))

    def _prompt(self, sender: Sender, key: str) -> Reply:
        label = dict(SETTINGS_FIELDS)[key]
        self._pending[sender.user_id] = key
        self._pending.move_to_end(sender.user_id)
        while len(self._pending) > 10_000:
            self._pending.popitem(last=False)
        return Reply(t("settings.prompt", field=label))

    def _set_setting(self, sender: Sender, key: str, value: str) -> Reply:
        label = dict(SETTINGS_FIELDS)[key]
        value = " ".join(value.split())
        if not value or len(value) > SETTING_MAX_CHARS or not clean_input(value, max_chars=SETTING_MAX_CHARS).text:
            return Reply(t("settings.invalid", field=label, limit=SETTING_MAX_CHARS))
        self.store.set_setting(sender.user_id, label, value)
        return self._settings_view(sender, prefix=t("settings.saved", field=label, value=value))

    def _tap_setting(self, sender: Sender, parts: tuple[str, ...]) -> Reply:
        if parts == ("clear",):
            self.store.clear_settings(sender.user_id)
            self._pending.pop(sender.user_id, None)
            return self._settings_view(sender, prefix=t("settings.cleared"), edit=True)
        if len(parts) == 1 and parts[0] in dict(SETTINGS_FIELDS):
            return self._prompt(sender, parts[0])
        return self.expired()

    # -- leak report (see REPORT DISPATCH POINT above) ---------------------------------------------------
    def report(self, sender: Sender, args: str = "") -> Reply:
        return self.report_flow.start(sender, args)

    def _tap_report(self, sender: Sender, parts: tuple[str, ...]) -> Reply:
        return self.report_flow.on_tap(sender, ":".join(parts))


# ----------------------------------------------------------------------------- draft-check rendering


def _field_by_label(label: str) -> str | None:
    for key, name in SETTINGS_FIELDS:
        if label in (key, name):
            return key
    return None


def _preview(text: str, width: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def mark_spans(draft: str, findings: Sequence[Any]) -> str:
    """The draft with every finding's span between 【 and 】; personal data appears masked
    (the finding's own `text`), so the reply never repeats an ID-card or phone number."""
    out, last = [], 0
    for f in sorted(findings, key=lambda f: (int(f.start), -int(f.end))):
        start, end = max(last, int(f.start)), min(len(draft), int(f.end))
        if end <= start or int(f.start) < last:
            continue  # overlaps a span already marked
        shown = str(f.text) if getattr(f, "kind", "") == "pii" else draft[start:end]
        out += [draft[last:start], "【", shown, "】"]
        last = end
    out.append(draft[last:])
    return "".join(out)


def load_assistant(store: ChatStore, *, knowledge_dir: Path | None = None,
                   options: AssistantOptions | None = None) -> Assistant:
    """The assistant over the shipped (or given) knowledge, rules and phrasebook.
    Raises DataError when any data file is broken (start-up is refused)."""
    from bot.core.checker import default_checker
    from bot.core.index_cache import load_matcher
    from bot.core.phrasebook import default_phrasebook

    return Assistant(load_matcher(knowledge_dir), store, checker=default_checker(),
                     phrasebook=default_phrasebook(), options=options)
