"""Personal data: validation (GB 11643, Luhn, mobile prefixes), boundaries, contexts, masking."""

from __future__ import annotations

import pytest

from bot.core.check.checker import default_checker
from bot.core.check.pii import classify_number, is_resident_id, luhn_ok, mask

CHECKER = default_checker()


def pii(draft: str) -> list[tuple[str, str]]:
    return [(f.category, f.text) for f in CHECKER.check(draft).findings if f.kind == "pii"]


def test_resident_id_check_digit_and_date():
    assert is_resident_id("11010519491231002X")
    assert is_resident_id("11010519491231002x")
    assert not is_resident_id("110105194912310021")  # wrong check digit
    assert not is_resident_id("110105194913310024")  # month 13
    assert not is_resident_id("990105194912310020")  # no such province
    assert is_resident_id("110105491231002")        # 15-digit legacy number
    assert not is_resident_id("110105491331002")


@pytest.mark.parametrize("draft", [
    "客户身份证号110105194912310021已登记",  # one digit mistyped: the check digit fails
    "证件号码 110105 19491231 0021，请核对",
    "110105194912310021",
])
def test_a_mistyped_id_number_is_still_masked(draft):
    """An ID number with a wrong check digit is still someone's ID: reported and masked like one, so the
    draft shown back and the masked draft hide it as storage does."""
    result = CHECKER.check(draft)
    assert [c for c, _ in pii(draft)] == ["id_card"]
    assert "0021" in result.masked_draft() and "19491231" not in result.masked_draft()


def test_a_mistyped_id_number_whose_digits_pass_luhn_is_an_id_after_an_id_word():
    """One mistyped ID number in ten also passes the card checksum: after an ID's word it is still the ID
    (reported and masked), as a card's word makes an ID-shaped number the card."""
    number = "110101199003070021"
    assert not is_resident_id(number) and luhn_ok(number)
    draft = f"客户身份证{number}请核对"
    assert [c for c, _ in pii(draft)] == ["id_card"]
    assert number not in CHECKER.check(draft).masked_draft()
    assert [c for c, _ in pii(f"退款打到卡号{number}")] == ["bank_card"]


def test_a_mistyped_id_number_after_a_label_of_its_own_stays_clean_or_is_its_card():
    assert pii("您的订单号110105194912310021已发货") == []
    assert [c for c, _ in pii("退款打到卡号110105194912310021")] == ["bank_card"]


def test_luhn_and_classification():
    assert luhn_ok("6228480402564890018") and not luhn_ok("6228480402564890019")
    assert classify_number("13812345678") == "mobile"
    assert classify_number("8613812345678") == "mobile"
    assert classify_number("12812345678") is None
    assert classify_number("4000208820") is None


@pytest.mark.parametrize(("draft", "expected"), [
    ("您的身份证号11010519491231002X已登记", [("id_card", "1101**********002X")]),
    ("联系电话：+86 138 1234 5678，请保持畅通", [("mobile", "138****5678")]),
    ("手机138-1234-5678", [("mobile", "138****5678")]),
    ("您好,回访电话１３５２２０４６１８９已记录", [("mobile", "135****6189")]),
    ("卡号6228 4804 0256 4890 018请核对", [("bank_card", "6228***********0018")]),
    ("邮箱Wang.Fang@example.com", [("email", "w***@example.com")]),
    ("邮箱wangfang＠163.com", [("email", "w***@163.com")]),
    ("电话13912345678和13800001111", [("mobile", "139****5678"), ("mobile", "138****1111")]),
    ("号码13912345678 13800001111都可以", [("mobile", "139****5678"), ("mobile", "138****1111")]),
])
def test_found_and_masked(draft, expected):
    assert pii(draft) == expected


@pytest.mark.parametrize("draft", [
    "您的订单号20240611088812345678已发货",
    "工单编号11010519491231002X,请留存",
    "您的会员卡号6228480402564890018,积分已到账",
    "客服热线400-820-8820,欢迎来电",
    "您尾号5678的银行卡已解绑",
    "您的手机号138****1234已验证",
    "请@客服小王 跟进这个工单",
    "本次退款金额6222.00元,将在3个工作日内到账",
    "您的设备序列号1381234567890,保修期至明年5月",
    "发票代码044031900111,发票号码12345678",
    "流水号13912345678,请妥善保管",
    "型号ABC13912345678",
])
def test_look_alikes_are_not_pii(draft):
    assert pii(draft) == []


def test_boundaries_between_han_and_digits():
    assert pii("手机13912345678快递员会联系您") == [("mobile", "139****5678")]
    assert pii("139123456789") == []  # 12 digits: not a mobile number


def test_full_number_never_in_output():
    draft = "身份证350203198101087181,电话18621937740,卡6259067757337781,邮箱a.b@qq.com"
    result = CHECKER.check(draft)
    blob = repr([(f.text, f.message, f.suggestion) for f in result.findings]) + result.marked()
    for secret in ("350203198101087181", "18621937740", "6259067757337781", "a.b@qq.com"):
        assert secret not in blob
    assert {f.category for f in result.findings if f.kind == "pii"} == {"id_card", "mobile", "bank_card", "email"}


def test_mask_shapes():
    assert mask("mobile", "13812345678") == "138****5678"
    assert mask("email", "li@sohu.com") == "l***@sohu.com"


@pytest.mark.parametrize(("draft", "expected"), [
    # One digit at a time, any symbol between: the whole number is read (up to 19 pieces).
    ("证件 1#1#0#1#0#5#1#9#4#9#1#2#3#1#0#0#2#X", [("id_card", "1101**********002X")]),
    ("手机 (138)1234=5678", [("mobile", "138****5678")]),
    ("手机138，1234，5678", [("mobile", "138****5678")]),
    ("手机 138【1234】5678", [("mobile", "138****5678")]),
    # In pieces with words between, after the word that names the number.
    ("他身份证前六位110105，中间那段19491231，最后是002X", [("id_card", "1101**********002X")]),
    ("我手机138 后面是 1234，再后面 5678", [("mobile", "138****5678")]),
    # E-mail addresses typed a character at a time, or with the @ replaced by a symbol or an emoji.
    ("邮箱 w a n g l e i 8 8 @ 1 2 6 . c o m", [("email", "w***@126.com")]),
    ("邮箱 wanglei88 # 126 . com 发我", [("email", "w***@126.com")]),
    ("wanglei88🌟gmail.com", [("email", "w***@gmail.com")]),
    ("mary2021 圈a qq 点 com", [("email", "m***@qq.com")]),
    # The draft says which symbol stands for the @: any domain, not only a public provider's.
    ("供货方邮箱 sales.team$hengfeng-steel.com.cn（$换成@）", [("email", "s***@hengfeng-steel.com.cn")]),
])
def test_disguised_pii(draft, expected):
    assert pii(draft) == expected


@pytest.mark.parametrize("draft", [
    "营收13,800,000,000元，同比增长",          # thousands separators: an amount
    "电话 15 分钟内回复，共 345 单，金额 678901",  # pieces that are counts and amounts
    "手机号139开头，尾号4321",                  # too few digits to be a number
    "客户手机138****5678已登记",                # already masked
    "手机 138 xxxx 5678",
    "访问 www.163.com 查看",
    "编号#A12.cn 的包裹，#改成@ 这种写法请不要用",  # no local part before the symbol
])
def test_disguise_readers_leave_look_alikes(draft):
    assert pii(draft) == []


# Disguises by kind: digits spelt out (pinyin with or without tones, radio readings, English words),
# the ID's X as 叉, a number broken over lines, pieces after a false start or out of order, e-mail
# shorthands. Values made up here.
@pytest.mark.parametrize(("draft", "expected"), [
    ("回访电话 yao wu jiu yao er san si wu liu qi ba", [("mobile", "159****5678")]),
    ("手机号 yaowujiuyaoersansiwuliuqiba 记一下", [("mobile", "159****5678")]),
    ("号码：yāo wǔ jiǔ yāo èr sān sì wǔ liù qī bā", [("mobile", "159****5678")]),
    ("call back: one five nine one two three four five six seven eight", [("mobile", "159****5678")]),
    ("身份证 一一零一零五一九四九一二三一零零二叉", [("id_card", "1101**********002X")]),
    ("身份证号 yiyilingyilingwuyijiusijiuyiersanyilinglingerx", [("id_card", "1101**********002X")]),
    ("客户手机159\n1234\n5678，下午回电", [("mobile", "159****5678")]),
    ("电话一五九……不对，是158，中间是1234，后面5678", [("mobile", "158****5678")]),
    ("手机后四位5678，前三位159，中间1234", [("mobile", "159****5678")]),
    ("邮箱 wangli at 163 句号 com", [("email", "w***@163.com")]),
    ("资料发 wangli艾特qq邮箱", [("email", "w***@qq")]),
    ("邮箱：wang xiao li @ 126.com", [("email", "w***@126.com")]),
    ("客户邮箱用户名 zhang.wei 域名是 qq 点 com", [("email", "z***@qq.com")]),
    ("身份证 110105 19491231 002（叉）", [("id_card", "1101**********002X")]),
    ("手机前三位159。中间1234。后四位5678", [("mobile", "159****5678")]),
    ("电话开头159，结尾5678，中间1234", [("mobile", "159****5678")]),   # named places beat text order
    # two mobiles after their word are two mobiles, not one card read across them
    ("他的号码159 1234 5678 / 138 0000 1111", [("mobile", "159****5678"), ("mobile", "138****1111")]),
    # a number before an address is not part of its name
    ("邮箱 13800001111 zhao6@qq.com", [("mobile", "138****1111"), ("email", "z***@qq.com")]),
])
def test_spelt_and_pieced_disguises(draft, expected):
    assert pii(draft) == expected


@pytest.mark.parametrize("draft", [
    "Liu Yi 和 Wang Er 明天值班",                     # one or two digit syllables are names
    "yi er san si wu, shang shan da lao hu",           # counting: five digits are no number
    "I work at qq now, call me later",                 # a bare English "at" before a provider
    "群里@张三 看一下 163 号文件",
    "one two three, let's go",
    "电话后面是5678，前面是159的那个客户",             # pieces that make no whole number
    "订单后四位1234，前六位202401",
    "邮箱前缀写工号，后缀统一是公司域名",                # how addresses are made, no address
])
def test_spelt_look_alikes_stay_clean_or_apart(draft):
    assert pii(draft) == []


@pytest.mark.parametrize(("draft", "expected"), [
    # A name or ordinal ending in a numeral character, glued to a number: the word's digit is not
    # part of it (张三 + 138…, 王五 + an ID), while a number typed half in words stays one number.
    ("联系人张三13812345678", [("mobile", "138****5678")]),
    ("王五110101199003074514来过", [("id_card", "1101**********4514")]),
    ("第三13812345678号", [("mobile", "138****5678")]),
    ("号码一3八1二3四5六7八", [("mobile", "138****5678")]),
])
def test_a_word_digit_beside_a_number_is_not_part_of_it(draft, expected):
    assert pii(draft) == expected


@pytest.mark.parametrize(("draft", "expected"), [
    # Traditional financial numerals: 參 and 陸 fold to 参/陆, digits only beside other digits.
    ("手機：壹參玖 壹貳參肆 伍陸柒捌", [("mobile", "139****5678")]),
    ("身份證號碼：壹壹零壹零壹壹玖玖零零參零柒貳參壹陸", [("id_card", "1101**********2316")]),
    # Read aloud in English: "oh" is zero, "double"/"triple" repeat a digit.
    ("mobile one three nine oh one two three four five six seven", [("mobile", "139****4567")]),
    ("cell: one three eight double-oh one two three four five six", [("mobile", "138****3456")]),
    # The @ said as 在 after a name of letters, or as the slang 小老鼠; an underscore belongs to the name.
    ("邮箱 li_ming 在 qq 点 com", [("email", "l***@qq.com")]),
    ("邮箱是zhangwei在163点com", [("email", "z***@163.com")]),
    ("邮箱 zhangwei 小老鼠 qq.com", [("email", "z***@qq.com")]),
    # Digits spread out with wider gaps of spaces (up to eight) are still one number.
    ("手机 1  3  9    1  2  3  4    5  6  7  8", [("mobile", "139****5678")]),
    # A card ending in 0, then a mobile: 0 + the mobile is no landline hiding the mobile.
    ("银行卡号是6222 0212 3456 7890 128，139 1234 5678", [("bank_card", "6222***********0128"),
                                                       ("mobile", "139****5678")]),
])
def test_traditional_spoken_and_said_at_disguises(draft, expected):
    assert pii(draft) == expected


@pytest.mark.parametrize("draft", [
    "我参加了3参与的活动",          # 参 away from digits stays a word
    "我在qq上跟他说过了",           # 在 before a provider, no full domain
    "客户在163号门店办的卡",
    "他说 oh no, oh well",           # one spoken zero is no number
    "门店座机 010-12345678",
])
def test_spoken_look_alikes_stay_clean(draft):
    assert pii(draft) == []


def test_an_order_number_after_a_word_digit_stays_clean():
    assert pii("订单号三13812345678") == []


@pytest.mark.parametrize(("draft", "expected"), [
    # Dictated through speech-to-text: groups of Chinese digits with commas, dashes or words between.
    ("客户手机一三八，一二三四，五六七八，麻烦回电", [("mobile", "138****5678")]),
    ("手机幺三八杠幺两三四杠五六七八", [("mobile", "138****5678")]),
    ("卡号六二二八，然后四八零四，再零二五六，接着是四八九零，零一八", [("bank_card", "6228***********0018")]),
    ("卡号 6228 空格 4804 空格 0256 空格 4890 空格 018", [("bank_card", "6228***********0018")]),
    ("电话138 一二三四 5678", [("mobile", "138****5678")]),
    ("手机幺三八杠拐拐拐拐杠洞洞洞洞", [("mobile", "138****0000")]),  # a group all radio readings
    ("手机幺三八，拐拐拐拐，洞洞洞洞", [("mobile", "138****0000")]),
    # The ID's X said aloud, or 大写 before it.
    ("身份证号11010519491231002艾克斯", [("id_card", "1101**********002X")]),
    ("身份证 110105 19491231 002 爱克斯", [("id_card", "1101**********002X")]),
    ("身份证号一一零一零五一九四九一二三一零零二大写叉", [("id_card", "1101**********002X")]),
    ("身份证号 11010519491231002大写X", [("id_card", "1101**********002X")]),
    # The number's word after its pieces, and English labels read as whole words.
    ("前三位幺三八，后面12345678，这是客户的电话", [("mobile", "138****5678")]),
    ("The driver's number is +86 138 1234 5678, call him", [("mobile", "138****5678")]),
    ("Customer ID card no. 11010519491231002X, pls verify", [("id_card", "1101**********002X")]),
    ("The refund card number: 6228480402564890018", [("bank_card", "6228***********0018")]),
    # E-mails said: ai te / quan a / at符号 / 爱特 for @, dian for the dot, 下划线 and 点 inside the name.
    ("you xiang: zhangwei ai te qq dian com", [("email", "z***@qq.com")]),
    ("邮箱 zhangwei quan a 163 dian com", [("email", "z***@163.com")]),
    ("邮箱 wangfang at符号 163 点 com", [("email", "w***@163.com")]),
    ("邮箱 wangfang 爱特 qq 点 com", [("email", "w***@qq.com")]),
    ("邮箱 zhang下划线wei艾特163点com", [("email", "z***@163.com")]),
    ("邮箱 li点ming88艾特qq点com", [("email", "l***@qq.com")]),
    # The Chinese input method's brackets round at and dot.
    ("发到邮箱 zhangwei 【at】 qq 【dot】 com 了", [("email", "z***@qq.com")]),
    ("邮箱 liming〔at〕example.com.cn", [("email", "l***@example.com.cn")]),
])
def test_dictated_and_chat_forms(draft, expected):
    assert pii(draft) == expected


def test_dictated_forms_are_masked_whole():
    """The masked draft keeps nothing of a dictated number or a name said with 下划线."""
    for draft, gone in (("邮箱 zhang下划线wei艾特163点com", "zhang"),
                        ("卡号六二二八，然后四八零四，再零二五六，接着是四八九零，零一八", "四八零四"),
                        ("身份证号11010519491231002艾克斯", "艾克斯")):
        assert gone not in CHECKER.check(draft).masked_draft(), draft


@pytest.mark.parametrize(("draft", "expected"), [
    # Speech-to-text writes a said digit as a character of its sound (要/腰 for 幺, 思 for 四, 久 for 九 …),
    # a repeated digit as 双 and three zeros as 三个零: read beside other said digits only.
    ("客户电话要三八，腰二三思，五溜七巴，麻烦回电", [("mobile", "138****5678")]),
    ("嗯那个师傅电话是 腰三八 一二三思 五六七巴 你打他", [("mobile", "138****5678")]),
    ("手机幺三八双四五六双七零一", [("mobile", "138****7701")]),
    ("手机一三八三个零一二三四五", [("mobile", "138****2345")]),
    ("身份证一一零一零五一久四久一二三一零零二叉", [("id_card", "1101**********002X")]),
    # A typed number beside 要 keeps its 要: the sound-alike is read only beside said digits.
    ("我要13812345678这个号码登记一下", [("mobile", "138****5678")]),
    # The said reading gives the whole card, not the mobile-shaped tail of the draft's own digits.
    ("收款账号六双二八四八零四零二五六四八九零零一八", [("bank_card", "6228***********0018")]),
])
def test_sound_alike_digits(draft, expected):
    assert pii(draft) == expected


@pytest.mark.parametrize("draft", [
    "订单号要三八，一二三四，五六七八",           # sound-alikes in an order number
    "客服热线思零零，巴巴巴，一二三四",
    "我要三个，他要两个，巴士七路和九路都到站",     # sound-alike characters in prose beside counts
    "双九重阳要三个人值班，七八个志愿者留守",
])
def test_sound_alike_look_alikes_stay_clean(draft):
    assert pii(draft) == []


@pytest.mark.parametrize("draft", [
    "订单号幺三八，一二三四，五六七八",           # dictated, but an order number
    "客服热线四零零，八八八，一二三四",           # a public hotline read in groups
    "门店座机洞二幺，六二三四，五六七八",
    "您尾号五六七八的手机已验证",
    "tracking number 13812345678, pls check",    # English labels lower the score as 单号 does
    "Order No. 20241234567890123, shipping today",
    "I discard the note at 3 pm",               # card inside discard is no label
    "说到 ai te 这个词，quan a 是圈 a 的拼音",    # the said @ without an address round it
    "第1然后2再3",                               # words between short counts make no number
    "型号X100，大写X不是身份证",
    "第3条，参照执行；去洞庭湖，拐角处",            # 参 and readings after a separator stay words
])
def test_dictated_look_alikes_stay_clean(draft):
    assert pii(draft) == []


@pytest.mark.parametrize(("draft", "expected"), [
    # The letter O typed for 0, in one piece or in groups; an ID's x may close it.
    ("客户手机139OO139OOO，回电", [("mobile", "139****9000")]),
    ("手机 139 oo13 9ooo", [("mobile", "139****9000")]),
    ("身份证11o1o519491231oo2X", [("id_card", "1101**********002X")]),
    # A chat label glued to the number.
    ("加我vx13912345678备注客户", [("mobile", "139****5678")]),
    ("Tel13912345678找前台", [("mobile", "139****5678")]),
    # A hand-written card (check digit wrong) named by its bank, holder or branch.
    ("退到他那张工行卡 6222 0202 0000 1234 567", [("bank_card", "6222***********4567")]),
    ("开户行建设银行，户名李娜，6217001234567890123", [("bank_card", "6217***********0123")]),
    # Pieces named by their place and no word for the number; the tail named after digits said straight.
    ("前三位一三九，中间四位一二三四，尾数五六七八，客户留的", [("mobile", "139****5678")]),
    ("后四位5678，中间1234，前三位139，记一下", [("mobile", "139****5678")]),
    ("幺三九幺二三四，尾数五六七八，下午回个话", [("mobile", "139****5678")]),
])
def test_o_for_zero_glued_labels_named_cards_and_pieces_by_place_are_found(draft, expected):
    assert pii(draft) == expected


@pytest.mark.parametrize("draft", [
    "2O24年第2O期培训共1OO人",                       # the letter O among digits that make no number
    "hello 13 go2 138ok",
    "设备 XK13912345678 已返厂",                      # letters that are no label make a code
    "包裹SF123456789012到了",
    "前三位138，后四位5678，您核对下是不是您的号",     # head and tail only: the customer's own number
    "营业额前三位1380万，中间1234万，尾数5678元",      # amounts by place
    "订单号20240613000123，工行网点自提",              # a bank's name does not make an order number a card
])
def test_letter_o_codes_amounts_by_place_and_head_tail_only_stay_clean(draft):
    assert pii(draft) == []


@pytest.mark.parametrize(("draft", "expected"), [
    # A business word a few words before a mobile names the matter, not the number.
    ("快递小哥的号13912345678，你催一下", [("mobile", "139****5678")]),
    ("退款的事找财务小王 139 1234 5678", [("mobile", "139****5678")]),
    # Fillers and confirmations between dictated groups; the circle typed for 零.
    ("他说幺三九，嗯，一二三四，呃，五六七八", [("mobile", "139****5678")]),
    ("139，对，1234，对，5678", [("mobile", "139****5678")]),
    ("一三九○○一三九○○○", [("mobile", "139****9000")]),
])
def test_business_words_fillers_and_circle_zero_keep_a_mobile(draft, expected):
    assert pii(draft) == expected


@pytest.mark.parametrize("draft", [
    "订单号 2024 13812345678",           # digits after the word are the order number's own groups
    "tracking number 13812345678, pls check",
    "快递单号：顺丰 13812345678",
])
def test_a_negative_word_still_labels_its_own_number(draft):
    assert pii(draft) == []


def test_the_bare_word_card_and_a_stores_cards():
    """卡 alone names a bank card (a hand-written one, check digit wrong, included); a store's card, even as
    储值卡号 where 卡号 starts inside it, does not."""
    assert pii("退款卡6222 0202 0000 1234 560") == [("bank_card", "6222***********4560")]
    assert pii("储值卡号6222020200001234560余额不足") == []
    assert pii("礼品卡 6222020200001234560") == []


def test_the_at_as_a_in_brackets():
    assert [c for c, _ in pii("邮箱zhangwei(a)163.com")] == ["email"]
    assert [c for c, _ in pii("邮箱 li.ming [a] qq.com")] == ["email"]
    assert pii("见附件(a)和附件(b)") == []
