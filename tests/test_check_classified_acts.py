"""Round 32's disclosure evidence: a sharing act counts for the topic word it acts on (in its clause, in
the clause right after with no object of its own, or heading it across a colon); an organisation suffix
only where it closes a name; a key's place only with a weakness; a marking's cue reaches the sentences
after it; the reader's own bill told to them; a figure from a published report; a request for
discretion only with content told. Drafts written for the
test (not evaluation items), each clean one beside a leak of the same shape that stays found."""

from __future__ import annotations

from support.classified import clean_beside_leaks

CLEAN = [
    # The act has its own object in the next clause: the photo is what is sent.
    "供应商报价单还在核对，我拍了照片发到群里，大家看看字迹清不清楚。",
    # An organisation suffix opening a longer word (建设路) names no organisation.
    "客户资料在建设路那边的档案室，明早九点开门。",
    # Where a door key is kept is the shift's handover.
    "钥匙放在值班室抽屉里了，明早你来开门。",
    # The day's other business before a marked sentence does not borrow its cue.
    "阅览室下午临时搬到三楼。这份机密级文件请勿外传。",
    # The customer's own bill, told to them.
    "您这单需要补的差价是二十元，我已经把链接发给您了。",
    # A figure from a report already published.
    "年报是上个月发布的，净利润四亿元，官网可以下载。",
    # Asking for discretion about a topic named without content is a rule.
    "薪资结构的事大家不要私下议论，有疑问直接问人事。",
]

LEAKS = [
    # The act in the next clause, with no object of its own, hands over the thing.
    "客户名单我整理好了，马上发给你。",
    # An act heading what it hands over across a colon.
    "转发给你：明年的采购预算草案",
    # A sharing act toward a named organisation.
    "客户资料我已经发给恒达物流了。",
    # A key's hiding place with a weakness.
    "备用钥匙藏在门口消防栓里，晚上没人值班。",
    # What follows a marking is the marked document's content.
    "这份文件是机密级的。里面说明年要关掉城西两家门店。",
    # A reassurance is no own-word: 您放心，这次的 are two clauses.
    "您放心，这次的标底在三百万左右，你们按二百九十万报就行。",
    # A publication still ahead is no citation.
    "净利润四亿元，年报下个月才发布。",
    # Discretion asked with a plan told stays a cue: a plan signal, or a plan word before the term.
    "下季度要关掉城西两家门店，先别外传。",
    "仓库要搬迁的事先别外发。",
    # An English word counts once in the act's reach.
    "our top clients list with their buyers' phone numbers is attached",
]

test_clean_drafts_stay_clean, test_leaks_of_the_same_shape_stay_found = clean_beside_leaks(CLEAN, LEAKS)
