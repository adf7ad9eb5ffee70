"""Who a figure is told to and what it counts: a standing pay rate told to the readers it is paid to, a
document's circulation counted in days or copies, a security facility used in one day's errand at a
time of that day, a move whose destination is a time, a card that stopped working, and a matter of the
reader's own organisation (贵司). Drafts written for the test (not evaluation items), each clean one beside
a leak of the same shape that stays found."""

from __future__ import annotations

from support.classified import clean_beside_leaks

CLEAN = [
    # A standing rate (per trip, per month) told to those it is paid to.
    "各位司机师傅注意，高温天气期间每趟加发高温补贴五元，跟当天运费一起结。",
    "阿姨您好，老人的护理补贴是按月发的，每月三百元，直接打到老人的存折上。",
    # A document lent and overdue: the figure counts days, not what the document says.
    "老李，研究所借走的那套设计图纸已经逾期二十天，你打电话催他们还回来。",
    # A security facility used in one day's errand, at a time of that day.
    "小刘，今天下午三点机房要做消防检查，你先把门口的纸箱搬走。",
    # A move word whose destination is a time moves appointments or a class, not a person's post.
    "小周，李医生明天上午要去进修，他的五个专家号都挪到周四下午了，你帮忙通知一下病人。",
    "家长您好，周六的钢琴课老师临时有事，孩子这节课要调到下周日上午，学费不变。",
    # A weakness said of the card itself is the errand, not the arrangement's weakness.
    "门禁卡坏了的话先别急，到物业前台登记一下，下午就能补一张新的。",
    # The reader's own organisation's matter, told back to them.
    "张总，关于贵司那位离职员工的竞业限制，我们建议先固定证据，下周再发律师函。",
]

LEAKS = [
    # The same rate told with a secrecy cue, or as a change coming, discloses.
    "各位司机师傅，下个月起高温补贴要从每趟五元降到三元，还没公布，先别往外说。",
    # A colleague's pay, told to a customer.
    "阿姨您好，我们这边护工小王的工资是每月六千，包吃住。",
    # The document's content told, not its loan.
    "老李，设计图纸里的轴承间隙是零点零五毫米，先别外传。",
    # A standing guard schedule, with a word of recurrence.
    "机房每天晚上十点以后就没人了，保安一般凌晨两点才过来巡一次。",
    # A move to a post, not yet announced.
    "小周，李医生下个月要调到总部当主任了，名单还没公布，先别往外说。",
    # A weakness of the arrangement beside the card still discloses.
    "门禁卡坏了也没关系，侧门的门禁一直是坏的，直接推就开。",
    # Our own organisation's departure plan, told outward.
    "张总，跟您透露一下，我们公司下个月要裁掉三十个人，名单已经定了，还没公布。",
]

test_clean_drafts_stay_clean, test_leaks_of_the_same_shape_stay_found = clean_beside_leaks(CLEAN, LEAKS)
