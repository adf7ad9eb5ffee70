"""Round 45's forms: an audience word that qualifies the document (全员工资表) is whose it is, not whom it is
handed round; the object of 把 that a sharing act sends on is the thing passed along, not the speaker's own
matter; colleagues' ways of passing a thing along (截了个图, 导成表, 发你微信); a dictated run-on that hushes
reads only the refusals and rules near the topic word; a figure told under a hush with no category word
(secret.topic.hushed_figure); 挣 for 赚; leaving told by the date one stays until; a
kind of unit changed as a whole (门店全部转成仓库); a door left ajar. Drafts written for the test (not
evaluation items), each clean one beside a leak of the same shape."""

from __future__ import annotations

from support.classified import clean_beside_leaks, topic_found

CLEAN = [
    # The reader's own payslip passed back to them.
    "姐，你这个月的工资条我截了个图发你微信了，你看下加班费对不对。",
    # Handed round the team it belongs to.
    "排班表我截了个图发群里了，大家看一下自己周末的班。",
    # 我 inside the 把-object: the speaker's own move.
    "我把我要调岗的申请表截图发你了，你帮我看看格式对不对。",
    # A shop closing for the night, not a plan.
    "今天下雨，门店都关了，明天照常营业。",
    # A run-on with a refusal near the term and no hush.
    "喂你好我是档案室的我这边不能给你复印工资表你要的话让你们主任签个字再来找我",
    # A door reported for repair.
    "仓库那扇门关不严，我已经报修了，师傅下午过来。",
    # A blank form to fill in; a document's format passed on.
    "考核打分的模板在共享盘里，大家下班前填好交给组长。",
    "月报的格式我截了个图发你了，你照着改一下，别转出去，还没定稿。",
    # Hearsay, a weak cue and a figure: no hush.
    "听说明天降温到五度，大家多穿点。",
    "报销款要等财务审完才发，一共三百二十元。",
]

LEAKS = [
    "姐，财务那边的全员工资表我截了个图拍给你了，每个人拿多少都在上面，你看完删掉啊。",
    "我把这次考核要劝退的那几个人的名单截图发你了，他们自己还不知道。",
    "我把我们的 client list 导成 excel 了，联系人和手机都在里面，你们新店开业用得上。",
    "跟你说个事，我们年后门店全部转成仓库，人员都并到总店去，先别往外说。",
    "今年我们厂一共才挣了八十来万，老板说明年要把二车间卖了，你别往外讲。",
    "老张做到这个月底就走了，他那摊子交给小吴，人事还没发通知。",
    "我们店晚上就剩一个人看着，后面那扇门一直虚掩着，钥匙就挂在门边上。",
    # Sent on, then hushed: not discretion alone.
    "我把财务的月报截了几张图发你了，利润那栏你看一下，别转出去。",
    # A figure told under a hush, no category word.
    "年底那批设备要换，厂家一台开价六十八万，合同还没签，你先别往外说。",
    # A run-on: a rule word far off is another errand; the hush is about the figure.
    ("那个小刘啊明天的活动你先按规定把场地和物料都准备好签到表放在门口桌子上横幅让广告公司早上八点前挂好音响你自己先试一遍"
     "然后那个事我跟你说一下这次招标我们的底价是三百二十万你千万别跟别人说"),
]

test_clean_drafts_stay_clean, test_leaks_of_the_same_shape_stay_found = clean_beside_leaks(CLEAN, LEAKS)


def test_a_shop_closed_for_the_night_is_no_plan():
    assert not topic_found("门店都关了，有事明天再来。")


def test_a_hushed_figure_is_reported_as_its_own_topic():
    from bot.core.check.checker import default_checker

    findings = default_checker().check("今年一共才收回来三百来万，别往外讲。", opinion=False).findings
    assert any(f.rule == "secret.topic.hushed_figure" for f in findings)


def test_a_figure_beside_personal_data_is_that_finding_alone():
    assert not topic_found("他那张卡里有十来万，手机号13812345678，你可别说是我说的。")
