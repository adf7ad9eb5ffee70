"""The classified grammars' word lists (secret.yaml `marking.grammar`, `topics.grammar`, `topics.quantity`): a
rulebook that leaves a section out reads the shipped one; in a section given every key is required and non-empty,
each word written as the compact view reads it, and the checker reads the words the file gives."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from bot.core.check.checker import Checker
from bot.core.check.rules import DEFAULT_RULES_DIR, MarkGrammar, QuantityGrammar, TopicGrammar, load_rules
from bot.core.yamlfile import DataError

SECRET = DEFAULT_RULES_DIR / "secret.yaml"
MARK_KEYS = [f.name for f in fields(MarkGrammar)]
TOPIC_KEYS = [f.name for f in fields(TopicGrammar)]
QUANTITY_KEYS = [f.name for f in fields(QuantityGrammar)]
SECTIONS = (("marking", "grammar"), ("topics", "grammar"), ("topics", "quantity"))


def _secret(tmp_path: Path, edit) -> Path:
    """A rule directory holding the shipped secret.yaml with `edit` applied to its data."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    data = yaml.safe_load(SECRET.read_text(encoding="utf-8"))
    edit(data)
    (tmp_path / "secret.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return tmp_path


def test_shipped_grammars_load_every_list():
    rs = load_rules(SECRET.parent)
    marker = rs.markers[0].grammar
    assert all(getattr(marker, k) for k in MARK_KEYS)
    assert all(getattr(rs.signals.grammar, k) for k in TOPIC_KEYS)
    assert all(getattr(rs.signals.quantity, k) for k in QUANTITY_KEYS)
    # Order is kept: the code takes the first stamp verb or owner that fits, the longer before its tail.
    assert marker.owners.index("公司的") < marker.owners.index("公司")
    assert marker.level_labels.index("密级为") < marker.level_labels.index("密级")


@pytest.mark.parametrize("edit", ["missing", "empty"])
def test_a_missing_or_empty_grammar_list_is_refused(tmp_path, edit):
    def change(data):
        for section, name in SECTIONS:
            grammar = data[section][name]
            for key in list(grammar):
                if edit == "missing":
                    del grammar[key]
                else:
                    grammar[key] = []

    with pytest.raises(DataError) as err:
        load_rules(_secret(tmp_path, change))
    message = str(err.value)
    for key in (*MARK_KEYS, *TOPIC_KEYS, *QUANTITY_KEYS):
        assert key in message, key
    assert len(err.value.problems) == len(MARK_KEYS) + len(TOPIC_KEYS) + len(QUANTITY_KEYS)


@pytest.mark.parametrize(("section", "name"), SECTIONS)
def test_a_rulebook_without_a_grammar_section_reads_the_shipped_one(tmp_path, section, name):
    # An organisation's own secret.yaml need not copy the language data; what it gives is its own.
    shipped = load_rules(SECRET.parent)
    own = load_rules(_secret(tmp_path, lambda data: data[section].pop(name)))
    assert own.markers[0].grammar == shipped.markers[0].grammar
    assert own.signals.grammar == shipped.signals.grammar
    assert own.signals.quantity == shipped.signals.quantity
    draft = "这份不是机密文件，月薪45k的事别外传"
    assert Checker(own).check(draft).findings == Checker(shipped).check(draft).findings


def test_a_rulebook_grammar_section_given_is_its_own(tmp_path):
    def own_owners(data):
        for section, name in SECTIONS:
            data[section].pop(name)
        data["marking"]["grammar"] = {"owners": ["本所"]}

    with pytest.raises(DataError) as err:  # a section given is read whole: its other lists are missing
        load_rules(_secret(tmp_path, own_owners))
    assert "stamp_verbs" in str(err.value) and "owners" not in str(err.value)


def test_a_word_the_compact_view_never_holds_is_refused_with_its_line(tmp_path):
    def change(data):
        data["marking"]["grammar"]["quoted_stamp"].append("寫的")  # the compact view reads 写的
        data["topics"]["grammar"]["time_detail"].append("零点")  # ... and 0点

    directory = _secret(tmp_path, change)
    with pytest.raises(DataError) as err:
        load_rules(directory)
    problems = err.value.problems
    assert len(problems) == 2
    assert "marking.grammar.quoted_stamp" in problems[0].message and "'写的'" in problems[0].message
    assert "topics.grammar.time_detail" in problems[1].message and "'0点'" in problems[1].message
    lines = (directory / "secret.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[problems[0].line - 1].strip() == "- 寫的"
    assert lines[problems[1].line - 1].strip() == "- 零点"


def test_the_checker_reads_the_grammar_words_the_file_gives(tmp_path):
    denied, marked = "这份不是机密文件，您放心。", "这份是机密文件，请勿外传。"
    # The grammar's words read by the rule grammar alone (opinion=False: before the learned topic opinion,
    # which has its own tests in tests/test_check_topic_opinion.py).
    shipped = Checker(load_rules(_secret(tmp_path / "a", lambda data: None)), opinion=False)
    assert [f.rule for f in shipped.check(denied).findings] == []
    assert [f.rule for f in shipped.check(marked).findings] == ["secret.marker"]

    def drop_not_before(data):
        data["marking"]["grammar"]["not_before"].remove("不是")

    # Without 不是 among the negations, 这份不是机密文件 reads as a label given to the document at hand.
    edited = Checker(load_rules(_secret(tmp_path / "b", drop_not_before)), opinion=False)
    assert [f.rule for f in edited.check(denied).findings] == ["secret.marker"]


def test_a_refusal_opens_with_the_cannot_words_the_file_gives(tmp_path):
    draft = "工资的具体数额我们没办法透露给您，请理解。"
    shipped = Checker(load_rules(_secret(tmp_path / "a", lambda data: None)), opinion=False)
    assert not shipped.check(draft).findings

    def only_buneng(data):
        data["topics"]["grammar"]["cannot"] = ["不能"]

    # With 不能 the only "cannot", 没办法透露给您 refuses nothing and the pay figure asked about is told.
    edited = Checker(load_rules(_secret(tmp_path / "b", only_buneng)), opinion=False)
    assert not edited.check("工资的具体数额我们不能透露给您，请理解。").findings
    assert [f.rule for f in edited.check(draft).findings] == ["secret.topic.pay"]


def test_the_amount_test_reads_the_quantity_words_the_file_gives(tmp_path):
    draft = "今年调薪后张经理月薪45k"  # k after a number: a unit, so a pay figure told

    def drop_k(data):
        data["topics"]["quantity"]["units"].remove("k")

    shipped = Checker(load_rules(_secret(tmp_path / "a", lambda data: None)), opinion=False)
    edited = Checker(load_rules(_secret(tmp_path / "b", drop_k)), opinion=False)
    assert [f.rule for f in shipped.check(draft).findings] == ["secret.topic.pay"]
    assert not edited.check(draft).findings  # 45 alone: two digits and no unit, no amount
