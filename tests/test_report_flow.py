"""The pure parts of leak reports: conversation state machine, reference numbers, escalation plan."""

from __future__ import annotations

import pytest

from bot.config import ReportsConfig, parse_duration, read_environment
from bot.core.reports import escalation
from bot.core.reports import flow as report_flow
from bot.core.reports.escalation import DAY, HOUR, MINUTE, ReportPolicy, plan
from bot.core.reports.flow import Draft, answer, choose, new_reference, parse_reference, start


def _walk(category: str) -> Draft:
    d = start(nonce="n1").draft
    assert d is not None
    d = choose(d, token=f"category:{category}", nonce="n1").draft
    assert d is not None
    if category == "other":
        assert d.step == "detail"
        d = answer(d, text="有人在群里发了文件截图").draft
    assert d is not None and d.step == "when_where"
    d = answer(d, text="昨天下午，办公室").draft
    assert d is not None and d.step == "level"
    d = answer(d, text="2").draft  # typed number = second button (机密)
    assert d is not None and d.level == "secret"
    d = choose(d, token="containment:none", nonce="n1").draft
    assert d is not None and d.containment is None and d.step == "confidential"
    d = answer(d, text="是，请为我保密").draft  # typed label
    assert d is not None and d.confidential is True and d.step == "confirm"
    return d


@pytest.mark.parametrize("category", report_flow.CATEGORIES)
def test_every_category_reaches_the_summary(category):
    d = _walk(category)
    screen = report_flow.prompt(d)
    assert "请核对" in screen.text and "昨天下午" in screen.text
    assert [c.token for c in screen.choices] == ["confirm:submit", "confirm:restart", "confirm:cancel"]
    assert choose(d, token="confirm:submit", nonce="n1").submit


def test_validation_keeps_the_step():
    d = start(nonce="n").draft
    assert d is not None
    for bad in ("", "   ", "😂😂", "x", "随便"):  # choice step: text that is neither number nor label
        r = answer(d, text=bad)
        assert r.draft == d and not r.submit
    d = choose(d, token="category:lost_carrier", nonce="n").draft
    assert d is not None
    assert answer(d, text="   ").draft == d
    assert answer(d, text="啊").draft == d  # too short
    assert "太长" in answer(d, text="长" * 501).screens[0].text
    assert choose(d, token="category:other", nonce="n").draft == d  # button of an earlier step
    assert choose(d, token="level:secret", nonce="other-draft").draft == d  # button of another draft
    assert choose(d, token="level:nonsense", nonce="n").draft == d


def test_restart_and_cancel():
    d = _walk("network_leak")
    r = choose(d, token="confirm:restart", nonce="n1")
    assert r.draft is not None and r.draft.step == "category" and r.draft.when_where is None
    assert choose(d, token="confirm:cancel", nonce="n1").cancelled
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
