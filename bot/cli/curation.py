"""`kb suggest`: the curation inbox on the command line (list clusters, accept one)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from bot.cli import exitcodes
from bot.cli.common import load_matcher
from bot.core.ask.matcher import Matcher
from bot.core.phrases.messages import t
from bot.core.rulebook.curate import Inbox, accept
from bot.core.rulebook.inbox import Asked, Cluster, cluster_questions, inbox_questions

SHOWN_MEMBERS = 5
ALL_QUESTIONS = 100_000  # the command line clusters the whole inbox, not only the newest questions


def _questions(args: argparse.Namespace) -> tuple[list[Asked], Inbox | None]:
    """The questions to cluster, and the store they came from (None: a text file, left as it is)."""
    if args.from_file:
        lines = args.from_file.read_text(encoding="utf-8").splitlines()
        return [Asked(x.strip()) for x in lines if x.strip()], None
    from bot.storage.sqlite import ChatStore, connect

    db = args.db or (Path(os.environ["LIBAO_DB"]) if os.environ.get("LIBAO_DB") else None)
    if db is None or not Path(db).exists():
        return [], None
    store = ChatStore(connect(db))
    return inbox_questions(store.unanswered(limit=ALL_QUESTIONS)), store


def run_suggest(args: argparse.Namespace, directory: Path) -> int:
    matcher = load_matcher(args)
    questions, inbox = _questions(args)
    clusters = cluster_questions(matcher, questions)
    if args.accept is not None:
        if not 1 <= args.accept <= len(clusters):
            print(t("kb.suggest.bad_cluster", n=args.accept), file=sys.stderr)
            return exitcodes.BAD_INPUT
        return _accept(clusters[args.accept - 1], matcher, directory, inbox)
    if args.json:
        print(json.dumps([{"n": i, "size": len(c.questions), "kind": c.kind, "target": c.target_id,
                           "title": c.target_title, "score": c.score, "questions": c.questions,
                           "voted_down": c.voted_down}
                          for i, c in enumerate(clusters, 1)], ensure_ascii=False, indent=1))
        return exitcodes.OK
    if not clusters:
        print(t("kb.suggest.none"))
        return exitcodes.OK
    print(t("kb.suggest.head", questions=sum(len(c.questions) for c in clusters), clusters=len(clusters)))
    for i, c in enumerate(clusters[: args.limit], 1):
        print(t("kb.suggest.cluster", n=i, size=len(c.questions), example=c.representative))
        for q in c.questions[1:SHOWN_MEMBERS]:
            print(t("kb.suggest.member", question=q))
        if c.voted_down:
            print(t("kb.suggest.voted_down", count=c.voted_down))
        if c.kind == "entry":
            print(t("kb.suggest.target_entry", id=c.target_id, title=c.target_title, score=c.score))
        elif c.kind == "clause":
            print(t("kb.suggest.target_clause", citation=c.target_title, score=c.score))
        else:
            print(t("kb.suggest.target_none"))
    return exitcodes.OK


def _accept(cluster: Cluster, matcher: Matcher, directory: Path, inbox: Inbox | None) -> int:
    done = accept(cluster, matcher, directory, inbox)
    if done.problems:
        print(t("kb.suggest.lint_failed"), file=sys.stderr)
        for p in done.problems:
            print(f"  {p}", file=sys.stderr)
        return exitcodes.FINDINGS
    if done.kind == "alternate":
        print(t("kb.suggest.accepted_alt", question=done.question, id=done.id, path=done.path))
    else:
        print(t("kb.suggest.accepted_draft", id=done.id, path=done.path))
    return exitcodes.OK
