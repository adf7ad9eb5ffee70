"""Toneless pinyin of Han characters, from pypinyin's single-character table: shared by the checker
(banned phrases spelt in pinyin or with homophones, bot/core/check/sounds.py) and `ask` (question
words typed or dictated with a homophone, bot/core/ask/respell.py)."""

from __future__ import annotations

import importlib.util
import json
import unicodedata
from functools import lru_cache
from pathlib import Path


def toneless(reading: str) -> str:
    """yī -> yi, lǘ -> lv: pypinyin's NORMAL style, without a call into pypinyin per character."""
    bare = "".join(c for c in unicodedata.normalize("NFD", reading) if c == "\u0308" or not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare).replace("ü", "v")


def _pinyin_table() -> dict[str, str]:
    """pypinyin's single-character table (code point as a decimal string -> readings), read from its
    JSON file without importing the package: `import pypinyin` also loads its phrase dictionary,
    about 45 MiB of a serving process for a table libao never reads."""
    spec = importlib.util.find_spec("pypinyin")  # a top-level package: located, not executed
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("pypinyin is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.json"
    table: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return table


@lru_cache(maxsize=1)
def readings() -> dict[str, str]:
    """Han character -> its first toneless reading (pypinyin's single-character table), read from
    the table itself: the first draft with a Latin run pays about a sixth of asking pypinyin for
    each of its 20,000 characters."""
    # About 1,500 distinct first readings among 20,000 characters: each is made toneless once.
    bare = lru_cache(maxsize=None)(toneless)
    return {chr(int(code)): bare(reading.split(",")[0]) for code, reading in _pinyin_table().items()
            if 0x4E00 <= int(code) <= 0x9FFF}


def _translate_table(sounds: dict[int, str]) -> str:
    """A str.translate table: each code point of `sounds` -> one private-use character per distinct
    sound, every other code point below the last one -> itself, past it -> left as is (an index
    error). A string of 40,960 characters rather than a dict of 20,000 entries: one compact array that
    stays in cache between drafts."""
    ids: dict[str, str] = {}
    sound = {code: ids.setdefault(reading, chr(0xE000 + len(ids))) for code, reading in sounds.items()}
    return "".join(sound.get(code, chr(code)) for code in range(max(sound) + 1))


@lru_cache(maxsize=1)
def sound_table() -> str:
    """Han character -> one private-use character per toneless syllable (`_translate_table`): two texts
    that sound alike translate to the same string (shared by every checker and by `ask`)."""
    return _translate_table({ord(ch): reading for ch, reading in readings().items()})


@lru_cache(maxsize=1)
def toned_table() -> str:
    """Like `sound_table`, with the first reading's tone: 主任 and 主人 translate apart."""
    return _translate_table({int(code): unicodedata.normalize("NFC", reading.split(",")[0])
                             for code, reading in _pinyin_table().items() if 0x4E00 <= int(code) <= 0x9FFF})
