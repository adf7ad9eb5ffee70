"""Round 43's forms: a marked draft that goes on to tell a figure tells the marked matter (not the document's
own number, term, copies or a time of day); a turn after a rule, a refusal or a publication (但, 不过, 其实, but)
sets that word aside for what is told after it; a public figure compared with is no claim of publicity; a code
told by what it equals; a place's lock or camera as the arrangement itself; a weakness in everyday words. Drafts
written for the test (not evaluation items), each clean one beside a leak of the same shape."""

from __future__ import annotations

from support.classified import clean_beside_leaks, topic_found

from bot.core.check.checker import default_checker

CLEAN = [
    # The marked document's own data: its term, its number and copies, a time to hand it back.
    "这份文件密级机密，保密期限十年，请于明天17:00前交回档案室。",
    "【秘密】会议材料共印二十份，份号001至020，会后统一收回。",
    # A book's title holds the level word.
    "您要借的《机密档案》在三楼文学区，会员可以借三十天。",
    # The rule stated, no turn, nothing told.
    "按规定投标底价属于保密信息，不能告诉您，请您理解。",
    # A turn, and what follows is a refusal kept.
    "按规定这个是不能说的，但您可以等开标结果公示。",
    # A code's rule about birthdays, not a code told.
    "电脑开机密码请不要设成生日，信息科会统一检查。",
    # A lock reported for repair.
    "库房的锁有点涩，我已经报修了，师傅下午过来。",
]

LEAKS = [
    # A figure after the marking: the marked matter's content.
    "机密：下周试车的推力定在二十八吨，参试单位三家，别外传。",
    "【内部资料】三号线上季度的故障率是百分之四点二，勿外传。",
    # Told against the rule, after a turn.
    "按规定这个是不能说的，但咱俩这关系我就告诉你，这次的标底是八十五万。",
    "policy 是不让 share 的，but 我已经把 client list 发给我朋友了。",
    # The published figure compared with.
    "这批设备的采购价其实是一台九十万，比公告里写的少十万。",
    # A code told by what it equals.
    "财务室电脑的开机密码就是老板的生日，你试一下就能进。",
    # The lock of a storeroom is its security.
    "那个库房的锁早就坏了，一推就开，晚上没人管。",
    # A camera that only looks like one.
    "我们仓库后面那几个摄像头就是摆设，线根本没接。",
]

test_clean_drafts_stay_clean, test_leaks_of_the_same_shape_stay_found = clean_beside_leaks(CLEAN, LEAKS)


def test_a_marked_figure_is_reported_beside_the_marking():
    draft = "机密：下周试车的推力定在二十八吨，参试单位三家，别外传。"
    findings = default_checker().check(draft, opinion=False).findings
    assert {f.category for f in findings} >= {"secret_marker", "confidential_topic"}
    assert any(f.rule == "secret.topic.marked_content" for f in findings)


def test_a_marking_alone_is_no_marked_content():
    assert not topic_found("这份机密级的会议纪要我放保密柜了，你用的时候找我拿钥匙。")
