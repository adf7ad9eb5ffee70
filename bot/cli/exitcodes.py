"""Documented exit codes of every `python -m bot` command (README: Exit codes)."""

OK = 0
FINDINGS = 1  # `check`: the draft has findings; `kb lint`: the data has problems
USAGE = 2  # bad command line (argparse's own code)
BAD_INPUT = 3  # empty / whitespace-only / undecodable input
DATA_ERROR = 4  # broken knowledge base, rule file or phrasebook: start-up refused
CONFIG_ERROR = 5  # invalid configuration or environment
INTERRUPTED = 130
