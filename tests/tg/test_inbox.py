"""The curation inbox from chat, through the real PTB application: 👎 votes bring the question
(masked) into the inbox, admins accept a cluster with a button, anyone else's tap changes nothing."""

from __future__ import annotations

import shutil

import pytest
from support.tgbot import ADMIN, STAFF, make_bot
from support.trees import tree_digest

from bot.core.ask.knowledge import DEFAULT_KNOWLEDGE_DIR, load_knowledge
from bot.core.ask.matcher import Matcher
from bot.core.chat.callbacks import encode
from bot.core.check.checker import default_checker
from bot.core.phrases.messages import t

MOBILE = "13987654321"
PARAPHRASES = ["电话响几声必须接", "座机铃响几下得接起来", "来电响几声内要接听"]


@pytest.fixture
def own_matcher(tmp_path) -> Matcher:
    """A matcher over a private copy of the knowledge (accepting writes to it)."""
    directory = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, directory)
    return Matcher(load_knowledge(directory))


async def test_thumbs_down_brings_the_masked_question_into_the_inbox(own_matcher, clock):
    bot = await make_bot(own_matcher, clock, checker=default_checker())
    try:
        question = f"电话响几声必须接？我手机{MOBILE}"
        await bot.send(bot.updates.text(question, user_id=STAFF))
        answer = bot.request.last()
        entry_id = own_matcher.ask(question, limit=4).matches[0].entry.id
        assert bot.store.unanswered() == []  # an answered question is not in the inbox by itself
        # someone else's 👎 on the same entry brings nothing: they did not ask this question
        await bot.send(bot.updates.callback(encode("v", entry_id, "-"), user_id=ADMIN))
        assert bot.store.unanswered() == []
        await bot.send(bot.updates.callback_on(answer, answer.button("👎")["callback_data"], user_id=STAFF))
        rows = bot.store.unanswered()
        assert len(rows) == 1 and rows[0]["entry_id"] == entry_id
        assert MOBILE not in rows[0]["question"] and "139****4321" in rows[0]["question"]
        # the inbox does not send it back to the entry it was down-voted on
        await bot.send(bot.updates.command("/inbox", user_id=ADMIN))
        listing = bot.request.last().text
        assert t("inbox.voted_down", count=1) in listing and MOBILE not in listing
        entry = own_matcher.kb.get(entry_id)
        assert entry is not None and t("inbox.target_entry", title=entry.title) not in listing
    finally:
        await bot.app.shutdown()


async def test_admin_accepts_a_cluster_with_a_button_and_forged_taps_change_nothing(own_matcher, clock):
    bot = await make_bot(own_matcher, clock)
    directory = own_matcher.kb.directory
    assert directory is not None
    try:
        for q in PARAPHRASES:
            bot.store.add_unanswered(q)
        before = tree_digest(directory)
        await bot.send(bot.updates.command("/inbox", user_id=STAFF))
        assert bot.request.last().text == t("access.admin_only")
        await bot.send(bot.updates.command("/inbox", user_id=ADMIN))
        listing = bot.request.last()
        assert t("inbox.cluster", n=1, size=3, example=min(PARAPHRASES, key=len)) in listing.text
        data = listing.button(t("inbox.accept_label", n=1))["callback_data"]
        # a staff member replaying the admin's button, and a made-up cluster: nothing changes
        await bot.send(bot.updates.callback(data, user_id=STAFF))
        assert bot.request.last().text == t("access.admin_only")
        await bot.send(bot.updates.callback(encode("i", "0123456789ab"), user_id=ADMIN))
        assert tree_digest(directory) == before and len(bot.store.unanswered()) == 3
        await bot.send(bot.updates.callback_on(listing, data, user_id=ADMIN))
        assert bot.request.last().text == t("inbox.accepted_alt", question=min(PARAPHRASES, key=len),
                                            id="phone.answer_rings", file="etiquette_phone.yaml")
        assert tree_digest(directory) != before
        accepted = load_knowledge(directory).get("phone.answer_rings")
        assert accepted is not None and min(PARAPHRASES, key=len) in accepted.questions
        assert bot.store.unanswered() == []  # accepted questions leave the inbox
        await bot.send(bot.updates.callback_on(listing, data, user_id=ADMIN))  # a second tap: already done
        assert bot.request.last().text == t("inbox.gone")
    finally:
        await bot.app.shutdown()


def test_console_twin_votes_down_and_accepts_through_the_same_assistant(own_matcher):
    from bot.channels.console.app import ConsoleChat
    from bot.core.chat.assistant import Assistant, AssistantOptions
    from bot.core.chat.reply import Sender
    from bot.core.chat.store import MemoryStore

    store = MemoryStore()
    assistant = Assistant(own_matcher, store, checker=default_checker(),
                          options=AssistantOptions(store_unanswered=True))
    staff = ConsoleChat(assistant, Sender(user_id=5, role="staff"))
    admin = ConsoleChat(assistant)  # the console's own user is an admin
    shown = staff.handle(f"电话响几声必须接？我手机{MOBILE}")
    assert shown is not None and "👎" in shown
    number = next(part.split("]")[0].strip("[ ") for part in shown.split("  ") if "👎" in part)
    staff.handle(number)
    assert [r["entry_id"] for r in store.unanswered()] == ["phone.answer_rings"]
    assert staff.handle("/inbox") == t("access.admin_only")
    listing = admin.handle("/inbox")
    assert listing is not None and "[1] " + t("inbox.accept_label", n=1) in listing and MOBILE not in listing
    before = tree_digest(own_matcher.kb.directory)
    forged = staff.render(assistant.tap(staff.sender, admin._buttons[0]))  # the admin's button, tapped by staff
    assert forged == t("access.admin_only") and tree_digest(own_matcher.kb.directory) == before
    accepted = admin.handle("1")
    assert accepted is not None and accepted.startswith("已") and MOBILE not in accepted
    assert tree_digest(own_matcher.kb.directory) != before and store.unanswered() == []
    # what was written holds the question as stored: masked
    written = "".join(p.read_text(encoding="utf-8") for p in own_matcher.kb.directory.rglob("*.yaml"))
    assert "139****4321" in written and MOBILE not in written
