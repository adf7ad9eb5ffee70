"""`libao phrase [SCENARIO] [--json]`: list the phrasebook's scenarios or show one's phrases.

SCENARIO is an id (apology) or anything a staff member would type (道歉, 客户生气了); the
lookup is fuzzy. Exit codes: 0 shown, 3 no scenario matches, 4 broken phrasebook.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli import exitcodes
from bot.cli.check import add_settings_arguments, settings_from
from bot.cli.common import json_line
from bot.core.chat.views import phrase_text
from bot.core.phrases.messages import t
from bot.core.phrases.phrasebook import Phrasebook, Scenario, load_phrasebook
from bot.core.text.inputs import MAX_QUESTION_CHARS, has_surrogates


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("phrase", help="standard service phrases: list scenarios, or show one (fuzzy lookup)")
    p.add_argument("scenario", nargs="*", help="scenario id or description, e.g. 道歉 / 客户生气了")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--phrasebook", metavar="FILE", type=Path,
                   help="phrasebook file (default: the shipped one)")
    add_settings_arguments(p)
    p.set_defaults(func=run)


def _scenario_json(book: Phrasebook, s: Scenario, settings: dict[str, str], score: float | None) -> dict:
    return {"id": s.id, "title": s.title, "phrases": book.render(s.id, settings), "note": s.note,
            "source": s.source, "score": score}


def run(args: argparse.Namespace) -> int:
    book = load_phrasebook(args.phrasebook)
    settings = settings_from(args)
    query = " ".join(args.scenario).strip()
    if not args.scenario:
        if args.json:
            print(json_line({"scenarios": [{"id": s.id, "title": s.title} for s in book.scenarios]}))
        else:
            print(t("phrase.list_header"))
            for s in book.scenarios:
                print(f"  {s.id:<22} {s.title}")
        return exitcodes.OK
    if not query:
        print(t("phrase.empty"), file=sys.stderr)
        return exitcodes.BAD_INPUT
    if has_surrogates(query):
        print(t("input.bad_text"), file=sys.stderr)
        return exitcodes.BAD_INPUT
    if len(query) > MAX_QUESTION_CHARS:
        print(t("input.too_long", limit=MAX_QUESTION_CHARS), file=sys.stderr)
        return exitcodes.BAD_INPUT
    matches = book.find(query, limit=3)
    if not matches:
        if args.json:
            print(json_line({"query": query, "scenarios": []}))
        print(t("phrase.not_found", query=query), file=sys.stderr)
        return exitcodes.BAD_INPUT
    if args.json:
        print(json_line({"query": query, "scenarios": [_scenario_json(book, s, settings, score)
                                                        for s, score in matches]}))
        return exitcodes.OK
    best, _ = matches[0]
    print(phrase_text(best, book.render(best.id, settings)))
    others = [s for s, _ in matches[1:]]
    if others:
        print(t("phrase.did_you_mean"))
        for s in others:
            print(f"  {s.id:<22} {s.title}")
    return exitcodes.OK
