"""Round 34's forms: a drawing or data set under a marking is the marked document; numbers that name a
time, a line, a room or sheets are no amount; a visitor's errand and service-side persons make a matter
theirs; a bare 报表 needs a figure; footage looked up is the day's work; a hush after a figure told is no
rule in its place; a decision on costs told among staff discloses, told to a customer it answers. Drafts
written for the test (not evaluation items), each clean one beside a leak of the same shape."""

from __future__ import annotations

from support.classified import clean_beside_leaks, topic_found

from bot.core.check.checker import default_checker

CLEAN = [
    # The marked drawing handed back: the marking is the finding, no topic told.
    "那套机密级的减速箱图纸我已经发你邮箱了，看完删掉。",
    # A time of day typed with a colon, a service line, a room.
    "您好，纳税申报的窗口每天17:30后停止取号，您明天早点来。",
    "不懂的可以打95566服务热线问，纳税的事他们讲得更清楚。",
    "预算评审的材料放在二楼203了，你去拿一下。",
    # A visitor known by the errand they came for.
    "小王，那位来咨询离婚手续的大姐在等候区，你先给她倒杯水。",
    # A service-side person's matter.
    "那个用户说她住院了，下周才能来办，你把工单挂起来。",
    # A bare work report handed over.
    "今天的报表我放共享盘了，你有空核对一下格式。",
    # Footage looked up for an incident.
    "丢包裹的事你把门口的监控录像调出来看看是谁拿走的。",
    # A few things counted in the day's work.
    "供应商的样品到了两箱，我已经签收了，单子放你桌上。",
    "明天审计的人来两位，你准备两套鞋套放门口。",
    # Still under discussion: undecided.
    "明年的返点政策还在讨论，定了以后商务部会统一通知。",
]

LEAKS = [
    # What the marked drawing says is told.
    "这份机密级的减速箱图纸里，齿轮模数定的是3.5，公差正负0.02，别外传。",
    # A real amount beside a time.
    "纳税这块咱们今年实际交了八十多万，17:30前把报表给我，别让外面知道。",
    # A colleague's matter, not a visitor's errand.
    "小王，咱们组的老李离婚了，最近情绪不好，这事别到处说。",
    # A figure from the report.
    "报表上这个月的营业额我先按九十万报了，实际只有七十万，别跟区域说。",
    # A weakness of the cameras.
    "后门那个监控坏了一个礼拜了，晚上没人盯着，你心里有数。",
    # A figure told, then the hush.
    "咱们卤料里花椒是百分之八，八角是百分之五，这个绝对不能外传。",
    # A price per box is a figure.
    "供应商给我们的进价是每箱三十二块，别让客户知道。",
    # A costs decision settled among staff.
    "老板昨天拍板了，下个季度起不再给经销商返点。",
]

test_clean_drafts_stay_clean, test_leaks_of_the_same_shape_stay_found = clean_beside_leaks(CLEAN, LEAKS)


def test_a_price_decision_told_to_a_customer_answers_them():
    # Written to a customer as a whole: the decision on the difference is the service's answer.
    draft = ("王先生您好，关于您反映的面积差问题，公司决定按合同约定的单价给您退还差价，"
             "退款会在十个工作日内打到您的账户，请您留意。")
    assert not topic_found(draft)


def test_the_marking_stays_the_finding_on_a_marked_drawing():
    findings = default_checker().check("那套机密级的减速箱图纸我已经发你邮箱了，看完删掉。").findings
    assert any(f.category == "secret_marker" for f in findings)
