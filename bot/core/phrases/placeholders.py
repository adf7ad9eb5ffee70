"""The placeholders of standard phrases ({单位} {部门} {姓名} ...): the one list of them.

`key` names the value in callback data and CLI options, `name` is how the phrase writes it and how
a user's setting is stored, `blank` is said aloud when no value is set (the sources write ××窗口),
`setting` marks the ones a user keeps in their chat settings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Placeholder:
    key: str
    name: str
    blank: str
    setting: bool = False


PLACEHOLDERS: tuple[Placeholder, ...] = (
    Placeholder("unit", "单位", "××单位", setting=True),
    Placeholder("dept", "部门", "××部门", setting=True),
    Placeholder("name", "姓名", "××", setting=True),
    Placeholder("window", "窗口", "××窗口"),
    Placeholder("time", "时间", "××时间"),
)
SETTINGS: tuple[Placeholder, ...] = tuple(p for p in PLACEHOLDERS if p.setting)
BLANKS: dict[str, str] = {p.name: p.blank for p in PLACEHOLDERS}
_BY_KEY = {p.key: p for p in PLACEHOLDERS}


def get(key: str) -> Placeholder:
    """The placeholder with callback/option key `key` (KeyError when unknown)."""
    return _BY_KEY[key]


def by_label(label: str) -> Placeholder | None:
    """The placeholder a user means by `label`: its key ("unit") or its name ("单位")."""
    return next((p for p in PLACEHOLDERS if label in (p.key, p.name)), None)
