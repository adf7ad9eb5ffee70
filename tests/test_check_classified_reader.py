"""Whose matter a topic word speaks of and whether anything is disclosed: a draft written to
a customer as a whole, numbers that name rather than count, a decision told to its team, the speaker's
own matter, a rule about where a thing must not be kept, a name called at the head, a reassurance with
an amount. Drafts written for the test (not evaluation items), each clean one beside a leak of the same
shape that stays found."""

from __future__ import annotations

from support.classified import clean_beside_leaks, is_amount

CLEAN = [
    # A draft written to a customer: staffing hours of the service are the service described.
    "您好，您的订单已经发货，预计明天送到，请您留意电话。我们的售后电话每天早九点到晚十点都有人工值守。",
    # A release's name and a hotline are no amounts.
    "您好，请您先把设备固件升级到3.4.1版本再试一次。",
    "个税年度汇算有疑问的，您可以拨打12366纳税服务热线咨询。",
    # A card's tail number identifies; a numeral day is a date.
    "您好，本月工资已发放到您尾号6612的工资卡上，请注意查收。",
    "每月二十号发工资，遇到周末提前一天。",
    # A decision told to the team it concerns.
    "各位同事，今年年会的预算批下来了，大家可以报名出节目。",
    # The speaker's own matter in a dictated draft with no comma.
    "王姐我是小刘啊我明天上午要去医院拿体检报告可能晚点到你帮我跟店长说一声",
    # A rule about where a key must not be kept.
    "下班前把保险柜锁好，钥匙不要放在桌上。",
    # A name called at the head is the reader.
    "小李，帮我核对一下这位会员的资料变更申请，核完跟我说一声。",
    # A handing verb after a refusal word.
    "仓库门禁密码我不方便在微信上发，你过来我当面讲。",
]

LEAKS = [
    # Told to a customer, a weakness of the arrangement still discloses.
    "您好，您的包裹已经入库。我们仓库晚上监控坏了，也没人值守。",
    # A colleague's health in a later clause of the speaker's sentence.
    "我刚拿到体检报告，老李查出乙肝了，你别往外说。",
    # Where the key is kept.
    "保险柜钥匙就放在收银台的抽屉里。",
    # A person named in the clause after the called name.
    "小李，VIP客户名单上有赵总和钱总。",
    # A reassurance does not clear an amount told with it.
    "王总您放心，这次的标底在三百万左右，你们按二百九十万报就行。",
    # A budget with its amount, to the team or not.
    "各位同事，年会预算批下来了，一共三十万，先别往外说。",
]

test_clean_drafts_stay_clean, test_leaks_of_the_same_shape_stay_found = clean_beside_leaks(CLEAN, LEAKS)


def test_numbers_that_name_are_not_amounts():
    assert not is_amount("请拨打12366", 3, 8)
    assert not is_amount("升级到220版本", 3, 6)
    assert not is_amount("尾号2208的卡", 2, 6)
    assert not is_amount("每月十5号", 2, 4)
    assert is_amount("下拨200万", 2, 5)
    assert is_amount("工资十5万", 2, 4)
