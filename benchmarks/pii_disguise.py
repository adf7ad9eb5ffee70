"""Personal data by disguise: valid numbers and e-mail addresses written the ways staff hide them.

Every draft is generated here (valid GB 11643 IDs, Luhn cards, 1[3-9] mobiles, made-up
addresses), not taken from an evaluation set. For each disguise kind the table gives the share of
drafts in which the checker reports personal data of the right category, and for each clean kind
(order numbers, amounts, dates, hotlines, masked numbers, 尾号 — in the same disguises) the share
reported as personal data (should be 0).

    .venv/bin/python benchmarks/pii_disguise.py [--per 60] [--misses KIND]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core.check.checker import Checker, default_checker
from bot.core.check.pii import luhn_ok

GOAL = 0.97
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_REGIONS = ("110105", "120101", "130102", "210202", "320106", "330102", "350203", "370202", "410105",
            "420106", "440106", "450103", "510104", "530102", "610103", "650102")


def resident_id(rng: random.Random) -> str:
    born = date(1952, 1, 1) + timedelta(days=rng.randrange(365 * 50))
    body = f"{rng.choice(_REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def resident_id_x(rng: random.Random) -> str:
    while True:
        v = resident_id(rng)
        if v.endswith("X"):
            return v


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def bank_card(rng: random.Random) -> str:
    body = rng.choice(("62", "43", "52")) + "".join(rng.choice("0123456789") for _ in range(rng.choice((14, 15, 16))))
    return next(body + d for d in "0123456789" if luhn_ok(body + d))  # luhn_ok is tested on its own (test_pii)


# Digit spellings ------------------------------------------------------------------------------
_PINYIN = {"0": ("ling", "dong"), "1": ("yi", "yao"), "2": ("er", "liang"), "3": ("san",), "4": ("si",),
           "5": ("wu",), "6": ("liu",), "7": ("qi", "guai"), "8": ("ba",), "9": ("jiu",)}
_HAN = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
_RADIO = dict(zip("0123456789", "洞幺两三四五六拐八九", strict=True))
_FIN = dict(zip("0123456789", "零壹贰叁肆伍陆柒捌玖", strict=True))
_FIN_TRAD = dict(zip("0123456789", "零壹貳參肆伍陸柒捌玖", strict=True))  # traditional financial forms
_FULL = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
_X = ("x", "Ｘ", "叉", "X")


def _spell(value: str, rng: random.Random, table: Callable[[str], str], sep: str = "") -> str:
    return sep.join(table(c) for c in value)


def _x(c: str, rng: random.Random) -> str:
    return rng.choice(_X) if c == "X" else c


def _pinyin(sep: str) -> Callable[[str, random.Random], str]:
    def apply(v: str, rng: random.Random) -> str:
        return sep.join(rng.choice(_PINYIN[c]) if c.isdigit() else "x" for c in v)
    return apply


def _groups(v: str) -> list[str]:
    if len(v) == 11:
        return [v[:3], v[3:7], v[7:]]
    if len(v) == 18:
        return [v[:6], v[6:14], v[14:]]
    return [v[i:i + 4] for i in range(0, len(v), 4)]


def _grouped(sep: str) -> Callable[[str, random.Random], str]:
    return lambda v, rng: sep.join(_groups(v))


def _each(sep: str) -> Callable[[str, random.Random], str]:
    return lambda v, rng: sep.join(v)


def _pieces(v: str, rng: random.Random) -> str:
    g = _groups(v)
    if len(g) == 3:
        a, b, c = g
        return rng.choice((f"前{len(a)}位{a}，中间{b}，后{len(c)}位{c}",
                           f"开头是{a}，中间是{b}，结尾是{c}",
                           f"前面{a}，然后{b}，最后{c}"))
    head, tail = "".join(g[:2]), "".join(g[2:])
    return rng.choice((f"前{len(head)}位{head}，后{len(tail)}位{tail}", f"开头是{head}，后面是{tail}"))


_TONED = dict(zip("0123456789X", ("líng", "yāo", "èr", "sān", "sì", "wǔ", "liù", "qī", "bā", "jiǔ", "x"), strict=True))
_ENGLISH = dict(zip("0123456789X", "zero one two three four five six seven eight nine X".split(), strict=True))
_MIXED_SEPS = (" ", "-", ".", "/", "*", " - ", "、", "~", "_", "")


def _english_spoken(v: str, rng: random.Random) -> str:
    """Read aloud in English: 0 as "oh", a digit said twice as "double …"."""
    words: list[str] = []
    i = 0
    while i < len(v):
        word = "oh" if v[i] == "0" else _ENGLISH.get(v[i], v[i])
        if i + 1 < len(v) and v[i + 1] == v[i] and v[i] != "X":
            words.append(f"double {word}")
            i += 2
        else:
            words.append(word)
            i += 1
    return " ".join(words)

def _pieces_out_of_order(v: str, rng: random.Random) -> str:
    g = _groups(v)
    if len(g) == 3:
        a, b, c = g
        return rng.choice((f"后{len(c)}位{c}，前{len(a)}位{a}，中间{b}", f"结尾{c}，开头{a}，中间是{b}"))
    head, tail = "".join(g[:2]), "".join(g[2:])
    return f"后{len(tail)}位是{tail}，前{len(head)}位是{head}"


_SAID_SEPS = ("杠", " 杠 ", "横杠", " 空格 ", "，然后", "，再", "，接着是")  # words said between groups
_SAID_X = ("艾克斯", " 爱克斯", "大写X", " 大写的x", "埃克斯")  # the ID's X said aloud


# disguise -> writer of a number
NUMBER_DISGUISES: dict[str, Callable[[str, random.Random], str]] = {
    "plain": lambda v, rng: v,
    "pinyin_spaced": _pinyin(" "),
    "pinyin_joined": _pinyin(""),
    "pinyin_dashed": _pinyin("-"),
    "radio": lambda v, rng: "".join(_RADIO.get(c, _x(c, rng)) for c in v),
    "han_digits": lambda v, rng: "".join(_HAN.get(c, _x(c, rng)) for c in v),
    "mixed_han_arabic": lambda v, rng: "".join(rng.choice((c, _HAN.get(c, c), _RADIO.get(c, c)))
                                               if c.isdigit() else _x(c, rng) for c in v),
    "financial": lambda v, rng: "".join(_FIN.get(c, _x(c, rng)) for c in v),
    "financial_traditional": lambda v, rng: "".join(_FIN_TRAD.get(c, _x(c, rng)) for c in v),
    "financial_traditional_grouped": lambda v, rng: " ".join("".join(_FIN_TRAD.get(c, _x(c, rng)) for c in g)
                                                             for g in _groups(v)),
    "fullwidth": lambda v, rng: "".join(_FULL.get(c, c) for c in v),
    "sep_space": _grouped(" "),
    "sep_dot": _grouped("."),
    "sep_dash": _grouped("-"),
    "sep_slash": _grouped("/"),
    "sep_comma": _grouped("，"),
    "sep_middot": _grouped("·"),
    "sep_emoji": _grouped("🌟"),
    "sep_star": _grouped("*"),
    "sep_zero_width": _each("\u200b"),
    "sep_newline": _grouped("\n"),
    "each_digit_space": _each(" "),
    "spread_with_spaces": lambda v, rng: "    ".join("  ".join(g) for g in _groups(v)),
    "pieces": _pieces,
    "pieces_after_false_start": lambda v, rng: rng.choice(("幺三……不对，", "一五八，哦不是，", "先记个139，错了，"))
                                                 + _pieces(v, rng).replace("前", "", 1),
    "prefix_0086": lambda v, rng: ("0086 " + v) if len(v) == 11 else v,
    "pinyin_tones": lambda v, rng: " ".join(_TONED.get(c, c) for c in v),
    "english_words": lambda v, rng: " ".join(_ENGLISH.get(c, c) for c in v),
    "english_spoken": _english_spoken,
    "pieces_out_of_order": _pieces_out_of_order,
    "pieces_by_sentence": lambda v, rng: _pieces(v, rng).replace("，", "。"),
    "x_apart": lambda v, rng: " ".join(_groups(v[:-1] if v.endswith("X") else v))
                              + (rng.choice((" 叉", "（叉）", " x", "-X")) if v.endswith("X") else ""),
    "listed_with_a_mobile": lambda v, rng: " ".join(_groups(v)) + rng.choice((" / ", "，", "、", " 或 "))
                                           + " ".join(_groups(mobile(rng))),
    "pieces_han": lambda v, rng: "".join(_HAN.get(c, c) for c in _pieces(v, rng)),
    "han_grouped": lambda v, rng: " ".join("".join(_HAN.get(c, _x(c, rng)) for c in g) for g in _groups(v)),
    "pinyin_grouped": lambda v, rng: "，".join(_pinyin(" ")(g, rng) for g in _groups(v)),
    "sep_mixed": lambda v, rng: "".join(c + (rng.choice(_MIXED_SEPS) if i % 3 == 2 else "")
                                        for i, c in enumerate(v)).strip(" -./*、~_"),
    # Dictated through a phone's speech-to-text or typed as said in a work chat: groups of Chinese digits
    # (幺/两/洞 mixed in) with commas, dashes or words between them, groups mixed Arabic and Chinese, the X said.
    "dictated_groups_comma": lambda v, rng: rng.choice(("，", ",", "、", "。")).join(
        "".join(rng.choice((_HAN, _RADIO)).get(c, _x(c, rng)) for c in g) for g in _groups(v)),
    "dictated_groups_words": lambda v, rng: rng.choice(_SAID_SEPS).join(
        "".join(_RADIO.get(c, _x(c, rng)) for c in g) for g in _groups(v)),
    "mixed_groups": lambda v, rng: " ".join(g if i % 2 else "".join(_HAN.get(c, _x(c, rng)) for c in g)
                                            for i, g in enumerate(_groups(v))),
    "x_said": lambda v, rng: " ".join(_groups(v[:-1] if v.endswith("X") else v))
                             + (rng.choice(_SAID_X) if v.endswith("X") else ""),
    "x_said_han": lambda v, rng: "".join(_HAN.get(c, c) for c in (v[:-1] if v.endswith("X") else v))
                                 + (rng.choice(("叉", "艾克斯", "大写叉")) if v.endswith("X") else ""),
    # Round 28: the letter O typed for the digit 0 (138OO…), alone or in groups.
    "letter_o_for_zero": lambda v, rng: rng.choice(("", " ")).join(
        g.replace("0", rng.choice(("o", "O"))) for g in _groups(v)),
    # Chinese digits with the input method's circle for 零 (一三八○○…), and fillers or confirmations that
    # speech-to-text writes between dictated groups (幺三八，嗯，一二三四).
    "circle_zero": lambda v, rng: "".join({**_HAN, "0": rng.choice(("○", "◯"))}.get(c, _x(c, rng)) for c in v),
    "fillers_between_groups": lambda v, rng: "".join(
        (rng.choice(("，嗯，", "，呃，", " 那个 ", "，就是", "，对，", "，啊，")) if i else "")
        + "".join(rng.choice((_HAN, _RADIO, {})).get(c, _x(c, rng)) for c in g) for i, g in enumerate(_groups(v))),
    # Round 43: speech-to-text writes a said digit as another character of its sound (要三九 for 幺三九, 久 for
    # 九, 巴 for 八), and a repeated digit as 双 (双九 for 九九) or 三个零 for 零零零.
    "dictated_sound_alikes": lambda v, rng: rng.choice(("", " ")).join(
        "".join(_sound(c, rng) for c in g) for g in _groups(v)),
    "dictated_doubled": lambda v, rng: _doubled(v, rng),
}
_SOUNDS = {"1": "要腰妖", "2": "而耳", "3": "伞", "4": "思死斯", "5": "无舞吴", "6": "溜留", "7": "期漆妻",
           "8": "巴吧爸", "9": "久酒", "0": "灵铃"}


def _sound(c: str, rng: random.Random) -> str:
    """A digit said in Chinese, a third of the time typed as a sound-alike by the speech input."""
    if c in _SOUNDS and rng.random() < 0.35:
        return rng.choice(_SOUNDS[c])
    return _HAN.get(c, _x(c, rng))


def _doubled(v: str, rng: random.Random) -> str:
    """Chinese digits, a digit said twice as 双 and it (双九), three zeros as 三个零."""
    out, i = [], 0
    while i < len(v):
        c = v[i]
        if v[i:i + 3] == "000":
            out.append("三个零")
            i += 3
        elif i + 1 < len(v) and v[i + 1] == c and c != "X":
            out.append("双" + _HAN[c])
            i += 2
        else:
            out.append(_HAN.get(c, _x(c, rng)))
            i += 1
    return "".join(out)


_LABELS = {"mobile": ("手机", "电话", "手机号是", "联系电话：", "他的号码"),
           "id_card": ("身份证", "身份证号", "证件号码是", "身份证号码："),
           "bank_card": ("卡号", "银行卡号是", "工资卡", "收款账号：")}
_FRAMES = ("客户{l}{v}，麻烦登记一下。", "{l} {v} 这位先生下午还会过来", "王阿姨{l}{v}，回访时注意语气",
           "帮我查下{l}{v}的记录", "{l}{v}")

# E-mail ----------------------------------------------------------------------------------------
_LOCALS = ("zhangwei", "li.ming88", "wanghui_2021", "chenjing", "liu.yang", "zhaolei77", "sunli", "huangmin")
SPACED_LOCALS = ("zhang wei", "li xiao ming", "wang fang", "chen jing88")
_DOMAINS = (("163", "com"), ("qq", "com"), ("126", "com"), ("sina", "com"), ("gmail", "com"),
            ("foxmail", "com"), ("company", "cn"), ("example", "com", "cn"))
_ATS = {"at_spaced": " at ", "at_paren": "(at)", "at_bracket": "[at]", "at_fullwidth": "＠", "at_aite": "艾特",
        "at_quan": "圈a", "at_spaces_round": " @ ", "at_paren_cn": "（at）", "at_word_upper": " AT ",
        "at_zai": "在", "at_paren_a": "(a)", "at_bracket_a": "[a]", "at_zai_spaced": " 在 ", "at_mouse": "小老鼠"}
_DOTS = {"dot_plain": ".", "dot_dian": "点", "dot_word": " dot ", "dot_juhao": "句号", "dot_paren": "(dot)",
         "dot_cn_full": "。", "dot_spaced": " . "}
_MAIL_FRAMES = ("资料发到邮箱{v}就行", "客户邮箱：{v}，记得抄送", "他的email是 {v} 请回复", "发 {v} 吧")


def _email(rng: random.Random, at: str, dot: str) -> str:
    host = rng.choice(_DOMAINS)
    return f"{rng.choice(_LOCALS)}{at}{dot.join(host)}"


# Clean kinds: must not be personal data -------------------------------------------------------
def _clean(rng: random.Random) -> dict[str, str]:
    order = f"{rng.randrange(2019, 2026)}{rng.randrange(10**13):013d}"
    hotline = rng.choice(("400", "800")) + f"{rng.randrange(10**7):07d}"
    land = rng.choice(("010", "021", "0755", "0571")) + f"{rng.randrange(10**7, 10**8)}"
    m = mobile(rng)
    return {
        "order_number": f"订单号{order}，请耐心等待",
        "amount": f"本月营业额{rng.randrange(10**6, 10**9):,}元，比上月略高",
        "date": f"活动时间{rng.randrange(2024, 2027)}年{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日至"
                f"{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日",
        "hotline": f"如有疑问请拨打客服热线{hotline}",
        "hotline_spaced": f"全国服务热线 {hotline[:3]}-{hotline[3:6]}-{hotline[6:]}",
        "landline": f"门店座机{land[:-8]}-{land[-8:]}，工作日可打",
        "masked_mobile": f"您尾号{m[-4:]}的手机，号码{m[:3]}****{m[-4:]}已验证",
        "tail_digits": f"请确认卡号尾号{m[-4:]}是否正确",
        "tail_pinyin": f"尾号是{_pinyin(' ')(m[-4:], rng)}的那张卡",
        "order_han": "单号" + "".join(_HAN[c] for c in order),
        "quantity_han": f"一共{rng.randrange(2, 9)}{rng.randrange(100, 999)}件，一二三号柜台都有",
        "english_at": rng.choice(("I work at qq now, call me later", "meet Li at 163 Jianshe Road", "see you at 126")),
        "zai_prose": rng.choice(("我在qq上跟他说过了", "客户在163号门店办的卡", "店员在 sina 微博上发了通知",
                                 "资料在 u 盘里，点开就能看")),
        "group_mention": f"群里@{rng.choice(('张三', '小王', 'all'))} 看一下{rng.choice(('163', 'qq', ''))}号文件",
        "mail_rules_prose": rng.choice(("邮箱前缀写工号，后缀统一是公司域名", "邮件后缀是 company.cn 的都是内部人员",
                                        "email 后面附上工号即可")),
        # Dictated look-alikes: public numbers and the customer's own tail read out in groups.
        "order_dictated": "订单号" + "，".join("".join(_RADIO[c] for c in g) for g in _groups(m)),
        "hotline_dictated": "客服热线" + "，".join("".join(_HAN[c] for c in g)
                                                 for g in (hotline[:3], hotline[3:6], hotline[6:])),
        "landline_dictated": f"门店座机{''.join(_RADIO[c] for c in land[:-8])}，"
                             f"{''.join(_HAN[c] for c in land[-8:-4])}，{''.join(_HAN[c] for c in land[-4:])}",
        "date_han": f"活动从二零{''.join(_HAN[c] for c in str(rng.randrange(20, 27)))}年"
                    f"{_HAN[str(rng.randrange(1, 10))]}月"
                    f"十{_HAN[str(rng.randrange(1, 10))]}日开始，到二零二七年一月三十一日结束",
        "tail_dictated": f"您尾号{''.join(_RADIO[c] for c in m[-4:])}的手机已验证，"
                         f"卡号后四位{''.join(_HAN[c] for c in m[-4:])}",
        "english_order": rng.choice((f"Order No. {order}, shipping today", f"tracking number {m}, pls check",
                                     f"call our hotline {hotline[:3]}-{hotline[3:6]}-{hotline[6:]}",
                                     f"invoice {rng.randrange(10**10, 10**11)}{rng.randrange(10)}")),
        # Round 28: letters glued to digits that are no label (a device or tracking code), the letter O
        # among digits that make no number, and pieces by place that only give the customer's head and tail.
        "code_letters_digits": rng.choice((f"设备 XK{m} 已返厂", f"包裹SF{rng.randrange(10**11, 10**12)}到了",
                                           f"型号ABC{bank_card(rng)[:12]}停产", f"批号LOT{m}合格")),
        "store_card": f"{rng.choice(('储值卡', '礼品卡', '会员卡', '加油卡', '购物卡'))}"
                      f"{rng.choice(('', '号', ' ', '：'))}{_unchecked_card(rng)}余额不足",
        "order_grouped": f"订单号 {order[:4]} {order[4:]}，请耐心等待",
        "letter_o_prose": rng.choice(("2O24年第2O期培训共1OO人", "房间1O1和2O3都空着", "版本v1.0.2O上线了")),
        "place_pieces_partial": rng.choice((f"前三位{m[:3]}，后四位{m[-4:]}，您核对下是不是您的号",
                                            f"尾数{m[-4:]}，开头{m[:3]}的那个手机")),
        # Round 43: said digits with sound-alike characters in a public number and in prose (要三个，巴士七路).
        "hotline_sound_alikes": "客服热线" + "，".join("".join(_sound(c, rng) for c in g)
                                                  for g in (hotline[:3], hotline[3:6], hotline[6:])),
        "order_sound_alikes": "订单号" + " ".join("".join(_sound(c, rng) for c in g) for g in _groups(order)),
        "sound_prose": rng.choice(("一期二期三期要四期也要，五六个人留下来", "我要三个，他要两个，巴士七路和九路都到站",
                                   "第一期、第二期、第三期的思路九月再定，要五六个人",
                                   "双九重阳要三个人值班，七八个志愿者留守")),
        "pinyin_prose": rng.choice(("Liu Yi 明天值班，请 Wang Er 接替", "yi er san si wu, shang shan da lao hu",
                                    "咱们 ba 这个问题 liu 到明天", "qi shi 我也不知道 san 点以后吧")),
    }


def number_drafts(per: int, seed: int = 20261202) -> list[tuple[str, str, str]]:
    """(disguise, category, draft) — `per` drafts per disguise, categories in turn."""
    rng = random.Random(seed)
    makers = {"mobile": mobile, "id_card": resident_id, "bank_card": bank_card}
    out = []
    for name, writer in NUMBER_DISGUISES.items():
        for i in range(per):
            cat = ("mobile", "id_card", "bank_card")[i % 3]
            value = resident_id_x(rng) if cat == "id_card" and i % 2 else makers[cat](rng)
            v = writer(value, rng)
            out.append((name, cat, rng.choice(_FRAMES).format(l=rng.choice(_LABELS[cat]), v=v)))
    return out


# The number's word after it (前三位…，后面…，这是…的电话) or in English (work chats).
_PLACE_FIRST = ("前三位{a}，后面{b}，这是客户的{l}", "开头{a}，后面是{b}，{l}没错吧")
_ENGLISH_LABELS = {"mobile": ("phone", "mobile", "cell", "his number is", "call him at"),
                   "id_card": ("ID card", "ID no.", "identity card number", "her ID"),
                   "bank_card": ("card number", "bank account", "debit card", "the refund card no.")}
_ENGLISH_FRAMES = ("Customer {l}: {v}, pls verify thx", "The courier's {l} is {v}, just check it.",
                   "{l} {v} — confirm before 5pm", "客户的 {l} 是 {v}，麻烦 process 一下")


# Round 28: an English or chat label typed with no gap before the number (vx138…, Tel138…, card6222…).
_GLUED_LABELS = {"mobile": ("vx", "wx", "v", "tel", "Tel", "phone", "mob", "cell", "VX", "call"),
                 "id_card": ("ID", "id", "idno"),
                 "bank_card": ("card", "acct", "Card", "account")}
_GLUED_FRAMES = ("加我{l}{v}，备注客户", "{l}{v}", "联系人王姐{l}{v}下午在", "客户的{l}{v}，记一下")
# A card whose check digit is wrong (as written by hand), named by its bank, by the card itself or by the
# transfer it receives: the number's word, not its checksum, says it is a card.
_BANKS = ("工行", "建行", "农行", "中行", "招行", "交行", "邮储", "工商银行", "建设银行", "农业银行", "中国银行",
          "招商银行", "交通银行", "浦发", "中信银行", "兴业银行", "民生银行", "光大银行", "平安银行", "广发银行")
_CARD_WORDS = ("{b}卡", "{b}的卡", "开户行{b}，", "{b}储蓄", "{b}账户", "那张{b}卡", "收款人张伟 {b}", "账户名李娜，",
               "这张卡", "退款卡", "他的卡：", "副卡")
_CARD_FRAMES = ("退款退到他{w}{v}，你核对一下", "{w}{v}", "客户说钱转到{w} {v} 就行", "麻烦打到{w}{v}，谢谢")


_BUSINESS_FRAMES = ("{w}的事找财务小王{v}", "{w}那边的李师傅 {v}，你催一下", "{w}问题联系张会计{v}",
                    "关于{w}，客户王磊{v}")


def _unchecked_card(rng: random.Random) -> str:
    while True:
        body = "".join(rng.choice("0123456789") for _ in range(rng.choice((14, 15, 17))))
        v = rng.choice(("62", "62", "43", "52")) + body
        if not luhn_ok(v):
            return v


# Pieces named by their place and no word for the number at all (前三位…，中间四位…，尾数…), or the tail
# named 尾数 after digits said straight (幺八六零二一四，尾数七七八九).
_PLACE_ONLY = ("前三位{a}，中间四位{b}，尾数{c}，客户留的", "开头{a}，中间{b}，最后四位{c}",
               "后四位{c}，中间{b}，前三位{a}，记一下", "{a}{b}，尾数{c}，下午回个话")


def labelled_drafts(per: int, seed: int = 20261205) -> list[tuple[str, str, str]]:
    """Numbers whose word comes after them, or is English."""
    rng = random.Random(seed)
    out = []
    for _ in range(per):
        v = mobile(rng)
        a, b = v[:3], v[3:]
        a = "".join(rng.choice((_HAN, _RADIO, {})).get(c, c) for c in a)
        draft = rng.choice(_PLACE_FIRST).format(a=a, b=b, l=rng.choice(("电话", "手机号")))
        out.append(("word_after_pieces", "mobile", draft))
    makers = {"mobile": mobile, "id_card": resident_id, "bank_card": bank_card}
    for i in range(per):
        cat = ("mobile", "id_card", "bank_card")[i % 3]
        v = makers[cat](rng)
        if cat == "mobile" and rng.random() < 0.5:
            v = "+86 " + " ".join(_groups(v))
        elif rng.random() < 0.5:
            v = " ".join(_groups(v))
        out.append(("english_label", cat, rng.choice(_ENGLISH_FRAMES).format(l=rng.choice(_ENGLISH_LABELS[cat]), v=v)))
    for i in range(per):
        cat = ("mobile", "id_card", "bank_card")[i % 3]
        v = makers[cat](rng)
        out.append(("label_glued", cat, rng.choice(_GLUED_FRAMES).format(l=rng.choice(_GLUED_LABELS[cat]), v=v)))
    # A business word a few words before a mobile names what the call is about, not the number (快递小哥的号…).
    for _ in range(per):
        v = mobile(rng)
        if rng.random() < 0.4:
            v = " ".join(_groups(v))
        out.append(("business_word_before", "mobile", rng.choice(_BUSINESS_FRAMES).format(
            w=rng.choice(("快递", "退款", "发票", "物流", "订单", "积分", "工单")), v=v)))
    for _ in range(per):
        v = _unchecked_card(rng)
        if rng.random() < 0.4:
            v = " ".join(_groups(v))
        word = rng.choice(_CARD_WORDS).format(b=rng.choice(_BANKS))
        out.append(("card_by_bank_unchecked", "bank_card", rng.choice(_CARD_FRAMES).format(w=word, v=v)))
    for _ in range(per):
        v = mobile(rng)
        a, b, c = v[:3], v[3:7], v[7:]
        if rng.random() < 0.5:
            a, b, c = ("".join(rng.choice((_HAN, _RADIO)).get(d, d) for d in g) for g in (a, b, c))
        out.append(("pieces_by_place_only", "mobile", rng.choice(_PLACE_ONLY).format(a=a, b=b, c=c)))
    return out


# Local parts whose _ - . are said as words, and digits said in Chinese.
SAID_LOCALS = ("zhang下划线wei", "li点ming88", "wang 下划线 hui2021", "chen杠jing")
_SAID_AT = {"at_pinyin": ("ai te", "aite", "quan a"), "at_symbol_word": ("at符号", " at 符号 ", "艾特符号", "@符号"),
            "at_aite_homophone": ("爱特", " 爱特 ")}


def email_drafts(per: int, seed: int = 20261203) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    out = []
    for name, at in _ATS.items():
        for _ in range(per):
            value = _email(rng, at, rng.choice(("点", ".", " dot ")))
            out.append((name, "email", rng.choice(_MAIL_FRAMES).format(v=value)))
    for name, dot in _DOTS.items():
        for _ in range(per):
            value = _email(rng, rng.choice(("@", " at ", "艾特")), dot)
            out.append((name, "email", rng.choice(_MAIL_FRAMES).format(v=value)))
    out += [("at_dot_han_spaced", "email", f"邮箱 {rng.choice(_LOCALS)} 艾特 {rng.choice(('qq', '163'))} 点 com")
            for _ in range(per)]
    out += [("digits_local", "email", f"邮箱{rng.randrange(10**5, 10**10)}{rng.choice(('艾特', '@', ' at ', '(at)'))}qq"
                                      f"{rng.choice(('点', '.', ' dot ', '句号'))}com") for _ in range(per)]
    out += [("upper_case", "email", f"EMAIL: {rng.choice(_LOCALS).upper()} AT {rng.choice(('QQ', 'GMAIL'))} DOT COM")
            for _ in range(per)]
    out += [("host_without_tld", "email", f"邮箱{rng.choice(_LOCALS)}{rng.choice(('@', '艾特', '(at)', '＠'))}"
                                          f"{rng.choice(('163', 'qq', '126', 'sina'))}"
                                          f"{rng.choice(('', '邮箱', '的'))}就行")
            for _ in range(per)]
    out += [("local_in_words", "email", f"邮箱{rng.choice(('', ' ', '：'))}{rng.choice(SPACED_LOCALS)}"
                                        f"{rng.choice(('@', ' @ ', ' at ', '艾特'))}{rng.choice(('163', 'qq'))}.com")
            for _ in range(per)]
    out += [("address_in_two_parts", "email", rng.choice(("邮箱前缀{l}，后缀{d}", "客户邮箱用户名 {l} 域名是 {d}",
                                                        "邮箱是{l}，后面加@{d}", "email {l} 后缀 {d}")).format(
        l=rng.choice(_LOCALS), d=rng.choice(("点", ".", " dot ")).join(rng.choice(_DOMAINS)))) for _ in range(per)]
    out += [("name_at_domain_dot_com", "email",
             f"邮箱 {rng.choice(_LOCALS)} at {rng.choice(('qq', '163', 'sina'))} dot com")
            for _ in range(per)]
    for name, ats in _SAID_AT.items():
        out += [(name, "email", f"{rng.choice(('邮箱', 'you xiang：', 'email '))}{rng.choice(_LOCALS)} "
                                f"{rng.choice(ats)} "
                                f"{rng.choice(('qq', '163', 'sina'))} {rng.choice(('dian', '点', 'dot'))} com")
                for _ in range(per)]
    out += [("local_said_separators", "email", f"邮箱{rng.choice(SAID_LOCALS)}{rng.choice(('艾特', ' at ', '@'))}"
                                               f"{rng.choice(('qq', '163'))}{rng.choice(('点', ' 点 ', '.'))}com")
            for _ in range(per)]
    out += [("digits_local_said", "email", "邮箱" + "".join(rng.choice((_HAN, _RADIO))[c] for c in
                                                            str(rng.randrange(10**5, 10**10)))
                                           + f"{rng.choice(('艾特', ' at ', '圈a'))}qq点com") for _ in range(per)]
    return out


def clean_drafts(per: int, seed: int = 20261204) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out = []
    for _ in range(per):
        out += list(_clean(rng).items())
    return out


def _pii(checker: Checker, draft: str) -> list[str]:
    return [f.category for f in checker.check(draft).findings if f.kind == "pii"]


Counts = dict[str, tuple[int, int]]


def table(checker: Checker, per: int) -> tuple[Counts, Counts, list[tuple[str, str]]]:
    """(disguise -> (found, total), clean kind -> (flagged, total), misses as (kind, draft))."""
    found: dict[str, list[int]] = {}
    misses = []
    for name, cat, draft in number_drafts(per) + labelled_drafts(per) + email_drafts(per):
        ok = cat in _pii(checker, draft)
        cell = found.setdefault(name, [0, 0])
        cell[0] += ok
        cell[1] += 1
        if not ok:
            misses.append((name, draft))
    flagged: dict[str, list[int]] = {}
    for name, draft in clean_drafts(per):
        bad = bool(_pii(checker, draft))
        cell = flagged.setdefault(name, [0, 0])
        cell[0] += bad
        cell[1] += 1
        if bad:
            misses.append((name, draft))
    return ({k: (a, b) for k, (a, b) in found.items()}, {k: (a, b) for k, (a, b) in flagged.items()}, misses)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per", type=int, default=60)
    ap.add_argument("--misses", default="", help="print the misses (or false alarms) of this kind ('all')")
    args = ap.parse_args()
    found, flagged, misses = table(default_checker(), args.per)
    ok = True
    print(f"{'disguise':<24} found  rate")
    for name, (hit, total) in found.items():
        ok &= hit / total >= GOAL
        print(f"{name:<24} {hit:>3}/{total:<4} {hit / total:.3f}")
    print(f"\n{'clean kind':<24} flagged")
    for name, (bad, total) in flagged.items():
        ok &= bad == 0
        print(f"{name:<24} {bad:>3}/{total}")
    for kind, draft in misses:
        if args.misses in (kind, "all"):
            print(kind, repr(draft))
    print(f"goal: >= {GOAL} found per disguise, 0 clean flagged: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
