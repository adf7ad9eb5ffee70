"""Round 34: a prohibition after a value already told asks the reader to keep it (…，不要写在便签上; …，年底前
不要跟外面的人讲); the same prohibition before the topic word, with no value, or a procedure word after it is
rules talk. Drafts written for the test (not evaluation items), each clean one beside a leak of its shape."""

from __future__ import annotations

from support.classified import clean_beside_leaks

CLEAN = [
    # The prohibition comes first: a rule about the topic, no value told.
    "按规定，营业额这类经营数字不要跟外面的人讲。",
    # A credential rule with no value.
    "系统的管理员密码要定期修改，不要写在便签上。",
    # A count of drawings and a procedure word after it: how they were sent, not a request to keep them.
    "更新后的施工图纸共十二张，已按规定渠道寄出。",
    # A refusal right after the word, in its own clause.
    "不好意思，内部的结算价我不能告诉您，请以报价单为准。",
]

LEAKS = [
    # A figure told, then kept.
    "今年我们店的营业额是三百二十万，年底对账前不要跟外面的人讲。",
    # A credential's value told, then a rule about it.
    "仓库电脑的开机密码改成了Qw7781，大家记住，不要写在便签上。",
    # A partner price told, then kept.
    "物流公司给我们的协议价是每单四块二，对方交代不能跟别的商家说。",
]

test_clean_drafts_stay_clean, test_leaks_of_the_same_shape_stay_found = clean_beside_leaks(CLEAN, LEAKS)
