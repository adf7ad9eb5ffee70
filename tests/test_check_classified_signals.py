"""Classified-content mechanisms of this round, on drafts written for the test (not evaluation items)."""

from __future__ import annotations

import time

import pytest

from bot.core.check.checker import default_checker
from bot.core.check.classified import _english_key, _quantity


def _rules(draft: str) -> set[str]:
    return {f.rule for f in default_checker().check(draft).findings if f.kind == "secret"}


def test_english_plural_reaches_the_singular_entry_only():
    starts = frozenset({"account", "account list", "leads"})
    assert _english_key("", "accounts", starts) == "account"
    assert _english_key("account", "lists", starts) == "account list"
    assert _english_key("", "lead", starts) == ""  # a singular never reaches a plural entry
    assert _english_key("", "boss", starts) == ""


def test_financial_numerals_are_an_amount():
    text = "标底价7佰陆拾万"
    q = _quantity(text, 0, len(text))
    assert q is not None and text[q[0]:q[1]] == "7佰陆拾万"
    assert _quantity("陆经理来了", 0, 5) is None  # the surname alone is no number


@pytest.mark.parametrize("draft, rule", [
    ("财务部的文件里写着，绝密级报告里写了年底要关两家店", "secret.marker"),
    ("档案袋上写的“机密”，我已经拍照发给对方了", "secret.marker"),
    ("The Q2 revenue numbers haven't been released yet: 18 million.", "secret.topic.finance"),
    ("we moved the customer lists with buyer names to my Dropbox, sending you the link",
     "secret.topic.customers"),
    ("机房服务器的管理员密码贴在显示器背面", "secret.topic.credentials"),
    ("对象存储的 access key 是 AKID9rTq27LmX0pW，别发到群外", "secret.topic.credentials"),
    ("这是涉密文件，不要拷贝到个人电脑上", "secret.marker"),
    ("内部文件 注意保管 —— 三季度渠道调整", "secret.marker"),
    ("仓库进的这批货一件才十二块，标价四十九，别跟客人讲", "secret.topic.costs"),
    ("人事说小吴下个季度要调岗，接她的人还在谈", "secret.topic.personnel"),
    ("老板打算年内把城南那家店盘出去", "secret.topic.plans"),
])
def test_new_kinds_of_disclosure_are_found(draft, rule):
    assert rule in _rules(draft)


@pytest.mark.parametrize("draft", [
    "例如“绝密★长期”这类写法，要按定密制度标注在首页。",
    "这部《机密行动》的电影票还有两张，票价三十元。",
    "题目：秘密、机密、绝密，最高是哪个？答：绝密。",
    "The results were announced yesterday in the annual report.",
    "您尾号0456的账户今天到账5200元，是单位代发的工资。",
    "顾客说是她婆婆住院了，想改约时间。",
    "请勿把登录密码写在便签上。",
    "新系统要求设置密码至少十位，包含大小写字母和数字。",
    "抱歉，我没办法把供应商报价单给您看，这需要采购部审批。",
    "办理结果会推送到手机上，到时凭取件码8812领取。",
    "小区保安电话0571-86620000，夜里有急事可以打。",
    "请问离职员工的劳动合同应该由谁保管？",
])
def test_negative_contexts_hold(draft):
    assert not _rules(draft)


def test_repeated_new_shapes_stay_fast():
    checker = default_checker()
    checker.check("热身")
    for piece in ("机密级文件里写了", "写的“秘密”", "客户说他老婆", "密码写在", "《机密》", "您尾号1的卡工资他"):
        draft = (piece * (5000 // len(piece) + 1))[:5000]
        t = time.process_time()
        checker.check(draft)
        assert time.process_time() - t < 0.5, piece  # linear: far under a quadratic's seconds
