"""No full personal number in any output: 2,000 generated drafts mixing valid resident IDs, mobiles,
bank cards and e-mail addresses with confidential-topic words go through `python -m bot check --json`
(JSON lines over stdin) and the console chat's /check; neither prints a full number or a full
e-mail local part."""

from __future__ import annotations

import json
import random
import re
from datetime import date, timedelta
from pathlib import Path

from support.cli import run_cli

from bot.channels.console.app import ConsoleChat
from bot.core.chat.assistant import Assistant
from bot.core.chat.store import MemoryStore
from bot.core.check.checker import default_checker
from bot.core.phrases.phrasebook import default_phrasebook

ROOT = Path(__file__).resolve().parents[1]
N = 2000
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_REGIONS = ("110101", "310104", "440305", "500103", "510107", "330106", "420102", "610113")
_TOPICS = ("客户资料", "客户名单", "名单", "员工信息", "员工花名册", "通讯录", "工资表", "会员信息")
_LEADS = ("这是{t}，", "{t}发你：", "把{t}整理好了，", "内部{t}：", "")
_TAILS = ("，别外传", "，仅限内部", "。", "，收到回复", "")


def _resident_id(rng: random.Random) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 50))
    body = f"{rng.choice(_REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _bank_card(rng: random.Random) -> str:
    body = "62" + "".join(rng.choice("0123456789") for _ in range(rng.choice((13, 14, 16))))
    for check in "0123456789":  # the Luhn check digit
        digits = body + check
        total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2)
                    for i, d in enumerate(int(c) for c in reversed(digits)))
        if total % 10 == 0:
            return digits
    raise AssertionError("no Luhn digit")


def _local_part(rng: random.Random) -> str:
    letters = "abcdefghijkmnpqrstuvwxyz"
    return "".join(rng.choice(letters) for _ in range(rng.randint(5, 9))) + str(rng.randrange(10, 99))


def generate(n: int, seed: int = 20240607) -> list[tuple[str, list[str]]]:
    """(draft, the secrets it contains) for `n` drafts: 1-3 pieces of personal data each."""
    rng = random.Random(seed)
    labels = {"id": ("身份证", "身份证号"), "mobile": ("手机", "电话", "手机号"), "card": ("银行卡", "卡号"),
              "email": ("邮箱", "email")}
    out = []
    for _ in range(n):
        parts, secrets = [], []
        for kind in rng.sample(list(labels), rng.randint(1, 3)):
            label = rng.choice(labels[kind])
            if kind == "id":
                value = _resident_id(rng)
            elif kind == "mobile":
                value = _mobile(rng)
            elif kind == "card":
                value = _bank_card(rng)
            else:
                local = _local_part(rng)
                value = f"{local}@{rng.choice(('163.com', 'qq.com', 'example.cn', 'corp.com.cn'))}"
                secrets.append(local)
            if kind != "email":
                secrets.append(value)
            who, sep = rng.choice(("张三", "李四", "王五", "客户", "")), rng.choice(("", "：", " "))
            parts.append(f"{who}{label}{sep}{value}")
        lead = rng.choice(_LEADS).format(t=rng.choice(_TOPICS))
        out.append((lead + "，".join(parts) + rng.choice(_TAILS), secrets))
    return out


def _leaks(text: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s in text]


def test_check_json_never_prints_a_full_number():
    drafts = generate(N)
    assert all(secrets and _leaks(draft, secrets) == secrets for draft, secrets in drafts)
    stdin = "".join(d + "\n" for d, _ in drafts).encode("utf-8")
    proc = run_cli("check", "--json", stdin=stdin, timeout=600)
    assert proc.returncode == 0
    lines = proc.stdout.decode("utf-8").splitlines()
    assert len(lines) == N
    leaked = [(d, _leaks(line, s)) for (d, s), line in zip(drafts, lines, strict=True) if _leaks(line, s)]
    assert leaked == []
    assert all(json.loads(line)["findings"] for line in lines)
    assert not _leaks(proc.stderr.decode("utf-8"), [s for _, ss in drafts for s in ss])


def test_console_check_never_prints_a_full_number(matcher):
    chat = ConsoleChat(Assistant(matcher, MemoryStore(), checker=default_checker(), phrasebook=default_phrasebook()))
    leaked = []
    for draft, secrets in generate(N):
        out = chat.handle(f"/check {draft}")
        assert out is not None and "【" in out
        if _leaks(out, secrets):
            leaked.append((draft, _leaks(out, secrets)))
    assert leaked == []


def test_piped_console_session_never_echoes_a_full_number():
    drafts = generate(50, seed=7)
    stdin = "".join(f"/check {d}\n" for d, _ in drafts) + "/quit\n"
    proc = run_cli("chat", stdin=stdin.encode("utf-8"), timeout=600)
    assert proc.returncode == 0
    out = proc.stdout.decode("utf-8")
    assert out.count("你> /check") == len(drafts)  # the transcript echoes every line, masked
    assert not _leaks(out, [s for _, ss in drafts for s in ss])


def _disguise_bench():
    import importlib.util
    spec = importlib.util.spec_from_file_location("pii_disguise", ROOT / "benchmarks" / "pii_disguise.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _digits_of(text: str) -> str:
    """The digits of `text` as the checker reads them (pinyin, Han, radio and full-width digits folded)."""
    from bot.core.text.fold import fold_wide
    return "".join(ch for ch in fold_wide(text).text if ch.isdigit())


def test_disguised_numbers_never_come_back_whole():
    """Every disguise of the benchmark (pinyin, 幺两拐洞, 壹贰, separators, line breaks, pieces, 叉…): the
    masked draft and every finding, read back through the same fold, hold no full number."""
    bench = _disguise_bench()
    checker = default_checker()
    drafts = bench.number_drafts(12) + bench.labelled_drafts(12)
    assert len({name for name, _, _ in drafts}) >= 20
    leaked = []
    for name, _, draft in drafts:
        value = _digits_of(draft)[-19:]
        whole = [v for v in (value[-18:], value[-11:]) if v in _digits_of(draft)]
        result = checker.check(draft)
        shown = _digits_of(result.masked_draft()) + "|" + "|".join(_digits_of(f.text) for f in result.findings)
        if any(v in shown for v in whole):
            leaked.append((name, draft))
    assert leaked == []


def test_disguised_emails_never_come_back_whole():
    """Every e-mail disguise, the dictated ones included (艾特/ai te/圈a, 点/dian, a local part's _ said as 下划线,
    its digits said in Chinese): the output, read back through the checker's fold, holds no local part."""
    from bot.core.text.fold import fold_wide
    bench = _disguise_bench()
    checker = default_checker()
    leaked = []
    for name, _, draft in bench.email_drafts(6):
        read = fold_wide(draft).text
        local = next(w for w in (*bench._LOCALS, *bench.SPACED_LOCALS, *bench.SAID_LOCALS,
                                 *re.findall(r"[0-9]{5,}", read)) if w in read)
        result = checker.check(draft)
        out = fold_wide(result.masked_draft() + "".join(f.text for f in result.findings)).text
        parts = re.split(r"\s|下划线|点|杠", local)
        if any(part in out for part in (local, *(w for w in parts if len(w) >= 4))):
            leaked.append((name, draft))
    assert leaked == []


_DICTATED = ("dictated_groups_comma", "dictated_groups_words", "mixed_groups", "x_said", "x_said_han")
_SAID_EMAILS = ("at_pinyin", "at_symbol_word", "at_aite_homophone", "local_said_separators", "digits_local_said")


def _dictated_drafts() -> list[tuple[str, str]]:
    """(draft, what must not come back: the number's last 11 digits, or the e-mail's local part), for the
    forms dictated through speech-to-text or typed as said."""
    from bot.core.text.fold import fold_wide
    bench = _disguise_bench()
    out = [(d, _digits_of(d)[-11:]) for name, _, d in bench.number_drafts(3) if name in _DICTATED]
    out += [(d, _digits_of(d)[-11:]) for _, _, d in bench.labelled_drafts(4)]
    for name, _, d in bench.email_drafts(3):
        if name in _SAID_EMAILS:
            read = fold_wide(d).text
            local = next(w for w in (*bench._LOCALS, *bench.SAID_LOCALS, *re.findall(r"[0-9]{5,}", read)) if w in read)
            out.append((d, re.split(r"\s|下划线|点|杠", local)[-1] if not local.isdigit() else local))
    return out


def _shown(text: str) -> str:
    """Output as the checker reads it: digits of every script folded, the words said for _ . - kept."""
    from bot.core.text.fold import fold_wide
    return fold_wide(text).text


def test_dictated_forms_never_come_back_whole_in_any_output(matcher):
    """Numbers in dictated groups (一三八，一二三四…, 杠/然后 between groups, mixed scripts, the X said as 艾克斯),
    numbers labelled after or in English, e-mails said (ai te, at符号, 下划线, Chinese digits): not in `check`'s
    text output, its JSON lines, nor the console chat's /check."""
    def leaked(out: str, secret: str) -> bool:
        return secret in (_digits_of(out) if secret.isdigit() else _shown(out))

    drafts = _dictated_drafts()
    assert len(drafts) >= 30 and all(len(secret) >= 3 and leaked(d, secret) for d, secret in drafts)

    proc = run_cli("check", "--json", stdin="".join(d.replace("\n", " ") + "\n" for d, _ in drafts).encode(),
                   timeout=600)
    lines = proc.stdout.decode("utf-8").splitlines()
    assert proc.returncode == 0 and len(lines) == len(drafts)
    assert [d for (d, s), line in zip(drafts, lines, strict=True) if not json.loads(line)["findings"]] == []
    assert [d for (d, s), line in zip(drafts, lines, strict=True) if leaked(line, s)] == []
    chat = ConsoleChat(Assistant(matcher, MemoryStore(), checker=default_checker(), phrasebook=default_phrasebook()))
    assert [d for d, s in drafts if leaked(chat.handle(f"/check {d}") or "", s)] == []
    for draft, secret in drafts[::8]:  # the text output, one process a draft
        text = run_cli("check", draft).stdout.decode("utf-8")
        assert "【" in text and not leaked(text, secret), draft
