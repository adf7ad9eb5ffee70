"""Packages of libao, plus the data folders shipped inside the package as bot/_data/ so that a wheel
or a non-editable install finds them (bot/core/paths.py); everything else is in pyproject.toml."""

from setuptools import find_packages, setup

DATA = {
    "bot._data.knowledge": ("knowledge", ["*.yaml", "*.txt", "*.npz", "*.z"]),
    "bot._data.knowledge.entries": ("knowledge/entries", ["*.yaml"]),
    "bot._data.phrasebook": ("phrasebook", ["*.yaml", "*.txt", "*.json"]),
    "bot._data.phrasebook.messages": ("phrasebook/messages", ["*.yaml"]),
    "bot._data.phrasebook.rules": ("phrasebook/rules", ["*.yaml"]),
}

setup(
    packages=[*find_packages(include=["bot", "bot.*"]), *DATA],
    package_dir={name: folder for name, (folder, _) in DATA.items()},
    package_data={**{name: patterns for name, (_, patterns) in DATA.items()},
                  "bot.channels.web": ["static/*.html", "static/assets/*.js", "static/assets/*.css"]},
)
