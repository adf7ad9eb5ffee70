"""Round 38: handing over or telling to an outsider as disclosure evidence (secret.yaml `topics.handover`), on
drafts written for the test (not evaluation items)."""

from __future__ import annotations

import pytest

from bot.core.check.checker import default_checker


def _rules(draft: str) -> set[str]:
    # The rule grammar's findings (the learned topic opinion has its own tests).
    return {f.rule for f in default_checker().check(draft, opinion=False).findings if f.kind == "secret"}


@pytest.mark.parametrize("draft, rule", [
    ("我把门店上个月的营业额截图发给了我大学同学", "secret.topic.finance"),  # act + recipient
    ("昨天跟一个记者喝茶，说了我们准备把城北的产品线砍掉", "secret.topic.plans"),  # to-word + recipient + telling verb
    ("新产品的设计图纸我传到了论坛上，让网友帮忙看看", "secret.topic.technology"),  # posting verb + public place
    ("我在朋友圈说了我们这批货的进货成本", "secret.topic.costs"),  # 在 + place + telling verb
    ("猎头打电话来问，我告诉他我们组长的年终奖有五个月", "secret.topic.pay"),  # recipient, then a pronoun act
    ("我把小李的病历发给了我当护士的朋友", "secret.topic.staff_private"),  # the speaker hands over a colleague's matter
    ("把这次的投标报价拷给了另一家公司的熟人", "secret.topic.tender"),
    ("我把源代码推到了自己的公开仓库里", "secret.topic.technology"),  # 公开 names where it was put
    ("I told a reporter about the store closures", "secret.topic.plans"),  # English: verb, then an outsider
    ("跟经销商透露了我们下季度的提价计划", "secret.topic.plans"),  # a partner, told by a disclosing verb
    ("客户问起，我透露了我们今年的利润", "secret.topic.finance"),  # a disclosure done, whoever to
    ("展会上我们把样机拆开给参观的人看了", "secret.topic.technology"),  # shown at a trade fair
    ("我把财务室的电脑密码告诉了我男朋友", "secret.topic.credentials"),  # a code told, its value not written
    ("群聊截图我发给了我表哥，里面有这个季度的业绩数字", "secret.topic.finance"),
])
def test_a_hand_over_to_an_outsider_discloses(draft, rule):
    assert rule in _rules(draft)


@pytest.mark.parametrize("draft", [
    "请告诉亲戚朋友，我们年底要开新店",  # the reader asked to pass it on
    "跟外面的人聊天时注意，预算的事不要提",  # a caution about a situation
    "我把自己的体检报告发给了我老公",  # the speaker's own matter
    "这份年报是公开的，我发给了我同学",  # public already
    "能把营业额发给我朋友看看吗？",  # asked about
    "我没把工资表发给任何朋友",  # denied
    "我已经把您的订单信息发给了快递公司",  # the day's work with a service partner
    "采购单已经发给供应商了，明天到货",  # a partner, not an outsider
    "我跟客户说了一下利润的事情需要问财务",  # told a partner, but no disclosing verb
    "我不便透露我们的利润",  # a disclosing verb refused
    "我把自己家的WiFi密码告诉了邻居",  # the speaker's own code
    "小区的门禁卡我借给了我妈",  # a card lent, not a code told
    "周末跟朋友看了场电影，路过我们开的新店",  # 跟 + 看: watching together, not showing
    "我跟朋友打了个电话，问问他们那边的报价",  # 电话 holds no telling verb
    "我同学在别的公司上班，他说他们年底发双薪",  # the 同 of 同学 is no to-word
    "我在朋友圈发了我们新店开业的海报，欢迎大家来",  # publicity put out
])
def test_no_hand_over_to_an_outsider(draft):
    assert not {r for r in _rules(draft) if r.startswith("secret.topic.")}


@pytest.mark.parametrize("draft, rule", [
    ("我们车间的计件单价是一件两毛八，先别往外说", "secret.topic.pay"),  # a piece rate
    ("年底双粮加花红的事你知道就行", "secret.topic.pay"),  # Cantonese pay words
    ("业主通讯录我已经导出来发给你了", "secret.topic.customers"),
    ("这款酱的原料成本一瓶才三块，别跟客人说", "secret.topic.costs"),
    ("我们店一天能卖八千多，这个数别外传", "secret.topic.finance"),
    ("商务标的报价是四百六十万，别声张", "secret.topic.tender"),
    ("新板子的电路板设计我发你邮箱了", "secret.topic.technology"),
    ("公司要被一家上市公司买下了，还没公布", "secret.topic.plans"),
    ("采购部小王被辞了，先别说出去", "secret.topic.personnel"),
    ("报警按钮装在收银台下面左手边，别跟别人说", "secret.topic.security"),
])
def test_the_categories_everyday_words(draft, rule):
    assert rule in _rules(draft)
