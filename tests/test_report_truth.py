"""The report workflow says only what has happened and never loses one flow's input to another:
delivery-confirmed "received", notifications in order per report and recipient, implicit
acknowledgement when an officer asks first, drafts kept when another flow starts, officers told of
each other's acknowledgement, the reporter told of decisions and given a status view."""

from __future__ import annotations

from support.clock import Clock
from support.reports import OFFICERS, Answers, button, make_service, officer, reporter, submit

from bot.core.phrases.messages import t
from bot.core.reports.escalation import MINUTE
from bot.core.reports.flow import new_reference
from bot.core.reports.service import DRAFT_IDLE
from bot.core.reports.views import elapsed as _elapsed


def _outbox(service, ref, recipient="reporter"):
    return [r for r in service.store.outbox(ref=ref) if r["recipient"] == recipient]


def _texts(service, rows):
    return [service.sealer.open_json(r["body"], context=f"outbox:{r['idem_key']}")["text"] for r in rows]


def test_submitted_says_notifying_and_received_waits_for_delivery(tmp_path):
    service = make_service(tmp_path / "r.db", clock=Clock())
    person = reporter(8101)
    ref = submit(service, person, Answers())
    assert _outbox(service, ref) == []  # nothing told to the reporter before a delivery
    first = next(o for o in service.due_notifications() if o.chat_id == OFFICERS[0])
    service.delivered(first, message_id=1)
    assert _texts(service, _outbox(service, ref)) == [t("report.notify.to_reporter.received", ref=ref)]
    second = next(o for o in service.due_notifications() if o.chat_id == OFFICERS[1])
    service.delivered(second, message_id=2)
    assert len(_outbox(service, ref)) == 1  # said once


def test_a_reminder_never_overtakes_the_notice_it_reminds_of(tmp_path):
    clock = Clock()
    service = make_service(tmp_path / "r.db", clock=clock)
    ref = submit(service, reporter(8102), Answers())
    first = next(o for o in service.due_notifications() if o.chat_id == OFFICERS[0])
    for _ in range(3):  # three 500s: the first notice backs off
        service.retry_later(first, delay=15 * MINUTE, error="NetworkError")
    clock.advance(11 * MINUTE)
    service.tick()  # the 10-minute reminder is due now, the notice is not
    due = [o for o in service.due_notifications() if o.chat_id == OFFICERS[0]]
    assert due == []
    clock.advance(10 * MINUTE)
    due = [o for o in service.due_notifications() if o.chat_id == OFFICERS[0]]
    assert len(due) == 1 and t("report.notify.new", ref=ref, category="", urgency="", deadline="")[:6] in due[0].text


def test_sub_minute_elapsed_time_is_not_zero_minutes():
    assert _elapsed(20) == t("report.elapsed.under_minute") and "0" not in _elapsed(20)
    assert _elapsed(600) == t("report.elapsed.minutes", n=10)


def test_asking_the_reporter_first_acknowledges_the_report(tmp_path):
    service = make_service(tmp_path / "r.db", clock=Clock())
    ref = submit(service, reporter(8103), Answers())
    view = service.handle_command(officer(0), "reports", ref)
    service.handle_callback(officer(0), button(view, ":ask:"))
    service.handle_text(officer(0), "请说明当时还有谁在场")
    row = service.store.report(ref)
    assert row["status"] == "info_requested" and row["acknowledged_at"] is not None
    kinds = [e["kind"] for e in service.store.events(ref)]
    assert kinds[1:3] == ["acknowledged", "info_requested"]
    steps = [r["step"] for r in _outbox(service, ref)]
    assert steps[0] == "status:acknowledged" and steps[1].startswith("info_requested")
    told = _outbox(service, ref, f"staff:{service.sealer.pseudonym(OFFICERS[1])}")
    assert any(t("report.notify.acknowledged_by", ref=ref, who="保密员0") == x for x in _texts(service, told))
    history = service.handle_command(officer(1), "reports", ref)[0].text
    assert "保密员0 已受理" in history


def test_a_supplement_button_never_deletes_a_draft_in_progress(tmp_path):
    service = make_service(tmp_path / "r.db", clock=Clock())
    person = reporter(8104)
    ref = submit(service, person, Answers())
    view = service.handle_command(officer(0), "reports", ref)
    service.handle_callback(officer(0), button(view, ":ask:"))
    service.handle_text(officer(0), "请补充")
    relay = next(r for r in _outbox(service, ref) if r["step"].startswith("info_requested"))
    supplement = service.sealer.open_json(relay["body"], context=f"outbox:{relay['idem_key']}")["buttons"][0][0][1]
    started = service.handle_command(person, "report")
    service.handle_callback(person, button(started, ":category:public_talk:"))
    replies = service.handle_callback(person, supplement)
    assert replies[0].text == t("report.draft_in_the_way") and "时间" in replies[1].text
    assert service.store.draft(service.sealer.pseudonym(person.user_id)) is not None
    again = service.handle_command(person, "report")  # neither does /report
    assert again[0].text == t("report.draft_exists")


def test_an_idle_draft_stops_capturing_questions_but_is_kept(tmp_path):
    clock = Clock()
    service = make_service(tmp_path / "r.db", clock=clock)
    person = reporter(8105)
    service.handle_callback(person, button(service.handle_command(person, "report"), ":category:public_talk:"))
    assert service.handle_text(person, "今天上午，大厅") is not None
    clock.advance(DRAFT_IDLE + 1)
    assert service.handle_text(person, "客户投诉怎么处理") is None  # a question again
    assert service.handle_command(person, "report")[0].text == t("report.draft_exists")


def test_non_officers_never_start_a_report_with_arguments(tmp_path):
    service = make_service(tmp_path / "r.db", clock=Clock())
    admin = reporter(8106)
    assert service.handle_command(admin, "report", "list")[0].text == t("report.args_not_officer")
    assert service.store.draft(service.sealer.pseudonym(admin.user_id)) is None


def test_a_wrong_check_character_is_named_as_such(tmp_path):
    service = make_service(tmp_path / "r.db", clock=Clock())
    ref = new_reference()
    typo = ref[:-1] + ("0" if ref[-1] != "0" else "1")
    assert service.handle_command(officer(0), "reports", typo)[0].text == t("report.bad_ref_check")
    assert service.handle_command(officer(0), "reports", ref[:-2])[0].text == t("report.bad_ref")


def test_reporter_is_told_of_the_carrier_decision_and_sees_their_reports(tmp_path):
    service = make_service(tmp_path / "r.db", clock=Clock())
    person = reporter(8107)
    ref = submit(service, person, Answers(category="lost_carrier"))
    service.handle_callback(officer(0), button(service.handle_command(officer(0), "reports", ref), ":found:"))
    texts = _texts(service, _outbox(service, ref))
    assert t("report.notify.to_reporter.carrier", ref=ref, outcome=t("report.view.carrier.found")) in texts
    mine = service.handle_command(person, "report", "mine")[0].text
    assert ref in mine and t("report.status.new") in mine and "三楼" not in mine
    assert service.handle_command(reporter(8108), "report", "mine")[0].text == t("report.mine.empty")
