"""The pure parts of leak reports: conversation state machine, reference numbers, escalation plan."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.config import ReportsConfig, parse_duration, read_environment
from bot.core.phrases.messages import t
from bot.core.reports import escalation
from bot.core.reports import flow as report_flow
from bot.core.reports.discovery import BEIJING, format_time, read_discovery
from bot.core.reports.escalation import DAY, HOUR, MINUTE, ReportPolicy, plan
from bot.core.reports.flow import Draft, answer, choose, new_reference, parse_reference, start

NOW = datetime(2024, 12, 4, 16, 30, tzinfo=BEIJING).timestamp()  # a Wednesday afternoon


def _walk(category: str) -> Draft:
    d = start(nonce="n1").draft
    assert d is not None
    d = choose(d, token=f"category:{category}", nonce="n1", now=NOW).draft
    assert d is not None
    if category == "other":
        assert d.step == "detail"
        d = answer(d, text="有人在群里发了文件截图", now=NOW).draft
    assert d is not None and d.step == "discovered"
    d = choose(d, token="discovered:now", nonce="n1", now=NOW).draft
    assert d is not None and d.discovered_at == NOW and d.step == "when_where"
    d = answer(d, text="昨天下午，办公室", now=NOW).draft
    assert d is not None and d.step == "level"
    d = answer(d, text="2", now=NOW).draft  # typed number = second button (机密)
    assert d is not None and d.level == "secret"
    d = choose(d, token="containment:none", nonce="n1", now=NOW).draft
    assert d is not None and d.containment is None and d.step == "confidential"
    d = answer(d, text="是，请为我保密", now=NOW).draft  # typed label
    assert d is not None and d.confidential is True and d.step == "confirm"
    return d


@pytest.mark.parametrize("category", report_flow.CATEGORIES)
def test_every_category_reaches_the_summary(category):
    d = _walk(category)
    screen = report_flow.prompt(d)
    assert "请核对" in screen.text and "昨天下午" in screen.text
    assert [c.token for c in screen.choices] == ["confirm:submit", "confirm:restart", "confirm:cancel"]
    assert choose(d, token="confirm:submit", nonce="n1", now=NOW).submit


def test_validation_keeps_the_step():
    d = start(nonce="n").draft
    assert d is not None
    for bad in ("", "   ", "😂😂", "x", "随便"):  # choice step: text that is neither number nor label
        r = answer(d, text=bad, now=NOW)
        assert r.draft == d and not r.submit
    d = choose(d, token="category:lost_carrier", nonce="n", now=NOW).draft
    assert d is not None
    d = choose(d, token="discovered:now", nonce="n", now=NOW).draft
    assert d is not None and d.step == "when_where"
    assert answer(d, text="   ", now=NOW).draft == d
    assert answer(d, text="啊", now=NOW).draft == d  # too short
    assert "太长" in answer(d, text="长" * 501, now=NOW).screens[0].text
    assert choose(d, token="category:other", nonce="n", now=NOW).draft == d  # button of an earlier step
    assert choose(d, token="level:secret", nonce="other-draft", now=NOW).draft == d  # button of another draft
    assert choose(d, token="level:nonsense", nonce="n", now=NOW).draft == d


def test_restart_and_cancel():
    d = _walk("network_leak")
    r = choose(d, token="confirm:restart", nonce="n1", now=NOW)
    assert r.draft is not None and r.draft.step == "category" and r.draft.when_where is None
    assert choose(d, token="confirm:cancel", nonce="n1", now=NOW).cancelled
    assert Draft.from_dict(d.to_dict()) == d


def test_references_are_random_readable_and_checked():
    refs = {new_reference() for _ in range(2000)}
    assert len(refs) == 2000
    for ref in list(refs)[:200]:
        assert len(ref) == 19 and ref.count("-") == 3
        assert not set(ref) & set("ILOU")
        assert parse_reference(ref) == ref
        assert parse_reference(ref.lower().replace("-", " ")) == ref
        # any single wrong character is caught by the check character
        chars = ref.replace("-", "")
        for i in range(16):
            for sub in "0Z":
                if chars[i] != sub:
                    wrong = chars[:i] + sub + chars[i + 1:]
                    assert parse_reference(wrong) is None
    assert parse_reference("0000-0000-0000-000") is None
    assert new_reference(token_bytes=lambda n: b"\xff" * n).startswith("ZZZZ")
    assert 15 * 5 >= 64  # 75 random bits


def test_urgency():
    assert report_flow.urgency_of(category="public_talk", level="top_secret") == "urgent"
    assert report_flow.urgency_of(category="lost_carrier", level="confidential") == "high"
    assert report_flow.urgency_of(category="public_talk", level="unknown") == "high"
    assert report_flow.urgency_of(category="public_talk", level="confidential") == "normal"


def test_plan_and_statutory_clocks():
    p = ReportPolicy(officers=(1,))
    by_step = {t.step: t for t in plan(submitted_at=0, category="lost_carrier", level="top_secret", policy=p)}
    assert [by_step[f"chain:{i}"].due_at for i in range(4)] == [0, 10 * MINUTE, 30 * MINUTE, 2 * HOUR]
    assert [by_step[f"chain:{i}"].notify for i in range(4)] == ["officers", "officers", "deputy", "head"]
    assert by_step["written_report"].due_at == 20 * HOUR
    assert by_step["carrier_decision"].due_at == 10 * DAY
    assert by_step["feedback"].due_at == 76 * DAY
    for level, days in (("secret", 60), ("confidential", 60), ("unknown", 10)):
        steps = {t.step: t for t in plan(submitted_at=0, category="lost_carrier", level=level, policy=p)}
        assert steps["carrier_decision"].due_at == days * DAY
    assert "carrier_decision" not in {t.step for t in plan(submitted_at=0, category="other", level="secret",
                                                           policy=p)}
    assert escalation.timer_still_due(kind="chain", status="acknowledged", carrier_decided=False) is False
    assert escalation.timer_still_due(kind="feedback", status="resolved", carrier_decided=False) is False
    assert escalation.timer_still_due(kind="carrier_decision", status="resolved", carrier_decided=False)


def test_policy_from_config():
    config = ReportsConfig.model_validate({
        "officers": [1, "2"], "deputy": [3],
        "chain": [{"after": "5m", "notify": "officers"}, {"after": 0, "notify": "officers"}],
        "retention_after_resolution": "30d"})
    assert config.retention_after_resolution == 30 * DAY  # parsed once, typed seconds
    p = config.policy(fallback_officers=())
    assert p.officers == (1, 2) and p.deputy == (3,) and p.staff == {1, 2, 3}
    assert [s.after for s in p.chain] == [0, 300]
    assert p.retention_after_resolution == 30 * DAY
    assert parse_duration("1.5h") == 5400 and parse_duration(90) == 90
    for bad in ({"chain": [{"after": "5m", "notify": "boss"}]}, {"officers": ["x"]}, {"draft_ttl": "soon"},
                {"feedback_due": "-1d"}):
        with pytest.raises(ValueError):
            ReportsConfig.model_validate(bad)


def test_config_defaults_are_the_policy_defaults():
    assert ReportsConfig().policy(fallback_officers=(7,)) == ReportPolicy(officers=(7,))


def test_environment_precedence_flag_then_variable_then_file_then_default(tmp_path):
    env = read_environment({"LIBAO_DB": str(tmp_path / "env.db"), "LIBAO_REPORT_KEY": "secret"})
    assert env.database_file("flag.db", tmp_path / "file.db").name == "flag.db"
    assert env.database_file(None, tmp_path / "file.db").name == "env.db"
    assert read_environment({}).database_file(None, tmp_path / "file.db").name == "file.db"
    assert read_environment({}).database_file().as_posix() == "data/libao.db"
    assert read_environment({}).config_file().name == "config.yaml"
    assert "secret" not in repr(env)


# ----------------------------------------------------------------------------- when it was discovered


def _wall(text: str) -> str | None:
    """Beijing wall time of a reading at NOW (Wednesday 2024-12-04 16:30), or its problem."""
    r = read_discovery(text, now=NOW)
    return format_time(r.at) if r.at is not None else r.problem


@pytest.mark.parametrize(("text", "expected"), [
    # relative to now
    ("刚刚", "2024-12-04 16:30"), ("刚才发现的", "2024-12-04 16:30"), ("5分钟前", "2024-12-04 16:25"),
    ("3小时前", "2024-12-04 13:30"), ("３个小时前", "2024-12-04 13:30"), ("半小时前", "2024-12-04 16:00"),
    ("一个半小时前", "2024-12-04 15:00"), ("两天前", "2024-12-02 16:30"),
    # a day, a part of the day (its first hour), a clock time adjusted to the part
    ("前天", "2024-12-02 00:00"), ("大前天晚上", "2024-12-01 18:00"), ("昨天下午", "2024-12-03 12:00"),
    ("今天上午", "2024-12-04 06:00"), ("昨晚8点", "2024-12-03 20:00"), ("昨天下午两点二十", "2024-12-03 14:20"),
    ("今早七点半", "2024-12-04 07:30"), ("中午1点左右", "2024-12-04 13:00"), ("十点一刻", "2024-12-04 10:15"),
    ("昨天 14:30", "2024-12-03 14:30"), ("昨天晚上12点", "2024-12-04 00:00"),
    # dates and weekdays
    ("12月1日 14点", "2024-12-01 14:00"), ("十二月一号下午", "2024-12-01 12:00"), ("12/1 14点", "2024-12-01 14:00"),
    ("2024-11-30 9:15", "2024-11-30 09:15"), ("12月31日", "2023-12-31 00:00"), ("周一", "2024-12-02 00:00"),
    ("上周三上午", "2024-11-27 06:00"), ("星期天下午3点半", "2024-12-01 15:30"),
    # what is not a discovery time
    ("今天下午5点", "future"), ("晚上8点", "future"), ("2020年1月1日", "too_old"), ("2月30日", "unclear"),
    ("去年吧", "unclear"), ("不记得了", "unclear"), ("😀😀", "unclear"), ("", "unclear"), ("昨天" * 30, "unclear"),
    ("99999小时前", "unclear"),
])
def test_discovery_times_are_read_to_their_earliest_moment(text, expected):
    assert _wall(text) == expected


def test_discovery_reading_is_bounded_and_deterministic():
    hostile = ["1" * 10_000, "\x00\xff" * 5000, "昨天" + "下午" * 5000, "点" * 100_000, "12月" * 40]
    for text in hostile:
        assert read_discovery(text, now=NOW).problem == "unclear"
    assert [read_discovery("昨天下午3点", now=NOW) for _ in range(3)] == [read_discovery("昨天下午3点", now=NOW)] * 3


def _at_discovery() -> Draft:
    d = choose(start(nonce="n").draft, token="category:public_talk", nonce="n", now=NOW).draft
    assert d is not None and d.step == "discovered"
    assert [c.token for c in report_flow.prompt(d).choices] == [
        "discovered:now", "discovered:today", "discovered:yesterday", "discovered:other"]
    assert [c.label for c in report_flow.prompt(d).choices] == ["刚刚", "今天早些时候", "昨天", "更早，我来填写"]
    return d


def test_discovery_step_buttons_typed_times_and_asking_again():
    d = _at_discovery()
    today = choose(d, token="discovered:today", nonce="n", now=NOW).draft
    yesterday = choose(d, token="discovered:yesterday", nonce="n", now=NOW).draft
    assert today is not None and format_time(today.discovered_at) == "2024-12-04 00:00"
    assert yesterday is not None and format_time(yesterday.discovered_at) == "2024-12-03 00:00"
    assert yesterday.discovered_said == "昨天" and yesterday.step == "when_where"
    typed = answer(d, text="昨天下午3点", now=NOW).draft  # typed at the button step
    assert typed is not None and format_time(typed.discovered_at) == "2024-12-03 15:00"
    assert typed.step == "when_where" and typed.discovered_said == "昨天下午3点"
    assert answer(d, text="1", now=NOW).draft.discovered_at == NOW  # the first button by number
    # "I will type it": a text step, then the reading
    other = choose(d, token="discovered:other", nonce="n", now=NOW)
    assert other.draft.step == "discovered_text" and other.screens[0].text == t("report.step.discovered_text")
    done = answer(other.draft, text="上周三上午", now=NOW).draft
    assert format_time(done.discovered_at) == "2024-11-27 06:00" and done.step == "when_where"
    # not understood / in the future / too old: the step is asked again with an example, nothing changes
    for text, problem in (("不记得了", "unclear"), ("今天晚上9点", "future"), ("2020年1月1日", "too_old")):
        for at in (d, other.draft):
            r = answer(at, text=text, now=NOW)
            assert r.draft == at and r.screens[0].text == t(f"report.discovered.{problem}")
            assert r.screens[1] == report_flow.prompt(at)
    assert "例如" in t("report.discovered.unclear")
    # the summary the reporter confirms, and the officer reads, says when it was discovered
    d = _walk("public_talk")
    d = answer(choose(d, token="confirm:restart", nonce="n1", now=NOW).draft, text="1", now=NOW).draft
    d = answer(d, text="昨天下午", now=NOW).draft
    assert t("report.summary.discovered", at="2024-12-03 12:00", said="昨天下午") in report_flow.summary(d)


def test_written_report_clock_runs_from_discovery():
    p = ReportPolicy(officers=(1,))
    submitted = 100 * HOUR

    def steps(discovered):
        return {x.step: x for x in plan(submitted_at=submitted, category="lost_carrier", level="secret",
                                        policy=p, discovered_at=discovered)}

    assert steps(None)["written_report"].due_at == submitted + 20 * HOUR  # no discovery time: submission
    assert steps(submitted - 3 * HOUR)["written_report"].due_at == submitted + 17 * HOUR  # reminder 4 h before
    assert steps(submitted - 22 * HOUR)["written_report"].due_at == submitted  # reminder time passed: at once
    assert steps(submitted - 30 * HOUR)["written_report"].due_at == submitted
    # the chain and the other clocks still run from submission
    assert steps(submitted - 30 * HOUR)["chain:1"].due_at == submitted + 10 * MINUTE
    assert steps(submitted - 30 * HOUR)["carrier_decision"].due_at == submitted + 60 * DAY
    assert escalation.deadline(submitted_at=submitted, policy=p, discovered_at=submitted - 30 * HOUR) == \
        submitted - 6 * HOUR
    assert escalation.deadline(submitted_at=submitted, policy=p, discovered_at=submitted + HOUR) == \
        submitted + 24 * HOUR  # never later than the submission
