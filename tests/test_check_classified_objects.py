"""Everyday objects and answers: a topic word before an everyday head names a card, a counter, a certificate, a place,
an office or a firm (门禁卡, 户籍窗口, 保安部); a decision about plans told in a draft written to a
customer is the service's answer; a security room gone to or worked in is the day's work. Drafts written
for the test (not evaluation items), each clean one beside a leak of the same shape."""

from __future__ import annotations

from support.classified import clean_beside_leaks, topic_found

CLEAN = [
    # A card, an office, a place of registration: the thing named, not the arrangement.
    "您的门禁卡消磁了的话，带上工牌到物业前台补办一张就行。",
    "办户口迁移请到二楼户籍窗口取号，带好户口本原件。",
    "他的户籍地在外省，要回户籍地开证明才能办。",
    "工牌丢了先去保卫处登记，再找行政补。",
    # A security room gone to for the day's supplies.
    "打印纸用完了，你去库房领一包放在前台。",
]

LEAKS = [
    # A weakness of the access control, a lock's combination, a figure: still told.
    "后门的门禁卡刷不了好几天了，晚上没人守，外面的人随便进。",
    "密码柜的组合是三七二九，钥匙在我抽屉里。",
    "工资卡里这个月人事多给我打了八千，比小王多一倍，你别说出去。",
    # A plan decided among staff.
    "会上刚定了，下个月起城南网点撤掉，人员并到总部，先别往外说。",
]

test_clean_drafts_stay_clean, test_leaks_of_the_same_shape_stay_found = clean_beside_leaks(CLEAN, LEAKS)


def test_a_plan_decision_told_to_a_customer_answers_them():
    # Written to a customer as a whole: what was decided for them is the service's answer.
    draft = "您好，您问的会员体系调整，公司已经定了下个月起积分规则改版，老积分照样能用。"
    assert not topic_found(draft)
