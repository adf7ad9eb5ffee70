"""Classified content by category of 保密范围 (round 29): each mechanism on drafts written for the test
(not evaluation items), the disclosure it must still find beside the harmless draft it must pass."""

from __future__ import annotations

import pytest

from bot.core.check.checker import default_checker
from bot.core.check.classified import _mi_sounds


def _rules(draft: str) -> set[str]:
    return {f.rule for f in default_checker().check(draft).findings if f.kind == "secret"}


def _topics(draft: str) -> set[str]:
    return {r.removeprefix("secret.topic.") for r in _rules(draft) if r.startswith("secret.topic.")}


def _marked(draft: str) -> bool:
    return "secret.marker" in _rules(draft)


@pytest.mark.parametrize("draft", [
    "交车单和钥匙我放在你桌上左边的抽屉里了，客户下午来提车。",
    "热水器漏水那单，客户白天上班，钥匙放在门卫室。",
])
def test_a_key_left_for_an_errand_is_no_credential(draft: str) -> None:
    assert "credentials" not in _topics(draft)


@pytest.mark.parametrize("draft", [
    "保险柜的钥匙放在值班室抽屉里，晚上没人。",  # what it guards
    "备用钥匙压在门口地垫下面。",  # hidden
])
def test_a_guarded_or_hidden_key_still_counts(draft: str) -> None:
    assert _topics(draft) & {"credentials", "security"}


@pytest.mark.parametrize("draft", [
    "楼下新开的那家面馆听说不错，中午一起去？",
    "转移成功后缴费年限合并计算，不影响您领取养老金。",
    "低保复核需要提供家庭成员近半年的收入证明。",
    "面试的时候问期望薪资，你按市场行情说就行，一万左右。",
    "我们已在上个月发布了年度报告，全年营业收入三十二亿元，详见交易所网站。",
    "您这张车票改签后需补差价35元。",
    "明天早班你负责开门，钥匙在保安那里取。",
])
def test_ordinary_words_and_public_figures_are_no_topic(draft: str) -> None:
    assert not _topics(draft)


def test_a_form_or_a_deliverable_for_approval_tells_nothing() -> None:
    assert not _topics("预算表的格式改了，新模板在邮件附件里。")
    assert not _topics("设计图我们明天上午发您确认，您确认后就开工。")
    assert _topics("预算表我偷偷发你了，明年砍了一半。")  # the content told still counts


def test_one_customer_handed_to_a_colleague_is_the_service() -> None:
    assert not _topics("小李，这位客户的资料我转给你了，后续售后由你跟进。")
    assert not _topics("小李，客户的资料我发你了，你跟进一下。")  # one file, passed on in the work
    assert "customers" in _topics("客户名单我发你了，你拿去用。")  # the list is the base
    assert "customers" in _topics("客户资料我拷到U盘带回家了。")  # taken out
    assert "customers" in _topics("那个客户的资料我偷偷拷了一份。")  # asked for discretion


def test_a_sharing_act_the_reader_does_is_their_own_data() -> None:
    assert not _topics("您在系统里导出报表时如果乱码，可以把格式改为XLSX。")
    assert _topics("报表我导出来发你了，别外传。")


def test_a_person_known_by_the_service_they_came_for_is_a_customer() -> None:
    assert not _topics("刚才来理赔的那位先生的病历复印件我放你桌上了。")
    assert "staff_private" in _topics("老李查出来肿瘤了，在化疗，别往外说。")


def test_pointing_to_the_notice_to_come_defers() -> None:
    assert not _topics("人事那边说年终奖的发放时间还没定，定了会发通知。")
    assert "pay" in _topics("年终奖今年每人三个月，还没公布，定了会发通知。")  # a figure told still counts


def test_the_team_group_and_the_company_system_are_the_team() -> None:
    assert not _topics("开完会了，会议纪要整理好我发群里。")
    assert "plans" in _topics("会议纪要我私发给对面公司了，上面写着明年关三家店。")


@pytest.mark.parametrize("draft", [
    "这份是机蜜文件，你看完删掉",
    "这份是绝蜜文件，你看完删掉",
    "这份是内bu资料，别外传",
    "这份是 confidental 文件，别外传",
    "这个文件顶部写着 Top Secret，你们拿去参考吧",
    "Pls find attached the Confidential deck, thanks",
    "the 机密 file 已经发你了",
])
def test_disguised_markings(draft: str) -> None:
    assert _marked(draft)


@pytest.mark.parametrize("draft", [
    "这袋是机米，煮饭香",  # another tone of mi: a kind of rice
    "Please store confidential documents in the locked cabinet.",
    "It's top secret lol, the surprise party is on Friday",
])
def test_not_markings(draft: str) -> None:
    assert not _marked(draft)


def test_only_the_tone_of_mi_reads_as_mi() -> None:
    halves = _mi_sounds(("机密", "绝密", "秘密"))
    assert {"蜜", "觅", "秘"} <= halves
    assert not {"米", "迷", "密"} & halves


@pytest.mark.parametrize(("draft", "category"), [
    ("老王每个月比我们多拿三千，别说出去。", "pay"),
    ("这瓶酒本钱才三十多，标价三百八。", "costs"),
    ("咱们报的价比他们低五十万，别声张。", "tender"),
    ("小刘要被劝走了，人事已经找他谈过，别往外说。", "personnel"),
    ("财务那个铁柜子的号码是左三圈27右两圈81。", "credentials"),
])
def test_everyday_words_of_a_category(draft: str, category: str) -> None:
    assert category in _topics(draft)
