"""Who a draft speaks to: a colleague or a customer.

Rules about addressing the customer (`customer_only`: 你 for 您, 快点, 明天再来) do not apply to a
message between colleagues. The judgement weighs cue groups from phrasebook/addressee.yaml: names and
titles called at a clause head, internal-work and peer-talk vocabulary for a colleague; customer
calls, an opening greeting, 您 and courtesy, service done on the reader's behalf for a customer.
The customer is the default: a draft is to a colleague only when that evidence is strong and leads.
It runs on the draft's compact view, only when a customer-only rule matched. Words inside speech
quotes (“…”, 「…」) are someone else's (a customer's complaint forwarded to a colleague, a rule's example
phrase) and say nothing about who this draft speaks to: they are read as blanks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import ahocorasick
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.core.paths import PHRASEBOOK_DIR
from bot.core.schema import NonEmpty, load_file_model
from bot.core.text.alternation import literal_alternation, longest_first
from bot.core.text.automaton import build_automaton
from bot.core.text.fold import Compact, fold_literal

FILE = "addressee.yaml"
Side = Literal["colleague", "customer"]
# Occurrences of `Addressee.words` in a text: (end index, key length, the key's (side, cue index) refs).
Words = Sequence[tuple[int, int, tuple[tuple[Side, int], ...]]]
Where = Literal["anywhere", "head", "call", "opening", "mention"]
# What may follow a called name inside its clause (李姐你… / 先生您… / 小王啊，).
_AFTER_CALL = "你您侬啊呀哈呢"
# Speech quotes in the wide view (titles in 《》 are not speech: an internal document's title is evidence).
_SPEECH = re.compile("“[^”]{1,200}”|「[^」]{1,200}」|『[^』]{1,200}』|\"[^\"]{1,200}\"|‘[^’]{1,200}’")
_QUOTE_MARK = re.compile("[“「『\"‘]")
# A speaking verb before a colon: the cheap test before the reported-speech regex.
_SAID = re.compile("[说讲问映示嚷喊骂怨道着][:：]")
# Reported speech without quotes: a third party's words after a colon, to the end of the sentence
# (客户说：你们怎么还不退款). The writer's own 我跟您说： is not among the speakers.
_REPORTED = re.compile("(?:他|她|他们|她们|客户|顾客|客人|对方|业主|家长|患者|病人|家属|用户|群众|老人|那人|那位)"
                       "(?:刚才|刚刚|一直|又|还|就|当时|在电话里)?(?:说|讲|问|反映|表示|嚷|喊|骂|抱怨)(?:道|着)?[:：]"
                       "([^。！？!?\n]{1,200})")
# Stands for a quoted character: no cue word holds it, so quoted words count for neither side.
_BLANK = "\ue0ff"
# An @-mention in a work chat: @ before a surname, a Latin name or everyone (@王芳 / @Mike / @所有人), not an
# e-mail address (name@mail.com, a @ b.com) nor @ as a verb (在群里@过您).
_MENTION = ("(?<![0-9a-z_.\\-])@(?:[{surnames}]|所有人|全体|大家|各位|"
            "[a-z](?![0-9a-z_.\\-]*\\.(?:com|cn|net|org|edu|gov)\\b))")


class CueModel(BaseModel):
    """One group of cue words for one side."""

    model_config = ConfigDict(extra="forbid")
    side: Side
    where: Where
    # required: a surname first (李姐); optional: 先生 or 李先生; after: a surname follows (小王); none.
    surname: Literal["required", "optional", "after", "none"] = "none"
    weight: Annotated[int, Field(ge=1, le=5)]
    most: Annotated[int, Field(ge=1, le=5)] = 1  # distinct words of the group that count
    # `mention`: an @ before a name in the draft (work chats); its words are not used.
    words: list[NonEmpty] = []
    # Only after one of these, at most `within` characters before the word (你 … 交班: the reader's
    # shift, not the writer's); for `anywhere` cues.
    near: list[NonEmpty] = []
    within: Annotated[int, Field(ge=0, le=8)] = 0
    # A given name: one more Han character follows the word (小美), and the call must end its clause
    # (小美，…), since 小心你的包 also starts with 小 + a character; `except` lists such ordinary words.
    given_name: bool = False
    except_: list[NonEmpty] = Field(default=[], alias="except")
    # The group counts toward `least_alone` (false: words also said to a customer, such as the writer's
    # own shift given as an excuse, 我马上交班了).
    alone: bool = True
    # The word fills its clause (收到， / 好的收到。 as a work chat's reply: 收到您的反馈 is no such reply).
    whole: bool = False

    @model_validator(mode="after")
    def _has_words(self) -> CueModel:
        if not self.words and self.where != "mention":
            raise ValueError("words: at least one word (only a `mention` cue has none)")
        return self


class AddresseeModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    least: Annotated[int, Field(ge=1, le=10)]
    margin: Annotated[int, Field(ge=0, le=10)]
    # The colleague evidence enough when nothing at all speaks for a customer (no greeting, no 您, no
    # service words); `least` when unset.
    least_alone: Annotated[int, Field(ge=1, le=10)] | None = None
    # Labels before a colon that give the words after them as an example or as someone else's (原话：, 错误示范：):
    # those words, to the sentence's end, are read as blanks like quoted words.
    example_labels: list[NonEmpty] = []
    cues: Annotated[list[CueModel], Field(min_length=1)]


@dataclass(frozen=True, slots=True)
class Cue:
    side: Side
    where: Where
    weight: int
    most: int
    regex: re.Pattern[str]
    alone: bool = False  # the match must end its clause
    lone: bool = True  # counts toward `least_alone`
    listed: bool = False  # found by the side's automaton of words (else by the regex)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Points for each side and the cue words that earned them (for tests and explanations)."""

    colleague: int
    customer: int
    words: tuple[str, ...]


class Addressee:
    """Judges whether a draft is written to a colleague (build once; thread-safe)."""

    def __init__(self, model: AddresseeModel, *, surnames: str):
        self.least, self.margin = model.least, model.margin
        self.least_alone = model.least_alone or model.least
        labels = literal_alternation(model.example_labels, fold=None)
        self._labelled = re.compile(f"(?:{labels})[:：]([^。！？!?\\n]{{1,200}})") if labels else None
        names = f"[{re.escape(surnames)}]" if surnames else "(?!)"
        cues = []
        starts: set[str] = set()  # characters a positional cue can begin with: other clause heads are skipped
        for cm in model.cues:
            words = _folded(cm.words) if cm.where != "mention" else ["@"]
            alt = "|".join(map(re.escape, words))
            body = {"required": f"{names}(?:{alt})", "optional": f"{names}?(?:{alt})",
                    "after": f"(?:{alt}){names}", "none": f"(?:{alt})"}[cm.surname]
            if cm.given_name:
                body = f"(?!{literal_alternation(cm.except_, fold=fold_literal) or '(?!)'})(?:{body})[\u4e00-\u9fff]"
            if cm.near:
                near = literal_alternation(cm.near, fold=fold_literal)
                body = f"(?:{near}).{{0,{cm.within}}}?({body})"
            if cm.where == "mention":
                body = _MENTION.format(surnames=re.escape(surnames) or "(?!)")
            listed = cm.where == "anywhere" and not cm.near and cm.surname == "none"
            cues.append(Cue(cm.side, cm.where, cm.weight, cm.most, re.compile(body),
                            alone=cm.given_name or cm.whole, lone=cm.alone, listed=listed))
            if cm.where not in ("anywhere", "mention"):
                starts.update(w[0] for w in words)
                if cm.surname in ("required", "optional"):
                    starts.update(surnames)
        self.cues = {side: tuple(c for c in cues if c.side == side) for side in ("colleague", "customer")}
        # The words found anywhere, for each side: one Aho-Corasick pass (values: the cues' indices).
        self._anywhere: dict[str, ahocorasick.Automaton | None] = {}
        # The same words of both sides, word -> (side, cue index) ...: a caller that passes over the draft
        # anyway (the checker's one automaton) finds them in that pass and hands them over (`to_colleague`).
        shared: dict[str, list[tuple[Side, int]]] = {}
        sides: tuple[Side, ...] = ("colleague", "customer")
        for side in sides:
            refs: dict[str, list[int]] = {}
            for k, (cue, cm) in enumerate((c, m) for c, m in zip(cues, model.cues, strict=True) if c.side == side):
                if cue.where == "anywhere":
                    # A regex cue is tried only when a word it needs is there (its `near` word, else its
                    # word): one automaton pass instead of a regex scan of every draft.
                    for w in _folded(cm.near if cm.near and not cue.listed else cm.words):
                        refs.setdefault(w, []).append(k)
            self._anywhere[side] = build_automaton(refs)
            for w, ks in refs.items():
                shared.setdefault(w, []).extend((side, k) for k in ks)
        self.words: dict[str, tuple[tuple[Side, int], ...]] = {w: tuple(v) for w, v in shared.items()}
        self._calls = tuple(c for c in self.cues["customer"] if c.where == "call")
        # Per side, any positional cue at all: most clause heads fail this one match and skip the rest.
        self._any_head = {side: re.compile("|".join(c.regex.pattern for c in group
                                                    if c.where not in ("anywhere", "mention")) or "(?!)")
                          for side, group in self.cues.items()}
        self._starts = frozenset(starts)
        # Per side, the cues that can score without a word of the automaton: a mention (@), and the
        # positional ones when a clause head matches any. Others are looked at only when their word is there.
        self._mention_cues = {side: tuple(k for k, c in enumerate(group) if c.where == "mention")
                              for side, group in self.cues.items()}
        self._head_cues = {side: tuple(k for k, c in enumerate(group) if c.where not in ("anywhere", "mention"))
                           for side, group in self.cues.items()}

    @classmethod
    def load(cls, path: Path | None = None, *, surnames: str) -> Addressee:
        """phrasebook/addressee.yaml (or `path`); DataError with file:line when broken."""
        path = path or PHRASEBOOK_DIR / FILE
        model = load_file_model(path, AddresseeModel)
        return cls(model, surnames=surnames)

    def _side(self, view: Compact, text: str, side: Side, words: list[str], lone: list[int] | None = None,
              found_words: Words | None = None) -> int:
        """Points of one side (`text`: the view's text, quoted words blanked), the words that earned them
        appended to `words`; the points of the groups that count toward `least_alone` added to `lone[0]`.
        `found_words`: the occurrences of `self.words` in `text`, when the caller has found them."""
        bounds, n = view.clauses, len(text)
        any_head, starts = self._any_head[side].match, self._starts
        heads = sorted(b for b in bounds if b < n and text[b] in starts and any_head(text, b))
        points = 0
        anywhere: dict[int, dict[str, None]] = {}
        auto = self._anywhere[side]
        if auto is not None and text:
            if found_words is not None:
                # In the order the side's own automaton reports them: by end, the longest first at one end.
                for end, klen, refs in found_words:
                    for s, k in refs:
                        if s == side:
                            anywhere.setdefault(k, {})[text[end - klen + 1:end + 1]] = None
            else:
                for end, (klen, ks) in auto.iter(text):
                    for k in ks:
                        anywhere.setdefault(k, {})[text[end - klen + 1:end + 1]] = None
        cues = self.cues[side]
        # The cues that may find something, in their order (the words they earn are listed in it).
        for k in sorted({*anywhere, *self._mention_cues[side], *(self._head_cues[side] if heads else ())}):
            cue = cues[k]
            found: dict[str, None] = {}
            if cue.where == "anywhere":
                found = anywhere.get(k, {}) if cue.listed else {} if k not in anywhere else dict.fromkeys(
                    m.group(cue.regex.groups and 1) for m in cue.regex.finditer(text))
            elif cue.where == "mention":
                wide = view.wide.text
                if "@" in wide:
                    found = dict.fromkeys(wide[m.start():m.start() + 4] for m in cue.regex.finditer(wide))
            elif heads:
                for h in heads:
                    if cue.where == "opening" and h:
                        break
                    m = cue.regex.match(text, h)
                    if m is None or (cue.where == "call" and not _call_ends(text, bounds, m.end())):
                        continue
                    if cue.alone and not (m.end() in bounds or m.end() >= n or _gap_after(view, m.end())):
                        continue
                    if side == "colleague" and self._customer_call(text, bounds, h, m.end()):
                        continue  # 阿姨, 老板: a customer called, not a colleague's nickname
                    found[m.group()] = None
            if found:
                points += cue.weight * min(len(found), cue.most)
                words += found
                if lone is not None and cue.lone:
                    lone[0] += cue.weight * min(len(found), cue.most)
        return points

    def _customer_call(self, text: str, bounds: frozenset[int], head: int, end: int) -> bool:
        for cue in self._calls:
            m = cue.regex.match(text, head)
            if m is not None and m.end() >= end and _call_ends(text, bounds, m.end()):
                return True
        return False

    def evidence(self, view: Compact, found_words: Words | None = None) -> Evidence:
        """Points for a colleague and for a customer as the reader of `view`; `found_words` as for
        `to_colleague`."""
        words: list[str] = []
        text = _unquoted(view, self._labelled)
        found = found_words if text is view.text else None
        colleague = self._side(view, text, "colleague", words, None, found)
        return Evidence(colleague, self._side(view, text, "customer", words, None, found), tuple(words))

    def to_colleague(self, view: Compact, found_words: Words | None = None) -> bool:
        """The draft reads as written to a colleague, not to a customer (the customer side is weighed
        only when the colleague's evidence is strong enough on its own). `found_words`: the occurrences
        ((end index, length, its refs in `self.words`), in an Aho-Corasick pass's order) of `self.words`
        in the view's text, when the caller has found them (else this looks for them)."""
        lone = [0]
        text = _unquoted(view, self._labelled)
        found = found_words if text is view.text else None  # quoted words blanked: another text
        colleague = self._side(view, text, "colleague", [], lone, found)
        if colleague < min(self.least, self.least_alone):
            return False
        customer = self._side(view, text, "customer", [], None, found)
        if customer == 0 and lone[0] >= self.least_alone:
            return True
        return colleague >= self.least and colleague - customer >= self.margin


def _unquoted(view: Compact, labelled: re.Pattern[str] | None = None) -> str:
    """The view's text with the characters inside speech quotes, a third party's reported words and
    the words after an example's label (`labelled`) blanked (same length and clauses)."""
    wide = view.wide.text
    quoted = _QUOTE_MARK.search(wide) is not None
    colon = ":" in wide or "：" in wide
    said = colon and _SAID.search(wide) is not None
    examples = [m.span(1) for m in labelled.finditer(wide)] if colon and labelled is not None else []
    if not (quoted or said or examples):
        return view.text
    text = view.text
    pieces: list[str] = []
    prev = 0
    spans = [(m.start() + 1, m.end() - 1) for m in _SPEECH.finditer(wide)] if quoted else []
    if said or examples:
        spans = sorted(spans + examples + ([m.span(1) for m in _REPORTED.finditer(wide)] if said else []))
    for ws, we in spans:
        s, e = max(view.index_of_wide(ws), prev), view.index_of_wide(we)
        if e > s:
            pieces += (text[prev:s], _BLANK * (e - s))
            prev = e
    return "".join(pieces) + text[prev:] if pieces else text


def _gap_after(view: Compact, i: int) -> bool:
    """A symbol other than a space lies between compact characters i - 1 and i (收到～我… / 小美~你…): a
    clause ends there though the fold keeps no boundary."""
    a, b = view.wide_index(i - 1), view.wide_index(i)
    return b > a + 1 and not view.wide.text[a + 1:b].isspace()


def _folded(words: list[str]) -> list[str]:
    """Words folded like a draft's compact text, longest first (an alternation prefers the longer)."""
    return longest_first(words, fold=fold_literal)


def _call_ends(text: str, bounds: frozenset[int], end: int) -> bool:
    """A called name ends its clause or is followed by a particle or the pronoun it calls."""
    return end in bounds or end >= len(text) or text[end] in _AFTER_CALL


@lru_cache(maxsize=4)
def shipped_addressee(surnames: str) -> Addressee:
    """The shipped phrasebook/addressee.yaml with these surnames (loaded once per process)."""
    return Addressee.load(surnames=surnames)
