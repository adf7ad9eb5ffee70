"""Round 32's ownership and operations: a figure of the reader's or a customer's own matter (their bill,
their budget, their tax return) or a customer's family or health matter is theirs, not the organisation's
secret, unless the organisation's own side is named with it; a security word used in the day's work and a
plan word in a service schedule are operations; a blank form of a list is not the list; asking how a thing
may be handled is a question about the procedure. Drafts written for the test (not evaluation items), each
clean one beside a leak of the same shape that stays found."""

from __future__ import annotations

from support.classified import clean_beside_leaks

CLEAN = [
    # The reader's company's bill, told back to them.
    "李经理您好，贵司五月的结算单请核对：本月到货九批，退货抵扣一千八百元，实际应付二十一万。",
    # A customer's budget passed to the colleague who will serve them.
    "下午来看车的是刘女士，她说想换个七座的，预算二十万左右，你先准备两台试驾车。",
    # The reader's own income in a loan estimate.
    "您好，按您提供的信息试算：您月收入九千，每月还款能力够，额度按四十万算。",
    # A customer's family matter, told to the teacher who looks after the child.
    "张老师，小二班朵朵的家长说孩子父母分居了，接孩子只认外婆，你留意一下。",
    # A storeroom opened for the day's work.
    "下午两点后勤要来清点桌椅，你帮忙开一下库房。",
    # A new door card system in use.
    "明天起新门禁启用，旧卡作废，大家到前台换卡。",
    # A window's rota being rearranged.
    "下周讨论窗口排班调整方案，有想法的先跟我说。",
    # A blank form of the list, not the list.
    "供应商名单的模板我传群里了，空白的，各组自己填。",
    # Asking how a thing may be handled.
    "请问成本明细表可以导出吗？要找谁申请？",
]

LEAKS = [
    # Our own budget, with the customer named in the draft.
    "客户是刘女士，我们这次活动的预算只有二十万，别跟她说。",
    # Our own figure in the clause though the reader is addressed.
    "李经理您好，我们公司今年的利润是八百万。",
    # A colleague's child, named before the owner word.
    "小王家孩子查出白血病了，他这段时间请假比较多。",
    # A colleague's pay told beside a customer's visit.
    "刘女士来办卡的时候，收银员小李说她这个月工资才三千。",
    # A weakness of the storeroom.
    "库房的监控坏了一周了，晚上也没人值班。",
    # A patrol's schedule told with an everyday verb is still the schedule.
    "保安每天凌晨两点检查一遍库房。",
    # A plan of ours, though a restaurant is named.
    "我们饭店下个月要关掉二楼的包厢区，先别对外说。",
    # The filled list is handed over, the template named after it is another thing.
    "供应商名单我整理好发你了，模板下次再说。",
]

test_clean_drafts_stay_clean, test_leaks_of_the_same_shape_stay_found = clean_beside_leaks(CLEAN, LEAKS)
