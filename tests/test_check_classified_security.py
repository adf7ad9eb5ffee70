"""Security talk that discloses nothing: a security word naming whose or where another thing is (its weakness
is that thing's), and a secret said to be told through its own channel. Drafts written for the test (not
evaluation items), each clean one beside a leak of the same shape that stays found."""

from __future__ import annotations

import pytest

from bot.core.check.checker import default_checker


def _categories(draft: str) -> set[str]:
    return {f.category for f in default_checker().check(draft).findings if f.kind in ("pii", "secret")}


@pytest.mark.parametrize(("draft", "found"), [
    # A security word naming whose or where another thing is: the weakness after it is that thing's.
    ("监控室门口的垃圾没人倒，你跟物业说一声。", set()),
    ("机房里的打印机坏了，下午找人来修。", set()),
    # The thing after it is the detail itself, or who guards it: the arrangement is told.
    ("我们仓库监控的盲区在侧门，晚上没人看。", {"confidential_topic"}),
    ("跟你说，我们店保安的换班是凌晨四点，那会儿门口没人。", {"confidential_topic"}),
    ("监控室的值班员晚上十点就走了，后半夜没人看着。", {"confidential_topic"}),
])
def test_a_security_word_that_names_whose_another_thing_is(draft: str, found: set[str]) -> None:
    assert _categories(draft) == found


@pytest.mark.parametrize(("draft", "found"), [
    # Told through its own channel: the message withholds it.
    ("仓库的新门禁密码由主管当面告知各班组长，群里不发。", set()),
    ("下个月的押运安排以保卫科的短信通知为准，别在群里打听。", set()),
    ("夜间巡查路线要调整，具体怎么走另行通知。", set()),
    # The same secret told in the message.
    ("仓库的新门禁密码是5531#，我先发群里，别外传。", {"confidential_topic"}),
    ("下个月押运车改成每周四下午两点来，就两个人，别外传。", {"confidential_topic"}),
])
def test_a_secret_told_through_its_own_channel_is_withheld(draft: str, found: set[str]) -> None:
    assert _categories(draft) == found
