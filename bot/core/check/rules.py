"""Rules of the draft checker as data: phrasebook/rules/*.yaml, validated with file:line errors.

A rule file has ``kind:`` one of

* ``forbidden`` — ``rules:`` forbidden phrases, tics, 反问, 推诿, 你-for-您 (schema `RuleModel`);
* ``secret`` — ``marking:`` the word lists of the 密级 marking grammar and ``topics:`` the
  documents' confidential categories (vocabulary + evidence kinds) with the general disclosure
  signals and negative contexts they share (see bot/core/check/classified.py);
* ``pii`` — ``contexts:`` words before a number that make it (not) personal data.

Pattern syntax of forbidden rules (matched on the draft with spaces, punctuation, emoji and
zero-width characters removed, full-width and traditional characters folded):

* ``下班了`` a literal; ``(说过|告诉)`` alternatives, ``(了|)`` an optional part;
* ``已经…一遍`` parts in order with at most ``max_gap`` characters between them;
* ``^天啊`` only at the start of a clause, ``不行$`` only at its end (trailing particles such
  as 啊/吧/呢 may follow);
* ``…吗？`` a trailing ``？``: the sentence must end as a question (a ？/? after it, or a
  question particle 吗/么/嘛/呢/啊 closing its last clause);
* ``{CLOSE}`` any member of the synonym class CLOSE of the file's ``classes:`` (下班/收工/打烊 ...),
  so that one frame covers the rewordings of a banned phrase.

A rule's ``unless:`` words clear a match anywhere in the same sentence (我会/我来: a first-person
commitment is not 推诿).

Runs of one Han character collapse to one, in literals and in drafts alike (下下班了 matches
下班了), so a literal never needs a doubled character.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bot.core.paths import PHRASEBOOK_DIR
from bot.core.schema import DottedId as RuleId
from bot.core.schema import NonEmpty, Source, SourceModel, cite_all, pydantic_problems, sources_from
from bot.core.text.fold import fold_literal as fold_draft_literal
from bot.core.text.fold import fold_plain, has_repeat
from bot.core.text.language import shipped_check_language
from bot.core.yamlfile import DataError, Problem, line_of, load_with_lines

DEFAULT_RULES_DIR = PHRASEBOOK_DIR / "rules"

CATEGORIES = shipped_check_language().forbidden_categories  # phrasebook/language.yaml
SEVERITIES = ("error", "warning", "info")
PII_CATEGORIES = ("id_card", "mobile", "bank_card", "email")

GAP = "…"
_GROUP = re.compile(r"\(([^()]*)\)")


class ExamplesModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hit: Annotated[list[NonEmpty], Field(min_length=1)]
    clean: Annotated[list[NonEmpty], Field(min_length=1)]


class RuleModel(BaseModel):
    """One forbidden-language rule as written in YAML."""

    model_config = ConfigDict(extra="forbid")
    id: RuleId
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    severity: Literal[SEVERITIES] = "error"  # type: ignore[valid-type]
    patterns: Annotated[list[NonEmpty], Field(min_length=1)]
    exceptions: list[NonEmpty] = []
    unless: list[NonEmpty] = []  # words that clear a match anywhere in its sentence (a commitment, an apology)
    # The next sentence's commitment answers a match only when that sentence opens with it (没关系，我跟您说一下):
    # a rhetorical question stays one when a long message goes on to promise something (您当时没看吗？
    # 我理解您的心情，我可以帮您调取…).
    answer_opens: bool = False
    max_gap: Annotated[int, Field(ge=0, le=20)] = 6
    quoted_ok: bool = True
    # Rules about addressing the customer: a draft judged to be to a colleague is exempt (check/addressee.py).
    customer_only: bool = False
    # The rule's acts are words (an insult, a curse): a short match that the writer's punctuation falls inside
    # (您好，笨重的… is no 您好笨) is two phrases, not one; acts of two clauses (下班了，明天再来) leave it false.
    one_clause: bool = False
    # Words or emoji (matched in the draft as written: folding drops emoji) that clear a match in a draft not
    # read as written to a customer when its sentence (or the next) holds one: a rule that colleagues' chat does
    # not escape may still spare a sentence of another kind (an exclamation beside laughter or good news is
    # no venting).
    colleague_unless: list[NonEmpty] = []
    why: NonEmpty
    sources: Annotated[list[SourceModel], Field(min_length=1)]
    suggestion: NonEmpty
    scenario: NonEmpty | None = None
    examples: ExamplesModel


class NoShareModel(BaseModel):
    """An instruction not to pass a document on: a ban word followed by an act (严禁 + 外传), or a use restriction."""

    model_config = ConfigDict(extra="forbid")
    bans: list[NonEmpty] = []
    acts: list[NonEmpty] = []
    restrictions: list[NonEmpty] = []


# A grammar word list: required, at least one word (an empty list would switch a test of the grammar off unseen).
GrammarWords = Annotated[list[NonEmpty], Field(min_length=1)]


class MarkGrammarModel(BaseModel):
    """The words the marking grammar reads around a level word or a label (`_markings` in classified.py).
    Order counts where the code takes the first that fits (`stamp_verbs`, `owners`, `not_before`,
    `level_labels`: the longer word before the one it ends with)."""

    model_config = ConfigDict(extra="forbid")
    stamp_verbs: GrammarWords
    stamp_copulas: GrammarWords
    owners: GrammarWords
    particles: GrammarWords
    range_after: GrammarWords
    not_before: GrammarWords
    level_labels: GrammarWords
    mark_words: GrammarWords
    self_english: GrammarWords
    handed: GrammarWords
    demonstratives: GrammarWords
    doc_after: GrammarWords
    graded_nouns: GrammarWords
    quoted_stamp: GrammarWords
    example_before: GrammarWords
    example_after: GrammarWords
    handled_as_before: GrammarWords
    handled_as: GrammarWords
    batch: GrammarWords
    pointer_copulas: GrammarWords
    measure_words: GrammarWords
    pointer_heads: GrammarWords
    fillers: GrammarWords
    askers: GrammarWords
    conditionals: GrammarWords
    asked_before: GrammarWords
    asked_after: GrammarWords
    named_after: GrammarWords
    rule_modals: GrammarWords
    rule_sources: GrammarWords
    kind_words: GrammarWords
    gossip: GrammarWords


class TopicGrammarModel(BaseModel):
    """The words the topic decision reads around a topic word or a refusal (`_topics` in classified.py)."""

    model_config = ConfigDict(extra="forbid")
    cannot: GrammarWords
    to_reader: GrammarWords
    gist: GrammarWords
    without: GrammarWords
    title_nouns: GrammarWords
    lists: GrammarWords
    owner_of: GrammarWords
    guards: GrammarWords
    after_name: GrammarWords
    open_hours: GrammarWords
    time_detail: GrammarWords
    put_public: GrammarWords
    hush_before: GrammarWords
    inside_readers: GrammarWords
    our_org: GrammarWords
    our_side: GrammarWords
    speakers_own: GrammarWords
    own_code: GrammarWords
    physical_keys: GrammarWords
    placement: GrammarWords
    to_place: GrammarWords
    points_back: GrammarWords
    points_back_after: GrammarWords
    home_made: GrammarWords
    in_place: GrammarWords
    marked_own: GrammarWords
    marked_counts: GrammarWords
    turns: GrammarWords
    denied_cue: GrammarWords
    wording: GrammarWords
    prize_draw: GrammarWords
    prize_terms: GrammarWords
    confiding: GrammarWords
    own_money: GrammarWords
    manner_cues: GrammarWords
    manner_banned: GrammarWords


class QuantityGrammarModel(BaseModel):
    """The words around a number that make it an amount or not (`_is_amount` in classified.py)."""

    model_config = ConfigDict(extra="forbid")
    units: GrammarWords
    dateish: GrammarWords
    id_before: GrammarWords
    dialled: GrammarWords
    version_before: GrammarWords
    place_before: GrammarWords
    named_after: GrammarWords
    day_after: GrammarWords
    duration: GrammarWords
    span_before: GrammarWords
    span_after: GrammarWords
    items: GrammarWords
    sheets: GrammarWords
    workload: GrammarWords


class MarkingModel(BaseModel):
    """密级 markings as a small grammar: level words in a marking context (see markings in classified.py)."""

    model_config = ConfigDict(extra="forbid")
    id: RuleId
    levels: Annotated[list[NonEmpty], Field(min_length=1)]
    english: list[NonEmpty] = []
    phrases: list[NonEmpty] = []
    labels: list[NonEmpty] = []
    deictic: list[NonEmpty] = []
    prose_after: list[NonEmpty] = []
    # After a marked document's noun (机密级文件里写了, 涉密文件上写着): its content is being relayed.
    relay: list[NonEmpty] = []
    doc_nouns: list[NonEmpty] = []
    # A level in title marks 《》 names a work (电影《机密》) when the sentence speaks of one.
    work_context: list[NonEmpty] = []
    mark_objects: list[NonEmpty] = []
    no_share: NoShareModel = NoShareModel()
    why: NonEmpty
    sources: Annotated[list[SourceModel], Field(min_length=1)]
    suggestion: NonEmpty
    examples: ExamplesModel
    grammar: MarkGrammarModel


EVIDENCE = ("quantity", "taken", "cue", "share", "decision", "future", "person", "org", "contact", "third_person",
            "credential", "security_detail", "stored", "compare", "formula", "handover", "to_partner")


class CategoryModel(BaseModel):
    """A confidential-topic category of the documents: a vocabulary and the evidence that counts."""

    model_config = ConfigDict(extra="forbid")
    id: RuleId
    title: NonEmpty
    terms: Annotated[list[NonEmpty], Field(min_length=1)]
    evidence: Annotated[list[Literal[EVIDENCE]], Field(min_length=1)]  # type: ignore[valid-type]
    strong_future: list[NonEmpty] = []
    # Terms that name a kind of work document every counter produces (报表): a disclosure only with a value
    # told (a figure, a name), not by being handed over or hushed.
    value_only: list[NonEmpty] = []
    # The terms typed with another character of the same sound (秘码, 口另): input-method slips or dodges
    # of short words, which the phrase matcher's homophone pass (three characters or more) does not read.
    homophones: list[NonEmpty] = []
    why: NonEmpty
    sources: Annotated[list[SourceModel], Field(min_length=1)]
    suggestion: NonEmpty
    examples: ExamplesModel


class TopicsModel(BaseModel):
    """General disclosure signals and negative contexts shared by every category."""

    model_config = ConfigDict(extra="forbid")
    signals: dict[Literal["share", "cue", "future", "decision", "third_person", "staff", "compare", "doc_kind",
                                 "meeting"],
                  list[NonEmpty]]
    negatives: dict[Literal["refusal", "rules", "public", "own", "audience", "customer", "commitment", "reader",
                                 "absence", "theirs", "ours", "routine", "blank", "asking"],
                    list[NonEmpty]]
    security_detail: list[NonEmpty] = []
    # The details that expose a weakness (坏了, 没人, 死角): the only ones told to a customer that count.
    security_weak: list[NonEmpty] = []
    stored: list[NonEmpty] = []
    org_suffix: list[NonEmpty] = []
    person_titles: list[NonEmpty] = []
    # Words that read as 老/小/阿 + surname but are not a person (小时, 小于).
    not_person: list[NonEmpty] = []
    # Ordinary words that hold a topic word but are not it (发到手机 holds 到手, 年终总结 holds 年终).
    not_terms: list[NonEmpty] = []
    # Heads that make a topic word before them the name of an everyday object, office or service
    # (门禁 + 卡, 户籍 + 窗口, 监控 + 公司): the thing named, not the topic told.
    object_heads: list[NonEmpty] = []
    # Routine work told with a figure: a document's circulation and what it counts (借阅 + 三个月), a standing
    # rate's shapes (每单, 按月, 一个季度), one day's errand against recurrence, a move whose destination is a time.
    circulation: list[NonEmpty] = []
    circulation_counts: list[NonEmpty] = []
    rate: dict[Literal["per", "by", "one"], list[NonEmpty]] = {}
    one_day: list[NonEmpty] = []
    recurrence: list[NonEmpty] = []
    move_ends: list[NonEmpty] = []
    move_times: list[NonEmpty] = []
    # A plan for one of the company's own units said without a plan word: 把 + unit + change verb
    # (把售后部撤了, 把华南仓卖掉); and asking for discretion in general words: ban + "to someone" + telling verb
    # (先别跟顾客说, 不要让家长知道).
    unit_change: dict[Literal["units", "changes"], list[NonEmpty]] = {}
    hush: dict[Literal["bans", "to", "tell", "places", "everyone", "asked", "line"], list[NonEmpty]] = {}
    # Hearsay from inside: 听 + an insider + a telling verb (听财务说).
    hearsay: dict[Literal["from", "tell"], list[NonEmpty]] = {}
    # A move said without a personnel word: ahead or passive + taking verb + post (要去总部当助理, 被派去做主管).
    role_move: dict[Literal["ahead", "verbs", "posts"], list[NonEmpty]] = {}
    # Handing over or telling to an outsider (a friend, a journalist, a rival) or a public place (朋友圈, GitHub):
    # act + recipient, to-word + recipient + telling verb, recipient + pronoun act, posting verb + place,
    # 在 + place + act, a trade fair + showing, a partner + disclosing verb, a disclosure done; and in English
    # a sending or telling verb with an outsider a few words on; and the words that say it did not happen.
    handover: dict[Literal["acts", "to", "not_to", "tell", "show", "pronoun_acts", "outsiders", "places", "post",
                           "there", "fairs", "shown", "partners", "partner_tell", "partner_acts", "disclosed",
                           "list_takers", "denied", "invited", "asked", "publicity", "when", "caution", "en_acts",
                           "en_outsiders"],
                  list[NonEmpty]] = {}
    # Capitalised English words that open sentences or name things, not people (a capitalised word
    # otherwise names a party: Jason, Hengda).
    not_names: list[NonEmpty] = []
    surnames: NonEmpty
    english: dict[NonEmpty, list[NonEmpty]] = {}
    # A part of the topic words and the English words a mixed draft writes it with (客户 -> customer,
    # 名单 -> list): each topic word is also matched with one such part in English (customer名单, 客户list).
    code_switch: dict[NonEmpty, list[NonEmpty]] = {}
    grammar: TopicGrammarModel
    quantity: QuantityGrammarModel
    categories: Annotated[list[dict[str, Any]], Field(min_length=1)]


class ContextModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    negative: list[NonEmpty] = []
    weak_negative: list[NonEmpty] = []
    positive: dict[Literal[PII_CATEGORIES], list[NonEmpty]] = {}  # type: ignore[valid-type]
    window: Annotated[int, Field(ge=1, le=30)] = 10


class FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["forbidden", "secret", "pii"]
    classes: dict[Annotated[str, StringConstraints(pattern=r"^[A-Z_]+$")], list[NonEmpty]] = {}
    rules: list[dict[str, Any]] = []
    marking: dict[str, Any] | None = None
    topics: dict[str, Any] | None = None
    contexts: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Pattern:
    """A compiled pattern: parts (each a tuple of folded alternatives) with bounded gaps."""

    source: str
    parts: tuple[tuple[str, ...], ...]
    max_gap: int
    clause_start: bool = False
    clause_end: bool = False
    question: bool = False
    # The first part as the product of its folded pieces (see `_expand_product`): its literals are every
    # join of one alternative of each piece that repeats no character where two pieces meet, and the
    # `irregular` ones; () when a piece does not fold by itself, and for a first part of at most WIDE_PART
    # expansions (the pinyin matcher reads those literals). Read, like `parts`, only while building.
    pieces: tuple[tuple[str, ...], ...] = ()
    irregular: tuple[str, ...] = ()

    def without_alternatives(self) -> Pattern:
        """The pattern as a prepared matcher keeps it: its source, gap and clause conditions, no parts.
        The folded alternatives (312,771 strings of the shipped rules, ≈ 26 MiB) are read only while
        the automata and regexes are built; kept by every rule, they stayed in a serving process."""
        return Pattern(self.source, (), self.max_gap, self.clause_start, self.clause_end, self.question)


@dataclass(frozen=True, slots=True)
class Examples:
    hit: tuple[str, ...]
    clean: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rule:
    """A forbidden-language rule ready for matching."""

    id: str
    category: str
    severity: str
    patterns: tuple[Pattern, ...]
    exceptions: tuple[Pattern, ...]
    why: str
    sources: tuple[Source, ...]
    suggestion: str
    scenario: str | None = None
    quoted_ok: bool = True
    customer_only: bool = False
    one_clause: bool = False
    unless: tuple[str, ...] = ()
    answer_opens: bool = False
    colleague_unless: tuple[str, ...] = ()
    examples: Examples = Examples((), ())
    file: str = ""
    line: int = 0

    @property
    def source(self) -> str:
        return cite_all(self.sources)

    def without_alternatives(self) -> Rule:
        """The rule with `Pattern.without_alternatives` patterns and exceptions: what a finding
        reports and the conditions read, once the matchers are built from the whole rule."""
        return replace(self, patterns=tuple(p.without_alternatives() for p in self.patterns),
                       exceptions=tuple(p.without_alternatives() for p in self.exceptions))


@dataclass(frozen=True, slots=True)
class MarkGrammar:
    """`MarkGrammarModel`'s lists as loaded (in their order, as the compact view reads them); empty without a
    marking section, where no level word is ever found for them to be read around."""

    stamp_verbs: tuple[str, ...] = ()
    stamp_copulas: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    particles: tuple[str, ...] = ()
    range_after: tuple[str, ...] = ()
    not_before: tuple[str, ...] = ()
    level_labels: tuple[str, ...] = ()
    mark_words: tuple[str, ...] = ()
    self_english: tuple[str, ...] = ()
    handed: tuple[str, ...] = ()
    demonstratives: tuple[str, ...] = ()
    doc_after: tuple[str, ...] = ()
    graded_nouns: tuple[str, ...] = ()
    quoted_stamp: tuple[str, ...] = ()
    example_before: tuple[str, ...] = ()
    example_after: tuple[str, ...] = ()
    handled_as_before: tuple[str, ...] = ()
    handled_as: tuple[str, ...] = ()
    batch: tuple[str, ...] = ()
    pointer_copulas: tuple[str, ...] = ()
    measure_words: tuple[str, ...] = ()
    pointer_heads: tuple[str, ...] = ()
    fillers: tuple[str, ...] = ()
    askers: tuple[str, ...] = ()
    conditionals: tuple[str, ...] = ()
    asked_before: tuple[str, ...] = ()
    asked_after: tuple[str, ...] = ()
    named_after: tuple[str, ...] = ()
    rule_modals: tuple[str, ...] = ()
    rule_sources: tuple[str, ...] = ()
    kind_words: tuple[str, ...] = ()
    gossip: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TopicGrammar:
    """`TopicGrammarModel`'s lists as loaded (in their order, as the compact view reads them); empty without a
    topics section, where no topic word is ever found for them to be read around."""

    cannot: tuple[str, ...] = ()
    to_reader: tuple[str, ...] = ()
    gist: tuple[str, ...] = ()
    without: tuple[str, ...] = ()
    title_nouns: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()
    owner_of: tuple[str, ...] = ()
    guards: tuple[str, ...] = ()
    after_name: tuple[str, ...] = ()
    open_hours: tuple[str, ...] = ()
    time_detail: tuple[str, ...] = ()
    put_public: tuple[str, ...] = ()
    hush_before: tuple[str, ...] = ()
    inside_readers: tuple[str, ...] = ()
    our_org: tuple[str, ...] = ()
    our_side: tuple[str, ...] = ()
    speakers_own: tuple[str, ...] = ()
    own_code: tuple[str, ...] = ()
    physical_keys: tuple[str, ...] = ()
    placement: tuple[str, ...] = ()
    to_place: tuple[str, ...] = ()
    in_place: tuple[str, ...] = ()
    points_back: tuple[str, ...] = ()
    points_back_after: tuple[str, ...] = ()
    home_made: tuple[str, ...] = ()
    marked_own: tuple[str, ...] = ()
    marked_counts: tuple[str, ...] = ()
    turns: tuple[str, ...] = ()
    denied_cue: tuple[str, ...] = ()
    wording: tuple[str, ...] = ()
    prize_draw: tuple[str, ...] = ()
    prize_terms: tuple[str, ...] = ()
    confiding: tuple[str, ...] = ()
    own_money: tuple[str, ...] = ()
    manner_cues: tuple[str, ...] = ()
    manner_banned: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QuantityGrammar:
    """`QuantityGrammarModel`'s lists as loaded (in their order, as the compact view reads them)."""

    units: tuple[str, ...] = ()
    dateish: tuple[str, ...] = ()
    id_before: tuple[str, ...] = ()
    dialled: tuple[str, ...] = ()
    version_before: tuple[str, ...] = ()
    place_before: tuple[str, ...] = ()
    named_after: tuple[str, ...] = ()
    day_after: tuple[str, ...] = ()
    duration: tuple[str, ...] = ()
    span_before: tuple[str, ...] = ()
    span_after: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    sheets: tuple[str, ...] = ()
    workload: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Marker:
    """The 密级 marking grammar's word lists (folded) and its rule metadata."""

    id: str
    levels: tuple[str, ...]
    english: tuple[str, ...]
    phrases: tuple[str, ...]
    labels: tuple[str, ...]
    deictic: tuple[str, ...]
    prose_after: tuple[str, ...]
    no_share: tuple[str, ...]
    why: str
    sources: tuple[Source, ...]
    suggestion: str
    examples: Examples
    file: str = ""
    line: int = 0
    relay: tuple[str, ...] = ()
    doc_nouns: tuple[str, ...] = ()
    work_context: tuple[str, ...] = ()
    mark_objects: tuple[str, ...] = ()
    # The prohibition words (不要, 严禁, 请勿 …): the no-share instruction's, and every rule-versus-act test's.
    bans: tuple[str, ...] = ()
    grammar: MarkGrammar = MarkGrammar()

    @property
    def source(self) -> str:
        return cite_all(self.sources)


@dataclass(frozen=True, slots=True)
class Topic:
    """One confidential-topic category: folded vocabulary and the evidence kinds that count."""

    id: str
    title: str
    terms: tuple[str, ...]
    evidence: frozenset[str]
    strong_future: frozenset[str]
    why: str
    sources: tuple[Source, ...]
    suggestion: str
    examples: Examples
    file: str = ""
    line: int = 0
    value_only: frozenset[str] = frozenset()

    @property
    def source(self) -> str:
        return cite_all(self.sources)


@dataclass(frozen=True, slots=True)
class Signals:
    """Word lists shared by every category (folded): signals, negatives and value shapes."""

    words: dict[str, tuple[str, ...]] = field(default_factory=dict)  # role -> words
    person_titles: tuple[str, ...] = ()
    surnames: str = ""
    not_person: tuple[str, ...] = ()
    not_names: frozenset[str] = frozenset()
    not_terms: tuple[str, ...] = ()
    object_heads: tuple[str, ...] = ()
    routine: dict[str, tuple[str, ...]] = field(default_factory=dict)  # circulation, rate_per, one_day ... -> words
    unit_change: dict[str, tuple[str, ...]] = field(default_factory=dict)
    hush: dict[str, tuple[str, ...]] = field(default_factory=dict)
    role_move: dict[str, tuple[str, ...]] = field(default_factory=dict)
    hearsay: dict[str, tuple[str, ...]] = field(default_factory=dict)
    handover: dict[str, tuple[str, ...]] = field(default_factory=dict)  # folded; en_* keys spelt as English entries
    english: dict[str, tuple[str, ...]] = field(default_factory=dict)  # role or category id -> words
    code_switch: dict[str, tuple[str, ...]] = field(default_factory=dict)  # Chinese part -> English words
    grammar: TopicGrammar = TopicGrammar()
    quantity: QuantityGrammar = QuantityGrammar()


@dataclass(frozen=True, slots=True)
class PiiContext:
    negative: tuple[str, ...] = ()
    weak_negative: tuple[str, ...] = ()
    positive: dict[str, tuple[str, ...]] = field(default_factory=dict)
    window: int = 10


@dataclass(slots=True)
class RuleSet:
    """Everything the checker needs from phrasebook/rules/."""

    rules: list[Rule] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    signals: Signals = field(default_factory=Signals)
    pii: PiiContext = field(default_factory=PiiContext)
    files: list[str] = field(default_factory=list)


def fold_literal(text: str) -> str:
    """The compact folded form of a rule literal, exactly as a draft is folded (谢谢 -> 谢, 一遍 -> 1遍)."""
    return fold_draft_literal(text)


def _pieces(part: str) -> list[list[str]]:
    """``(a|b)c(d|)`` -> [[a, b], [c], [d, ""]]."""
    pieces: list[list[str]] = []
    pos = 0
    for m in _GROUP.finditer(part):
        if m.start() > pos:
            pieces.append([part[pos:m.start()]])
        pieces.append(m.group(1).split("|"))
        pos = m.end()
    if pos < len(part):
        pieces.append([part[pos:]])
    return pieces


def _expand(part: str) -> list[str]:
    """``(a|b)c(d|)`` -> [acd, ac, bcd, bc]."""
    return ["".join(p) for p in itertools.product(*_pieces(part))]


def _expand_folded(part: str) -> list[str]:
    """`fold_literal` of each of `_expand(part)`, in its order: the pieces are folded once each and
    joined where that is the same (see `fold_plain`), not each of the thousands of products."""
    pieces = _pieces(part)
    plain = _plain_pieces(pieces)
    if plain is None:
        return [fold_literal(a) for a in _expand(part)]
    return [literal for literal, _ in _plain_joins(pieces, plain)]


# A first part of more literals than this is read by the pinyin matcher from its pieces (`Pattern.pieces`,
# `bot.core.check.sounds`); narrower parts are folded without them (`_expand_folded`): working the
# pieces out for each of the rules' 676 parts cost every process that loads them.
WIDE_PART = 500


def _plain_pieces(pieces: list[list[str]]) -> list[list[str]] | None:
    """Each alternative of each piece folded by itself (`fold_plain`, a repeated character other than
    Han allowed: 400, app), or None when one does not fold by itself."""
    plain = [[fold_plain(alt, other_repeats=True) for alt in alts] for alts in pieces]
    return None if any(f is None for alts in plain for f in alts) else plain  # type: ignore[return-value]


def _plain_joins(pieces: list[list[str]], plain: list[list[str]]) -> Iterator[tuple[str, bool]]:
    """(literal, whether two neighbouring non-empty pieces meet on one character there) of each join of
    plain pieces, in `_expand`'s order. Such a join (and only such: no plain piece repeats a Han
    character inside) may hold a run the compact view collapses, and is folded whole."""
    inner = any(has_repeat(f) for alts in plain for f in alts)  # a piece repeating a character (400)
    for raw, fold in zip(itertools.product(*pieces), itertools.product(*plain), strict=True):
        joined = "".join(fold)
        if not has_repeat(joined):  # most joins: the pieces repeat nothing, inside or where they meet
            yield joined, False
            continue
        if inner:
            chosen = [f for f in fold if f]
            if all(x[-1] != y[0] for x, y in itertools.pairwise(chosen)):
                yield joined, False  # 400电话: a repeat inside a piece, not Han, folded as it stands
                continue
        yield fold_literal("".join(raw)), True


def _expand_product(part: str) -> tuple[list[str], tuple[tuple[str, ...], ...], tuple[str, ...]]:
    """`_expand_folded(part)`, with the part's folded pieces and its irregular literals: those of the
    joins where two neighbouring (non-empty) pieces meet on one character, folded whole as a draft's
    run is collapsed, that are no other join. The literals are then exactly every join of the pieces
    that repeats no character where they meet, and the irregular ones, so a matcher can read a part
    of 90,000 literals from its few dozen pieces (`Pattern.pieces`). Pieces () when that does not
    hold (a piece that folds differently beside its neighbours)."""
    pieces = _pieces(part)
    plain = _plain_pieces(pieces)
    irregular: list[str] = []
    if plain is not None:
        out = []
        regular = set()
        for literal, meet in _plain_joins(pieces, plain):
            out.append(literal)
            if meet:
                irregular.append(literal)
            else:
                regular.add(literal)
        return out, _unique(plain), tuple(w for w in dict.fromkeys(irregular) if w not in regular)
    out = [fold_literal(a) for a in _expand(part)]
    folded = [[fold_literal(alt) for alt in alts] for alts in pieces]
    joins = set()
    for literal, fold in zip(out, itertools.product(*folded), strict=True):
        joined = "".join(fold)
        if not has_repeat(joined):  # most joins: no two pieces meet on one character
            if literal != joined:
                return out, (), ()
            joins.add(literal)
            continue
        chosen = [f for f in fold if f]
        if any(x[-1] == y[0] for x, y in itertools.pairwise(chosen)):
            irregular.append(literal)
        elif literal != "".join(chosen):
            return out, (), ()
        else:
            joins.add(literal)
    return out, _unique(folded), tuple(w for w in dict.fromkeys(irregular) if w not in joins)


def _unique(pieces: list[list[str]]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(dict.fromkeys(alts)) for alts in pieces)


_CLASS = re.compile(r"\{([A-Z_]+)\}")


def _class_alternatives(raw: str, m: re.Match[str], classes: dict[str, list[str]]) -> str:
    """A class as alternatives: its own group, or bare inside an enclosing group (({ASK}|问去))."""
    members = "|".join(classes[m.group(1)])
    inside = raw.count("(", 0, m.start()) > raw.count(")", 0, m.start())
    return members if inside else f"({members})"


def compile_pattern(text: str, *, max_gap: int, classes: dict[str, list[str]] | None = None) -> Pattern:
    """Compile the pattern syntax described in the module docstring; ValueError when invalid."""
    raw = text.strip()
    question = raw.endswith(("？", "?"))
    raw = raw.rstrip("？?")
    if question:  # 连…都不…？ : whatever follows up to the end of the sentence
        raw = raw.removesuffix(GAP)
    start = raw.startswith("^")
    end = raw.endswith("$")
    raw = raw.removeprefix("^").removesuffix("$")
    if not raw:
        raise ValueError("empty pattern")
    for name in _CLASS.findall(raw):
        if name not in (classes or {}):
            raise ValueError(f"unknown class {{{name}}}")
        if any(c in w for w in (classes or {})[name] for c in "()|…"):
            raise ValueError(f"class {{{name}}} has a member with ( ) | or …")
    raw = _CLASS.sub(lambda m: _class_alternatives(raw, m, classes or {}), raw)
    if raw.count("(") != raw.count(")") or re.search(r"\([^)]*\(", raw):
        raise ValueError("unbalanced or nested parentheses")
    parts: list[tuple[str, ...]] = []
    pieces: tuple[tuple[str, ...], ...] = ()
    irregular: tuple[str, ...] = ()
    for chunk in raw.split(GAP):
        # The pieces only where the pinyin matcher may read them: a first part of more expansions than
        # it reads as literals (its literals, duplicates dropped, are at most its expansions).
        if not parts and math.prod(len(alts) for alts in _pieces(chunk)) > WIDE_PART:
            literals, pieces, irregular = _expand_product(chunk)
        else:
            literals = _expand_folded(chunk)
        alts = tuple(dict.fromkeys(literals))
        if not chunk or any(not a for a in alts):
            raise ValueError("a part of the pattern is empty after removing spaces and punctuation")
        parts.append(alts)
    return Pattern(text, tuple(parts), max_gap, start, end, question, pieces, irregular)


def _load_forbidden(items: list[dict[str, Any]], rel: str, node: Any,
                    classes: dict[str, list[str]]) -> tuple[list[Rule], list[Problem]]:
    rules: list[Rule] = []
    problems: list[Problem] = []
    for i, raw in enumerate(items):
        try:
            m = RuleModel.model_validate(raw)
        except ValidationError as exc:
            problems.extend(pydantic_problems(exc, rel, node, ("rules", i)))
            continue
        compiled: dict[str, list[Pattern]] = {"patterns": [], "exceptions": []}
        bad = False
        for key in compiled:
            for j, p in enumerate(getattr(m, key)):
                try:
                    compiled[key].append(compile_pattern(p, max_gap=m.max_gap, classes=classes))
                except ValueError as exc:
                    where = line_of(node, "rules", i, key, j)
                    problems.append(Problem(rel, where, f"{m.id}: {key} {p!r}: {exc}"))
                    bad = True
        if bad:
            continue
        rules.append(Rule(
            id=m.id, category=m.category, severity=m.severity, patterns=tuple(compiled["patterns"]),
            exceptions=tuple(compiled["exceptions"]), why=m.why, sources=sources_from(m.sources),
            suggestion=m.suggestion, scenario=m.scenario, quoted_ok=m.quoted_ok, customer_only=m.customer_only,
            one_clause=m.one_clause,
            unless=tuple(fold_literal(w) for w in m.unless), answer_opens=m.answer_opens,
            colleague_unless=tuple(m.colleague_unless),
            examples=Examples(tuple(m.examples.hit), tuple(m.examples.clean)),
            file=rel, line=line_of(node, "rules", i),
        ))
    return rules, problems


def _folded(words: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for w in map(fold_literal, words) if w))


def _grammar(model: BaseModel, rel: str, node: Any, at: tuple[str, ...],
             problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    """A grammar section's lists as tuples, in their order and unfolded: the code reads them on the compact view
    with `startswith`/`endswith`, so a word it never holds (寫的, 零点: it reads 写的, 0点) is refused, not
    silently dead or silently changed by folding."""
    out: dict[str, tuple[str, ...]] = {}
    for key, words in model.model_dump().items():
        out[key] = tuple(words)
        for i, w in enumerate(words):
            if fold_literal(w) != w:
                problems.append(Problem(rel, line_of(node, *at, key, i), f"{'.'.join(at)}.{key}: {w!r} is read as "
                                                                         f"{fold_literal(w)!r} by the compact view"))
    return out


def _context_words(words: list[str]) -> tuple[str, ...]:
    """Personal-data context words: folded, and English ones spelt as the number scanner reads the words
    before a number (lower case, one space between words: "id card", not "idcard")."""
    return tuple(dict.fromkeys(w for w in (_english_entry(x) if x.isascii() else fold_literal(x) for x in words) if w))


_SHIPPED_GRAMMARS = {"marking": ("grammar",), "topics": ("grammar", "quantity")}


@functools.lru_cache(maxsize=1)
def _shipped_grammars() -> dict[str, dict[str, Any]]:
    """The shipped secret.yaml's grammar sections (empty where it cannot be read: then the rule file's own
    sections are required as before)."""
    try:
        data, _ = load_with_lines(DEFAULT_RULES_DIR / "secret.yaml")
    except (DataError, OSError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {name: {k: data[name][k] for k in keys if isinstance(data.get(name), dict) and k in data[name]}
            for name, keys in _SHIPPED_GRAMMARS.items()}


def _with_shipped_grammar(section: Any, name: str) -> Any:
    """An organisation's section with the shipped grammar lists where it leaves a whole list section out: they
    are language data (how Chinese stamps a level or states an amount), not the organisation's policy, so a
    rulebook need not copy them; a section it does give is read, and checked, as written."""
    if not isinstance(section, dict) or all(k in section for k in _SHIPPED_GRAMMARS[name]):
        return section
    shipped = _shipped_grammars().get(name, {})
    return {**section, **{k: v for k, v in shipped.items() if k not in section}}


def _load_secret(fm: FileModel, rel: str, node: Any) -> tuple[list[Marker], list[Topic], Signals, list[Problem]]:
    markers: list[Marker] = []
    topics: list[Topic] = []
    problems: list[Problem] = []
    signals = Signals()
    if fm.marking is not None:
        try:
            mm = MarkingModel.model_validate(_with_shipped_grammar(fm.marking, "marking"))
        except ValidationError as exc:
            problems.extend(pydantic_problems(exc, rel, node, ("marking",)))
        else:
            markers.append(Marker(mm.id, _folded(mm.levels), _folded(mm.english), _folded(mm.phrases),
                                  _folded(mm.labels), _folded(mm.deictic), _folded(mm.prose_after),
                                  _folded([f"{b}{a}" for b in mm.no_share.bans for a in mm.no_share.acts]
                                          + mm.no_share.restrictions), mm.why,
                                  sources_from(mm.sources), mm.suggestion,
                                  Examples(tuple(mm.examples.hit), tuple(mm.examples.clean)),
                                  rel, line_of(node, "marking"), _folded(mm.relay), _folded(mm.doc_nouns),
                                  _folded(mm.work_context), _folded(mm.mark_objects), _folded(mm.no_share.bans),
                                  MarkGrammar(**_grammar(mm.grammar, rel, node, ("marking", "grammar"), problems))))
    if fm.topics is not None:
        try:
            tm = TopicsModel.model_validate(_with_shipped_grammar(fm.topics, "topics"))
        except ValidationError as exc:
            problems.extend(pydantic_problems(exc, rel, node, ("topics",)))
            return markers, topics, signals, problems
        words: dict[str, tuple[str, ...]] = {str(role): _folded(ws) for role, ws in tm.signals.items()}
        words |= {f"neg_{role}": _folded(ws) for role, ws in tm.negatives.items()}
        words |= {"security_detail": _folded(tm.security_detail), "security_weak": _folded(tm.security_weak),
                  "org": _folded(tm.org_suffix),
                  "stored": _folded(tm.stored)}
        english = {k: tuple(dict.fromkeys(_english_entry(w) for w in v)) for k, v in tm.english.items()}
        signals = Signals(words, _folded(tm.person_titles), tm.surnames, _folded(tm.not_person), english=english,
                          not_names=frozenset(w.lower() for w in tm.not_names), not_terms=_folded(tm.not_terms),
                          object_heads=_folded(tm.object_heads),
                          routine={"circulation": _folded(tm.circulation),
                                   "circulation_counts": _folded(tm.circulation_counts),
                                   **{f"rate_{k}": _folded(v) for k, v in tm.rate.items()},
                                   "one_day": _folded(tm.one_day), "recurrence": _folded(tm.recurrence),
                                   "move_ends": _folded(tm.move_ends), "move_times": _folded(tm.move_times)},
                          unit_change={k: _folded(v) for k, v in tm.unit_change.items()},
                          hush={k: _folded(v) for k, v in tm.hush.items()},
                          role_move={k: _folded(v) for k, v in tm.role_move.items()},
                          hearsay={k: _folded(v) for k, v in tm.hearsay.items()},
                          handover={k: tuple(dict.fromkeys(_english_entry(w) for w in v)) if k.startswith("en_")
                                    else _folded(v) for k, v in tm.handover.items()},
                          code_switch={fold_literal(k): tuple(dict.fromkeys(
                              w.lower().replace(" ", "") for w in v)) for k, v in tm.code_switch.items()},
                          grammar=TopicGrammar(**_grammar(tm.grammar, rel, node, ("topics", "grammar"), problems)),
                          quantity=QuantityGrammar(**_grammar(tm.quantity, rel, node, ("topics", "quantity"),
                                                              problems)))
        for i, raw in enumerate(tm.categories):
            try:
                cm = CategoryModel.model_validate(raw)
            except ValidationError as exc:
                problems.extend(pydantic_problems(exc, rel, node, ("topics", "categories", i)))
                continue
            topics.append(Topic(cm.id, cm.title, _folded([*cm.terms, *cm.homophones]), frozenset(cm.evidence),
                                frozenset(_folded(cm.strong_future)), cm.why, sources_from(cm.sources),
                                cm.suggestion, Examples(tuple(cm.examples.hit), tuple(cm.examples.clean)),
                                rel, line_of(node, "topics", "categories", i), frozenset(_folded(cm.value_only))))
    return markers, topics, signals, problems


def _cross_checks(rs: RuleSet, scenarios: set[str] | None) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    items: list[Rule | Marker | Topic] = [*rs.rules, *rs.markers, *rs.topics]
    for item in items:
        where = f"{item.file}:{item.line}"
        if item.id in seen:
            first = seen[item.id]
            problems.append(Problem(item.file, item.line, f"duplicate rule id {item.id!r} (first at {first})"))
        else:
            seen[item.id] = where
    if scenarios is not None:
        for r in rs.rules:
            if r.scenario and r.scenario not in scenarios:
                problems.append(Problem(r.file, r.line, f"{r.id}: unknown scenario {r.scenario!r}"))
    return problems


def load_rules(directory: Path | None = None, *, scenarios: set[str] | None = None) -> RuleSet:
    """Load and validate every rule file; DataError listing all problems with file:line."""
    directory = directory or DEFAULT_RULES_DIR
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise DataError([Problem(str(directory), 0, "no rule files (*.yaml) found")])
    rs = RuleSet()
    problems: list[Problem] = []
    for path in paths:
        rel = str(path)
        data, node = load_with_lines(path)
        try:
            fm = FileModel.model_validate(data)
        except ValidationError as exc:
            problems.extend(pydantic_problems(exc, rel, node, ()))
            continue
        rs.files.append(rel)
        if fm.kind == "forbidden":
            rules, probs = _load_forbidden(fm.rules, rel, node, fm.classes)
            rs.rules.extend(rules)
            problems.extend(probs)
        elif fm.kind == "secret":
            markers, topics, signals, probs = _load_secret(fm, rel, node)
            rs.markers.extend(markers)
            rs.topics.extend(topics)
            if signals.words:
                rs.signals = signals
            problems.extend(probs)
        else:
            try:
                cm = ContextModel.model_validate(fm.contexts or {})
            except ValidationError as exc:
                problems.extend(pydantic_problems(exc, rel, node, ("contexts",)))
                continue
            rs.pii = PiiContext(_context_words(cm.negative), _context_words(cm.weak_negative),
                                {k: _context_words(v) for k, v in cm.positive.items()}, cm.window)
    problems.extend(_cross_checks(rs, scenarios))
    if problems:
        raise DataError(problems)
    return rs


def _english_entry(word: str) -> str:
    """An English entry spelt as the checker reads a draft: lower case, apostrophes dropped (don't ->
    dont), any other non-letter a word break (P&L -> "p l", co-worker -> "co worker", year-end -> "year end")."""
    return " ".join(re.findall(r"[a-z0-9]+", word.lower().replace("'", "").replace("’", "")))
