"""One thing, one finding: a confidential topic of a kind a person can hold whose only content is the
personal data beside it, or whose only evidence is the marking of a document it is the recipient of, is
reported as that personal data or that marking (`checker._most_specific`). A topic with content of its own
beside them, or a plan or design (never a person's data), stays. Drafts written for the test (not
evaluation items), each subsumed one beside a kept one of the same shape."""

from __future__ import annotations

import pytest

from bot.core.check.checker import default_checker


def _categories(draft: str) -> set[str]:
    # The rule grammar's findings (the learned topic opinion has its own tests).
    return {f.category for f in default_checker().check(draft, opinion=False).findings if f.kind in ("pii", "secret")}


@pytest.mark.parametrize(("draft", "found"), [
    # A private number handed on, a refund to a relative's card: the number is the finding.
    ("仓库值班员的私人手机我发各门店了：13912345678，急事再打，别往外说。", {"mobile"}),
    ("押金退到她老公的卡上：6222021234567890128，户名李红，你核对一下再转。", {"bank_card"}),
    # A marked document given to whom the topic names: the marking is the finding.
    ("这份仅供内部参考的评审细则，你千万别拿给供应商看。", {"secret_marker"}),
    ("这份标了机密的说明书你先别转给代工厂。", {"secret_marker"}),
    ("那份标了 CONFIDENTIAL 的 deck 你先别转给代工厂。", {"secret_marker"}),
])
def test_one_thing_is_reported_once_under_its_most_specific_category(draft: str, found: set[str]) -> None:
    assert _categories(draft) == found


@pytest.mark.parametrize(("draft", "found"), [
    # A list named, though one number of it is told: the list is what is handed on.
    ("联系人名单我发你了：宏达的刘经理 13912345678，别外传。", {"mobile", "confidential_topic"}),
    # A move decided is told beside the ID, not only kept quiet.
    ("涉密岗位的小周（身份证110105198805123032）下月调离，此事暂不公开。", {"id_card", "confidential_topic"}),
    # Several values of one kind: the list is the customer base.
    ("客户名单发你了：恒达 13912345678，宏远 13812345678，都是年采购上百万的。", {"mobile", "confidential_topic"}),
    # An e-mail address a thing was sent to: the drawing is what left.
    ("设计图纸我发你私人邮箱了：abc_work@163.com，回家再看。", {"email", "confidential_topic"}),
    # An amount of its own beside the card.
    ("新同事的工资卡6222021234567890128，试用期工资八千五，你登记一下。", {"bank_card", "confidential_topic"}),
    # A named customer beside the number.
    ("大客户王总的私人手机13912345678，他一般晚上才接。", {"mobile", "confidential_topic"}),
    # A marked document's subject and content.
    ("【机密】下季度调价方案：全线上调百分之八，十月执行。", {"secret_marker", "confidential_topic"}),
    # A plan or a design is never the number told later in the same run of clauses.
    ("小陈，明年要把两个仓库合并的事还没公布，先别往外说，对了物业电话是13912345678", {"mobile", "confidential_topic"}),
    ("新款电机的图纸还没定稿，不要外传，有问题找设计部老周，他手机13812345678", {"mobile", "confidential_topic"}),
])
def test_a_topic_with_content_of_its_own_stays(draft: str, found: set[str]) -> None:
    assert _categories(draft) == found


def test_the_number_stays_masked_when_the_topic_is_dropped() -> None:
    result = default_checker().check("仓库值班员的私人手机我发各门店了：13912345678，急事再打，别往外说。")
    assert "13912345678" not in result.masked_draft()
    assert all("13912345678" not in f.text for f in result.findings)

