"""The whole story in real headless Chromium (Debian's package, driven by Playwright): staff asks,
clarifies, checks a draft, copies a phrase and files a report; the officer (password + TOTP) sees it
highlighted, acknowledges and asks; the reporter answers with the receipt; the officer resolves and
exports. LIBAO_SCREENSHOTS=DIR also saves the page at phone and desktop widths (docs/)."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support.webkit import PASSWORD, RECEIPT_RE, REF_RE, LiveServer, make_kit

from bot.channels.outbox import Outbox
from bot.channels.web.server import WebChannel
from bot.config import WebConfig

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
SHOTS = os.environ.get("LIBAO_SCREENSHOTS")
GENERIC_TOPICS = ("投诉", "保密", "着装", "接待", "微笑", "客户", "文件", "密级")


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (bash .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)  # a fresh profile per launch
        yield b
        b.close()


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


@pytest.fixture
def kit(tmp_path, shared_assistant):
    """The officer of these reports is a web account: notices reach the console through the outbox."""
    return make_kit(tmp_path, assistant=shared_assistant, officers=("web:officer1",))


def sign_in(page, url: str, name: str, code: str = "") -> None:
    page.goto(url + "/login")
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    if code:
        page.fill("#code", code)
    page.click("#login-submit")


def last_bot(page):
    return page.locator(".msg.bot").last


def answered(page, action) -> None:
    """Do `action` and wait until the page has shown the assistant's answer to it."""
    with page.expect_response(lambda r: "/api/send" in r.url or "/api/tap" in r.url) as response:
        action()
    response.value.finished()
    page.wait_for_function("document.querySelectorAll('.msg').length > 0")  # rendered in the same task


def test_staff_officer_reporter_story(kit, browser):
    matcher = kit.assistant.matcher  # the engine the page answers with
    expected = matcher.ask("电话响几声要接？", limit=4)
    topic = next(q for q in GENERIC_TOPICS if matcher.ask(q, limit=4).status == "clarify")
    candidates = [m.entry.title for m in matcher.ask(topic, limit=4).matches]
    with LiveServer(kit.web) as server:
        url = server.url
        staff_ctx = browser.new_context(viewport=PHONE)
        staff_ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
        staff_ctx.set_default_timeout(10_000)
        page = staff_ctx.new_page()
        sign_in(page, url, "staff1")
        page.wait_for_url(url + "/")
        page.wait_for_selector(".msg.bot")  # the greeting

        # ask
        page.fill("#input", "电话响几声要接？")
        page.click("#send")
        page.wait_for_selector(f".msg.bot >> text={expected.matches[0].entry.title}")
        # clarify: candidates as buttons; the chosen one replaces them in place
        page.fill("#input", topic)
        page.click("#send")
        clarify = last_bot(page)
        clarify.locator("button", has_text=candidates[0]).first.wait_for()
        count = page.locator(".msg.bot").count()
        clarify.locator("button", has_text=candidates[0]).first.click()
        page.wait_for_selector(f".msg.bot mark >> text=【{candidates[0]}】")
        assert page.locator(".msg.bot").count() == count  # edited, not appended

        # check a draft: problems highlighted in place, personal data masked
        page.click("#mode-check")
        page.fill("#input", "这事不归我管，你找别人去，他电话13812345678")
        page.click("#send")
        page.wait_for_selector(".msg.bot mark >> text=【138****5678】")
        marks = last_bot(page).locator("mark").all_text_contents()
        assert "【不归我管】" in marks
        assert "13812345678" not in page.locator("#log").inner_text()
        shot(page, "chat-phone")

        # phrasebook: copy a phrase to the clipboard
        page.click("#mode-ask")
        page.click("#cmd-phrase")
        last_bot(page).locator("button.tap").first.click()
        phrase_msg = last_bot(page)
        phrase_msg.locator("button.copy").first.wait_for()
        phrase_msg.locator("button.copy").first.click()
        page.wait_for_selector("#toast >> text=已复制")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied and copied in phrase_msg.inner_text()

        # guided leak report from the chat page
        answered(page, lambda: page.click("#cmd-report"))
        answered(page, lambda: last_bot(page).locator("button.tap").last.click())  # category: other
        for answer in ("有外单位人员在走廊打听项目进度", "3小时前", "今天上午十点，三楼会议室"):
            page.fill("#input", answer)
            answered(page, lambda: page.click("#send"))
        answered(page, lambda: last_bot(page).locator("button.tap").first.click())  # level
        page.fill("#input", "已通知部门负责人")
        answered(page, lambda: page.click("#send"))
        answered(page, lambda: last_bot(page).locator("button.tap").first.click())  # confidential: yes
        answered(page, lambda: last_bot(page).locator("button.tap", has_text="提交").click())
        page.wait_for_selector(".msg.bot >> text=回执码")
        log_text = page.locator("#log").inner_text()
        ref = REF_RE.search(log_text).group(1)
        receipt = RECEIPT_RE.search(log_text).group(1)
        if SHOTS:
            page.set_viewport_size(DESKTOP)
            shot(page, "chat-desktop")

        # one round of the report timers and the one outbox: the notice waits on the officer's page, and
        # the reporter's "officers received" waits for the receipt
        kit.reports.tick()
        outbox = Outbox(kit.reports, {"web": WebChannel(WebConfig(), kit.web)}, identities=kit.identities)
        with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's event loop
            assert pool.submit(lambda: asyncio.run(outbox.send_due())).result() == 2

        # the officer: password + TOTP, the notice, the new report highlighted, acknowledge, ask the reporter
        officer = browser.new_context(viewport=DESKTOP, accept_downloads=True).new_page()
        sign_in(officer, url, "officer1", kit.code("officer1"))
        officer.wait_for_url(url + "/officer")
        officer.wait_for_selector(f"#notices >> text={ref}")
        item = officer.locator(f"#reports li[data-ref='{ref}']")
        item.wait_for()
        assert "attention" in item.get_attribute("class")
        item.locator("button.open").click()
        officer.wait_for_selector("#view-summary >> text=有外单位人员在走廊打听项目进度")
        shot(officer, "officer-desktop")
        officer.click("button[data-action='ack']")
        officer.wait_for_selector("#view-history >> text=已受理")
        officer.fill("#action-text", "请说明对方的单位和姓名")
        officer.click("button[data-action='ask']")
        officer.wait_for_selector("#view-history >> text=请说明对方的单位和姓名")

        # the reporter: no account, only the receipt
        reporter = browser.new_context(viewport=PHONE).new_page()
        reporter.goto(url + "/report#receipt")
        reporter.fill("#receipt-code", receipt)
        reporter.click("#receipt-open")
        reporter.wait_for_selector("#receipt-view >> text=请说明对方的单位和姓名")
        reporter.fill("textarea.answer", "对方自称某设备公司销售，姓王")
        reporter.click("button.answer-send")
        reporter.wait_for_selector("#receipt-view >> text=对方自称某设备公司销售，姓王")

        # the officer sees the answer, resolves, exports
        item.locator("button.open").click()
        officer.wait_for_selector("#view-history >> text=对方自称某设备公司销售，姓王")
        officer.fill("#action-text", "已提醒相关人员，不再对外透露")
        officer.click("button[data-action='resolve']")
        officer.wait_for_selector("#view-history >> text=已提醒相关人员")
        officer.check("#all")
        with officer.expect_download() as download:
            officer.click("#export")
        csv_text = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert ref in csv_text and "已办结" in csv_text
        officer.click("#audit")
        officer.wait_for_selector("#audit-result >> text=/\\d+/")
        if SHOTS:
            officer.set_viewport_size(PHONE)
            item.locator("button.open").click()
            shot(officer, "officer-phone")
        assert kit.reports.store.report(ref)["status"] == "resolved"
        assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", receipt)
