"""Classified content in a draft: 密级 markings as a small grammar, confidential topics as categories.

Markings: a level word (绝密/机密/秘密 ..., CONFIDENTIAL) counts only in a marking context — framed
by brackets of any kind or ★/☆, after 密级(为/:), followed by 级 or a period (★1年), after a
"this document" word (此件/本文件/附件 ...), or as a heading — and not when prose about markings
follows (…级秘密载体, 标有“秘密”字样). Whole marking phrases (仅供内部参考) and labels (内部资料,
涉密文件) count when they label or hand over the document at hand, not when refusing. A marked
document relayed (机密级文件里写了, 涉密文件上写着) and a stamp read out before a quoted level (写的“秘密”)
are markings; a quoted level given as an example of the format (例如“机密★10年”这种写法), a level
answering a list of levels (秘密、机密、绝密…答案是绝密) and a level in title marks where the sentence
speaks of a film or book (电影《机密》) are not.

Topics: each category of the documents' 保密范围 lists (pay, customers, costs, finance, tenders,
technology, plans, personnel, staff privacy, credentials, security) has a vocabulary and names
the kinds of evidence that make a mention a disclosure, checked within the sentence: a quantity
in any notation (三成, 八十多万, 百分之十二), a person or organisation, a contact, a sharing verb,
a secrecy cue, a decision or a date ahead, a credential-shaped value or lock combination.
Where a credential is kept (密钥写死在config里) is evidence for credentials. English vocabulary also
matches a plural (accounts list) or a verb's past and -ing forms (resigned, transferred, closing), an
entry is spelt as a draft is read (P&L as the words p, l), and an English "already public" word
under a negation (HR hasn't announced it) is none. Negative contexts in the sentence suppress:
refusals, talk about the rules, already-public information, the customer's own data addressed
to them (您的工资; 您尾号…的卡…这是单位代发的工资, an own-word earlier in the sentence with no
third person or our side between), and a health or family matter whose subject is the
customer or their party (客户说是他老婆的…), not a colleague.

Everything runs on the one folded text (`bot.core.text.fold`): one Aho-Corasick pass for all
words, linear scans for values.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate, islice, pairwise
from typing import Any

from bot.core.check.edges import BUDGET as EDGE_BUDGET
from bot.core.check.edges import WordEdges
from bot.core.check.once import Once
from bot.core.check.rules import Marker, MarkGrammar, QuantityGrammar, RuleSet, Signals, Topic, TopicGrammar
from bot.core.text.alternation import literal_alternation as _alternation
from bot.core.text.automaton import build_automaton
from bot.core.text.fold import Compact, Folded

# Quantities on the compact text (digits of every script are ASCII there; '%' is kept).
# The financial multipliers 拾佰仟 (柒佰陆拾万) are numerals too: fold turns 柒 into 7, not 佰 or 陆 beside it.
_NUM = re.compile(r"(?<![0-9十百千万亿拾佰仟])(?:百分之|千分之)?(?:[0-9十百千万亿拾佰仟]|陆(?=[拾佰仟万亿]))++")
_NUM_CHAR = re.compile(r"[0-9十百千万亿拾佰仟]")
_EN_AMOUNT = re.compile(r"million|billion|thousand|grand|percent")
# Amounts in English words on the compact text (threepointtwomillion, fivepercent).
_EN_NUM = re.compile(r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty"
                     r"|forty|fifty|sixty|seventy|eighty|ninety|hundred|half|[0-9])[a-z]{0,16}?"
                     r"(?:million|billion|thousand|grand|percent)")
# A capitalised English word in the draft as typed: a named person or organisation unless listed as not a name.
_CAPITALISED = re.compile(r"(?<![A-Za-z])[A-Z][a-z]{2,11}(?![A-Za-z])")
# A word of letters with a digit inside (c0nfidential): read with the digits that look like letters.
_LEET_WORD = re.compile(r"(?<![a-z0-9])[a-z]+[0-9][a-z0-9]*[a-z](?![a-z0-9])")
_LEET = str.maketrans("013457", "oieast")
# English: "this (one|file ...) is / marked (as)" right before the level word labels the document at hand.
_EN_DEICTIC = re.compile(r"\b(?:this|these|that|attached)\b(?:\s+[a-z]+){0,3}?\s+"
                         r"(?:is|are|was|marked|labell?ed|stamped)(?:\s+as)?\s*$|\battached\s+(?:the\s+|our\s+)?$")
_EN_DOC_NOUN = re.compile(r"\s*(?:documents?|files?|information|info|materials?|data|records?|papers?|items?"
                          r"|matters?)\b")
_HEADING_END = frozenset(":：-—")
# An English determiner right before a Chinese level (the 机密 file).
# "anything / any document / all files marked" right before an English level: a class of documents in a rule.
_EN_CLASS = re.compile(r"\b(?:any|anything|everything|all|every)\b(?:\s+[a-z]+){0,2}?\s+(?:marked|labell?ed|stamped)"
                       r"(?:\s+as)?\s*$")
_EN_DETERMINER = re.compile(r"\b(?:the|this|that|these|those|our|a)\s*$")
# A lower-case English word right after a capitalised one: the capital opens a sentence (Hurry up).
_ENGLISH_NEXT = re.compile(r"[ ,]+[a-z]")
# A level word in quotes after 是 (就是“机密”) is the word being glossed, not a level given to a document.
_QUOTES = frozenset("\"“”'‘’")
_LOCK = re.compile(r"[左右](?:转|旋|拧)?到?[0-9十]{1,3}(?:圈|格|下|位)?")
# A credential value right after its word: lead-in (是/为/:/quotes ...; not 叫, which names a network
# or an account: wifi叫Shop_1), then letters, digits and symbols, possibly spaced out (8 8 2 1).
# Bounded repeats over disjoint classes: linear.
_CRED_VALUE = re.compile(
    r"[\s:：是为=用改成设成就了换到都\"“'「『(（]{0,8}"
    r"([a-z0-9!@#$%^&*._+~?-]{1,40}(?:[ \t][a-z0-9!@#$%^&*._+~?-]{1,12}){0,8})")
# A credential value dictated in words (read out over the phone or typed by voice): letters named by their
# case (大写的Q, 小写w), symbols by name (井号, 感叹号, 下划线), a digit repeated (八个六, folded 8个6), joined by
# 然后/再/加 … A value told this way has two or more such pieces, or is one repeated digit; a plain number
# after the word is `_CRED_VALUE`'s. Bounded repeats over disjoint pieces: linear.
_SPOKEN_SYMBOLS = (r"井号|井字|星号|感叹号|叹号|下划线|下横线|横杠|中划线|艾特|at符号|美元符号|百分号"
                   r"|and符号|小数点|点号")
_SPOKEN_PIECE = rf"(?:大写|小写)的?(?:字母)?[a-z]|{_SPOKEN_SYMBOLS}|[0-9]个[0-9]|[0-9]{{1,12}}|[a-z]"
_SPOKEN_PIECES = re.compile(_SPOKEN_PIECE)
_SPOKEN_CRED = re.compile(
    r"(?:就是|都是|是|为|改成了?|改为|设成了?|设为|换成了?|用的是)?"
    rf"((?:{_SPOKEN_PIECE})(?:(?:然后|接着|再加上?|再|加上?|后面是?|跟着|和)?(?:{_SPOKEN_PIECE})){{0,10}})")
# The pieces that are named (a case, a symbol word, a repeated digit), not plain digits or letters.
_SPOKEN_NAMED = re.compile(rf"大写|小写|{_SPOKEN_SYMBOLS}|[0-9]个[0-9]")
# A formula or a line of code that holds a number (score = 0.6*点击率, if x.rating > 4.5, area * 2.8): the
# method itself, told in its own notation; read on the wide text, where the operators and the decimal point stand.
_FORMULA = re.compile(r"(?:[a-z_][a-z0-9_.]{0,30}|[0-9]+(?:\.[0-9]+)?|\))[ \t]{0,2}(?:[=*/<>+^]|==|>=|<=|\+=|-=|\*\*)=?"
                      r"[ \t]{0,2}[0-9]+(?:\.[0-9]+)?(?![0-9])")
# A value anywhere later in the sentence: letters, digits and symbols, digits possibly spaced out.
_LATER_VALUE = re.compile(r"(?<![a-z0-9!@#$%^&*._+~?-])[a-z0-9!@#$%^&*._+~?-]{1,40}(?:[ -][0-9]{1,4}){0,7}")
# A colon a few characters after a topic word opens its content; that content is read this far on.
_HEADING_COLON = re.compile(r"[:：]")
_LIST_REACH = 80
_SENTENCE_END = re.compile(r"[。！？；;\n]|[!?](?![a-z0-9])")
# After a "cannot" (secret.yaml `topics.grammar.cannot`), a refusal: a telling verb within a few characters,
# a bare telling verb, an English one (code-switched).
_REFUSAL_TAIL = r"[^告提透说给复发]{0,10}?(?:告知|提供|透露|告诉|说明|给您|给你|复印给|发(?![货生现展布]))"
_REFUSE_BARE_TAIL = r"[^说讲发]{0,8}?(?:说|讲|发)"
_REFUSE_EN_TAIL = r"[^，,。；;]{0,4}?(?:share|tell|disclose|send|forward|give|provide|reveal|leak)(?![a-z])"
# A customer known by the service they came for (来办低保的, 办理车贷的客户): one customer being served.
_SERVED = re.compile(r"(?:来办|办理|来办理)[^，,。；;]{1,6}?的(?:客户|顾客|客人)")
# A visitor known by the errand they came for (那位来咨询离婚财产分割的阿姨, 办失业金的大姐, 来申请低保的居民): the
# matter named inside is the visitor's own, not a colleague's.
_ERRAND = re.compile(r"(?:来|要|想|是来)?(?:办理|办|咨询|问|申请|领|报|看|开|做)[^，,。；;！!？?]{1,10}?的"
                     r"(?:客户|顾客|客人|阿姨|大姐|大爷|大妈|大叔|老人|老太太|老大爷|老奶奶|老爷子|先生|女士|居民|村民|市民|乘客|患者"
                     r"|病人|家长|群众|当事人|来访者|用户|小伙子|姑娘|学生|老师傅)")
# Quotation marks that open the words a ban on telling is about (千万别说"你自己看"): a wording, not a secret.
_OPENING_QUOTES = frozenset("“\"「『‘\'")
_CLOSING_QUOTES = frozenset("”\"」』’\'")
# How far a quotation's closing mark is looked for, and the characters that make a quoted span an utterance (a
# pronoun or a sentence-final particle: said to someone), wide characters.
_QUOTE_REACH = 40
_UTTERANCE = frozenset("你您我吧吗呢啊呀嘛")
# How far after a ban on telling its object (…这种话) is looked for, compact characters.
_WORDING_REACH = 24
_WAIT_NOTICE = re.compile(r"等[^，,。；;！!？?]{0,5}?(?:正式|官方)?(?:通知|公布|公告|发文|官宣)(?:吧|为准)")
# The secret is told through its own channel, not in the message (新密码由行政当面告知, 具体安排另行通知,
# 以保卫科的短信通知为准): the message withholds it, as pointing to the notice to come does.
_OWN_CHANNEL = re.compile(r"(?:当面|单独|另行)(?:告知|告诉|通知|交代|说明)"
                          r"|以[^，,。；;！!？?]{0,10}?(?:通知|短信|电话)为准")
_OWN_CHANNEL_FIRST = ("当面", "单独", "另行", "为准")
# The official document named as what counts (人事任免以公司正式公告为准, 计提金额以审计报告为准): the message
# withholds the matter and points to the document, unless it has already told something of it (`_deferred`).
_DOCUMENT_RULES = re.compile(r"以[^，,。；;！!？?]{0,10}?"
                             r"(?:公告|发文|文件|年报|财报|审计报告|报告|批复|公示|官网|通报)为准")
_NOTHING_TO_TELL = re.compile(r"没有?(?:什么)?(?:可以|能够?|可)(?:告诉|透露|分享|公开|提供|说|讲|share|disclose|tell)")
# A handing or telling verb that cannot be done (我私下发不了, 这个透露不了, 给不了你); searched only in a
# draft holding 不了 or 不出 (an alternation on common verbs costs a look at every character).
_CANNOT_HAND = re.compile(r"(?:发|给|传|告诉|透露|提供|说|讲|拷|复印)(?:不了|不出去|不出来)")
# Categories about a person: the speaker speaking of themselves discloses nobody else's.
_ABOUT_SOMEONE = frozenset({"secret.topic.personnel", "secret.topic.staff_private"})
# Negatives a colon bounds; an already-public word before a colon heads what follows it (行政通知：…,
# published on the website: revenue …) and stays with it.
_SCOPED_NEGS = ("neg_refusal", "neg_rules")
# Negatives a turn in a later clause before the topic word sets aside (`Classified._mention`).
_TURNED_NEGS = ("neg_refusal", "neg_rules", "neg_public")
# A sentence this short (compact characters) holding a secrecy cue is a hush on the sentence before
# (`Classified._cue_carried_back`).
_BARE_HUSH = 10
# A clause this long (compact characters) is a dictated run-on; negatives in it count only within
# `_RUN_ON_REACH` characters of the topic word (`Classified._mention`) …
_RUN_ON = 80
_RUN_ON_REACH = 30
# … and only when it holds at most this many of them (a clause of dozens is a word list, read as before).
_RUN_ON_NEGS = 16
# Words of all of a kind of unit (门店全部转成仓库): `_unit_change`'s subject form.
_ALL_OF = ("全部", "全都", "统统", "一律", "都")
_ALL_OF_RX = re.compile("|".join(_ALL_OF))
_COLON = re.compile(r"[:：]")
# Categories of a person's matter (pay, moves, private life): whose matter it is decides.
_ABOUT_PERSON = _ABOUT_SOMEONE | {"secret.topic.pay"}
_PUNCT_INSIDE = re.compile(r"[，,。；;：:、！？!?\n]")
# Words by which a sentence points back at what came before it (以上都是内部资料, 上述内容请勿外传).
_BACK_REFERENCE = re.compile(r"以上|上述|上面|前面|前述|above|aforementioned")
# How far (in characters, an English word one) a sharing act reaches its object without a colon heading it: a dictated
# draft has no commas, and its 跟你说一下 … 拍照发我 … forty characters on is about something else. Picked
# leave-one-group-out from 12/16/20/24/30/unlimited over the nineteen fit groups (every fold picks 20).
_ACT_REACH = 20
# Its units: a character, or a run of letters and digits (an English word, which the compact view joins to
# the next one, counts once).
_REACH_UNIT = re.compile(r"[a-z0-9]+|[^a-z0-9]")
_ALNUM = re.compile(r"[a-z0-9]")
# An act's own object named before it in its clause (把截图发到群里, 拍了照片发给他): the act is about that.
_OWN_OBJECT = re.compile(r"[把将]|照片|图片|相片")
# A time of day on the compact text (九点半 -> 9点半, 21:30 -> 2130 is not read): when guards, escorts or
# patrols come and go. Opening hours (营业到晚上十点) are public.
_CLOCK = re.compile(r"(?<![0-9])[0-9]{1,2}点(?:半|[0-9]{1,2}分?)?|(?<![0-9])[0-9]{1,4}(?:am|pm)(?![a-z])")
# Times alone are no detail where the sentence gives public opening hours (晚上十点关门，保安会在门口): the
# opening-hours words and the time details are secret.yaml `topics.grammar.open_hours` and `time_detail`.
# Words that name a number as something other than a code (尾号5678, 工号1023, 门牌号 …号1208).
_NOT_CODE_BEFORE = ("尾号", "后四位", "后4位", "末四位", "末4位", "号码", "编号", "单号", "工号", "房间", "号", "电话",
                    "手机", "卡号", "第", "热线", "共", "约", "价", "¥", "$")
_CRED_CHAR = re.compile(r"[a-z0-9!@#$%^&*._+~?-]")
_LOCK_CHAR = re.compile(r"[左右]")
_CRED_LEAD = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:是|为|[:：])")
_OPEN = frozenset("【[(（〔「『<〖{｛［")
_CLOSE = frozenset("】])）〕」』>〗}｝］")
# Title marks frame a label (《涉密文件》) or a level alone (《机 密》字样), but name a work where the
# sentence speaks of one (电影《机密》今晚放映).
_TITLE_OPEN = frozenset("《〈")
_TITLE_CLOSE = frozenset("》〉")
_STARS = frozenset("★☆✩✪✫✬✭✮✯✰⭐*")
_DIGIT = re.compile(r"[0-9]")
_ASCII_WORD = re.compile(r"[a-z][a-z0-9'’]*+")
# Pay stated as months or an amount taken (拿四个月, 多发两个月, 到手一万二): a value shape of the pay category.
_PAY_VALUE = re.compile(r"(?:拿|发|领|给|到手|多拿|多发|只拿|只发|才拿|能拿|可以拿)(?:了|的|是|有)?"
                        r"[0-9十百千万半几两]+(?:多|来|个)?(?:个月|薪|万|千|块|k|w)")


@dataclass(frozen=True, slots=True)
class SecretHit:
    """A marking or a disclosed topic: category, rule id and span in compact-view indices."""

    category: str  # secret_marker | confidential_topic
    rule: str
    start: int  # compact indices
    end: int
    # A topic's evidence: the kind that made it a disclosure (quantity, person, contact, cue, share …),
    # or MARKING_ONLY when a marking's cue is all it has. The checker reads it to report a span once.
    evidence: str = ""
    # A topic's sentence signals as the decision read them (roles: cue, share, neg_customer …; "lent"
    # when the cue is a marking's, "routine" when an operations word is near): what the topic opinion
    # (bot/core/check/scored.py `TopicOpinion`) weighs beside the words.
    signals: tuple[str, ...] = ()
    term: tuple[int, int] = (0, 0)  # a topic's word, compact indices (the span also holds its evidence)


@dataclass(slots=True)
class _Draft:
    """What the topic decision reads once per draft (gathered in `Classified._topics`): the clause
    bounds, the per-draft memo (`_remembered`), the own-words (asked once), the owners' and persons'
    hits, where customers and colleagues are named, the marked sentences, the colons and the topics
    called public."""

    f: Folded
    text: str
    bounds: list[int]
    memo: dict[tuple[str, int, int], Any]
    own: Once[tuple[bool, list[tuple[int, int]], list[int]]]
    hits_of: dict[str, list[tuple[int, int]]]
    customer_at: list[int]
    staff_at: list[int]
    marked: dict[tuple[int, int], int]
    marked_from: dict[tuple[int, int], int]
    colons: list[int]
    announced: dict[str, int]
    quantity: QuantityGrammar
    # Whether the whole draft is written to a customer (judged on first call; None: not known).
    to_customer: Callable[[], bool] | None = None
    # The draft opens by greeting outsiders (各位家长好：, 尊敬的业主：): written to them as a whole.
    greeted: bool = False
    # Some sentence speaks to its reader or readers (您, 各位, 大家, 全体).
    speaks_to_reader: bool = False

    def break_between(self, a: int, b: int) -> bool:
        """A clause boundary at a position in [a, b): looked up, not walked (a marked sentence of
        many topic words stays linear)."""
        k = bisect_left(self.bounds, a)
        return k < len(self.bounds) and self.bounds[k] < b

    def figure(self, lo: int, hi: int) -> Any:
        """An amount told in [lo, hi) (`_quantity`, memoised per draft)."""
        return _quantity(self.text, lo, hi, self.quantity, self.memo)

    def sentence_figure(self, sent: tuple[int, int]) -> Any:
        """An amount told anywhere in the sentence."""
        return _quantity(self.text, sent[0], sent[1], self.quantity, self.memo)


@dataclass(slots=True)
class _Mention:
    """One topic word judged: [s, e) of category `cat_id` in sentence `sent`, `lo` its clause's start;
    `sg` its sentence's signals as the decision reads them (`lent`: the secrecy cue is a marking's);
    once evidence is found, `ev` (kind, span), `hi` the clause's end and `routine` (an operations
    word near the term)."""

    s: int
    e: int
    cat_id: str
    cat: Topic
    sent: tuple[int, int]
    sg: dict[str, list[tuple[int, int]]]
    lent: bool
    lo: int
    ev: tuple[str, int, int] = ("", 0, 0)
    hi: int = 0
    routine: bool = False

    @property
    def cue(self) -> bool:
        """The sentence holds a secrecy cue (its own or a marking's)."""
        return "cue" in self.sg


class Classified:
    """All markings and topics of a rule set, built once; `find` is thread-safe."""

    def __init__(self, rules: RuleSet):
        self.marker: Marker | None = rules.markers[0] if rules.markers else None
        self.categories: dict[str, Topic] = {t.id: t for t in rules.topics}
        sig: Signals = rules.signals
        refs: dict[str, list[tuple[str, str]]] = {}

        def add(words: tuple[str, ...], role: str, tag: str = "") -> None:
            for w in words:
                refs.setdefault(w, []).append((role, tag))

        self._bans: tuple[str, ...] = (self.marker.bans if self.marker is not None and self.marker.bans else _BANS)
        if self.marker is not None:
            mk = self.marker
            add(mk.levels, "level")
            add(mk.english, "english")
            add(mk.phrases, "mphrase")
            add(mk.labels, "label")
            add(mk.deictic, "deictic")
        for role, words in sig.words.items():
            add(words, role)
        for t in rules.topics:
            add(t.terms, "term", t.id)
            add(_code_switched(t.terms, sig.code_switch), "term", t.id)
        # After a label, within a few characters: an instruction not to pass the document on (内部资料，
        # 请大家严禁转发) — the label is on the document at hand.
        no_share = _alternation(self.marker.no_share if self.marker else ())
        self._no_share = re.compile(f".{{0,4}}?(?:{no_share})") if no_share else None
        self._no_share_at = re.compile(f"(?:{no_share})")
        relay = _alternation(self.marker.relay if self.marker else ())
        nouns = _alternation(self.marker.doc_nouns if self.marker else ())
        self._relay = re.compile(f"(?:{relay})") if relay else None
        self._relay_doc = re.compile(f"级?的?(?:{nouns})(?:{relay})") if relay and nouns else None
        self._mark_objects = tuple(self.marker.mark_objects) if self.marker and self.marker.mark_objects else ("\0",)
        self._doc_nouns = tuple(self.marker.doc_nouns) if self.marker else ()
        # The marking grammar's words (secret.yaml `marking.grammar`); around a quoted level, a word of an
        # example before or after it (例如“机密★10年”这种写法) makes it a format cited, not a marking.
        self._grammar = self.marker.grammar if self.marker is not None else MarkGrammar()
        self._example_before = _words_regex(self._grammar.example_before)
        self._example_after = _words_regex(self._grammar.example_after)
        # A head and a measure word (一份, 那本, 这几份): one thing pointed at (`_pointed`).
        heads, measures = self._grammar.pointer_heads, self._grammar.measure_words
        self._pointer_rx = re.compile(f"(?:{_alternation(heads)})[几2]?(?:{_alternation(measures)})") if (
            heads and measures) else None
        work = self.marker.work_context if self.marker else ()
        self._work_re = _words_regex(work)
        prose_after = self.marker.prose_after if self.marker else ()
        self._prose = (frozenset(prose_after), sorted({len(p) for p in prose_after}))
        self._absence = frozenset(sig.words.get("neg_absence", ()))
        # The topic decision's words (secret.yaml `topics.grammar`): a refusal's "cannot", what may follow a
        # bare refusal, absence, a marked title's nouns, an organisation name's end, opening hours and times.
        tg = self._topic_grammar = sig.grammar
        # Whether a number is an amount, by the words around it (secret.yaml `topics.quantity`); a date or a
        # unit after a number also says it is no code (2024年, 5000元).
        self._quantity = sig.quantity
        self._after_code_number = sig.quantity.dateish + sig.quantity.units
        cannot = f"(?:{_alternation(tg.cannot)})" if tg.cannot else None
        self._refusal = re.compile(cannot + _REFUSAL_TAIL) if cannot else None
        self._refuse_bare = re.compile(cannot + _REFUSE_BARE_TAIL) if cannot else None
        self._refuse_en = re.compile(cannot + _REFUSE_EN_TAIL) if cannot else None
        self._time_detail = frozenset(tg.time_detail)
        self._window_rx = {"clock": _CLOCK, "hours": _words_regex(tg.open_hours)}
        self.own = sig.words.get("neg_own", ())
        own = _alternation(self.own)
        # Besides the listed own-words, their shape: 您 + a verb of up to three characters + 的 (您要办的低保,
        # 您询问的理财产品): what the customer asked about or applies for is told to them.
        self._own_re = re.compile(f"{own}|{_OWN_SHAPE}") if own else None
        # English words (whole words of the wide text): a category id or a signal role each.
        # A word may serve several roles (blind spot: a security word and a weakness of the arrangement).
        self.english: dict[str, list[tuple[str, str]]] = {}
        for key, words in sig.english.items():
            role, tag = ("term", key) if key in self.categories else (key, "")
            for w in words:
                self.english.setdefault(w, []).append((role, tag))
        self._english_max = max((w.count(" ") + 1 for w in self.english), default=0)
        # Every word sequence that begins some entry: a run of a draft's words no entry begins with ends the look.
        self._english_starts = frozenset(" ".join(w.split(" ")[:n]) for w in self.english
                                         for n in range(1, w.count(" ") + 2))
        titles = _alternation(sig.person_titles) or "总"
        surnames = re.escape(sig.surnames) or "王"
        # A name is also told by 姓/叫 before a surname (对接人姓王, 经理叫李强).
        not_person = _alternation(sig.not_person)
        nicknamed = f"(?!{not_person})[老小阿][{surnames}]" if not_person else f"[老小阿][{surnames}]"
        self._person = re.compile(
            f"[{surnames}](?:{titles})|{nicknamed}|[{surnames}]某某?|(?<=[姓叫])[{surnames}]")
        self._not_names = sig.not_names | frozenset(self.english)
        self._not_terms = _words_regex(sig.not_terms)
        self._object_heads = sig.object_heads
        # Routine work told with a figure (secret.yaml `topics`: circulation, rate, one_day, move_times ...),
        # matched on the compact view, where 一 and 两 are already digits (每1单, 1个季度, 2点).
        rt = sig.routine
        self._circulation = _words_regex(rt.get("circulation", ()))
        self._circulation_counts = rt.get("circulation_counts") or ("\0",)
        rate = [f"{head}(?:{_alternation(units)})" for head, key in (("每[个1]?", "rate_per"), ("1个", "rate_one"),
                                                                    ("按", "rate_by")) if (units := rt.get(key))]
        self._rate = re.compile("|".join(rate)) if rate else None
        self._one_day = _words_regex(rt.get("one_day", ()))
        self._recurrence = _words_regex(rt.get("recurrence", ()))
        self._move_ends = rt.get("move_ends", ())
        times = rt.get("move_times", ())
        self._move_time = re.compile(f"{_alternation(times)}|[0-9十]{{1,3}}(?:点|号|日)") if times else None
        # 把 + one of the company's units + a change verb (把售后部撤了): a plan said without a plan word.
        units, changes = sig.unit_change.get("units", ()), sig.unit_change.get("changes", ())
        self._unit_change = re.compile(
            f"把[^把]{{0,6}}?(?:{_alternation(units)})[^把]{{0,4}}?(?:{_alternation(changes)})"
        ) if units and changes and _PLANS in self.categories else None
        # … or the unit as subject with a word of all of them (门店全部转成仓库, 分店都要撤): a change to a kind of
        # unit as a whole is a plan, where one shop closing for the night is not. Found from each all-word
        # (`_all_units_changed`), not by a regex tried at every character.
        self._units = tuple(units)
        self._changes = tuple(changes)
        # A ban, someone to tell and a telling verb (先别跟顾客说, 不要让家长知道): asking for discretion.
        bans, to, tell, places, everyone = (sig.hush.get(k, ()) for k in ("bans", "to", "tell", "places", "everyone"))
        hush = [f"(?:{_alternation(bans)})(?:{_alternation(to)}).{{0,5}}?(?:{_alternation(tell)})"] if (
            bans and to and tell) else []
        if bans and places and tell:  # 别在外面说, 不要在群里讲: where it must not be told
            hush.append(f"(?:{_alternation(bans)})(?:{_alternation(places)}).{{0,3}}?(?:{_alternation(tell)})")
        if bans and everyone and tell:  # 谁都别说, 谁也不许提: nobody may tell it
            hush.append(f"(?:{_alternation(everyone)})(?:{_alternation(bans)}).{{0,3}}?(?:{_alternation(tell)})")
        asked, line = sig.hush.get("asked", ()), sig.hush.get("line", ())
        if asked and line:  # 有人问就说还没定, 居民来问你就说等通知: a line agreed for outsiders, given the reader
            # (店长们问起我就说还在做 is the writer's own answer, reported to whom the matter belongs)
            hush.append(f"(?:{_alternation(asked)})[^我]{{0,6}}?(?:{_alternation(line)})")
        self._hush = re.compile("|".join(hush)) if hush else None
        self._hush_first = frozenset(w[0] for w in (*bans, *everyone, *asked))
        # 听 + an insider + a telling verb (听财务说, 听人事那边讲): news from inside, a secrecy cue.
        insiders, told = sig.hearsay.get("from", ()), sig.hearsay.get("tell", ())
        self._hearsay = re.compile(f"听(?:{_alternation(insiders)}).{{0,3}}?(?:{_alternation(told)})"
                                   ) if insiders and told else None
        # Ahead or passive, a taking verb, a post (要去总部当助理, 被派去新公司做主管): a personnel move.
        ahead, verbs, posts = (sig.role_move.get(k, ()) for k in ("ahead", "verbs", "posts"))
        self._role_move = re.compile(
            f"(?:{_alternation(ahead)})[^把]{{0,8}}?(?:{_alternation(verbs)})[^把]{{0,6}}?(?:{_alternation(posts)})"
        ) if ahead and verbs and posts and _PERSONNEL in self.categories else None
        self._handover = _handover_patterns(sig.handover)
        # The words that give a thing to a recipient named after them (`_recipient`).
        self._give_acts = (*sig.handover.get("acts", ()), "给")
        if self._handover is not None:
            # The words every hand-over pattern holds (a recipient, a place, a disclosing verb): found by the
            # shared pass, they say where the patterns may match at all (most drafts hold none).
            add(self._handover.anchors, _ANCHOR)
        self.refs = refs
        self.auto = build_automaton(refs)
        # Whether a topic word is letters of ordinary words around it (新开 in 重新开具): jieba's test
        # over the words that can cross the topic words' edges (bot/core/check/edges.py).
        self.edges = WordEdges.load()
        # The topic decision's negative contexts, in the order they are asked: those that need no
        # evidence, then those that read it (each a predicate with its reason; see `_topics`).
        self._cleared_before_evidence: tuple[Callable[[_Draft, _Mention], bool], ...] = (
            self._refused_ruled_or_public, self._delivered_to_reader, self._served_customer, self._deferred,
            self._prize_won, self._speakers_money,
            self._announced_before, self._reassured, self._absence_explained, self._thing_absent, self._visitors_errand,
            self._speakers_own, self._home_made, self._customers_person, self._customer_reported, self._readers_own,
            self._object_named, self._rescheduled)
        self._cleared_after_evidence: tuple[Callable[[_Draft, _Mention], bool], ...] = (
            self._their_figure, self._their_person, self._routine_security, self._blank_form, self._routine_plan,
            self._discretion_only, self._undecided_matter, self._meeting_named, self._marked_kind,
            self._work_document_only, self._decision_to_customer, self._rate_to_recipients, self._loan_told)

    # ------------------------------------------------------------------------------------
    def find(self, f: Folded, contacts: list[tuple[int, int]] | tuple[tuple[int, int], ...] = (),
             occurrences: Sequence[tuple[int, int, Sequence[tuple[str, str]]]] | None = None, *,
             to_customer: Callable[[], bool] | None = None) -> list[SecretHit]:
        """Markings and topics in compact-view spans; `contacts` are compact spans of personal data;
        `occurrences` ((end index, key length, refs) of this detector's words) come from a shared pass;
        `to_customer` says (judging on first call) whether the whole draft is written to a customer."""
        c = f.compact
        text = c.text
        if not text or self.auto is None:
            return []
        if occurrences is None:
            occurrences = [(last, klen, refs) for last, (klen, refs) in self.auto.iter(text)]
        hits = [(last - klen + 1, last + 1, role, tag) for last, klen, refs in occurrences for role, tag in refs]
        if _LATIN_EDGE.search(text):
            # A word with a Latin edge (ipo, customer名单, 客户list) counts only as whole words as typed:
            # the compact view has lost the spaces, so ipo is also in "I posted".
            hits = [h for h in hits if c.latin_whole(h[0], h[1])]
        anchors = [(s, e) for s, e, role, _ in hits if role == _ANCHOR]
        if anchors:
            hits = [h for h in hits if h[2] != _ANCHOR]
        if self.english and _ASCII_WORD.search(f.wide.text):
            hits += self._english_hits(f)
            if self.marker is not None and _LEET_WORD.search(f.wide.text):
                hits += self._leet_markings(f)
        if self.marker is not None and ("密" in text or "蜜" in text or "秘" in text):
            hits += _sound_levels(text, self.marker.levels, self.marker.labels)
        hits = _inside_cues_dropped(hits)
        if "不" in text or "无法" in text or "没法" in text or "没办法" in text:
            # 不能通过电话告知, 不能复印给您: a refusal with words between its verb and its object.
            hits += [(m.start(), m.end(), "neg_refusal", "") for m in _finditer(self._refusal, text)]
            if "不了" in text or "不出" in text:
                hits += [(m.start(), m.end(), "neg_refusal", "") for m in _CANNOT_HAND.finditer(text)]
            # 我不方便说, 不方便在群里发: a bare telling or sending verb refused, closing its clause (不能发工资
            # goes on to an object and is no refusal to tell); 不方便细说，反正… goes on to tell the gist.
            clauses = f.compact.clauses
            tg = self._topic_grammar
            hits += [(m.start(), m.end(), "neg_refusal", "") for m in _finditer(self._refuse_bare, text)
                     if (m.end() in clauses or m.end() == len(text) or text.startswith(tg.to_reader, m.end()))
                     and not text.startswith(tg.gist, m.end())]
        if "没" in text:
            # 暂时没有可以分享的信息, 没什么可透露的: nothing that may be told is a refusal too.
            hits += [(m.start(), m.end(), "neg_refusal", "") for m in _NOTHING_TO_TELL.finditer(text)]
        if "等" in text:
            # 等人事部正式通知吧, 以公司公告为准: pointing to the announcement to come instead of telling.
            hits += [(m.start(), m.end(), "neg_defer", "") for m in _WAIT_NOTICE.finditer(text)]
        if any(w in text for w in _OWN_CHANNEL_FIRST):
            hits += [(m.start(), m.end(), "neg_defer", "") for m in _OWN_CHANNEL.finditer(text)]
            # Not a line quoted for outsiders (统一回复"具体以公告为准"): that is the hush, not the speaker's deferring.
            hits += [(m.start(), m.end(), "neg_defer_doc", "") for m in _DOCUMENT_RULES.finditer(text)
                     if not _in_quote(f, m.start())]
        if self._hush is not None and not self._hush_first.isdisjoint(text):
            hits += [(m.start(), m.end(), "cue", "") for m in self._hush.finditer(text)]
        if self._hearsay is not None and "听" in text:
            hits += [(m.start(), m.end(), "cue", "") for m in self._hearsay.finditer(text)]
        if self._role_move is not None:
            hits += [(m.start(), m.end(), "term", _PERSONNEL) for m in self._role_move.finditer(text)]
        if self._unit_change is not None and "把" in text:
            hits += [(m.start(), m.end(), "term", _PLANS) for m in self._unit_change.finditer(text)]
        if self._unit_change is not None and any(w in text for w in _ALL_OF):
            hits += [(s, e, "term", _PLANS) for s, e in self._all_units_changed(text)]
        handed = self._handovers(f, anchors)
        if handed:
            # 推到了公开的github仓库: 公开 inside a hand-over names where the thing was put, not a matter already
            # public (an official channel, 官网 or 信息公开网, still is one).
            put_public = self._topic_grammar.put_public
            hits = [h for h in hits if h[2] != "neg_public" or text[h[0]:h[1]] not in put_public or not any(
                hs <= h[0] and h[1] <= he for hs, he, _, _ in handed)] + handed
        out: list[SecretHit] = []
        out += self._markings(f, hits)
        marked: dict[tuple[int, int], int] = {}
        marked_from: dict[tuple[int, int], int] = {}
        for h in out:
            sent = f.compact.sentence_of(h.start)
            marked[sent] = min(marked.get(sent, h.end), h.end)
            marked_from[sent] = min(marked_from.get(sent, h.start), h.start)
        out += self._topics(f, hits, contacts, marked=marked, marked_from=marked_from, to_customer=to_customer)
        if marked and _MARKED_CONTENT in self.categories and not any(
                h.category == "confidential_topic" for h in out) and (
                (first := next((h.start for h in sorted(out, key=lambda h: h.start) if h.category == "secret_marker"
                                and not _in_title(f, h.start)), None)) is not None):
            told = self._marked_content(f, first, contacts)
            if told is not None:
                out.append(SecretHit("confidential_topic", _MARKED_CONTENT, told[0], told[1], "quantity",
                                     ("lent", "marked_content"), told))
        if not marked and _HUSHED_FIGURE in self.categories and not any(
                h.category == "confidential_topic" for h in out) and any(h[2] == "cue" for h in hits):
            told = self._hushed_figure(f, hits, contacts)
            if told is not None:
                out.append(SecretHit("confidential_topic", _HUSHED_FIGURE, told[0], told[1], "quantity",
                                     ("cue", "hushed_figure"), told))
        return out

    def _hushed_figure(self, f: Folded, hits: list[tuple[int, int, str, str]],
                       contacts: list[tuple[int, int]] | tuple[tuple[int, int], ...]) -> tuple[int, int] | None:
        """A figure told in a sentence that asks for discretion, or in the sentence just before
        one (厂家一台开价六十八万，合同还没签，你先别往外说): the hush says the matter is not to be
        told, the figure is what is told, whatever its topic and though no topic word names it. Not
        hearsay alone (听说明天降温到五度), not a sentence that refuses, states a rule, asks or calls the
        thing public, and not a figure of no matter (`_marked_content`'s exclusions: a time of day,
        copies, personal data's digits, a Latin code)."""
        c = f.compact
        text = c.text
        negs = sorted(xs for xs, _, role, _ in hits if role in _HUSH_BLOCKERS)
        if self._not_terms is not None and any(role == "term" for _, _, role, _ in hits):
            # A topic word the grammar set aside as no matter of the organisation's (期望月薪: a job seeker's
            # expectation) names the matter its sentence's figure belongs to: that sentence tells no secret.
            terms = [(s, e) for s, e, role, _ in hits if role == "term"]
            negs = sorted(negs + [a for a, b in (m.span() for m in self._not_terms.finditer(text))
                                  if any(a <= s and e <= b for s, e in terms)])
        held = sorted(cs for cs, _ in contacts)
        seen: set[int] = set()  # each sentence read once: a sentence of many cues stays linear
        memo: dict[tuple[str, int, int], Any] = {}
        for xs, xe, role, _ in sorted(hits):
            if role != "cue" or text.startswith(_HEARSAY_CUES, xs) or text[xs:xe] in _WEAK_HUSH or text.startswith(
                    ("才", "到时候才"), xs):
                continue
            ss, se = c.sentence_of(xs)
            if ss in seen:
                continue
            seen.add(ss)
            lo = c.sentence_of(ss - 1)[0] if ss > 0 else ss
            k, j = bisect_left(negs, lo), bisect_left(held, lo)
            if (k < len(negs) and negs[k] < se) or (j < len(held) and held[j] < se):
                continue  # … nor a sentence holding personal data: its digits are that finding's matter
            told = self._figure_of_matter(f, lo, se, contacts, memo)
            if told is not None:
                return told
        return None

    def _all_units_changed(self, text: str) -> list[tuple[int, int]]:
        """Spans of a unit, a word of all of them and a change verb (门店全部转成, 分店都要撤): `_unit_change`'s
        subject form, found from each all-word."""
        out = []
        for m in _ALL_OF_RX.finditer(text):
            a, b = m.span()
            unit = next((u for u in self._units if text.endswith(u, 0, a)), None)
            if unit is None:
                continue
            at = b + 1 if text.startswith("要", b) else b
            change = next((w for w in self._changes if text.startswith(w, at)), None)
            if change is not None:
                out.append((a - len(unit), at + len(change)))
        return out

    def _marked_content(self, f: Folded, start: int,
                        contacts: list[tuple[int, int]] | tuple[tuple[int, int], ...]) -> tuple[int, int] | None:
        """The first figure told from the draft's first marking on (机密：下次轨道机动在十五号凌晨三点，点火二十八秒):
        a marked draft that goes on to give a figure gives the marked matter's content, whatever its topic. Not a
        figure of the document itself — its number or term after a `marked_own` word (保密期限十年, 份号003), a count
        of copies or a length of time (`marked_counts`: 打二十份, 秘密★六个月), a time of day (17:00前交回), digits of
        personal data or of a Latin code (ZB-2024-09, an e-mail address)."""
        return self._figure_of_matter(f, start, len(f.compact.text), contacts)

    def _figure_of_matter(self, f: Folded, start: int, end: int,
                          contacts: list[tuple[int, int]] | tuple[tuple[int, int], ...],
                          memo: dict[tuple[str, int, int], Any] | None = None) -> tuple[int, int] | None:
        """The first figure in compact [start, end) that tells a matter (see `_marked_content`); `memo` the
        draft's (its number table is built once, not once per sentence asked)."""
        text = f.compact.text
        g = self._topic_grammar
        memo = {} if memo is None else memo
        q = _quantity(text, start, end, self._quantity, memo)
        while q is not None:
            s, e = q
            edge = text[s - 1:s] + text[e:e + 1]
            if not (any(cs <= s < ce for cs, ce in contacts) or _clock_time(f, s, e) or _LATIN_CODE.search(edge)
                    or not text[s:e].strip("0")  # 零件, 零售: the compact view's 0 is no figure
                    or text.startswith(g.marked_counts, e) or text[s:e].endswith(g.marked_counts)
                    or any(w in text[max(0, s - 6):s] for w in g.marked_own)):
                return q
            q = _quantity(text, e, end, self._quantity, memo)
        return None

    def _handovers(self, f: Folded, anchors: list[tuple[int, int]]) -> list[tuple[int, int, str, str]]:
        """Acts that take something out of the organisation (secret.yaml `topics.handover`): given, sent or told
        to an outsider, or put in a public place — 拷给了另一家公司, 跟记者说, 发到了家族群, told my friend —
        as "handover" signals. Not one denied or banned before it (没发给朋友, 不要告诉外人: a hush, read as
        such elsewhere), one the reader is invited or asked to do (欢迎分享给朋友, 请您告诉家人), one a caution
        is about (跟外面的人聊天时注意), one asked about (能发给朋友吗), nor publicity put out (海报, 宣传)."""
        ho = self._handover
        if ho is None:
            return []
        c = f.compact
        text = c.text
        spans = []
        if ho.zh is not None and anchors:  # every pattern holds an anchor word: only around them
            lo = max(0, min(s for s, _ in anchors) - _ANCHOR_REACH)
            hi = min(len(text), max(e for _, e in anchors) + _ANCHOR_REACH)
            spans += [m.span() for m in ho.zh.finditer(text, lo, hi)]
        if ho.en is not None and _ASCII_WORD.search(f.wide.text) and any(w in f.wide.text for w in ho.en_anchors):
            for m in ho.en.finditer(f.wide.text):
                hs, he = f.compact_index(m.start()), f.compact_index(m.end() - 1) + 1
                if he > hs:
                    spans.append((hs, he))
        roles = ["handover"] * len(spans)
        if ho.to_partner is not None and any(w in text for w in ho.takers):
            partner_spans = [m.span() for m in ho.to_partner.finditer(text)]
            spans += partner_spans
            roles += ["to_partner"] * len(partner_spans)
        out = []
        # Per sentence, asked once (not once per act: a long unpunctuated sentence holds hundreds): where
        # its last question word starts, and whether it speaks of publicity.
        last_asked: dict[int, int] = {}
        public: dict[int, bool] = {}
        for (hs, he), role in zip(spans, roles, strict=True):
            ss, se = c.sentence_of(hs)
            if he > se:
                continue  # the recipient or the place is in another sentence
            if ss not in last_asked:
                last_asked[ss] = max((text.rfind(q, ss, se) for q in ho.asked), default=-1)
                public[ss] = any(w in text[ss:se] for w in ho.publicity)
            lead = text[max(ss, hs - 6):hs]
            if (lead.endswith(ho.denied) or any(f"{w}把" in text[max(ss, hs - 16):hs] for w in ho.denied)
                    or any(w in lead for w in ho.invited) or "您" in text[max(ss, hs - 2):he]
                    or last_asked[ss] >= hs or _forbidden_act(text, hs, self._bans)
                    or public[ss]
                    or (ho.when is not None and ho.when.match(text, he))):
                continue
            out.append((hs, he, role, ""))
        return out

    # Markings ---------------------------------------------------------------------------
    def _english_hits(self, f: Folded) -> list[tuple[int, int, str, str]]:
        """English vocabulary as whole words of the wide text (a compact view has lost the spaces)."""
        words = [(m.start(), m.end(), m.group().replace("'", "").replace("’", ""))
                 for m in _ASCII_WORD.finditer(f.wide.text)]
        out = []
        starts = self._english_starts
        for i in range(len(words)):
            key = ""
            for n in range(1, self._english_max + 1):
                if i + n > len(words):
                    break
                key = _english_key(key, words[i + n - 1][2], starts)
                if not key:
                    break
                for role, tag in self.english.get(key, ()):
                    if role in ("neg_public", "neg_rules") and _en_negated(words, i):
                        continue  # HR hasn't announced it: the opposite of already public
                    s = f.compact_index(words[i][0])
                    e = f.compact_index(words[i + n - 1][1] - 1) + 1
                    if role == "decision" and (_en_negated(words, i) or f.compact.text.startswith(("不", "没"), e)
                                               or f.compact.text[max(0, s - 2):s].endswith(("没", "不", "未"))):
                        continue  # 这单我 approve 不了, 还没 decide: nothing decided
                    out.append((s, e, role, tag))
        return out

    def _leet_markings(self, f: Folded) -> list[tuple[int, int, str, str]]:
        """English level words typed with digits for letters (C0NFIDENTIAL, CONF1DENTIAL)."""
        levels = frozenset(self.marker.english) if self.marker else frozenset()
        out = []
        for m in _LEET_WORD.finditer(f.wide.text):
            if m.group().translate(_LEET) in levels:
                out.append((f.compact_index(m.start()), f.compact_index(m.end() - 1) + 1, "english", ""))
        return out

    def _wide_neighbours(self, f: Folded, s: int, e: int) -> tuple[str, str]:
        """Nearest non-space characters before and after compact [s, e) in the wide text ('\\n' at a line edge)."""
        wide = f.wide.text
        c = f.compact
        ws = c.wide_index(s)
        we = c.wide_index(e - 1) + 1
        i = ws - 1
        while i >= 0 and wide[i] in " \t\u3000":
            i -= 1
        j = we
        while j < len(wide) and wide[j] in " \t\u3000":
            j += 1
        return (wide[i] if i >= 0 else "\n"), (wide[j] if j < len(wide) else "\n")

    def _markings(self, f: Folded, hits: list[tuple[int, int, str, str]]) -> list[SecretHit]:
        c = f.compact
        text = c.text
        out: list[SecretHit] = []
        roles: dict[str, list[tuple[int, int]]] = {}
        for s, e, role, _ in hits:
            roles.setdefault(role, []).append((s, e))
        if self.marker is None or not any(r in roles for r in ("level", "english", "mphrase", "label")):
            return out
        marker_id = self.marker.id
        g = self._grammar
        sent_neg = self._sentence_negs(c, hits)
        # 我们不能 share, 没法 send: a refusal whose verb is English (code-switched) refuses the marked thing too.
        en_refused = {c.sentence_of(m.start()) for m in _finditer(self._refuse_en, text)} if (
            "不" in text or "没" in text or "无法" in text) else set()

        # A refusal word after an asker (谁问都不能说, 拍卖公司来问也不能说) tells the reader to keep the thing from
        # whoever asks: a hush, not a refusal. A refusal word that is the marking itself (属于内部资料, 属于公司机密)
        # refuses nothing when the sentence points at the thing at hand before it and goes on to tell the reader not
        # to pass it on (附件是…方案，属于内部资料，请勿外传): the label's own instruction (会议纪要属于内部资料，请不要
        # 转发 names a kind of document, as a refusal would).
        refusals: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for hs, he, role, _ in hits:
            if role == "neg_refusal" and not (g.askers and any(a in text[max(0, hs - 6):hs] for a in g.askers)):
                refusals.setdefault(c.sentence_of(hs), []).append((hs, he))

        def refused(s: int, e: int = -1) -> bool:
            sent = c.sentence_of(s)
            if bool(en_refused) and sent in en_refused:
                return True
            spans = refusals.get(sent, ())
            if not spans:
                return False
            own = [sp for sp in spans if sp[0] < e and s < sp[1]]
            if not own or len(own) != len(spans):
                return True  # before the searches to the sentence's end: a long sentence holds many levels
            at_hand = any(sent[0] < de <= s for de in deictic_ends) or any(
                p in text[sent[0]:s] for p in g.demonstratives)
            instructed = self._no_share_at.search(text, e, sent[1]) is not None
            return not (instructed and at_hand)

        prose, lengths = self._prose

        def prose_follows(e: int) -> bool:
            return any(text[e:e + n] in prose for n in lengths)

        rules_words = self._not_graded([(hs, he) for hs, he, role, _ in hits if role == "neg_rules"],
                                       roles.get("level", ()), text)
        deictic_ends = sorted(de for _, de in roles.get("deictic", ()))
        shared = {c.sentence_of(s) for s, _, role, _ in hits if role in ("share", "cue")}

        def deictic_before(s: int) -> bool:
            i = bisect_left(deictic_ends, s - 4)
            while i < len(deictic_ends) and deictic_ends[i] <= s:
                if all(ch in "属于为是系此件该本的份" for ch in text[deictic_ends[i]:s]):
                    return True
                i += 1
            return False

        def ruled(s: int, verb_at: int = -1) -> bool:
            """A rules word in the sentence of compact `s`, not counting one that is the stamp verb just before the
            level (这卷定密为秘密级: 定密 there gives the grade, no rule is cited); `verb_at`: where the words before
            the level begin (-1: no stamp verb)."""
            if not sent_neg(s, "neg_rules"):
                return False
            if verb_at < 0:
                return True
            lo, hi = c.sentence_of(s)
            inside = [(hs, he) for hs, he in rules_words if lo <= hs < hi]
            return not inside or any(not (verb_at - 5 <= hs and he <= verb_at) for hs, he in inside)

        levels = roles.get("level", ())
        # A draft that lists the levels (秘密、机密、绝密三个密级) talks about the grammar: a level after
        # 是 elsewhere in it (答案是绝密) is an answer about levels, not one given to a document.
        catalogue = Once(lambda: sorted(le for _, le in levels if _level_soon(text, le, self.marker)))
        for s, e in levels:
            # Inside a longer word such as 保密 / 秘密花园 stays a candidate; prose decides.
            before, after = self._wide_neighbours(f, s, e)
            if self._named(text, e):
                continue  # 「秘密」是什么意思, “绝密★启用前”这行字: the word itself named or glossed
            if text.startswith(g.gossip, e + 1 if text.startswith("的", e) else e):
                continue  # 绝密消息, 那个绝密的八卦: top secret as slang for news passed round, no document marked
            # Where the words before the level begin, past a dictated stutter (机机密) and fillers (是那个嗯机密的).
            lead = _lead(text, s, g.fillers)
            stutter = _lead(text, s, ())
            if before in _QUOTES and (self._example_around(text, s, e) or sent_neg(s, "neg_rules")):
                continue  # 例如“机密★10年”这种写法: a marking quoted as an example of the format
            if self._relayed(text, e, doc=True) and not (refused(s, e) or sent_neg(s, "neg_rules")):
                out.append(SecretHit("secret_marker", marker_id, s, e))  # 机密级文件里写了，…
                continue
            if before in _QUOTES and text[max(0, s - 4):s].endswith(g.kind_words):
                continue  # 那种“机密”标签贴纸: a kind of label named, not the stamp on a document
            if before in _QUOTES and (text[max(0, s - 3):s].endswith(g.quoted_stamp) or (
                    after in _QUOTES and text.startswith(self._mark_objects, e))) and not refused(s, e) and not (
                    self._class_ruled(text, e, c.sentence_of(s)[1])):
                out.append(SecretHit("secret_marker", marker_id, s, e))  # 右上角写的“秘密”: the stamp read out
                continue
            if _listed(f, s, e + 1 if text.startswith("级", e) else e):  # 机密级、秘密级: prose about levels
                continue
            if text.startswith(g.range_after, e + 1 if text.startswith("级", e) else e) or _not_before(text, s, g):
                continue  # 秘密及以上的文件 / 不是机密文件: a range of levels, or a document said to be unmarked
            if _split_word(f, s, e) and (text[s:e] != "秘密" or text.startswith(("级", "件", *self.marker.doc_nouns), e)
                                         ) and not (refused(s, e) or sent_neg(s, "neg_rules")
                                             or prose_follows(e) or _level_soon(text, e, self.marker)):
                # 绝·密, 机 密, 秘​密: nobody splits a level word writing about levels; the separator
                # inside it hides a marking from a reader looking for the word.
                out.append(SecretHit("secret_marker", marker_id, s, e))
                continue
            framed = (before in _OPEN and after in _CLOSE) or before in _STARS or after in _STARS or (
                _symbol(before) and (_symbol(after) or after in " \n:：,，")) or (
                before in _TITLE_OPEN and after in _TITLE_CLOSE and not self._work(c, s))
            kind = ""
            if framed:
                kind = "frame"
            elif _after_level_label(text, lead, g):
                kind = "level"
            elif (stamp := _stamped(text, s, e, c.clauses, g, lead)) and not _level_soon(
                    text, e, self.marker, other_than=text[s:e]) and not (
                    stamp == "assigned" and (before in _QUOTES or after in _QUOTES) and deictic_before(s)):
                kind = stamp
            elif text.startswith("级", e) and e + 1 in c.clauses and not _listed(f, s, e + 1) and (
                    not _level_soon(text, e + 1, self.marker)):
                kind = "grade"  # 此件绝密级。 (a level with 级 closing its clause)
            elif text.startswith("级", e) and s in c.clauses and before in "\n:：" and self._heading(f, e + 1):
                kind = "grade"  # 机密级会议纪要：… (a graded title heading the text)
            elif _period(text, e):
                kind = "period"
            elif text[s:e] != "秘密" and text[max(0, stutter - 2):stutter] in g.demonstratives and text.startswith(
                    g.doc_after, e):
                kind = "demonstrative"  # 那个绝密的文档: the document at hand, not the level in general
            elif deictic_before(s) and not prose_follows(e):
                kind = "deictic"
            elif (s in c.clauses and e in c.clauses and before in "\n:：" and text[s:e] != "秘密") or (
                    s in c.clauses and before == "\n" and after in ":： ,，、"):
                kind = "heading"
            elif self._marked_as(text, s, e, deictic_ends, c.sentence_of(s)):
                kind = "stamped"  # 这份改造方案按绝密处理 / 每页都有机密的水印: the level given to the thing at hand
            elif (text[s:e] != "秘密" or text.startswith("级", e)) and text.startswith(("级", "的"), e) and (
                    c.sentence_of(s) in shared):
                # 绝密级的那几页我拍下来了 / 这份是机密的，别往外发: a level given to the thing at hand, in a
                # sentence that hands it over or asks for discretion, marks it (not 秘密, an everyday word).
                kind = "handled"
            elif ((text.startswith("级", e) and self._pointed(c, s, e + 1, quoted=before in _QUOTES)) or (
                    text[s:e] != "秘密" and text.startswith("的", e) and self._pointer_rx is not None
                    and self._pointer_rx.match(text, e + 1) is not None)) and not (
                    _listed(f, s, e + 1) or _level_soon(text, e + 1, self.marker)
                    or (prose_follows(e + 1) and not text.startswith("的", e + 1))):
                # 一份教育部的秘密级文件, 那本机密级的试验记录, 绝密级的那份材料: the grade (级, which everyday speech
                # does not use) of one thing pointed at, told in passing mid-sentence; 机密的那份会议记录 likewise
                kind = "pointed"
            elif self._english_frame(f, s, e):
                kind = "stamped"  # this deck is marked 秘密, the 机密 file: an English frame around a Chinese level
            if not kind:
                continue
            if kind in ("handled", "pointed") and text.startswith("级的", e) and prose_follows(e + 2) and not (
                    text.startswith("的", e + 2)):
                continue  # 机密级的载体借阅要先填…: the grade of a kind of carrier, prose about handling
            if kind in ("assigned", "heading", "deictic") and _within(catalogue(), s - 120, s):
                continue  # 秘密、机密、绝密…答：绝密: an answer about the levels listed just before
            if kind in ("deictic", "heading", "grade", "stamped", "demonstrative", "handled", "pointed") and (
                    refused(s, e) or (ruled(s, lead if kind == "stamped" else -1) and not (
                        kind != "heading" and kind != "handled" and _rules_after(c, e, rules_words)))):
                # A rules word in a later clause than the level's (这份文件标注为机密级，…请在机要室内阅读，
                # 不得拍照) is the handling of the document just marked; prose about markings states its
                # rule in the level's own clause or before it (秘密级文件应当存放在保密柜中).
                continue
            if kind == "assigned" and (refused(s, e) or _clause_has(c, s, rules_words) or after in _OPEN
                                       or before in _QUOTES or after in _QUOTES
                                       or self._rule_before(c, s, rules_words)):
                # 是绝密（最主要的…）: a level being explained; 按公司的保密制度，招投标资料都属于机密级: a class graded
                continue
            if kind not in ("frame", "level", "period", "heading") and (self._supposed_or_asked(c, lead, e) or (
                    kind in ("stamped", "handled", "pointed", "demonstrative")
                    and self._class_ruled(text, e, c.sentence_of(s)[1]))):
                # 如果是机密级的 / 这个是不是机密文件 / 标着绝密的文件要放进保密柜: no document at hand given it
                continue
            if kind == "frame" and (_level_soon(text, e + 1 if text.startswith("级", e) else e, self.marker)
                                    or _level_soon(text, max(0, s - 3), self.marker, s)):
                continue  # “绝密★”“机密★”“秘密★”后面跟的数字: the formats listed, not one document's stamp
            if prose_follows(e) and kind not in ("frame", "level", "period", "stamped", "assigned", "demonstrative"):
                continue
            out.append(SecretHit("secret_marker", marker_id, s, e))
        for s, e in roles.get("english", ()):
            ws = c.wide_index(s)
            we = c.wide_index(e - 1) + 1
            orig = f.original[f.wide.offsets[ws]:f.wide.offsets[we - 1] + 1] if we > ws else ""
            before, after = self._wide_neighbours(f, s, e)
            letters = [ch for ch in orig if ch.isalpha()]
            upper = bool(letters) and all(ch.isupper() for ch in letters)
            # CONFIDENTIAL on its own, or opening a line before a separator (Confidential｜内部传阅, CONFIDENTIAL - …)
            standalone = (s in c.clauses and e in c.clauses and before in "\n:：") or (
                before == "\n" and after in "|｜/-—–:：")
            bracketed = before in _OPEN or after in _CLOSE or standalone
            if not bracketed and _EN_DOC_NOUN.match(f.wide.text, we):
                continue  # store CONFIDENTIAL documents: the level as an adjective of a kind of document
            if _not_before(text, s, g) or self._named(text, e) or text.startswith(g.mark_words, e) or (
                    f.wide.text[we:we + 1] in ("?", "？")) or _EN_CLASS.search(f.wide.text, max(0, ws - 40), ws):
                # 不是 confidential 的; secret 这个词; 标有 CONFIDENTIAL 字样的文件; is this marked confidential?;
                # anything marked CONFIDENTIAL: the level denied, named, asked about or a class of documents
                continue
            framed = upper or bracketed or deictic_before(s) or text[s:e].endswith(g.self_english) or (
                _EN_DEICTIC.search(f.wide.text, max(0, ws - 40), ws) is not None) or _zh_framed(c, s, g)
            # As for a level: a rules word only in a later clause (标了 CONFIDENTIAL，…培训…别 forward) is the
            # handling of the document just marked, not prose about markings.
            rules_clear = sent_neg(s, "neg_rules") and not self._rules_later(f, e, rules_words)
            if framed and not refused(s, e) and not rules_clear:
                out.append(SecretHit("secret_marker", marker_id, s, e))
        for s, e in roles.get("mphrase", ()):
            before, after = self._wide_neighbours(f, s, e)
            if before in _QUOTES and after in _QUOTES and text.startswith(("的", *g.mark_words), e):
                continue  # 标着“仅供内部参考”的文件: a class of documents named by their marking
            if not refused(s, e) and not sent_neg(s, "neg_rules"):
                out.append(SecretHit("secret_marker", marker_id, s, e))
        for s, e in roles.get("label", ()):
            before, after = self._wide_neighbours(f, s, e)
            if before == "、" or after == "、" or _not_before(text, s, g):
                continue
            own_frame = (before in _OPEN and after in _CLOSE) or (before in _STARS and after in _STARS)
            if _in_title(f, s) and self._work(c, s):
                continue  # 《机密档案》是一本推理小说: a work's title
            framed = own_frame or before in _OPEN or after in _CLOSE or (
                before in _TITLE_OPEN and after in _TITLE_CLOSE)
            quoted_stamp = before in _QUOTES and after in _QUOTES and text[max(0, s - 4):s].endswith(g.stamp_verbs)
            if before in _QUOTES and (text[max(0, s - 4):s].endswith(g.kind_words) or (
                    after not in _QUOTES and not text[max(0, s - 4):s].endswith((*g.stamp_verbs, *g.quoted_stamp)))):
                # 那种“内部资料”标签; 主题是“涉密文件不离身”: a kind named, a slogan or title quoted, no stamp read out
                continue
            if text[s:e] == "涉密" and not own_frame and not quoted_stamp:
                # the bare 涉密 labels only in a frame of its own (【涉密】) or quoted as what is written on the
                # thing (封面写着“涉密”); 涉密载体 is prose
                continue
            # 本材料为内部资料，不得外传: the instruction that goes with a label on the document at hand.
            at_hand = deictic_before(s)
            # A label heading the text or a line (内部资料：… / 内部资料 严禁转发), or followed by a ban on
            # passing it on: the ban is the label's own wording, not talk about the rules.
            heading = s in c.clauses and before == "\n" and (after in _HEADING_END or after == " ")
            instructed = self._instructed(c, e)
            if refused(s, e) or (not (framed or at_hand or heading or instructed == 2)
                                 and sent_neg(s, "neg_rules")):
                continue
            if not (own_frame or heading) and (self._supposed_or_asked(c, s, e) or (
                    instructed and not (framed or at_hand) and self._rule_before(c, s, rules_words))
                    or (quoted_stamp and self._class_ruled(text, e, c.sentence_of(s)[1]))):
                # 这个算不算内部资料; 保密制度里规定，内部资料不得带出办公区 (the ban a rule's, cited);
                # 印着“内部资料”的，只能在室内看: no document at hand labelled
                continue
            if not (framed or at_hand or heading or instructed or quoted_stamp) and self._modal_after(c, e):
                continue  # 涉密文件只能在涉密计算机上处理: the kind of document a rule is about
            if self._relayed(text, e, doc=False) and not refused(s, e):
                out.append(SecretHit("secret_marker", marker_id, s, e))  # 涉密文件上写着，…: its content relayed
                continue
            gap_ok = text[max(0, s - 3):s].endswith(("是", "属于", "为", "系", "份", "件"))
            # 那个机密文件我放你桌上了: a label after a demonstrative, handed over or shared at once, is on
            # the document at hand (the demonstrative alone may point at a kind: 这个机密文件怎么处理).
            handed = (s in c.clauses or text[max(0, s - 2):s] in g.demonstratives) and (
                text.startswith(g.handed, e) or (s not in c.clauses and c.sentence_of(s) in shared))
            labelled = framed or at_hand or gap_ok or handed or heading or instructed or quoted_stamp or (
                c.sentence_of(s) in shared)
            if labelled and not prose_follows(e):
                out.append(SecretHit("secret_marker", marker_id, s, e))
        return out

    def _marked_as(self, text: str, s: int, e: int, deictic_ends: list[int], sent: tuple[int, int]) -> bool:
        """The level at [s, e) given to the thing at hand: handled as that level (这份方案按绝密处理, 这批图纸按机密级
        管理: a deictic earlier in the sentence points at it) or carried as a stamp or watermark (每页都有公司机密的
        水印, 盖着绝密章: the level followed by its mark; not the everyday 秘密 with 的)."""
        g = self._grammar
        rest = e + 1 if text.startswith("级", e) else e
        if text[max(0, s - 2):s].endswith(g.handled_as_before) and text.startswith(g.handled_as, rest) and (
                any(sent[0] < de <= s - 1 for de in deictic_ends)
                or any(p in text[sent[0]:s] for p in (*g.demonstratives, *g.batch))):
            return True
        if text.startswith("的", rest) and (text[s:e] != "秘密" or rest > e):
            rest += 1
        return text.startswith(self._mark_objects, rest)

    def _named(self, text: str, e: int) -> bool:
        """The level (or English level) ending at compact `e` is named or glossed as a word right after it (「秘密」
        是什么意思, secret 这个词怎么读, “绝密★启用前”这行字)."""
        g = self._grammar
        i = e + 1 if text.startswith("级", e) else e
        return bool(g.named_after) and text.startswith(g.named_after, i)

    def _pointed(self, c: Compact, s: int, rest: int, *, quoted: bool = False) -> bool:
        """One thing pointed at by a head and a measure word before the level at compact `s`, in its clause and
        with no verb word of the clause between (一份教育部的秘密级文件, 那本机密级的, 那个绝密级课题), or right after
        its 级 at `rest` (绝密级的那份材料)."""
        rx = self._pointer_rx
        if rx is None:
            return False
        text = c.text
        if rx.match(text, rest + 1 if text.startswith("的", rest) else rest) is not None:
            return True
        lo = s - 1 if quoted and s > 0 else s  # 一份“秘密”级的通报: the quote opens no clause of its own
        while lo > 0 and lo not in c.clauses and s - lo < 10:
            lo -= 1
        # 每一份机密级文件, 各个: every thing of the grade, a class
        copulas = self._grammar.stamp_copulas
        return any(text[m.end():s].count("的") <= 1 and not any(v in text[m.end():s] for v in copulas)
                   and text[m.start() - 1:m.start()] not in ("每", "各") for m in rx.finditer(text, lo, s))

    def _english_frame(self, f: Folded, s: int, e: int) -> bool:
        """A Chinese level inside an English marking frame: after "this … is / marked" (this deck is marked 秘密,
        This STR is 机密) or between an English determiner and an English document noun (the 机密 file)."""
        wide = f.wide.text
        ws = f.compact.wide_index(s)
        we = f.compact.wide_index(e - 1) + 1
        if not any("a" <= ch <= "z" for ch in wide[max(0, ws - 30):ws] + wide[we:we + 12]):
            return False
        if _EN_DEICTIC.search(wide, max(0, ws - 40), ws) is not None:
            return True
        return _EN_DETERMINER.search(wide, max(0, ws - 8), ws) is not None and _EN_DOC_NOUN.match(wide, we) is not None

    def _class_ruled(self, text: str, e: int, end: int) -> bool:
        """After a marked thing ending at compact `e` (the level or label, 级, its stamp or mark words, then 的), a rule
        for the kind (标着绝密的文件要放进保密柜, 印着“内部资料”的，只能在室内看, 盖了秘密章的文件都要登记): a class of
        documents named by their marking, not the one at hand (the thing after 的 pointed at — 的那几页 — is one)."""
        g = self._grammar
        i = e + 1 if text.startswith("级", e) else e
        mark = next((w for w in (*self._mark_objects, *g.mark_words, "2个字") if text.startswith(w, i)), "")
        i += len(mark)
        if not text.startswith("的", i):
            return False
        i += 1
        if self._pointer_rx is not None and self._pointer_rx.match(text, i) is not None:
            return False
        window = text[i:min(end, i + 8)]
        if any(m in window for m in g.rule_modals if len(m) > 1):
            return True
        noun = next((n for n in (*g.graded_nouns, *self._doc_nouns) if text.startswith(n, i)), "")
        return text.startswith(tuple(m for m in g.rule_modals if len(m) == 1), i + len(noun)) and (
            bool(noun) or i + 1 <= end)

    def _modal_after(self, c: Compact, e: int) -> bool:
        """A rule's modal right after a label ending at compact `e`, in its clause (涉密文件只能…, 内部资料须…, 涉密材料
        一律…): the label names the kind a rule is about."""
        g = self._grammar
        text = c.text
        hi = e
        while hi < len(text) and hi not in c.clauses and hi - e < 3:
            hi += 1
        if text.startswith(tuple(m for m in g.rule_modals if len(m) == 1), e):
            return True
        multi = tuple(m for m in g.rule_modals if len(m) > 1)
        return any(text.startswith(multi, i) for i in range(e, hi))

    def _supposed_or_asked(self, c: Compact, s: int, e: int) -> bool:
        """The level at compact [s, e) is in a case supposed or a question about it: a conditional or an A-not-A
        word before it in its clause (如果是机密级的, 这个是不是机密文件, 要不要定为秘密级), or a question particle
        closing its clause a few characters on (这份是机密的吗)."""
        g = self._grammar
        text = c.text
        lo = s
        while lo > 0 and lo not in c.clauses and s - lo < 12:
            lo -= 1
        head = text[lo:s]
        if any(w in head for w in (*g.conditionals, *g.asked_before)):
            return True
        hi = e
        while hi < len(text) and hi not in c.clauses and hi - e < 6:
            hi += 1
        if any(w in text[e:hi] for w in g.asked_before):
            return True  # 咱们的内部资料能不能复印带走: whether the kind may be handled, asked
        return (hi in c.clauses or hi == len(text)) and text[max(e, hi - 1):hi] in g.asked_after

    def _rule_before(self, c: Compact, s: int, rules_words: list[tuple[int, int]]) -> bool:
        """A rule's source or a rules word before compact `s` in its sentence (按公司的保密制度，招投标资料都属于
        机密级)."""
        lo, _ = c.sentence_of(s)
        seg = c.text[lo:s]
        return any(w in seg for w in self._grammar.rule_sources) or any(lo <= hs and he <= s for hs, he in rules_words)

    def _example_around(self, text: str, s: int, e: int) -> bool:
        return ((self._example_before is not None and self._example_before.search(text, max(0, s - 6), s) is not None)
                or (self._example_after is not None and self._example_after.search(text, e, e + 10) is not None))

    @staticmethod
    def _not_graded(rules_words: list[tuple[int, int]], levels: Sequence[tuple[int, int]],
                    text: str) -> list[tuple[int, int]]:
        """The rules words without those that end inside a level taking 级 (属公司秘密级资料: 公司秘密 there is the
        owner and the grade, not talk about company secrets)."""
        if not levels or not rules_words:
            return rules_words
        graded = [(ls, le) for ls, le in levels if text.startswith("级", le)]
        return [(hs, he) for hs, he in rules_words if not any(ls < he <= le for ls, le in graded)]

    @staticmethod
    def _rules_later(f: Folded, e: int, rules_words: list[tuple[int, int]]) -> bool:
        """Every rules word of the sentence holding compact [.., e) stands after it, past a comma, semicolon or
        colon of the draft (a space between English and Chinese, which opens a compact clause, does not count)."""
        c = f.compact
        ss, se = c.sentence_of(e - 1)
        inside = [hs for hs, _ in rules_words if ss <= hs < se]
        we = c.wide_index(e - 1) + 1
        return bool(inside) and all(
            hs >= e and any(ch in "，,；;：:" for ch in f.wide.text[we:c.wide_index(hs)]) for hs in inside)

    def _work(self, c: Compact, pos: int) -> bool:
        """The sentence around compact `pos` (30 characters each way) speaks of a film, book or show."""
        if self._work_re is None:
            return False
        ss, se = c.sentence_of(pos)
        return self._work_re.search(c.text, max(ss, pos - 30), min(se, pos + 30)) is not None

    def _relayed(self, text: str, e: int, *, doc: bool) -> bool:
        """A relay word follows compact `e` (after 级, 的 and a document noun when `doc`): the draft
        passes on what a marked document says (机密级文件里写了, 涉密文件上写着)."""
        rx = self._relay_doc if doc else self._relay
        return rx is not None and rx.match(text, e) is not None

    def _instructed(self, c: Compact, end: int) -> int:
        """A ban on passing the document on after compact `end`, in its sentence: 2 right after, 1 a bit later."""
        m = self._no_share.match(c.text, end) if self._no_share else None
        if m is None or c.sentence_of(m.end() - 1) != c.sentence_of(end):
            return 0
        return 2 if self._no_share_at.match(c.text, end) else 1

    def _heading(self, f: Folded, start: int) -> bool:
        """A short title runs from compact `start` to its clause end, and a colon or dash follows it."""
        c = f.compact
        end = next((b for b in range(start, min(len(c.text), start + 12) + 1) if b in c.clauses), None)
        if end is None or end == start:
            return False
        return self._wide_neighbours(f, start, end)[1] in _HEADING_END

    # Topics -----------------------------------------------------------------------------
    def _sentence_negs(self, c: Compact, hits: list[tuple[int, int, str, str]]) -> Callable[[int, str], bool]:
        """Whether the sentence around a position holds a negative word of a role (found on the first
        question: most drafts with a level word never ask)."""
        by_sentence: dict[tuple[int, int], set[str]] = {}
        text = c.text
        found = False

        def has(pos: int, role: str) -> bool:
            nonlocal found
            if not found:
                found = True
                for s, e, r, _ in hits:
                    if r.startswith("neg_"):
                        if r in ("neg_public", "neg_rules") and _negated(text, s, e if r == "neg_public" else None):
                            continue
                        by_sentence.setdefault(c.sentence_of(s), set()).add(r)
            return role in by_sentence.get(c.sentence_of(pos), ())
        return has

    def _topics(self, f: Folded, hits: list[tuple[int, int, str, str]],
                contacts: list[tuple[int, int]] | tuple[tuple[int, int], ...], *,
                marked: dict[tuple[int, int], int] | None = None,
                marked_from: dict[tuple[int, int], int] | None = None,
                to_customer: Callable[[], bool] | None = None) -> list[SecretHit]:
        """Disclosed topics. In a draft with a 密级 marking (`marked`: the sentences holding one, with the
        end of the first) the marking is the secrecy cue of every other sentence and of what follows it
        in its own: a marked title (〖机密〗返点政策调整说明) names a document of that topic at hand."""
        marked = marked or {}
        marked_from = marked_from or {}
        c = f.compact
        text = c.text
        terms = [(s, e, tag) for s, e, role, tag in hits if role == "term"]
        if terms and self._not_terms is not None:
            ordinary = [m.span() for m in self._not_terms.finditer(text)]
            if ordinary:  # 发到手机上: the topic word 到手 is letters of another word
                terms = [t for t in terms if not any(a <= t[0] and t[1] <= b for a, b in ordinary)]
        if not terms:
            return []
        # Signals by sentence.
        sig: dict[tuple[int, int], dict[str, list[tuple[int, int]]]] = {}
        # Only the sentences holding a topic word read their signals: the edge test is asked there alone.
        term_sentences = {c.sentence_of(s) for s, _, _ in terms} if self.edges is not None else set()
        edge_budget = [EDGE_BUDGET]
        term_starts = {s for s, _, _ in terms}
        for s, e, role, _ in hits:
            if role == "term":
                continue
            if role == "neg_audience" and (e in term_starts or (text.startswith("的", e) and e + 1 in term_starts)):
                continue  # 全员工资表, 各部门的预算: whose the document is, not whom it is handed round
            if role in ("neg_public", "neg_rules") and _negated(text, s, e if role == "neg_public" else None):
                continue
            if role == "cue" and self._not_a_hush(f, s, e):
                continue
            if role == "share" and _forbidden_act(text, s, self._bans):
                if not text[max(0, s - 2):s].endswith(self._topic_grammar.hush_before):
                    continue
                role = "cue"  # 别外发 / 不要share: asking for discretion, not stating a rule
            if role in _EDGE_SIGNALS and self.edges is not None and c.sentence_of(s) in term_sentences and (
                    self.edges.straddles(text, s, e, *_clause_of(_clause_bounds(c)[0], s, len(text)), edge_budget)):
                continue  # 对外发布 holds 外发: letters of other words, no sharing act
            sig.setdefault(c.sentence_of(s), {}).setdefault(role, []).append((s, e))
        self._cue_carried_back(c, sig, marked)
        out: list[SecretHit] = []
        # Longest term wins where terms overlap (进货价 over 进货); a term inside a longer one of its
        # category (利润 in 净利润) is the same mention, judged once with it: a draft of such words
        # repeated is judged once per mention, not once per word part.
        terms.sort(key=lambda t: (t[0], -(t[1] - t[0])))
        reach: dict[str, int] = {}
        mentions = []
        for s, e, cat_id in terms:
            if e <= reach.get(cat_id, -1):
                continue
            reach[cat_id] = e
            mentions.append((s, e, cat_id))
        terms = mentions
        # A topic the draft calls public (调薪方案…已在OA系统正式公布) stays public in the sentences after
        # it (本次调薪平均幅度为百分之五): a notice goes on to give what was announced. A secrecy cue in a
        # later sentence still counts there.
        announced: dict[str, int] = {}
        if any("neg_public" in v for v in sig.values()):  # most drafts call nothing public: skip the walk
            for s, _, cat_id in terms:
                sg = sig.get(sent := c.sentence_of(s), {})
                if "neg_public" in sg and "cue" not in sg and cat_id not in announced:
                    announced[cat_id] = sent[1]
        seen_cat_sentence: set[tuple[str, tuple[int, int]]] = set()
        names = Once(self._names, f)  # found once per draft, not once per topic word
        memo: dict[tuple[str, int, int], Any] = {}
        bounds = _clause_bounds(c)[0]
        # Whether the draft holds an own-word, or a character a credential value or a lock
        # combination needs at all: asked once per draft, not once per topic word (the own-words only
        # by the first topic word that gets that far: most are settled before).
        own = Once(_own_words, self._own_re, c)
        credentials = _CRED_CHAR.search(f.wide.text) is not None or _LOCK_CHAR.search(text) is not None

        # A draft that opens by greeting outsiders (各位家长好：, 尊敬的业主：) is written to them as a whole:
        # its later sentences speak to that reader though they no longer name them.
        first = bounds[0] if bounds and bounds[0] > 0 else (bounds[1] if len(bounds) > 1 else len(text))
        # Where the draft names a customer and where a colleague: a later sentence that names nobody goes
        # on about the one named last.
        # (gathered once per draft, and only for a draft that names a customer at all)
        customer_at = sorted(hs for hs, _, role, _ in hits if role == "neg_customer") if any(
            "neg_customer" in v for v in sig.values()) else []
        staff_at = sorted(hs for hs, _, role, _ in hits if role in ("staff", "third_person")) if customer_at else []
        colons = [f.compact_index(m.start()) for m in _COLON.finditer(f.wide.text)] if (
            ":" in f.wide.text or "：" in f.wide.text) else []
        # A marking lends its cue to the sentences after it, where the marked document's content follows;
        # to those before it only when a marked sentence points back at them (以上都是 internal only):
        # 阅档室今天下午临时搬到二楼 before 这份秘密级文件我拍照发群里了 is the day's other business.
        first_marked = min(ms for ms, _ in marked) if marked else 0
        looks_back = bool(marked) and any(_BACK_REFERENCE.search(text, ms, me) for ms, me in marked)
        # Where the draft names the reader's or a customer's side as an owner, and the organisation's own
        # (gathered once per draft, only for a draft that names either).
        hits_of: dict[str, list[tuple[int, int]]] = {}
        if any("neg_theirs" in v or "neg_ours" in v for v in sig.values()):
            for hs, he, role, _ in hits:
                if role in ("neg_theirs", "neg_ours", "staff", "third_person"):
                    hits_of.setdefault(role, []).append((hs, he))
        greeted = first <= 12 and any(
            ss < first and text[ss:se] not in self._topic_grammar.inside_readers
            for ss, se in sig.get(c.sentence_of(0), {}).get("neg_reader", ()))
        d = _Draft(f, text, bounds, memo, own, hits_of, customer_at, staff_at, marked, marked_from, colons,
                   announced, self._quantity, to_customer, greeted,
                   any("neg_reader" in v or "neg_audience" in v for v in sig.values()))
        for s, e, cat_id in terms:
            if d.break_between(s + 1, e) and _PUNCT_INSIDE.search(
                    f.wide.text, c.wide_index(s), c.wide_index(e - 1)):
                continue  # 客户，资料: the compact view joined two clauses into a word (a space does not part one)
            cat = self.categories[cat_id]
            sent = c.sentence_of(s)
            if (cat_id, sent) in seen_cat_sentence:
                continue
            m = self._mention(d, s, e, cat_id, cat, sent, sig.get(sent, {}), greeted=greeted,
                              to_customer=to_customer, first_marked=first_marked, looks_back=looks_back)
            if any(cleared(d, m) for cleared in self._cleared_before_evidence):
                continue
            ev = self._evidence(f, cat, s, e, sent, m.sg, contacts, names, memo, credentials=credentials)
            if ev is None:
                continue
            m.ev = ev
            m.hi = _clause_end(bounds, s, len(text))
            # An operations word near the term in its clause (a dictated draft's clause runs on for lines).
            m.routine = not m.lent and any(max(m.lo, s - _ROUTINE_REACH) <= xs < min(e + _ROUTINE_REACH, m.hi)
                                           for xs, _ in m.sg.get("neg_routine", ()))
            if any(cleared(d, m) for cleared in self._cleared_after_evidence):
                continue
            if self._disclosed(d, m, edge_budget):
                seen_cat_sentence.add((cat_id, sent))
                kind = ev[0]
                if kind not in _VALUE_EVIDENCE:
                    if any(w in text[s:e] for w in self._topic_grammar.lists):
                        kind = LISTED  # 客户名单, client list: a list of people is content of its own
                    elif kind in _HANDLING and (told := next(
                            (g for g in _TOLD if g in m.sg and g in cat.evidence), None)):
                        kind = told  # 下月调离涉密岗位，此事暂不公开: a move decided is told, not only kept quiet
                if m.lent and kind == "cue" and self._recipient(text, m.lo, s) and self._evidence(
                        f, cat, s, e, sent, {r: v for r, v in m.sg.items() if r not in _MARKED_THING},
                        contacts, names, memo, credentials=credentials) is None:
                    # The term names whom the marked thing goes to (别拿给投标人看, share 给 GM 就好，别给 vendor),
                    # nothing but the marking says it is secret, and the thing's being sent or shown (share,
                    # handover) is the marking's matter: the marking is the finding. A marked title's subject
                    # (【秘密】调价方案：…) is what the document holds and stays a topic.
                    kind = MARKING_ONLY
                signals = (*sorted(m.sg), *(("lent",) if m.lent else ()), *(("routine",) if m.routine else ()))
                out.append(SecretHit("confidential_topic", cat_id, min(s, ev[1]), max(e, ev[2]), kind, signals, (s, e)))
        return out

    def _not_a_hush(self, f: Folded, s: int, e: int) -> bool:
        """The secrecy cue at compact [s, e) keeps nothing quiet: a word denied right before it (我们没有内部价,
        不存在内部价, 我没听说: no such thing), acting in secret banned or denied (不要私下收现金), or a ban on
        telling whose object is a wording (千万别说"你自己看", 不要再跟客户说内部价这种话: how to put it, not what to
        keep quiet)."""
        tg, text = self._topic_grammar, f.compact.text
        if tg.denied_cue and text[max(0, s - 5):s].endswith(tg.denied_cue):
            return True
        if tg.manner_cues and text.startswith(tg.manner_cues, s) and text[max(0, s - 4):s].endswith(tg.manner_banned):
            return True  # 不要私下收现金, 不会悄悄涨价: acting in secret banned or denied, a rule
        if not tg.wording:
            return False
        wide = f.wide.text
        at = f.compact.wide_index(e - 1) + 1
        while at < len(wide) and wide[at] in " \u3000":
            at += 1
        if at < len(wide) and wide[at] in _OPENING_QUOTES:
            # A quoted utterance (别说"你自己看"), not a quoted name (别提"苏州"): the words are said to someone.
            close = next((i for i in range(at + 1, min(len(wide), at + _QUOTE_REACH)) if wide[i] in _CLOSING_QUOTES),
                         None)
            if close is not None and any(ch in _UTTERANCE for ch in wide[at + 1:close]):
                return True
        se = f.compact.sentence_of(s)[1]
        return any(text.find(w, e, min(se, e + _WORDING_REACH)) >= 0 for w in tg.wording)

    def _cue_carried_back(self, c: Compact, sig: dict[tuple[int, int], dict[str, list[tuple[int, int]]]],
                          marked: dict[tuple[int, int], int]) -> None:
        """A sentence whose secrecy cue comes with words pointing back at the sentence before (…Q3 要关掉三家店。
        这个 decision 还没 announce，please keep it among us): that sentence told what is hushed, and takes the cue
        (its span stays in the later sentence, so it is never the topic word itself). Not a sentence holding a
        marking: the marked thing is what is hushed there, and the marking is its finding."""
        tg = self._topic_grammar
        if not tg.points_back or not any("cue" in v for v in sig.values()):
            return
        text = c.text
        for sent, v in list(sig.items()):
            ss = sent[0]
            if "cue" not in v or ss == 0:
                continue
            at = next((ss + len(w) for w in tg.points_back_after if text.startswith(w, ss)), ss)
            # A hush that is a sentence of its own (…一台开价六十八万。你先别往外说。) points back as 这事 does.
            if not text.startswith(tg.points_back, at) and sent[1] - ss > _BARE_HUSH:
                continue
            prev = c.sentence_of(ss - 1)
            if prev in marked:
                continue
            before = sig.setdefault(prev, {})
            if "cue" not in before:
                before["cue"] = [v["cue"][0]]

    def _mention(self, d: _Draft, s: int, e: int, cat_id: str, cat: Topic, sent: tuple[int, int],
                 sg: dict[str, list[tuple[int, int]]], *, greeted: bool, to_customer: Callable[[], bool] | None,
                 first_marked: int, looks_back: bool) -> _Mention:
        """The topic word at [s, e) with its sentence's signals as the decision reads them: a customer
        reader by the draft's greeting, a marking's cue lent, negatives before a colon dropped."""
        f, c, marked, colons = d.f, d.f.compact, d.marked, d.colons
        lent = False  # the secrecy cue is a marking's, lent to the sentence
        if "neg_reader" not in sg and (greeted or (
                to_customer is not None and "security_detail" in cat.evidence and to_customer())):
            # A draft written to a customer as a whole (judged on its own evidence, not by default)
            # speaks to them in every sentence: 我们的服务热线每天早八点到晚八点有人工值守 is the service
            # described to its user, not the arrangement disclosed.
            sg = {**sg, "neg_reader": [(0, 0)]}
        if marked and "cue" not in sg and ((sent not in marked and (sent[0] >= first_marked or looks_back)) or (
                sent in marked and s >= marked[sent] and (
                    d.break_between(marked[sent] + 1, s) or not self._title(f, e, d.bounds))) or (
                sent in marked and s < marked[sent] and self._colon_after(f, marked[sent]))):
            # The marking is the cue; its span lies before the term (or in another sentence),
            # so the rule that a signal word which is the topic word itself is no evidence keeps it.
            at = marked.get(sent, 0)
            lent = True
            sg = {**sg, "cue": [(at - 1, at)]}
        if colons and any(k in sg for k in _SCOPED_NEGS) and (k := bisect_right(colons, s)) > 0:
            # A colon opens what is told (有些事培训时不会讲，…我跟你交个底：偷偷告诉你，…): a negative
            # clause before it is about something else. One in the clause the colon ends heads what
            # follows (商业秘密包括但不限于以下信息：客户信息…), and one after the term still speaks of it.
            colon = colons[k - 1]
            sg = {r: v for r, v in sg.items()
                  if r not in _SCOPED_NEGS or any(xs >= colon or not _boundary_in(c, xs, colon - 1) for xs, _ in v)}
        if any(k in sg for k in _TURNED_NEGS) and self._topic_grammar.turns:
            # A clause opening with a turn (按规定是不能说的，但咱俩这关系…标底是八十五万; 严禁外传，不过我还是发你了;
            # policy 不让 share，but 我已经…): the rule, refusal or public word before it is what the telling goes
            # against.
            turns = _remembered(d.memo, ("turns", 0, 0), lambda: [
                b for b in d.bounds if b > 0 and d.text.startswith(self._topic_grammar.turns, b)])
            k = bisect_right(turns, s) - 1
            if k >= 0 and turns[k] > sent[0]:
                turn = turns[k]
                sg = {r: v for r, v in sg.items() if r not in _TURNED_NEGS or any(xs >= turn for xs, _ in v)}
        sg = self._told_then_kept(d, cat_id, e, sg)
        lo = d.bounds[bisect_right(d.bounds, s) - 1]  # start of the term's clause
        if "cue" in sg and any(k in sg for k in _TURNED_NEGS):
            # A dictated run-on (speech-to-text with no punctuation: one clause of `_RUN_ON` characters or more)
            # holds several matters; a refusal, rule or public word far off in it is about another of them
            # (…你先按规定把场地和物料都准备好…这次招标我们的底价是三百二十万你千万别跟别人说), so in such a
            # clause, when it also asks for discretion (a hush or a marking), only those near the term speak of it.
            # Negatives in other clauses are read as before.
            k = bisect_right(d.bounds, s)
            hi = d.bounds[k] if k < len(d.bounds) else len(d.text)
            # (a clause of dozens of negatives is no dictated errand but a list of words: read as before, and
            # a draft of them repeated stays linear)
            if hi - lo >= _RUN_ON and sum(len(sg.get(r, ())) for r in _TURNED_NEGS) <= _RUN_ON_NEGS:
                near = range(s - _RUN_ON_REACH, e + _RUN_ON_REACH)
                kept = {r: [(xs, xe) for xs, xe in v if not lo <= xs < hi or xs in near]
                        for r, v in sg.items() if r in _TURNED_NEGS}
                sg = {r: v for r, v in sg.items() if r not in _TURNED_NEGS} | {r: v for r, v in kept.items() if v}
        return _Mention(s, e, cat_id, cat, sent, sg, lent, lo)

    # --- Negative contexts read before the evidence: each clears the mention (nothing disclosed). ---

    @staticmethod
    def _refused_ruled_or_public(d: _Draft, m: _Mention) -> bool:
        """The sentence refuses to tell, states a rule, asks a question, or calls the matter public with no
        secrecy cue: the topic is named, not disclosed."""
        sg = m.sg
        if "neg_asking" in sg or ("neg_public" in sg and not m.cue):
            return True
        if "neg_refusal" not in sg and "neg_rules" not in sg:
            return False
        # A figure told in the term's own clause, and every refusal or rule later in the sentence
        # (配方里糖是百分之十五…这个是绝对不能外传的): the hush on what was just told, not a rule instead of it.
        end = _clause_end(d.bounds, m.s, len(d.text))
        told = d.figure(m.lo, end)
        if told is not None and _period_of_term(d.text, told, m.s, m.e):
            told = d.figure(told[1], end)
        return not (all(xs >= end for role in _SCOPED_NEGS for xs, _ in sg.get(role, ()))
                    and told is not None)

    def _delivered_to_reader(self, d: _Draft, m: _Mention) -> bool:
        """offer letter 已经发到您的邮箱: the reader's own offer or payslip, delivered to them (把薪资表发给您看看
        hands over a table of everyone's pay and still counts)."""
        sg, text = m.sg, d.text
        return m.cat_id in _ABOUT_PERSON and "neg_reader" in sg and not m.cue and "third_person" not in sg and any(
            text[xs:xe].endswith("您") and text.startswith("的", xe) for xs, xe in sg.get("share", ())) and (
            self._person.search(text, m.sent[0], m.sent[1]) is None)

    @staticmethod
    def _served_customer(d: _Draft, m: _Mention) -> bool:
        """那位办理车贷的客户资料: one customer known by the service they came for, not the customer base."""
        return m.cat_id == _CUSTOMERS and not m.cue and _SERVED.search(
            d.text, max(m.sent[0], m.s - 12), m.s + 2) is not None

    def _prize_won(self, d: _Draft, m: _Mention) -> bool:
        """您这张票中了三等奖，奖金三百元 / 单注奖金超过一万元的到福彩中心兑奖: a prize in a sentence of a prize
        draw (`prize_draw`) is won by whoever holds the ticket, not the organisation's pay; a secrecy cue or a
        marking still counts."""
        tg = self._topic_grammar
        if m.cat_id != _PAY or m.cue or m.lent or d.text[m.s:m.e] not in tg.prize_terms:
            return False
        key = ("prize_draw", *m.sent)  # asked once a sentence: a long sentence may hold many prize words
        if key not in d.memo:
            ss, se = m.sent
            d.memo[key] = any(d.text.find(w, ss, se) >= 0 for w in tg.prize_draw)
        return bool(d.memo[key])

    def _speakers_money(self, d: _Draft, m: _Mention) -> bool:
        """我把自己的工资条拍照发给了中介 / 我这个月到手六千二 / 自己家的开支: the speaker's own pay or money, theirs to
        tell; a secrecy cue still counts."""
        if m.cat_id not in _OWN_MONEY or m.cue or m.lent:
            return False
        words = self._topic_grammar.own_money
        return any(w in d.text[max(m.lo, m.s - _OWN_MONEY_REACH):m.s] for w in words)

    @staticmethod
    def _deferred(d: _Draft, m: _Mention) -> bool:
        """我说还没公布，等人事正式通知吧: the asker is pointed to the notice; a figure told still counts."""
        sg = m.sg
        if d.sentence_figure(m.sent) is not None:
            return False
        if "neg_defer" in sg:
            return True
        # The document pointed to: only when nothing of the matter is told before it (下个月要裁员，以公告为准 has).
        return "neg_defer_doc" in sg and not any(k in sg for k in _TELLING) and not m.lent and (
            _AHEAD.search(d.text, m.sent[0], sg["neg_defer_doc"][0][0]) is None)

    @staticmethod
    def _announced_before(d: _Draft, m: _Mention) -> bool:
        """A topic the draft called public in an earlier sentence stays public after it (a notice goes on to
        give what was announced); a secrecy cue in the later sentence still counts."""
        return m.s >= d.announced.get(m.cat_id, _FAR) and not m.cue

    @staticmethod
    def _reassured(d: _Draft, m: _Mention) -> bool:
        """您放心，停车场晚上有保安巡逻: a safeguard promised to the customer. A reassurance does not clear an
        amount told with it (您放心…标底大概在五百万上下)."""
        sg = m.sg
        return "neg_commitment" in sg and "neg_reader" in sg and not m.cue and "share" not in sg and (
            "quantity" not in m.cat.evidence or d.figure(max(m.sent[0], m.s - 24), min(m.sent[1], m.e + 24)) is None)

    def _absence_explained(self, d: _Draft, m: _Mention) -> bool:
        """店长今天请病假了，明天请他给您回电: an absence explained, to a customer or to the colleague who covers
        the shift; the illness named (住院, 抑郁症) is a term of its own and still counts."""
        return m.cat_id in _ABOUT_SOMEONE and not m.cue and "share" not in m.sg and (
            d.text[m.s:m.e] in self._absence)

    @staticmethod
    def _visitors_errand(d: _Draft, m: _Mention) -> bool:
        """那位来咨询离婚财产分割的阿姨, 上午那位办失业金的大姐: a person's matter named as the errand a visitor came
        for is the visitor's own (told to the colleague who serves them), not a colleague's; a secrecy cue
        still counts."""
        if m.cat_id not in _ABOUT_PERSON or m.cue:
            return False
        lo, hi = max(m.sent[0], m.s - 10), min(m.sent[1], m.e + 16)
        return any(x.start() <= m.s and m.e <= x.end() for x in _ERRAND.finditer(d.text, lo, hi))

    def _thing_absent(self, d: _Draft, m: _Mention) -> bool:
        """无需密码: the thing is absent, nothing is disclosed."""
        return d.text[max(0, m.s - 4):m.s].endswith(self._topic_grammar.without)

    def _speakers_own(self, d: _Draft, m: _Mention) -> bool:
        """我这边马上要走人了: the speaker's own move or health, not a colleague's."""
        return m.cat_id in _ABOUT_SOMEONE and (
            self._self_subject(d.text, m.s, m.lo, m.sg.get("third_person", []))
            or self._speaker_last(d.text, m.s, m.e, m.sent, m.sg, d.bounds)) and not _handed_object(
                d.text, m, self._topic_grammar.speakers_own, d.bounds)

    def _home_made(self, d: _Draft, m: _Mention) -> bool:
        """我在小红书分享了自己在家做面包的方子: a recipe or a way of one's own kitchen, not the organisation's
        know-how."""
        if m.cat_id != _TECHNOLOGY:
            return False
        # Where the kitchen words end, with the latest start among those ending by each: one bisection a
        # mention instead of a scan of its clause (a clause of topic words repeated made that quadratic).
        ends, latest = _remembered(d.memo, ("home_made", 0, 0),
                                   lambda: _word_ends(d.text, self._topic_grammar.home_made))
        i = bisect_right(ends, m.s)
        return i > 0 and latest[i - 1] >= m.lo

    @staticmethod
    def _customers_person(d: _Draft, m: _Mention) -> bool:
        """客户说是他老婆的副卡: the customer (named before the term, before any colleague) or their family's
        matter, not a colleague's."""
        return m.cat_id in _ABOUT_PERSON and _first(m.sg, "neg_customer") < m.s <= _first(m.sg, "staff")

    def _customer_reported(self, d: _Draft, m: _Mention) -> bool:
        """A report on a customer named in an earlier sentence goes on about them (`_customer_carried`)."""
        return bool(d.customer_at) and m.cat_id in _ABOUT_PERSON and self._customer_carried(
            d.text, m.s, m.sent[0], m.sg, d.customer_at, d.staff_at)

    def _readers_own(self, d: _Draft, m: _Mention) -> bool:
        """您的密码, 您尾号3521的储蓄卡本月工资已到账: an own-word makes it the reader's own matter
        (`_owned`, `_owned_sentence`)."""
        owned = d.own()
        if not owned[0]:
            return False
        # A confiding cue of the sentence's own (你上个月业绩好，跟你透个底：…) tells the reader more than their own.
        # Asked once a sentence: a long unpunctuated draft holds many mentions and many cues in one sentence.
        confided = False
        if m.cue and not m.lent:
            key = ("confided", *m.sent)
            if key not in d.memo:
                d.memo[key] = any(any(w in d.text[xs:xe] for w in self._topic_grammar.confiding)
                                  for xs, xe in m.sg["cue"])
            confided = d.memo[key]
        return not confided and (self._owned(d.f.compact, m.s, m.lo, m.sg.get("third_person", []))
                             or _owned_sentence(d.text, m.s, m.sent[0], owned[1], owned[2],
                                                m.sg.get("third_person", []), self._topic_grammar.our_side))

    def _object_named(self, d: _Draft, m: _Mention) -> bool:
        """门禁卡坏了找保安部补办, 户籍窗口, 回户籍地开证明, 监控公司: the topic word before an everyday head
        (`object_heads`) names a card, a counter, a place or a firm the service deals in, not the topic; a
        secrecy cue or a weakness of the arrangement (保安部晚上没人) in the sentence, or a figure in the term's
        clause, still counts (a weakness said of the object right after it, 门禁卡坏了, does not);
        so does a credential (密码柜的组合是4719: the thing's code is what is told)."""
        if not self._object_heads or m.cat_id == _CREDENTIALS or m.cue or not d.text.startswith(
                self._object_heads, m.e):
            return False
        # A weakness said of the object itself, right after it (门禁卡坏了, 门禁卡失效的话): a card that stopped
        # working is the customer's errand; one elsewhere in the sentence is the arrangement's.
        head = max(len(h) for h in self._object_heads if d.text.startswith(h, m.e))
        weak = [xs for xs, _ in m.sg.get("security_weak", ())]
        if any(not (m.e + head <= xs <= m.e + head + 1) for xs in weak):
            return False
        return d.figure(m.lo, _clause_end(d.bounds, m.s, len(d.text))) is None

    def _rescheduled(self, d: _Draft, m: _Mention) -> bool:
        """他那三个号挪到明天上午 / 孩子要调到周日下午的班: a move word whose destination is a time moves an
        appointment, a class or a shift, not a person's post (小王下个月调到总部 names a place and still counts)."""
        if m.cat_id != _PERSONNEL or self._move_time is None or not self._move_ends:
            return False
        text, at = d.text, m.e
        if not text.startswith(self._move_ends, at - 1):
            if not text.startswith(self._move_ends, at):
                return False
            at += 1  # 要调 + 到周日下午的班
        at += text.startswith("了", at)
        return self._move_time.match(text, at) is not None

    # --- Negative contexts read with the evidence (`m.ev`): whose matter it is, everyday operations. ---

    def _their_figure(self, d: _Draft, m: _Mention) -> bool:
        """贵公司六月份的对账单…实际应付三十八万 / 客户是张女士…预算三百万左右: a figure of the reader's or a
        customer's own matter, told back to them or to the colleague who serves them (pay: the reader's only)."""
        return not m.lent and not m.cue and m.ev[0] == "quantity" and m.cat_id in _FIGURE_OWNERS and self._theirs(
            d.text, m.s, m.sent, m.lo, m.hi, d.bounds, d.hits_of, d.own()[1],
            readers_only=m.cat_id not in _FIGURE_OWNERS_ANY)

    def _their_person(self, d: _Draft, m: _Mention) -> bool:
        """孩子父母离婚了 told to the teacher: a customer's (or the reader's) family or health matter."""
        return not m.lent and not m.cue and m.ev[0] in ("third_person", "person") and m.cat_id in _ABOUT_SOMEONE and (
            self._theirs(d.text, m.s, m.sent, m.lo, m.hi, d.bounds, d.hits_of, d.own()[1], readers_only=False))

    def _routine_security(self, d: _Draft, m: _Mention) -> bool:
        """开一下库房 / 新门禁昨天启用了: a security facility used in the day's work (no weakness, no time told, or
        a time of one day's errand: 今天下午两点库房温湿度巡检; 保安每天凌晨两点检查库房 is the standing schedule)."""
        return not m.lent and not m.cue and m.cat_id == _SECURITY and m.ev[0] in ("security_detail", "share") and (
            "security_weak" not in m.sg and (m.routine or _visited(d.text, m.s, m.e, self._topic_grammar))
            and (not self._timed(d.text, m.lo, m.hi, m.sg) or self._one_off(d.text, m.sent)))

    @staticmethod
    def _blank_form(d: _Draft, m: _Mention) -> bool:
        """客户名单的模板: a blank form right after the term, and no value told (an English word is a clause of
        its own, so the sentence's end bounds it there)."""
        s, e = m.s, m.e
        return not m.lent and m.ev[0] not in _VALUE_EVIDENCE and any(
            e <= xs < min(e + _ROUTINE_REACH, m.hi if not d.text[s].isascii() else m.sent[1])
            for xs, _ in m.sg.get("neg_blank", ()))

    @staticmethod
    def _routine_plan(d: _Draft, m: _Mention) -> bool:
        """窗口排班调整方案: a service scheduled, an operations word near the plan and no value; 我们饭店下个月停业
        (a word of ours in the clause) is our plan and still counts."""
        return not m.lent and m.cat_id == _PLANS and m.routine and m.ev[0] not in _VALUE_EVIDENCE and not any(
            m.lo <= xs < m.hi for xs, _ in m.sg.get("neg_ours", ()))

    def _discretion_only(self, d: _Draft, m: _Mention) -> bool:
        """人事调整的事…大家不要私下议论 / 合并的 rumor 大家别传: asking for discretion about a topic named without
        content (no value, no plan, decision or comparison signal, no plan word before the term in its clause:
        仓库要搬迁的事先别外发 tells the plan) is a rule."""
        sg, text = m.sg, d.text
        # … unless the thing is sent on in its clause as well (月报截了几张图发你了…别转出去): the hush is on what
        # was handed over.
        return m.ev[0] == "cue" and not m.lent and all(
            _ruled(text, xs, self._bans) for xs, _ in sg.get("cue", ())) and not any(
            k in sg for k in _TELLING) and _AHEAD.search(text, m.lo, m.s) is None and (
            d.sentence_figure(m.sent) is None) and not any(
            _one_clause(d.f, m.s, m.e, xs, xe) for xs, xe in sg.get("share", ()) if xs >= m.e)

    @staticmethod
    def _undecided_matter(d: _Draft, m: _Mention) -> bool:
        """年终奖方案还没定，定了会通知大家 / 标底的事我也不知道 / 搬迁的传言…目前没有任何计划: the matter is
        undecided, unknown to the speaker or denied, and no value is told: nothing to disclose."""
        if m.ev[0] in _VALUE_EVIDENCE or m.ev[0] == "share" or m.lent:
            return False
        # A sentence's verdict is asked once, not once per mention in it.
        return _remembered(d.memo, ("undecided", *m.sent), lambda: _undecided(d.text, m.sent, m.sg)) and (
            d.sentence_figure(m.sent) is None)

    @staticmethod
    def _meeting_named(d: _Draft, m: _Mention) -> bool:
        """本周五召开年度预算评审会: the topic word names a meeting; nothing of the topic is told."""
        if m.ev[0] in _VALUE_EVIDENCE or (m.ev[0] == "cue" and not m.lent):
            return False
        starts = _remembered(d.memo, ("meeting", *m.sent), lambda: frozenset(ks for ks, _ in m.sg.get("meeting", ())))
        return m.e in starts and d.sentence_figure(m.sent) is None

    @staticmethod
    def _marked_kind(d: _Draft, m: _Mention) -> bool:
        """附件中的预算汇总表属于绝密级文件，请勿转发: the topic word names the marked document's kind and nothing
        of what it says is told (no value, no colon opening its content): the marking is the finding."""
        sent = m.sent
        if sent not in d.marked or m.ev[0] in _VALUE_EVIDENCE:
            return False
        # Both looked up by bisection (a sentence repeating a document word holds hundreds of each).
        kinds = _starts(m.sg, "doc_kind")
        k = bisect_left(kinds, m.s, key=lambda span: span[0])
        if k == len(kinds) or kinds[k][0] > m.e:
            return False
        i = bisect_left(d.colons, d.marked_from[sent])
        return not (i < len(d.colons) and d.colons[i] < sent[1]) and d.sentence_figure(sent) is None

    @staticmethod
    def _decision_to_customer(d: _Draft, m: _Mention) -> bool:
        """A decision about prices, pay or a tender told in a draft written to a customer (您这套房的差价公司决定按
        合同单价退, 利润分配方案已经在股东大会上审议通过) is the service's answer or a public resolution; told among
        staff (会上领导拍板了，明年起不再给加盟商返点) it is the settled matter disclosed."""
        return m.ev[0] == "decision" and m.cat_id in _DECIDED_TO_CUSTOMER and not m.lent and not m.cue and (
            d.to_customer is not None and d.to_customer())

    @staticmethod
    def _work_document_only(d: _Draft, m: _Mention) -> bool:
        """报表截个图发我 / 导出报表时乱码: a term that names a kind of work document every counter produces
        (`Topic.value_only`) handed over, hushed or planned, with no value told in its sentence: the day's
        paperwork, not the figures (报表上我先按八十五报了 tells one and still counts)."""
        return not m.lent and m.ev[0] not in _VALUE_EVIDENCE and d.text[m.s:m.e] in m.cat.value_only and (
            d.sentence_figure(m.sent) is None)

    def _rate_to_recipients(self, d: _Draft, m: _Mention) -> bool:
        """高龄补贴今年按季度发，一个季度一百五十元 / 各位骑手…恶劣天气补贴每单加两元 / 住院的每天一百块津贴:
        a standing rate (per order, per day, per quarter) told to the readers it is paid to — the customer, or a
        group greeted as such (各位, 大家, 您) — is the published standard, not the organisation's pay disclosed.
        Whose pay it is decides: a colleague, a staff word, a word of ours or a name just before the term or the
        figure (我们店员底薪每月三千) makes it someone else's; a secrecy cue, a marking, or a change coming,
        decided or compared (下个月补贴从每单两块降到一块五, 会上定了) is the organisation's matter disclosed."""
        if m.cat_id != _PAY or m.ev[0] != "quantity" or m.lent or m.cue or any(k in m.sg for k in _TELLING):
            return False
        text, (ss, se) = d.text, m.sent
        lo, hi = max(ss, min(m.s, m.ev[1]) - _ROUTINE_REACH), max(m.e, m.ev[2])
        if self._rate is None or self._rate.search(text, max(ss, m.ev[1] - 8), min(se, m.ev[2] + 2)) is None:
            return False
        if any(lo <= xs < hi for role in ("third_person", "staff", "neg_ours") for xs, _ in m.sg.get(role, ())):
            return False
        if self._person.search(text, lo, hi) is not None:
            return False
        return d.speaks_to_reader or d.greeted or (d.to_customer is not None and d.to_customer())

    def _loan_told(self, d: _Draft, m: _Mention) -> bool:
        """这份图纸借阅已经三个月了，借期是两个月 / 借出的三本图纸记得收回: a document's circulation (lent, kept,
        returned, overdue) with its figure a span of time or a count of copies is the archive's day's work,
        not what the document says; a secrecy cue or a marking still counts."""
        if m.ev[0] != "quantity" or m.lent or m.cue or self._circulation is None:
            return False
        text, (ss, se) = d.text, m.sent
        if not text.startswith(self._circulation_counts, m.ev[2]):
            return False
        lo, hi = max(ss, min(m.s, m.ev[1]) - _ROUTINE_REACH), min(se, max(m.e, m.ev[2]) + _ROUTINE_REACH)
        return self._circulation.search(text, lo, hi) is not None

    def _one_off(self, text: str, sent: tuple[int, int]) -> bool:
        """The sentence times one day's errand (今天下午两点库房温湿度巡检), not a standing schedule."""
        return self._one_day is not None and self._one_day.search(text, *sent) is not None and (
            self._recurrence is None or self._recurrence.search(text, *sent) is None)

    def _disclosed(self, d: _Draft, m: _Mention, edge_budget: list[int]) -> bool:
        """A value in the term's own clause (客户名单有王总、李总), or the term not a catalogue entry (`_listed`):
        a disclosure; unless the term is letters of other words (重新开具 holds 新开, 客户表示 holds 客户表)."""
        s, e, ev = m.s, m.e, m.ev
        if not ((ev[0] in _VALUE_EVIDENCE and not d.break_between(min(s, ev[1]) + 1, max(e, ev[2])))
                or not _listed(d.f, s, e)):
            return False
        return not (self.edges is not None and self.edges.straddles(
            d.text, s, e, m.lo, _clause_end(d.bounds, s, len(d.text)), edge_budget))

    def _theirs(self, text: str, s: int, sent: tuple[int, int], lo: int, hi: int, bounds: list[int],
                hits_of: dict[str, list[tuple[int, int]]], own: list[tuple[int, int]], *, readers_only: bool) -> bool:
        """The figure at term `s` (its clause [lo, hi)) is of the reader's or a customer's own matter: an owner
        of theirs (贵公司, 客户是, 您今年; or an own-word such as 您的, 您尾号 anywhere in the sentence) stands at
        most 80 characters before the term with no colleague or name between, and no word of ours (我们的,
        本公司, 内部) in the term's clause. `readers_only`: only the reader's own words count, not a customer's
        (a colleague's pay told about a customer's visit is still a colleague's)."""
        ours = hits_of.get("neg_ours", [])
        theirs = [(a, b) for a, b in hits_of.get("neg_theirs", []) if not readers_only or text[a] in "您贵"]
        # A customer named in an earlier sentence speaks for the term only through a pronoun before it in
        # the term's sentence (客户是张女士…。她想看三室朝南的，预算…); the reader (您, 贵公司) stays the reader.
        carried = any(sent[0] <= a < s for a, _ in hits_of.get("third_person", ()) if text[a] in "他她")
        marks = [(a, b) for a, b in theirs if s - _OWNER_REACH <= a and b <= s and (
            a >= sent[0] or carried or text[a] in "您贵")]
        marks += [(a, b) for a, b in own if sent[0] <= a < sent[1] or s - _OWNER_REACH <= a < s]
        if not marks:
            return False
        # ours words that belong to the reader's side (您公司, 贵公司 hold 公司) are theirs
        if any(lo <= a < hi and not any(ta <= a < tb for ta, tb in theirs) and text[max(0, a - 1):a] not in ("你", "您")
               for a, _ in ours):
            return False
        before = [b for a, b in marks if a < s]
        if not before:
            return True  # 补贴已经发放到您尾号4476的社保卡上: the reader's own, named after the figure
        p = max(before)
        # 老张家孩子, 她家里有个孩子: a colleague's child, named before the owner word in its clause.
        q = bisect_right(bounds, p) - 1
        head = bounds[q] if q >= 0 else 0
        if any(head <= a < s for a, _ in hits_of.get("staff", ())) or any(
                head <= a < p for a, _ in hits_of.get("third_person", ())):
            return False
        return self._person.search(text, head, s) is None

    def _timed(self, text: str, lo: int, hi: int, sg: dict[str, list[tuple[int, int]]]) -> bool:
        """The clause [lo, hi) tells a time (保安每天凌晨两点检查库房: a patrol's schedule, not the day's errand)."""
        return _CLOCK.search(text, lo, hi) is not None or any(
            lo <= xs < hi and text[xs:xe] in self._time_detail for xs, xe in sg.get("security_detail", ()))

    def _customer_carried(self, text: str, s: int, ss: int, sg: dict[str, list[tuple[int, int]]],
                          customer_at: list[int], staff_at: list[int]) -> bool:
        """The sentence (from `ss`) names nobody before the term at `s`, and the draft named a customer
        (那位客户) after its last colleague in the sentences before: a report on a customer goes on about
        them (…身份证号码…，月收入约九千元 is the customer's income, not a colleague's pay)."""
        k = bisect_left(customer_at, ss) - 1
        if k < 0 or _first(sg, "staff") < s or _first(sg, "third_person") < s:
            return False
        j = bisect_left(staff_at, ss) - 1
        if j >= 0 and staff_at[j] > customer_at[k]:
            return False
        return self._person.search(text, ss, s) is None

    @staticmethod
    def _self_subject(text: str, s: int, lo: int, others: list[tuple[int, int]]) -> bool:
        """The clause holding `s` (from `lo`) opens with 我 (not 我们, nor its regional forms: Cantonese 我哋/我地,
        Wu 我伲, 我俚) and no third person comes before the term."""
        return (text.startswith("我", lo) and not text.startswith(_WE, lo)
                and not any(lo <= xs < s for xs, _ in others))

    def _speaker_last(self, text: str, s: int, e: int, sent: tuple[int, int], sg: dict[str, list[tuple[int, int]]],
                      bounds: list[int]) -> bool:
        """我 (not 我们 or an organisation's 我司) stands at most 20 characters before the term at `s`, and
        nobody else is named between them (喂李姐啊我是小张啊那个我今天下午要去医院拿个体检报告, dictated without
        commas): the speaker's own matter. A name called before 我 is the reader."""
        ss, se = sent
        i = text.rfind("我", max(ss, s - 20), s)
        if i < 0 or text.startswith(self._topic_grammar.our_org, i):
            return False
        # Nobody between 我 and the term, nor in a later clause of the sentence (我拿到体检报告了，老王…
        # speaks of 老王); a name in the term's own clause after it is whom the speaker turns to (跟组长说).
        k = bisect_right(bounds, e)
        later = bounds[k] if k < len(bounds) and bounds[k] < se else se
        if any(i < xs < s or later <= xs < se for role in ("third_person", "staff") for xs, _ in sg.get(role, ())):
            return False
        return self._person.search(text, i, s) is None and self._person.search(text, later, se) is None

    @staticmethod
    def _colon_after(f: Folded, end: int) -> bool:
        """A colon right after the marking ending at compact `end` (客户资料表(内部资料):赵六 …): the
        document it labels follows, so the name before the marking is of a document disclosed."""
        return _colon_follows(f, end, " \t\u3000" + "".join(_CLOSE))

    def _title(self, f: Folded, e: int, bounds: list[int]) -> bool:
        """The clause holding compact `e` ends with a document noun and no colon follows: a marked title
        (【机密】经营分析材料，请阅后收回) names the document; its content (…排名：第一…) discloses."""
        c = f.compact
        k = bisect_left(bounds, e)
        end = bounds[k] if k < len(bounds) else len(c.text)
        nouns = self._topic_grammar.title_nouns
        if not c.text.startswith(nouns, end - 2) and not c.text.startswith(nouns, end - 1):
            return False
        return not _colon_follows(f, end, " \t\u3000")

    def _owned(self, c: Compact, s: int, lo: int, others: list[tuple[int, int]]) -> bool:
        """An own-word (您的, 贵公司, 您尾号) ends at most two characters before the topic word, or opens
        its clause (`lo`, its start) with no third person between (您尾号3521的储蓄卡本月工资已到账: the
        clause speaks of the customer's own account; 您的同事小王工资… does not)."""
        if self._own_re is None:
            return False
        # The 24 characters before the term are searched, not the clause from its start: a long clause
        # of repeated topic words stays linear, and in English, where every word is a clause of the
        # compact view, the own-word (your password) stands in the clause before the term.
        for m in _own_matches(self._own_re, c, max(0, s - 24), s):
            if m.end() >= s - 2:
                return True
            if m.start() == lo and not any(m.end() <= xs < s for xs, _ in others):
                return True
        return False

    def _evidence(self, f: Folded, cat: Topic, s: int, e: int, sent: tuple[int, int],
                  sg: dict[str, list[tuple[int, int]]],
                  contacts: list[tuple[int, int]] | tuple[tuple[int, int], ...],
                  names: Callable[[], list[tuple[int, int]]],
                  memo: dict[tuple[str, int, int], Any] | None = None, *,
                  credentials: bool = True) -> tuple[str, int, int] | None:
        """(evidence kind, span) that makes the mention at [s, e) a disclosure; the span of a value
        (amount, person, contact, credential) joins the finding, a signal's does not. `names`: the
        draft's capitalised names (`_names`); `memo` the draft's memo (`_remembered`); `credentials`
        False when the draft has no character a credential value could be made of."""
        c = f.compact
        text = c.text
        ss, se = sent
        tg = self._topic_grammar
        want = cat.evidence
        lo, hi = max(ss, s - 24), min(se, e + 24)
        if hi < se and (colon := _HEADING_COLON.search(f.wide.text, c.wide_index(e - 1) + 1,
                                                        c.wide_index(min(se, e + 6) - 1) + 1)) and not any(
                ch in _NOT_SPLITTERS for ch in f.wide.text[c.wide_index(e - 1) + 1:colon.start()]):
            # The term heads a colon in its own clause (配比定了：活性物质九十六点五、导电剂二…): what follows is its
            # content, a list that runs past the usual reach (not a notice's 有几点注意： a clause on).
            hi = min(se, e + _LIST_REACH)
        if "quantity" in want:
            q = _quantity(text, lo, hi, self._quantity, memo)
            if q is None and se < len(text) and f.wide.text[c.wide_index(se - 1) + 1:c.wide_index(se) + 1].count("?"):
                # A question that sets up its answer (拿货什么价？十九一件): the amount is in the next sentence.
                ns, ne = c.sentence_of(se)
                q = _quantity(text, ns, min(ne, ns + 24), self._quantity, memo)
            while q and (any(cs <= q[0] < ce for cs, ce in contacts) or _clock_time(f, q[0], q[1])
                         or _period_of_term(text, q, s, e)):
                # The digits of a masked number are not an amount, nor a time of day written with a colon
                # (17:00后, 8:30到17:30: the compact view drops the colon and sees 1700).
                q = _quantity(text, q[1], hi, self._quantity, memo)
            if q:
                return "quantity", q[0], q[1]
        if "formula" in want:
            # The sentence's first formula is searched once per sentence, not once per mention: a long
            # unpunctuated draft repeating a recipe word would otherwise rescan it for every occurrence.
            span = _remembered(memo, ("formula", ss, se), lambda: _formula_span(f, ss, se))
            if span and span[1] > span[0]:
                return "formula", span[0], span[1]
        if "taken" in want:
            m = _PAY_VALUE.search(text, lo, hi)
            if m:
                return "quantity", m.start(), m.end()
        if "person" in want:
            m = self._person.search(text, lo, hi)
            while m and (_boundary_in(c, m.start(), m.end() - 1) or (
                    m.start() == 0 and m.end() in c.clauses and e > m.end()) or _addressed(f, m.start(), m.end())):
                # 血压偏高，医生建议: the compact view joined a clause's last character to the next one's
                # title; a name and its title stand in one clause. A name called alone at the draft's head
                # (小杨，帮我处理一下这个会员的资料…) or called and then spoken to (王哥你那个客户的资料…,
                # @周婷) is the reader, not whom the matter is about.
                m = self._person.search(text, m.start() + 1, hi)
            if m:
                return "person", m.start(), m.end()
            for ns, ne in names():
                if ss <= ns < se and not _addressed(f, ns, ne):
                    return "person", ns, ne
        if "contact" in want:
            inside = [(cs, ce) for cs, ce in contacts if ss <= cs < se]
            if inside:
                return "contact", inside[0][0], inside[0][1]
        if "credential" in want and credentials:
            v = self._credential(f, e, se)
            if v and any(cs < v[1] and v[0] < ce for cs, ce in contacts):
                v = None  # 您上次登记的银行卡6214…: personal data found as such (a card, a phone), not a secret code
            if v:
                return "credential", v[0], v[1]
        for signal in ("cue", "share", "decision", "future", "compare"):
            if signal in ("share", "decision") and "neg_audience" in sg:
                continue  # 发到群里了，大家看下: handed round the team it belongs to, not out
            # A signal word that is the topic word itself (董事会) is not evidence about it.
            if signal not in want:
                continue
            spans = _within_reach(text, sg, s, e, memo) if signal == "share" else sg.get(signal, ())
            if any(not (xs < e and s < xe) and (signal != "share" or _one_clause(f, s, e, xs, xe))
                   for xs, xe in spans):
                return signal, s, e
        # A 把-plan (把华南仓卖掉, from `_unit_change`, or 门店全部转成仓库) is a plan by its shape, as a strong plan
        # word is.
        if cat.strong_future and "future" in sg and (text[s:e] in cat.strong_future or text.startswith("把", s) or (
                text[s:e].endswith(self._changes) and text.startswith(self._units, s)
                and _ALL_OF_RX.search(text, s, e) is not None)):
            return "future", s, e
        after_name = self._topic_grammar.after_name
        if "org" in want and any(_org_name_end(text, xe, after_name) for _, xe in sg.get("org", ())):
            return "org", s, e
        # The customer as subject (您住院期间) is not a colleague's private matter.
        # The colleague is named before the term or in its clause (她最近在闹离婚); a pronoun clauses later
        # (医生在手术室…到时请他给您讲) is somebody else's errand.
        if "third_person" in want and "third_person" in sg and "您" not in text[ss:s] and (
                _first(sg, "third_person") < s or not _boundary_in(c, e, _next(sg, "third_person", s))):
            return "third_person", s, e
        if "stored" in want and "stored" in sg and (
                not text[s:e].endswith(tg.physical_keys) or "security_weak" in sg) and (
                xs := _next(sg, "stored", e)) <= e + 12 and not _boundary_in(
                c, e, xs) and not _forbidden_act(text, s, self._bans) and not _banned_between(text, e, xs, self._bans):
            # 密钥写死在config.js里: where the credential is kept, right after it; 钥匙不要放在抽屉里 is a rule
            # about where it must not be kept.
            return "stored", s, e
        hours = "security_detail" in want and _found_in(text, ss, se, "hours", self._window_rx, memo)
        key = any(k in text[s:e] for k in tg.physical_keys)
        # The word names whose or where another thing is (监控室的空调坏了): what follows is that thing's,
        # unless that thing is itself the detail (监控的盲区, 保安的换班 at `head`) or who guards it (监控室的值班员).
        owner_word = next((w for w in tg.owner_of if text.startswith(w, e)), "") if "security_detail" in want else ""
        head = e + len(owner_word)
        owner = bool(owner_word) and not any(text.startswith(w, head) for w in tg.guards)
        if "security_detail" in want and "neg_reader" in sg:
            # Told to a customer: where guards stand and when is the service described; a weakness discloses.
            if "security_weak" in sg:
                return "security_detail", s, e
        elif "security_detail" in want and (
                any((not hours or text[xs:xe] not in self._time_detail) and not _ruled(text, xs, self._bans)
                    and not (key and text[xs:xe] in tg.placement) and not (owner and xs > head)
                    for xs, xe in sg.get("security_detail", ()))
                or (not hours and not owner and _found_in(text, ss, se, "clock", self._window_rx, memo))):
            return "security_detail", s, e  # a time of day (押运车九点半到) schedules the arrangement
        if "handover" in want and any(max(xs - e, s - xe) <= _HANDOVER_REACH and (s >= xe or e <= xs or xs < s < e < xe)
                                      for xs, xe in sg.get("handover", ())) and not (
                cat.id == _CREDENTIALS and (any(w in text[max(ss, s - 8):s] for w in tg.own_code)
                                            or text[s:e].endswith(("卡", *tg.physical_keys)))):
            # Taken out to an outsider or a public place, near the term, or the term between the act and whom
            # it goes to (发给了已经离职的前同事); not a term that is the act's or the recipient's own word. Last:
            # every other evidence and the predicates read with it decide first.
            return "handover", s, e
        if "to_partner" in want and any(
                max(xs - e, s - xe) <= _HANDOVER_REACH and (s >= xe or e <= xs or xs < s < e < xe)
                for xs, xe in sg.get("to_partner", ())):
            # The customer base sold or passed to another business (车主名单导给保险公司的小何, 名单发给厂家的业务员).
            return "handover", s, e
        return None

    def _recipient(self, text: str, lo: int, s: int) -> bool:
        """The term at `s` is whom something is given, sent or shown to: a hand-over act (转给, 拿给) or 给
        ends in its clause at most _RECIPIENT_REACH characters before it."""
        window = text[max(lo, s - _RECIPIENT_REACH):s]
        return any(a in window for a in self._give_acts)

    def _told_then_kept(self, d: _Draft, cat_id: str, e: int,
                        sg: dict[str, list[tuple[int, int]]]) -> dict[str, list[tuple[int, int]]]:
        """`sg` without its rule and refusal words when they come after the topic word and a value of it told
        there, and so tell the reader to keep what was just told: 营业额是三百二十万，年底对账前不要跟外面的人讲;
        开机密码改成了Qw7781…不要写在便签上. Rules talk and refusals put their negative before or around the topic
        word and tell no value (不得泄露客户资料; 营业额这类经营数字不要跟外面的人讲)."""
        # The sentence's sorted lists (kept in `sg`): the first start is read, not searched for, per mention.
        refusals, rules = _starts(sg, "neg_refusal"), _starts(sg, "neg_rules")
        if not refusals and not rules:
            return sg
        first = min(got[0][0] for got in (refusals, rules) if got)
        if first < e:
            return sg
        spans = refusals + rules
        c = d.f.compact
        text = c.text
        # Each a prohibition (不能对外说, 不要写在), in a clause after the one that told the value: 按规定渠道寄出
        # or 我不能在群里发 right after the word is procedure or a refusal, not a request to keep it.
        if not _boundary_in(c, e, first) or not all(any(b in text[xs:xe] for b in self._bans) for xs, xe in spans):
            return sg
        if d.figure(e, first) is None and not (cat_id == _CREDENTIALS and self._credential(d.f, e, first)):
            return sg
        return {r: v for r, v in sg.items() if r not in ("neg_refusal", "neg_rules")}

    def _later_credential(self, f: Folded, ws: int) -> tuple[int, int] | None:
        """Compact span of a code-shaped value further on in the sentence (at most 30 characters
        after wide `ws`): 主管的OA密码就是他生日 19870612, 电子锁的码 5 2 0 1 3, wifi后台 admin / Adm!n2024.
        Numbers that something else names (尾号5678, 工号1023, 2024年) are not codes. The sentence
        is cut on the wide text, where a '!' inside a value (adm!n) does not end it."""
        wide = f.wide.text
        end = _SENTENCE_END.search(wide, ws, ws + 30)
        for m in _LATER_VALUE.finditer(wide, ws, end.start() if end else ws + 30):
            value = m.group()
            if len(value) < 4:
                continue  # shorter than any code `_code_shaped` accepts (a draft of U盾 holds a value a word)
            before = wide[max(0, m.start() - 4):m.start()].rstrip()
            if before.endswith(_NOT_CODE_BEFORE) or wide.startswith(self._after_code_number, m.end()):
                continue
            if _code_shaped(value):
                vs, ve = f.compact_index(m.start()), f.compact_index(m.end() - 1) + 1
                return (vs, ve) if ve > vs else None
        return None

    def _names(self, f: Folded) -> list[tuple[int, int]]:
        """Compact spans of capitalised English words that are not vocabulary: named people or firms."""
        out = []
        for m in _CAPITALISED.finditer(f.original):
            if m.group().lower() in self._not_names:
                continue
            if f.original[max(0, m.start() - 2):m.start()].strip(" ")[-1:] in _QUOTES and (
                    _ENGLISH_NEXT.match(f.original, m.end())):
                continue  # "Hurry up, we're closing": a quoted English sentence opens with a capital, not a name
            ws, we = f.wide_index(m.start()), f.wide_index(m.end() - 1)
            out.append((f.compact_index(ws), f.compact_index(we) + 1))
        return out

    def _credential(self, f: Folded, e: int, se: int) -> tuple[int, int] | None:
        """Compact span of a credential-shaped value or a lock combination right after [.., e)."""
        c = f.compact
        text = c.text
        locks = list(_LOCK.finditer(text, e, min(se, e + 30)))
        if len(locks) >= 2:
            return locks[0].start(), locks[-1].end()
        spoken = _spoken_credential(text, e, se)
        if spoken:
            return spoken
        wide = f.wide.text
        we = c.wide_index(e - 1) + 1
        m = _CRED_VALUE.match(wide, we)
        if m is None or not m.group(1).strip():
            # A few words between the thing and its value (门的数字是6-2-9-1): a short code only.
            lead = _CRED_LEAD.match(wide, we)
            m = _CRED_VALUE.match(wide, lead.end()) if lead else None
            if m is None or not 4 <= len(m.group(1).replace(" ", "").replace("-", "")) <= 8:
                return self._later_credential(f, we)
        words = m.group(1).split()
        if len(words) > 1 and sum(w.rstrip(".,?!").isalpha() and len(w) > 1 for w in words) >= 2:
            # keep your password safe and never share it; team will be on duty 24/7: English words
            # (two or more), not a value — a spaced value is digits or one word with its symbols.
            return None
        value = "".join(words).rstrip(".?!")
        has_digit = any(ch.isdigit() for ch in value)
        has_alpha = any(ch.isalpha() for ch in value)
        has_sym = any(not ch.isalnum() for ch in value)
        if (len(value) >= 4 and has_digit) or (len(value) >= 6 and has_alpha and has_sym):
            vs, ve = f.compact_index(m.start(1)), f.compact_index(m.end(1) - 1) + 1
            return (vs, ve) if ve > vs else (e, e)
        if len(words) == 1 and value.isalpha():
            # Password for 共享盘 is 'Gx 2024 !!' / the code 改成 2580: a word that is not the value (for, of,
            # the) stands between the thing and its value; look further on in the sentence, as when nothing
            # value-shaped follows at all.
            return self._later_credential(f, we)
        return None


def _spoken_credential(text: str, e: int, se: int) -> tuple[int, int] | None:
    """Compact span of a credential value dictated in words right after [.., e) (大写K小写d井号2024, 就是八个六):
    named pieces only — two or more pieces with at least one named (a case letter, a symbol word, a repeated
    digit), or a repeated digit alone; digits and letters alone are left to `_CRED_VALUE`."""
    m = _SPOKEN_CRED.match(text, e, min(se, e + 48))
    if m is None or not m.group(1):
        return None
    value = m.group(1)
    if _SPOKEN_NAMED.search(value) is None:
        return None
    pieces = len(_SPOKEN_PIECES.findall(value))
    if pieces >= 2 or re.fullmatch(r"[0-9]个[0-9]", value):
        return m.start(1), m.end(1)
    return None


# The reader's own matter said as 您 + a short qualifier + 的 (您这单需要补的差价, 您本次应补缴的税款): up to six
# characters, a clause of what they bought, owe or asked. (The compact view has no commas, so a greeting's
# 您好，… may open the shape too: the draft addresses that reader.)
_OWN_SHAPE = r"您(?![我咱他她公店们])[\u4e00-\u9fff]{1,6}?的"
_PLANS = "secret.topic.plans"
# "We" opening a clause (the organisation, not the speaker alone), in Mandarin and regional forms.
_WE = ("我们", "我哋", "我地", "我伲", "我俚", "我哋嘅", "我等")
_CUSTOMERS = "secret.topic.customers"
_TECHNOLOGY = "secret.topic.technology"
# A topic told by a marked draft's figure, not by a word of its own (`Classified._marked_content`).
_MARKED_CONTENT = "secret.topic.marked_content"
_HUSHED_FIGURE = "secret.topic.hushed_figure"
# What keeps a hush from lending its secrecy to a figure near it (`Classified._hushed_figure`): a refusal, a rule,
# a question about the procedure, a publication; and hearsay cues, which tell where news came from, not that it
# must be kept.
_HUSH_BLOCKERS = frozenset({"neg_refusal", "neg_rules", "neg_public", "neg_asking", "neg_commitment"})
_HEARSAY_CUES = ("听", "据说", "传言", "有消息说", "打听")
# Cue words that ask no discretion by themselves (别让他等太久, 偷偷看了一眼, 报销款审完才发, 我都不知道):
# evidence beside a topic word, too weak to make a figure a secret on their own.
_WEAK_HUSH = frozenset({"别让", "不要让", "偷偷", "悄悄", "私下", "私底下", "嘘", "还没出", "还没发", "还不知道",
                        "都还不知道", "都不知道", "没人知道", "还没人知道", "心里有数", "还没定", "没定稿", "还没定稿",
                        "内部讨论"})
# A number's neighbour that makes it part of a Latin code or an address (ZB-2024-09, wx_huang77@163.com).
_LATIN_CODE = re.compile(r"[a-z_@.\-]")
# Evidence that is a value told (an amount, a name, a contact, a code), not a signal around the topic word.
_VALUE_EVIDENCE = frozenset({"quantity", "person", "contact", "credential", "formula"})
# A topic's evidence when a marking's lent cue is all it has (`SecretHit.evidence`).
MARKING_ONLY = "marking"
# A topic's evidence when its word names a list of people or firms (`topics.grammar.lists`).
LISTED = "list"
# Signals that only say how a thing is handled (kept quiet, sent) …
_HANDLING = frozenset({"cue", "share"})
# … and those that say a matter is decided, planned or compared: what is told beside them.
_TOLD = ("decision", "future", "compare")
# The signals that, beside a marking, tell what is done with the marked thing, not what it holds.
_MARKED_THING = frozenset({"cue", "share", "handover"})
# How far before a term the act that gives a thing to it may end (转给外包的监控公司).
_RECIPIENT_REACH = 8
_PERSONNEL = "secret.topic.personnel"
_PAY = "secret.topic.pay"
# Money words the speaker may own (their pay, their household's spending), and how far before the term the owner
# word is looked for in its clause (把自己的工资条, 我这个月到手), compact characters.
_OWN_MONEY = frozenset({"secret.topic.pay", "secret.topic.finance"})
_OWN_MONEY_REACH = 8
_CREDENTIALS = "secret.topic.credentials"
_SECURITY = "secret.topic.security"
# Categories whose figure may be the reader's or a customer's own matter (a budget, a bill, a tax return,
# an income); for pay only the reader's own words count (`Classifier._theirs`).
_FIGURE_OWNERS = frozenset({"secret.topic.finance", "secret.topic.costs", "secret.topic.pay"})
# Figures whose settling is itself the news among staff (the boss has settled the rebate, the pay rise, the bid).
_DECIDED_FIGURES = frozenset({"secret.topic.finance", "secret.topic.costs", "secret.topic.pay", "secret.topic.tender"})
# A decision told in a draft written to a customer is the service's answer to them: about prices, pay or a
# tender, and about plans (网点下月起周六照常营业 decided, the board's resolution for a client's issue).
_DECIDED_TO_CUSTOMER = _DECIDED_FIGURES | {_PLANS}
_FIGURE_OWNERS_ANY = frozenset({"secret.topic.finance", "secret.topic.costs"})
# How far before a topic word an owner of theirs still speaks for it (客户是张女士…她想看三室朝南的，预算…).
_OWNER_REACH = 80
# How far from a security or plan word an everyday-operations word still speaks of it (开一下库房, 窗口排班调整方案).
_ROUTINE_REACH = 12


# After a name: words that speak to it (王哥你…, 小王啊你帮我…; not across a comma: 孙经理，你去找他 names him to
# the reader); before it: a greeting or an at-sign.
_ADDRESS_AFTER = re.compile(r"[啊呀哈啦嘛哎喂 ]{0,2}[你您]")
_GREETING = re.compile(r"(?:^|[^a-z])(?:hi|hey|dear|hello|@)[ ,]*$")


def _addressed(f: Folded, s: int, e: int) -> bool:
    """The name at compact [s, e) is the reader: spoken to right after it (王哥你那个客户的资料, 小王啊你帮我记一下)
    or greeted or @-mentioned before it (@周婷 跟你同步, Hi Mark): the draft is written to them."""
    c = f.compact
    if e < len(c.text) and _ADDRESS_AFTER.match(f.wide.text, c.wide_index(e - 1) + 1):
        return True
    ws = c.wide_index(s)
    return _GREETING.search(f.wide.text, max(0, ws - 8), ws) is not None


def _code_switched(terms: Sequence[str], parts: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The topic words with one part written in English (客户名单 -> customer名单, client名单, 客户list),
    as the compact view of a mixed draft reads them (spaces dropped, lower case). A word wholly in
    English is the English vocabulary's, matched as whole words, so at least one Chinese character stays."""
    out: dict[str, None] = {}
    for term in terms:
        for part, english in parts.items():
            i = term.find(part)
            while i >= 0 and len(part) < len(term):
                rest = term[:i] + term[i + len(part):]
                if any("\u4e00" <= ch <= "\u9fff" for ch in rest):
                    for word in english:
                        out[term[:i] + word + term[i + len(part):]] = None
                i = term.find(part, i + 1)
    return tuple(w for w in out if w not in terms)


# Signal words tested like topic words (their edge words are in the same tables).
_EDGE_SIGNALS = ("share", "cue")
_LATIN_EDGE = re.compile("[a-z]")


def _clause_of(bounds: list[int], pos: int, length: int) -> tuple[int, int]:
    """The clause (start, end) holding compact `pos`."""
    k = bisect_right(bounds, pos)
    return (bounds[k - 1] if k > 0 else 0), (bounds[k] if k < len(bounds) else length)


def _clause_end(bounds: list[int], pos: int, length: int) -> int:
    """The end of the clause holding compact `pos` (`bounds`: the clause starts, sorted)."""
    k = bisect_right(bounds, pos)
    return bounds[k] if k < len(bounds) else length


def _words_regex(words: Sequence[str]) -> re.Pattern[str] | None:
    """Any of the literal words, or None for none."""
    return re.compile(_alternation(words)) if words else None


def _word_ends(text: str, words: Sequence[str]) -> tuple[list[int], list[int]]:
    """Every occurrence of the words in the text as sorted end offsets and, for each, the latest start
    of an occurrence ending there or before: a word lies within text[lo:s] exactly when the latest
    start among those ending at or before s is at least lo."""
    spans = []
    for w in words:
        i = text.find(w)
        while i >= 0:
            spans.append((i + len(w), i))
            i = text.find(w, i + 1)
    spans.sort()
    latest, top = [], -1
    for _, s in spans:
        top = max(top, s)
        latest.append(top)
    return [e for e, _ in spans], latest


def _remembered(memo: dict[tuple[str, int, int], Any] | None, key: tuple[str, int, int],
                compute: Callable[[], Any]) -> Any:
    """`compute()`, asked once per draft: kept in the draft's `memo` under `key` (a long sentence of topic
    words asks the same sentence or window again for each); computed afresh without a memo."""
    if memo is None:
        return compute()
    if key in memo:
        return memo[key]
    got = memo[key] = compute()
    return got


def _formula_span(f: Folded, ss: int, se: int) -> tuple[int, int] | None:
    """Compact span of the first formula (x=12, 3*4) in the sentence [ss, se), searched on the wide text."""
    c = f.compact
    m = _FORMULA.search(f.wide.text, c.wide_index(ss), c.wide_index(se - 1) + 1)
    return (f.compact_index(m.start()), f.compact_index(m.end() - 1) + 1) if m else None


def _finditer(pattern: re.Pattern[str] | None, text: str) -> Iterator[re.Match[str]]:
    """`pattern`'s matches in `text`; none for a pattern of no words (None)."""
    return pattern.finditer(text) if pattern is not None else iter(())


# English negations (apostrophes dropped) and the words that may stand between one and its verb.
_EN_NOT = frozenset({"not", "never", "hasnt", "havent", "hadnt", "isnt", "wasnt", "werent", "arent", "dont", "doesnt",
                     "didnt", "wont", "cant", "no"})
_EN_BETWEEN = frozenset({"yet", "been", "be", "officially", "publicly", "formally", "to", "it", "this", "that", "them"})


def _en_negated(words: list[tuple[int, int, str]], i: int) -> bool:
    """A negation before word `i` with only auxiliaries between (hasn't been announced, yet to be published)."""
    j = i - 1
    while j >= 0 and i - j <= 4:
        w = words[j][2]
        if w in _EN_NOT or (w == "yet" and j + 2 < i and words[j + 1][2] == "to"):
            return True
        if w not in _EN_BETWEEN:
            return False
        j -= 1
    return False




def _owned_sentence(text: str, s: int, ss: int, own: list[tuple[int, int]], own_starts: list[int],
                    others: list[tuple[int, int]], our_side: tuple[str, ...]) -> bool:
    """The sentence (from `ss`) addresses the customer's own matter before the term at `s` — an own-word
    (您尾号…的储蓄卡…这是单位代发的工资) with no third person and no word of our side between: the
    customer's own data, told to them."""
    k = bisect_left(own_starts, s) - 1
    if k < 0 or own_starts[k] < ss:
        return False
    oe = own[k][1]
    if s - oe > 40:
        return False  # far apart: the sentence has moved on (and a long one stays linear)
    between = text[oe:s]
    return not any(oe <= xs < s for xs, _ in others) and not any(w in between for w in our_side)


_FAR = 1 << 40


def _starts(sg: dict[str, list[tuple[int, int]]], role: str) -> list[tuple[int, int]]:
    """A sentence's `role` signals sorted by start, kept in `sg` once sorted (English hits come after
    the automaton's, so the list is not in text order by itself)."""
    key = f"#{role}"
    got = sg.get(key)
    if got is None:
        got = sg[key] = sorted(sg.get(role, ()))
    return got


def _first(sg: dict[str, list[tuple[int, int]]], role: str) -> int:
    """Start of the sentence's first `role` signal (a large number when none)."""
    got = _starts(sg, role)
    return got[0][0] if got else _FAR


def _next(sg: dict[str, list[tuple[int, int]]], role: str, pos: int) -> int:
    """Start of the sentence's first `role` signal at or after `pos` (a large number when none)."""
    got = _starts(sg, role)
    k = bisect_left(got, (pos, -1))
    return got[k][0] if k < len(got) else _FAR


def _within(positions: list[int], lo: int, hi: int) -> bool:
    """A position of sorted `positions` lies in [lo, hi)."""
    k = bisect_left(positions, lo)
    return k < len(positions) and positions[k] < hi


def _english_key(prefix: str, word: str, starts: frozenset[str]) -> str:
    """`prefix` extended by `word`, or by its base form when only that begins an entry: the plural
    (accounts -> account, boxes -> box) or the past and -ing forms of a verb (resigned, resigning ->
    resign; transferred -> transfer; closing -> close): the vocabulary lists a word once; "" when
    none does."""
    key = f"{prefix} {word}" if prefix else word
    if key in starts or len(word) <= 3:
        return key if key in starts else ""
    for stem in _english_stems(word):
        alt = f"{prefix} {stem}" if prefix else stem
        if alt in starts:
            return alt
    return ""


def _english_stems(word: str) -> tuple[str, ...]:
    """Candidate base forms of an inflected English word, most likely first."""
    if word.endswith("s") and not word.endswith("ss"):
        return (word[:-1], word[:-2]) if word.endswith("es") else (word[:-1],)
    for end in ("ed", "ing"):
        if word.endswith(end) and len(word) - len(end) >= 3:
            base = word[:-len(end)]
            doubled = (base[:-1],) if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "aeiou" else ()
            return (base, f"{base}e", *doubled)
    return ()


def _colon_follows(f: Folded, end: int, skip: str) -> bool:
    """A colon follows compact `end` in the wide text, past any characters of `skip`."""
    wide = f.wide.text
    i = f.compact.wide_index(end - 1) + 1
    while i < len(wide) and wide[i] in skip:
        i += 1
    return wide.startswith((":", "："), i)


def _found_in(text: str, lo: int, hi: int, name: str, patterns: dict[str, re.Pattern[str] | None],
              memo: dict[tuple[str, int, int], Any] | None) -> bool:
    """Whether the pattern `name` (of `patterns`; None matches nowhere) matches starting in text[lo:hi]: the
    draft's matches are found once (kept in the draft's `memo`) and a window is a lookup, so a long sentence
    of topic words stays linear."""
    if memo is not None and (answer := memo.get((name, lo, hi))) is not None:
        return bool(answer)
    key = (name, 0, 0)
    starts = memo.get(key) if memo is not None else None
    if starts is None:
        starts = [m.start() for m in _finditer(patterns[name], text)]
        if memo is not None:
            memo[key] = starts
    i = bisect_left(starts, lo)
    found = i < len(starts) and starts[i] < hi
    if memo is not None:
        memo[(name, lo, hi)] = found  # a sentence of many topic words asks the same window again
    return found


# Whose matter it is (客户的, 您的): still said when a term holds the words (客户的资料 holds 客户的).
_SUBJECT_NEGS = frozenset({"neg_customer", "neg_own", "neg_theirs", "neg_ours"})


def _own_matches(own_re: re.Pattern[str], c: Compact, lo: int, hi: int) -> Iterator[re.Match[str]]:
    """Own-words in `c`'s text from `lo` to `hi` that lie in one clause: a match across a clause boundary
    (您放心，这次的…; 您好，您的… where the compact view has no commas) is searched again from its next
    character, so the own-word inside it (您的) is still found."""
    pos = lo
    while (m := own_re.search(c.text, pos, hi)) is not None:
        if _boundary_in(c, m.start(), m.end() - 1):
            pos = m.start() + 1
            continue
        yield m
        pos = m.end()


def _own_words(own_re: re.Pattern[str] | None, c: Compact) -> tuple[bool, list[tuple[int, int]], list[int]]:
    """(whether `c`'s text holds an own-word, the spans of its Chinese ones, their starts). Chinese own-words
    only in the spans: an English "your" is too common to speak for a whole sentence. One that crosses a
    clause boundary of the compact view is two clauses (您放心，这次的标底…), not an own-word."""
    text = c.text
    spans = [m.span() for m in _own_matches(own_re, c, 0, len(text))] if own_re is not None else []
    chinese = [(a, b) for a, b in spans if not text[a].isascii()]
    return bool(spans), chinese, [a for a, _ in chinese]


def _inside_cues_dropped(hits: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """Negative words inside a longer secrecy cue, decision or topic word are that word's letters (先别透露
    holds 别透露, a rule word; 领导的意思 holds 的意思; training weights holds training): dropped. Cues sorted
    by start with a running maximum of their ends: linear after the sort."""
    cues = sorted((s, e) for s, e, role, _ in hits if role in ("cue", "term", "decision"))
    if not cues:
        return hits
    starts = [s for s, _ in cues]
    reach = list(accumulate((e for _, e in cues), max))
    out = []
    for h in hits:
        s, e, role, _ = h
        if role.startswith("neg_") and role not in _SUBJECT_NEGS:
            k = bisect_right(starts, s) - 1
            if k >= 0 and (reach[k] > e or (reach[k] == e and starts[k] < s)):
                continue
        out.append(h)
    return out


def _code_shaped(value: str) -> bool:
    """A value standing alone later in the sentence: a 4-8 digit code, or 6+ characters mixing letters
    with digits or symbols (adm!n2024). Shorter mixes (10am, 2f) are too common in prose."""
    bare = value.replace(" ", "").replace("-", "")
    if bare.isdigit():
        return 4 <= len(bare) <= 8
    has_alpha = any(ch.isalpha() for ch in bare)
    return len(bare) >= 6 and has_alpha and any(ch.isdigit() or ch in "!@#$%^&*+~?" for ch in bare)


def _symbol(ch: str) -> bool:
    """An emoji or pictograph (🔒, ⚠, ✅) framing a level word the way ★ does."""
    return unicodedata.category(ch) == "So"


# The prohibition words are secret.yaml's `marking.no_share.bans` (one list for the no-share instruction after a
# label, a sharing verb under a rule, a place where a thing must not be kept, a security detail after a
# rule); these stand in when no marking is loaded. `_forbidden_act` adds plain negation: a lone 不 and English.
_BANS = ("严禁", "不得", "请勿", "禁止", "切勿", "不要", "勿", "不准", "不许", "谢绝", "别", "莫", "不能", "不可",
         "千万别", "千万不要", "请不要", "不允许", "甭")
_NEGATION = ("不", "never", "dont", "not")


def _forbidden_act(text: str, s: int, bans: Sequence[str] = _BANS) -> bool:
    """A sharing verb under a prohibition or a negation (不能拷一份带走, 离职时不带走) is a rule, not an act."""
    before = text[max(0, s - 6):s]
    if any(w in before for w in bans) or any(w in before for w in _NEGATION):
        return True
    # A prohibition of two characters or more reaches over a longer object (不能直接当废纸卖给…).
    wider = text[max(0, s - 10):s]
    return any(w in wider for w in bans if len(w) >= 2)


_NOT_YET_AFTER = re.compile(r"[里上中]?(?:还没|还未|尚未|没有|没|未|都没|也没|暂未|仍未|还不)|(?:之|以)?前"
                            # 年报下个月才披露: a later time and 才 before the telling verb, out only then.
                            r"|[^，,。；;]{0,5}?才(?:会|能|要)?(?:披露|公布|发布|公告|公开|宣布|发文|出来|出|发)"
                            # 公告要等到明年三月, 公示还得等, 公告出来之前: the publishing is still waited for.
                            r"|(?:要|还要|还得|得|需要|得要)等|(?:出来|下来|发出|发出来|出台|发布)(?:之|以)?前")
# Right before a publishing word: not yet reached (还没到公示那一步, 没走到), only then (才能公示), waited for
# (要等公告, 等到公示以后).
_NOT_YET_BEFORE = re.compile(r"(?:还?没|未|尚未|还不)(?:走)?到(?:正式)?$|才(?:能|会|要|可以|可)$"
                             r"|(?:要|得|还要|还得)?等到?(?:正式)?$")


def _banned_between(text: str, a: int, b: int, bans: Sequence[str] = _BANS) -> bool:
    """A prohibition (不要, 别, 严禁 …) between a thing and the verb of where it is kept: a rule, not a place."""
    gap = text[a:b]  # a lone 不 is no prohibition: 密码我不是写在便签上了吗 tells where it is
    return any(w in gap for w in bans)


# Undecided, unknown to the speaker, or denied (还没定, 我也不清楚, 没有任何计划, 纯属谣言): unlike 还没公布
# (decided and not yet told: a secrecy cue) there is nothing yet to disclose. 还没定下来 and 未敲定 too, not
# 定了 (decided).
_UNDECIDED = re.compile(r"(?:还|都|也|尚|暂时|目前)?(?:没|未)(?:最终|正式)?(?:定|确定|定下来|敲定|拍板)(?!了)"
                        r"|我(?:也|都|还)?(?:不知道|不清楚|不太清楚|没听说)|没有任何(?:计划|安排|消息|通知)"
                        r"|没有这(?:回|个)事|没这回事|(?:纯属|都是|是)谣言|不属实|还在(?:编|做|测算|评估|走流程|讨论|研究|酝酿|论证)"
                        # the promise to tell once it is out (方案还没出来，出来了会正式公示; not 年报还没出来 alone: a
                        # publication not out yet is a secrecy cue)
                        r"|(?:出来|定下来|定了|批下来|有结果|有消息)了?(?:以后|之后)?(?:会|再|就)\w{0,4}?"
                        r"(?:通知|公示|公布|公告|告诉|发|说)")
# A plan said by its verb before the undecided phrase (馆里下学期要压缩经费…还没最终定): told, not undecided.
_AHEAD = re.compile(r"(?<![需重主只想还])要(?![求点是])|将(?!近)|准备|打算|已经|即将|拟")
# The shared pass's role for the hand-over anchors, and how far from the nearest anchor a match may start
# or end (the longest pattern runs about 25 characters beyond its anchor).
_ANCHOR = "handover_anchor"
_ANCHOR_REACH = 32
# A hand-over to an outsider counts for a topic word this near it (compact characters between them).
_HANDOVER_REACH = 40


def _handed_object(text: str, m: _Mention, speakers_own: tuple[str, ...], bounds: list[int]) -> bool:
    """我把张姐的体检报告转给了我朋友 / 我把拟提拔人员的名单拍照发给了朋友: the term inside the object of a 把
    that a hand-over to an outsider later in the sentence acts on; the speaker is who hands the thing over,
    not whose matter it is — unless the object is the speaker's own (我把自己的体检报告发给了…)."""
    i = text.rfind("把", m.lo, m.s)
    if i < 0 or any(w in text[i:m.s] for w in speakers_own):
        return False
    if any(xs >= m.e for xs, _ in m.sg.get("handover", ())):
        return True
    # 我把要劝退的那几个人的名单截图发你了: the object a sharing act later in the clause sends is the thing
    # handed on (a 我 inside the object, 我把我要调岗的事…, is still the speaker's own).
    own_in_object = "我" in text[i + 1:m.s].replace("我们", "")
    k = bisect_right(bounds, m.e)
    clause_end = bounds[k] if k < len(bounds) else len(text)
    return not own_in_object and any(m.e <= xs < clause_end for xs, _ in m.sg.get("share", ()))


@dataclass(frozen=True, slots=True)
class _Handover:
    """`topics.handover` compiled: the act regexes (compact view, English) and the words that say it did not
    happen, is invited, asked about, or a situation a caution is about."""

    zh: re.Pattern[str] | None
    en: re.Pattern[str] | None
    when: re.Pattern[str] | None
    denied: tuple[str, ...]
    invited: tuple[str, ...]
    asked: tuple[str, ...]
    publicity: tuple[str, ...]
    anchors: tuple[str, ...]  # a word each match of `zh` holds (recipients, places, fairs, disclosing verbs)
    en_anchors: tuple[str, ...]  # the English outsiders, each match of `en` holds one
    to_partner: re.Pattern[str] | None = None  # an act + another business (导给保险公司): `to_partner` evidence
    takers: tuple[str, ...] = ()  # the businesses `to_partner` names, each match holds one


def _handover_patterns(words: dict[str, tuple[str, ...]]) -> _Handover | None:
    """`topics.handover` compiled (see `Classified._handovers`); None when the rules give no such words."""
    alt = _alternation
    acts, to, tell, pronoun, outsiders, places, post, there = (words.get(k, ()) for k in (
        "acts", "to", "tell", "pronoun_acts", "outsiders", "places", "post", "there"))
    parts = []
    if acts and outsiders:  # 发给了我表哥, 拷给了另一家…公司
        parts.append(f"(?:{alt(acts)})了?.{{0,8}}?(?:{alt(outsiders)})")
    not_to = words.get("not_to", ())
    to_word = f"(?!{alt(not_to)})(?:{alt(to)})" if not_to else f"(?:{alt(to)})"  # not the 同 of 同学
    if to and outsiders and tell:  # 跟记者说, 同我老表讲咗
        parts.append(f"{to_word}.{{0,8}}?(?:{alt(outsiders)}).{{0,12}}?(?:{alt(tell)})")
    if outsiders and (show := words.get("show", ())):  # 给参观的人看了
        parts.append(f"给.{{0,8}}?(?:{alt(outsiders)}).{{0,4}}?(?:{alt(show)})")
    if outsiders and pronoun:  # 记者打电话问，我告诉他
        parts.append(f"(?:{alt(outsiders)}).{{0,16}}?(?:{alt(pronoun)})")
    if post and places:  # 推到了自己的公开github仓库, 发到了家族群
        parts.append(f"(?:{alt(post)})[了到在上]{{0,2}}.{{0,8}}?(?:{alt(places)})")
    if places and there:  # 在抖音直播时说, 在朋友圈暗示
        parts.append(f"在.{{0,4}}?(?:{alt(places)}).{{0,8}}?(?:{alt(there)})")
    partners, partner_tell, partner_acts, disclosed = (words.get(k, ()) for k in (
        "partners", "partner_tell", "partner_acts", "disclosed"))
    if to and partners and partner_tell:  # 跟供应商透露, 跟客户交了底
        parts.append(f"{to_word}.{{0,6}}?(?:{alt(partners)}).{{0,4}}?(?:{alt(partner_tell)})")
    if partners and partner_acts:  # 告诉了客户
        parts.append(f"(?:{alt(partner_acts)}).{{0,6}}?(?:{alt(partners)})")
    fairs, shown = words.get("fairs", ()), words.get("shown", ())
    if fairs and shown:  # 展会上我们把样机拆开给人看
        parts.append(f"(?:{alt(fairs)}).{{0,16}}?(?:{alt(shown)})")
    if disclosed:  # 透露了, 说漏嘴
        parts.append(f"(?:{alt(disclosed)})")
    en_acts, en_outsiders = words.get("en_acts", ()), words.get("en_outsiders", ())
    en = re.compile(rf"(?<![a-z])(?:{alt(en_acts)})(?![a-z])(?:[^a-z.!?;]+[a-z']+){{0,8}}?[^a-z.!?;]+"
                    rf"(?:{alt(en_outsiders)})(?![a-z])") if en_acts and en_outsiders else None
    if not parts and en is None:
        return None
    when, caution = words.get("when", ()), words.get("caution", ())
    takers = words.get("list_takers", ())
    to_partner = re.compile(f"(?:{alt(acts)}|拿去给|拿去|导一份给)了?.{{0,10}}?(?:{alt(takers)})"
                            ) if acts and takers else None
    return _Handover(re.compile("|".join(parts)) if parts else None, en,
                     re.compile(f".{{0,3}}?(?:{alt(when)}).{{0,4}}?(?:{alt(caution)})") if when and caution else None,
                     words.get("denied", ()), words.get("invited", ()), words.get("asked", ()),
                     words.get("publicity", ()),
                     tuple(dict.fromkeys((*outsiders, *places, *fairs, *partner_tell, *partner_acts, *disclosed))),
                     en_outsiders, to_partner, takers)


# Signals that tell something of a topic: a plan ahead, a decision, a comparison.
_TELLING = ("future", "decision", "compare")


def _undecided(text: str, sent: tuple[int, int], sg: dict[str, list[tuple[int, int]]]) -> bool:
    """The sentence says its matter is undecided, unknown to the speaker or denied, and tells nothing of
    it before saying so: a plan word (要, 准备, 已经 …) or a plan, decision or comparison signal before that
    phrase is content (下学期要压缩经费…还没最终定 has told the plan); a signal after it is the promise to
    tell (定了会通知), and one that qualifies the topic word (明年的工资调整方案) names it."""
    m = _UNDECIDED.search(text, sent[0], sent[1])
    if m is None or _AHEAD.search(text, sent[0], m.start()) is not None:
        return False
    return not any(xs < m.start() and not text.startswith("的", xe) for k in _TELLING for xs, xe in sg.get(k, ()))


def _ruled(text: str, s: int, bans: Sequence[str] = _BANS) -> bool:
    """A prohibition ends at most four characters before `s` (备用金不要放在抽屉里过夜): where a thing must not
    be kept or what must not be done is a rule, not the arrangement."""
    return any(w in text[max(0, s - 4):s] for w in bans)


def _rules_after(c: Compact, e: int, rules_words: list[tuple[int, int]]) -> bool:
    """Every rules word of the sentence holding the level that ends at `e` stands after it, in a later
    clause."""
    ss, se = c.sentence_of(e - 1)
    inside = [hs for hs, _ in rules_words if ss <= hs < se]
    return bool(inside) and all(hs >= e and _boundary_in(c, e, hs) for hs in inside)


def _negated(text: str, s: int, e: int | None = None) -> bool:
    """A word right after 没/未/不/才/比 (还没上报, 未公示, 下周才公告, 比公告里写的少), or right before 还没
    (公告里还没写), or before 前 (正式通知前), says the opposite of itself; so does a publishing still to come —
    not yet reached (还没到公示那一步, 没走到公告), only then (才能公示), or waited for (公告要等到明年三月,
    公示出来之前)."""
    if text[max(0, s - 2):s].endswith(("没", "未", "不", "尚未", "还没", "才", "比")):
        return True  # … and one compared with (比公告里写的少二十万): the figure told is not the published one
    return e is not None and (_NOT_YET_BEFORE.search(text, max(0, s - 4), s) is not None
                              or _NOT_YET_AFTER.match(text, e) is not None)


# The clause boundaries of the last draft, sorted: `_listed` runs for every term of a draft, and
# walking to the boundaries character by character made a long draft without any quadratic.
_bounds_of: tuple[Compact | None, list[int], list[int]] = (None, [], [])


def _org_name_end(text: str, xe: int, after_name: tuple[str, ...]) -> bool:
    """An organisation suffix ending at `xe` closes a name (卖给恒达物流了, 恒达物流的王总) rather than
    opening a longer word (建设路, 集团客户, 包装盒背面, 物业费): what follows is no further noun letter."""
    nxt = text[xe:xe + 1]
    return not nxt or not ("\u4e00" <= nxt <= "\u9fff") or text.startswith(after_name, xe)


def _within_reach(text: str, sg: dict[str, list[tuple[int, int]]], s: int, e: int,
                  memo: dict[tuple[str, int, int], Any] | None) -> list[tuple[int, int]]:
    """The sentence's sharing acts that `_one_clause` could join to the term at [s, e), by position
    alone: one ending at most 2 × `_ACT_REACH` characters before it, or one starting at most
    `_ACT_REACH` units after it. The rest it would refuse; a long unpunctuated sentence repeating a
    term and an act would otherwise pair every term with every act."""
    spans = _starts(sg, "share")
    if len(spans) <= 4:
        return spans
    longest = _remembered(memo, ("share_longest", *spans[0]), lambda: max(xe - xs for xs, xe in spans))
    # Where each `_REACH_UNIT` of the draft starts: the units of [a, b) are those starting there, plus
    # one when `a` falls inside a run of letters and digits (a search from `a` starts a unit there).
    units = _remembered(memo, ("units", 0, 0), lambda: [m.start() for m in _REACH_UNIT.finditer(text)])
    i = bisect_left(units, e)
    inside = 0 < e < len(text) and _ALNUM.match(text, e - 1) is not None and _ALNUM.match(text, e) is not None
    k = i + _ACT_REACH - inside
    limit = units[k] if k < len(units) else len(text)
    lo = bisect_left(spans, s - 2 * _ACT_REACH - longest, key=lambda span: span[0])
    hi = bisect_right(spans, limit, key=lambda span: span[0])
    return spans[lo:hi]


def _one_clause(f: Folded, s: int, e: int, xs: int, xe: int) -> bool:
    """The sharing act at compact [xs, xe) acts on the term at [s, e): both stand in one clause (within
    `_ACT_REACH` characters), a colon after the act opens the term's clause, or the act opens the clause
    right after the term's with no object of its own before it (设计图纸和文档，客户想看我就
    发过去了 / 供应商的批次号贴错了，我拍了照片发到群里: the photo is what is sent). Clauses are cut on the
    wide text, where English words keep their spaces and only punctuation parts clauses."""
    c = f.compact
    wide = f.wide.text
    a, b = (e, xs) if e <= xs else (xe, s)
    # Units are counted only up to one past the reach, so an act far off in a long sentence costs no scan of it.
    near = b - a <= _ACT_REACH or sum(
        1 for _ in islice(_REACH_UNIT.finditer(c.text, a, b), _ACT_REACH + 1)) <= _ACT_REACH
    if xs < s:  # an act before the term: in its clause, or heading it with a colon (转发给你：…预算草案)
        if s - xe > 2 * _ACT_REACH:
            return False  # the colon heads a list of at most a line (and a sentence of many words stays linear)
        cuts = _PUNCT_INSIDE.findall(wide, c.wide_index(xe - 1) + 1, c.wide_index(s))
        return (not cuts and near) or (len(cuts) == 1 and cuts[0] in ":：")
    if not near:
        return False
    a, b = c.wide_index(e - 1) + 1, c.wide_index(xs)
    cuts = [m.end() for m in _PUNCT_INSIDE.finditer(wide, a, b)]
    if not cuts:
        return True
    return len(cuts) == 1 and _OWN_OBJECT.search(wide, cuts[0], b) is None


def _clause_bounds(c: Compact) -> tuple[list[int], list[int]]:
    """(sorted clause boundaries, sorted digit positions) of `c`'s text."""
    global _bounds_of
    last = _bounds_of
    if last[0] is not c:
        last = _bounds_of = (c, sorted(c.clauses), [m.start() for m in _DIGIT.finditer(c.text)])
    return last[1], last[2]


def _boundary_in(c: Compact, a: int, b: int) -> bool:
    """A clause boundary at a position in (a, b]."""
    bounds = _clause_bounds(c)[0]
    k = bisect_right(bounds, a)
    return k < len(bounds) and bounds[k] <= b


def _listed(f: Folded, s: int, e: int) -> bool:
    """True when compact [s, e) lies in an item of an enumeration (客户名单、货源情报 / …、薪资福利标准):
    a catalogue of categories, as the rules write them, not a disclosure."""
    c = f.compact
    wide = f.wide.text
    bounds, digits = _clause_bounds(c)
    k = bisect_left(bounds, e)
    i = min(bounds[k], len(c.text)) if k < len(bounds) else len(c.text)  # first boundary at or after e
    k = bisect_right(bounds, s) - 1
    j = bounds[k] if k >= 0 and bounds[k] > 0 else 0  # last boundary at or before s
    ws = c.wide_index(j) - 1
    while ws >= 0 and wide[ws] in " \t":
        ws -= 1
    we = c.wide_index(i - 1) + 1 if i > 0 else 0
    while we < len(wide) and wide[we] in " \t":
        we += 1
    d = bisect_left(digits, j)
    if d < len(digits) and digits[d] < i:  # an item with a value (面粉500克、糖30克) is not a catalogue entry
        return False
    return (ws >= 0 and wide[ws] == "、") or (we < len(wide) and wide[we] == "、") or wide.startswith("等", we)


@cache
def _level_sounds(levels: tuple[str, ...]) -> dict[str, str]:
    """Han characters read like the first character of a two-character level ending in 密 (鸡/基 for
    机, 觉/决 for 绝) -> that level; not 秘密, whose first half is an everyday word's."""
    from bot.core.text.pinyin import readings

    table = readings()
    firsts = {table.get(level[0]): level for level in levels
              if len(level) == 2 and level[1] == "密" and level != "秘密" and level[0] in table}
    return {ch: firsts[r] for ch, r in table.items() if r in firsts and ch + "密" not in levels}


def _sound_levels(text: str, levels: tuple[str, ...], labels: tuple[str, ...]) -> list[tuple[int, int, str, str]]:
    """Levels typed or dictated with a homophone (鸡密, 基密 for 机密; 机蜜, 绝蜜, 机秘 for 机密 and 绝密: the
    input method's first choice for mi is as often 蜜 or 秘): level hits (and label hits where the level heads
    a label, 鸡密文件) for the marking grammar, which still needs the marking context around them."""
    out = []
    sounds = _level_sounds(levels)
    for second in _MI_SOUNDS:
        i = text.find(second, 1)
        while i > 0:
            first = text[i - 1]
            if second == "密":
                level = sounds.get(first) if first not in "机绝秘" else None
            else:  # 机蜜, 绝秘, 鸡蜜: a level's first half before another mi, or its sound before 蜜 (秘 follows
                # many characters read ji in everyday words: 机要秘书's neighbours, 技秘)
                level = next((lv for lv in levels if len(lv) == 2 and lv[1] == "密" and lv != "秘密"
                              and lv[0] == first), None) or (sounds.get(first) if second == "蜜" else None)
            if level is not None:
                out.append((i - 1, i + 1, "level", ""))
                out += [(i - 1, i + 1 + len(lb) - 2, "label", "") for lb in labels
                        if lb.startswith(level) and len(lb) > 2 and text.startswith(lb[2:], i + 1)]
            i = text.find(second, i + 1)
    return out


# The characters an input method or a dictation gives for the mi of a level (机密 typed 机蜜 or 机秘).
_MI_SOUNDS = ("密", "蜜", "秘")


# Characters that may split a word without ending a clause: spaces, invisible characters, dots,
# dashes and symbols (not the commas, stops and colons of a sentence's own punctuation).
_SPLITTERS = frozenset("·・.•‧∙_~*#/\\|'`-—–+=^")
_NOT_SPLITTERS = frozenset("，,、。；;：:！？!?\n\r")


# The thing pointed at: this / that, or 这/那 with a count and a measure word (这几份病历, 那套图纸, 这批).
_ZH_POINTER = re.compile(r"this|that|these|those|这些|那些|这是|[这那](?:几|两)?[个份本张套批页件卷册]")


def _zh_framed(c: Compact, s: int, g: MarkGrammar) -> bool:
    """An English level in a Chinese marking frame: read out after a stamp verb (顶部写着 Top Secret) or
    given to the thing pointed at (this file 是 Confidential 的, 这份 report 属于 confidential)."""
    # The sentence, not the clause: a space between Chinese and English opens a clause of the compact view.
    lo, hi = c.sentence_of(s)
    seg = c.text[max(lo, s - 12):s]
    if "吗" in c.text[s:hi]:
        return False  # 这个是 confidential 的吗: asking whether it is marked
    return seg.endswith(g.stamp_verbs) or (seg.endswith(g.pointer_copulas) and _ZH_POINTER.search(seg) is not None)


def _split_word(f: Folded, s: int, e: int) -> bool:
    """The word at compact [s, e) stands in the draft with only separators inside it (绝·密, 机 密)."""
    if e - s < 2:
        return False
    c = f.compact
    offs = c.wide.offsets
    starts = [offs[c.wide_index(i)] for i in range(s, e)]
    if starts[-1] - starts[0] == e - s - 1:
        return False
    gaps = [f.original[a + 1:b] for a, b in pairwise(starts)]
    if not all(ch not in _NOT_SPLITTERS and (ch.isspace() or ch in _SPLITTERS
               or unicodedata.category(ch) in ("Cf", "Sm", "So", "Sk", "Pd")) for gap in gaps for ch in gap):
        return False
    # Spaces between every character (机 密 级 文 件, dictation or a spaced-out draft) split no word.
    before, after = f.original[starts[0] - 1:starts[0]], f.original[starts[-1] + 1:starts[-1] + 2]
    return not (all(g.isspace() for g in gaps if g) and (before.isspace() or after.isspace()))


def _not_before(text: str, s: int, g: MarkGrammar) -> bool:
    """A negation right before compact `s` (这份不是机密文件): the level or label is denied, not given."""
    lead = text[max(0, s - 3):s]
    for neg in g.not_before:
        if lead.endswith(neg):
            # 非 alone only as a prefix of its own (非涉密文件); 除非/是非 are other words.
            return neg != "非" or not lead.endswith(("除非", "是非", "莫非", "无非"))
    return False


def _level_soon(text: str, pos: int, marker: Marker | None, end: int = -1, other_than: str = "") -> bool:
    """Another level word within a few characters (from `pos`, or in text[pos:end]): a list of levels (绝密级、机密级和
    秘密级) is prose. `other_than`: the level itself said again (机密的啊，机密！) is emphasis, no list."""
    window = text[pos:pos + 5] if end < 0 else text[pos:end]
    return marker is not None and any(lv in window for lv in marker.levels if lv != other_than)


def _after_level_label(text: str, s: int, g: MarkGrammar) -> bool:
    """True when a level word at `s` follows 密级 / 级别 (密级：秘密, 密级为绝密), not 绝密级 itself."""
    before = text[max(0, s - 5):s]
    for tail in g.level_labels:
        if before.endswith(tail):
            i = s - len(tail)
            return i == 0 or text[i - 1] not in "绝机秘涉商"
    return False


def _clause_has(c: Compact, pos: int, spans: list[tuple[int, int]]) -> bool:
    """A span of `spans` lies in the clause holding compact `pos`."""
    lo = hi = pos
    while lo > 0 and lo not in c.clauses:
        lo -= 1
    while hi < len(c.text) and hi not in c.clauses:
        hi += 1
    return any(lo <= s and e <= hi for s, e in spans)




def _stamped(text: str, s: int, e: int, clauses: frozenset[int], g: MarkGrammar, at: int = -1) -> str:
    """"stamped" when a marking verb puts the level on the document (印着机密, 已定为机密; a stamp read out,
    标的是绝密; a place that has it, 图上有机密字样), "assigned" when a copula does and the level closes its clause
    or takes 级 (通知为机密级, 这份是绝密的, 是机密级的项目), else "". `at`: where the words before the level begin
    (past a dictated stutter or filler, `_lead`)."""
    at = s if at < 0 else at
    lead = at - len(owner) if (owner := next((o for o in g.owners if text.startswith(o, at - len(o))), "")) else at
    before = text[max(0, lead - 4):lead]
    verb = next((v for v in (*g.stamp_verbs, *g.stamp_copulas) if before.endswith(v)), "")
    level = text[s:e]
    graded = text.startswith("级", e)
    if not verb:
        if before.endswith(tuple(q for q in g.quoted_stamp if q.endswith("是"))) and (graded or level != "秘密"):
            return "stamped"  # 上面标的是秘密级的: the stamp read out, quoted or not
        if before.endswith("有") and not before.endswith(("没有", "带有", "含有", "具有")):
            mark = next((w for w in (*g.mark_words, "2个字") if text.startswith(w, e)), "")
            if mark and (e + len(mark) in clauses or e + len(mark) == len(text)):
                return "stamped"  # 图框右上角有机密两个字，…: the place the level is printed on
        return ""
    if verb in g.stamp_verbs:
        return "stamped"
    rest = e + 2 if text.startswith("级别", e) else e + 1 if graded else e
    if text.startswith("的", rest):
        rest += 1
    if rest in clauses or rest == len(text):
        pass  # 是机密级的，项目代号…: the clause closes on the grade
    elif rest > e and (noun := next((n for n in g.graded_nouns if text.startswith(n, rest)), "")):
        rest += len(noun)  # 属于绝密级文件, 这次是机密级的项目: the thing at hand graded, as 属于绝密级 alone is
    for _ in range(2):  # 这个是机密哦, 呢份嘢系机密嚟㗎
        if rest < len(text) and text[rest] in g.particles:
            rest += 1
    closes = rest in clauses or rest == len(text)
    if closes and (rest > e or level != "秘密"):  # 是秘密 alone is everyday speech; 是秘密级 is a marking
        return "assigned"
    return ""


def _lead(text: str, s: int, fillers: tuple[str, ...]) -> int:
    """Where the words before a level at compact `s` begin, past a dictated stutter of its first character (机机密,
    机…机密) and one run of fillers (这个是那个嗯机密的): the copula or stamp verb the speaker said before them."""
    i = s
    while i > 0 and text[i - 1] == text[s] and s - i < 3:
        i -= 1
    moved = True
    while moved and fillers:
        moved = False
        for w in fillers:
            if i >= len(w) and text.startswith(w, i - len(w)):
                i -= len(w)
                moved = True
                break
    return i




def _period(text: str, e: int) -> bool:
    i = e
    while i < len(text) and text[i].isdigit():
        i += 1
    return i > e and text.startswith(("年", "个月", "月", "天"), i)


# After a number, a few letters then a digit: the number heads a code (91410105ma44u8rx2p), not an amount
# (the compact view has lost the spaces: 4.2usdwequote11 is an amount and words).
_CODE_TAIL = re.compile(r"[a-z]{1,3}[0-9]")
# A number named as a service line a few characters on (12366纳税服务热线, 95588客服电话). The words around a
# number that make it an amount or not are secret.yaml `topics.quantity`.
_HOTLINE_AFTER = re.compile(r"[\u4e00-\u9fff]{0,6}?(?:热线|专线|服务电话|客服电话|咨询电话|服务号码)")




def _visited(text: str, s: int, e: int, tg: TopicGrammar) -> bool:
    """The security word at [s, e) names a place the sentence's work goes to or happens in."""
    return text[max(0, s - 2):s].endswith(tg.to_place) or text.startswith(tg.in_place, e)


def _is_amount(text: str, start: int, end: int, q: QuantityGrammar) -> bool:
    """Whether the number text[start:end] is an amount or quantity (by its own shape and what follows)."""
    tok = text[start:end]
    if start > 0 and text[start - 1] == "第":  # 第十一条: an ordinal, not a quantity
        return False
    before = text[max(0, start - 8):start]
    if before.endswith(q.id_before + q.dialled + q.version_before + q.place_before) or text.startswith(
            q.named_after, end) or _HOTLINE_AFTER.match(text, end):
        # 拨打12366, 12366纳税服务热线, 2.2.0版本, 版本v3, 三楼301: a number to dial, a release's or a room's
        # name, not an amount
        return False
    if tok.startswith(("百分之", "千分之")):
        return True
    digit = any(ch.isdigit() for ch in tok)
    mult = any(ch in "十百千万亿拾佰仟" for ch in tok)
    rest = text[end:end + 8]
    if rest.startswith(("多", "来", "余", "几")):
        rest = rest[1:]
    if rest.startswith(q.duration) or (rest.startswith("个月") and (
            text[max(0, start - 2):start].endswith(q.span_before) or rest[2:].startswith(q.span_after))):
        return False  # 期限一百八十天, 近三个月的流水, 三个月后复查: a span of time, not an amount
    if len(tok) == 1 and tok in "123456789" and rest.startswith(q.items):
        return False  # 一共三箱, 两套洁净服, 样机两台: a few things counted in the day's work, not a figure
    if rest.startswith(q.sheets):
        return False  # 图纸共二十六张, 一百二十页: sheets of paper counted, not a figure of what they say
    if rest.startswith(q.workload):
        return False  # 一天200个ticket, 接了四十个电话: the work counted (a workload), not a figure of the business
    unit = rest.startswith(q.units)
    if unit and rest[:1].isascii() and _CODE_TAIL.match(text, end):
        unit = False  # 91410105MA44U8…: letters and digits go on, a code (a tax number), not an amount in m or k
    if unit and (digit or mult):
        return True
    if rest.startswith(q.dateish):
        return False  # 十五号, 二十三楼: a date, a floor or an ordinal names a day or a place, not an amount
    if digit and mult:
        # 十五号发工资, 十二月: a day, a month or a floor in numerals is a date or a place, not an amount.
        return not rest.startswith(q.day_after)
    if digit and rest.startswith("比") and rest[1:2].isdigit():  # 3比2比1: a ratio
        return True
    return bool(digit and len(tok) >= 3 and not rest.startswith(q.dateish) and len(tok) < 7)


def _in_title(f: Folded, s: int) -> bool:
    """The compact position `s` lies inside a book's or a film's title (《不能说的秘密》, 《机密档案》)."""
    w = f.wide.text
    ws = f.compact.wide_index(s)
    return w.rfind("《", 0, ws) > w.rfind("》", 0, ws)


def _period_of_term(text: str, q: tuple[int, int], s: int, e: int) -> bool:
    """The number `q` is the 一 of the topic word at [s, e) itself (一个月挣, 一年拿: how much in a month), a
    period named, not a figure told."""
    return s <= q[0] and q[1] <= e and text[q[0]:q[1]] == "1"


def _in_quote(f: Folded, s: int) -> bool:
    """The compact position `s` lies inside a quotation in the draft as typed ("…", 「…」)."""
    w = f.wide.text
    ws = f.compact.wide_index(s)
    return max(w.rfind("“", 0, ws), w.rfind("「", 0, ws)) > max(w.rfind("”", 0, ws), w.rfind("」", 0, ws))


def _clock_time(f: Folded, s: int, e: int) -> bool:
    """The compact number [s, e) is a time of day in the draft as typed (17:00, 8:30): a colon stands between
    its digits, or right after it before two digits."""
    c = f.compact
    ws, we = c.wide_index(s), c.wide_index(e - 1) + 1
    wide = f.wide.text
    return any(ch in ":：" for ch in wide[ws:we]) or (
        wide[we:we + 1] in (":", "：") and wide[we + 1:we + 3].isdigit())


def _number_table(text: str, q: QuantityGrammar) -> tuple[list[int], list[int], list[int]]:
    """The draft's numbers (starts, ends) and for each the index of the first amount at or after it
    (len when none): one pass, so that a window's first amount is a lookup."""
    spans = [m.span() for m in _NUM.finditer(text)]
    starts, ends = [s for s, _ in spans], [e for _, e in spans]
    next_amount = [len(spans)] * (len(spans) + 1)
    for i in range(len(spans) - 1, -1, -1):
        next_amount[i] = i if _is_amount(text, starts[i], ends[i], q) else next_amount[i + 1]
    return starts, ends, next_amount


def _quantity(text: str, lo: int, hi: int, q: QuantityGrammar,
              memo: dict[tuple[str, int, int], Any] | None = None) -> tuple[int, int] | None:
    """Span of the first amount or quantity in text[lo:hi] (三成, 八十多万, 百分之十二, 38一箱, 7500), by the
    words around a number of `q` (secret.yaml `topics.quantity`).

    Whether a number is an amount depends only on its span in `text`: `memo` (one per draft) keeps
    the verdicts and each window's answer, so the overlapping windows of a draft full of topic words
    judge each number once.
    """
    if memo is None:
        memo = {}
    window = ("window", lo, hi)
    if window in memo:
        return memo[window]
    # Where a number or an English amount word lies, found once per draft: a window holding
    # neither has no quantity, and is answered without a search.
    marks = _remembered(memo, ("marks", 0, 0), lambda: ([m.start() for m in _NUM_CHAR.finditer(text)],
                                                        [m.end() for m in _EN_AMOUNT.finditer(text)]))
    digits, words = marks
    i, j = bisect_left(digits, lo), bisect_left(words, lo)
    if not (i < len(digits) and digits[i] < hi) and not (j < len(words) and words[j] <= hi):
        memo[window] = None
        return None
    table = _remembered(memo, ("numbers", 0, 0), lambda: _number_table(text, q))
    starts, ends, next_amount = table
    # A window that neither starts nor ends inside one of the draft's numbers sees exactly those
    # numbers (the pattern looks behind past its start): its first amount is looked up.
    i = bisect_left(starts, lo)
    if not (i > 0 and ends[i - 1] > lo):
        a = next_amount[i]
        if a < len(starts) and ends[a] <= hi:
            memo[window] = (starts[a], ends[a])
            return memo[window]
        k = bisect_left(starts, hi) - 1
        if not (k >= i and ends[k] > hi):
            en = _EN_NUM.search(text, lo, hi) if j < len(words) and words[j] <= hi else None
            memo[window] = (en.start(), en.end()) if en else None
            return memo[window]
    found: tuple[int, int] | None = None
    for m in _NUM.finditer(text, lo, hi):
        key = ("number", m.start(), m.end())
        verdict = memo.get(key)
        if verdict is None:
            verdict = memo[key] = _is_amount(text, m.start(), m.end(), q)
        if verdict:
            found = (m.start(), m.end())
            break
    else:
        en = _EN_NUM.search(text, lo, hi)
        found = (en.start(), en.end()) if en else None
    memo[window] = found
    return found
