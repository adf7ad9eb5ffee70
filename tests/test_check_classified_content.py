"""A disclosure needs content: who is spoken to, questions about what may be done, news told to
all staff or already online, nothing that may be told, a denial, pointing to the notice to come, personal
data that is no code, a customer named before their income, a marked document named by its kind, a meeting
named by its topic, work counted. Drafts written for the test (not evaluation items), each clean one beside
a leak of the same shape that stays found."""

from __future__ import annotations

import pytest
from support.classified import is_amount

from bot.core.check.checker import default_checker


def _categories(draft: str) -> set[str]:
    # The rule grammar's findings (the learned topic opinion has its own tests).
    return {f.category for f in default_checker().check(draft, opinion=False).findings if f.kind == "secret"}


@pytest.mark.parametrize("draft", [
    # A name spoken to, greeted or @-mentioned is the reader, not whose matter is told.
    "赵姐你那边的会员资料我补好了，你抽空看一眼有没有漏的",
    "@小孙 会员资料那张表我已经帮你更新到最新版了",
    # A question whether something may be done, or its answer, is talk about the rules.
    "请问离职的时候能不能把自己跟进过的客户名单拷走？",
    "员工是否可以在家用个人电脑处理客户资料？答案是不可以。",
    # Told to all staff, or already online and clarified by the company.
    "年终奖发放方案人事已经发全员邮件了，平均两个月，大家自己看邮件。",
    "关于网传我们要关闭城南门店的说法，公司特此澄清：没有任何关店计划。",
    # Nothing that may be told.
    "新店选址的事目前还在评估，暂时没有可以分享的信息，有消息再通知您。",
    # Pointing the asker to the notice to come.
    "有同事问我今年调薪的事，我说还没定，等人事部通知吧。",
    # An absence with no detail, to a colleague.
    "小周今天请病假，她的早班我来替。",
    # A bank card the customer gave is personal data, no credential value.
    "您好，退款需要您提供本人银行卡，比如您之前留的6222021234567890128，我们会在三个工作日内退回现金。",
    # A customer named earlier in the sentence: the income is theirs.
    "张经理，贷款材料收齐了。客户姓周，在一家超市上班，月收入六千左右。",
    # A marked document named only by its kind.
    "附件里的预算汇总表属于机密级文件，请勿转发。",
    # A meeting named by its topic.
    "下周三下午开年度预算评审会，请各部门负责人准时参加。",
    # Work counted in a complaint.
    "这个指标太离谱了，一天要处理300个工单，谁做得完。",
])
def test_clean_drafts_stay_clean(draft):
    assert "confidential_topic" not in _categories(draft), draft


@pytest.mark.parametrize("draft", [
    # A name spoken to, and another person's pay told.
    "赵姐你知道吗，钱经理的年薪是八十万。",
    # A question about a leak still tells the value.
    "客户名单有王总和李总，你能不能拷一份给我？",
    # A figure told before the notice, with a cue.
    "年终奖定了，每人发三个月，先别往外说，等人事正式通知吧。",
    # The illness named is a term of its own.
    "小周请病假了，听说是抑郁症住院，别往外说。",
    # A credential value that is no personal data.
    "财务室保险柜的密码是739105，你记一下。",
    # A colleague's income is no customer's.
    "财务说新来的主管月收入三万，比我们都高。",
    # A marked document whose content is told.
    "附件里的预算汇总表属于机密级文件：明年市场费用砍掉三成。",
    # A meeting with a figure told.
    "下周开薪酬沟通会，先别往外说，今年普调百分之五。",
])
def test_leaks_of_the_same_shape_stay_found(draft):
    assert "confidential_topic" in _categories(draft), draft


def test_marked_document_graded_with_a_noun_is_a_marking():
    assert "secret_marker" in _categories("这份调价清单属于机密级文件，请勿外传。")
    assert "secret_marker" not in _categories("机密级文件要怎么保管？")


def test_work_counted_is_no_amount():
    assert not is_amount("一天200个ticket", 2, 5)
    assert not is_amount("上午接了四十个电话", 3, 5)
    assert is_amount("一天营业额200万", 5, 8)


@pytest.mark.parametrize("draft", [
    # An offer delivered to the reader is theirs; a pay table handed to the reader is everyone's.
    ("恭喜通过面试，offer letter 已经发到您的邮箱，请三天内回复。", False),
    ("我把全组的薪资表导出来发给您看看。", True),
    # A customer known by the service they came for, against the customer base handed over.
    ("那位来办理过户的客户资料我放到共享盘了，您核对一下。", False),
    ("我把全部VIP客户资料导出来发给你了，别往外说。", True),
])
def test_whose_matter_and_which_customer(draft):
    text, leak = draft
    assert ("confidential_topic" in _categories(text)) is leak, text
