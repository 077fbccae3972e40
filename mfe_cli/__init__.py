"""`mfe`: the command line of the shop, grouped by concern.

Exit codes: 0 done, 1 refused or failed check, 2 usage or connection error.
"""

import argparse
import sys

from mfe_cli import contracts, deploys, events, operations, rollouts, workshop
from mfe_cli.exits import EXIT_OK, EXIT_USAGE, UsageError

GROUPS = (deploys, rollouts, operations, events, contracts, workshop)


def build_parser() -> argparse.ArgumentParser:
    """The `mfe` argument parser with every command group."""
    parser = argparse.ArgumentParser(
        prog="mfe",
        description="Operate the contract-safe micro-frontend shop.",
        epilog="Exit codes: 0 done, 1 refused or failed check, 2 usage or connection error.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for group in GROUPS:
        group.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one `mfe` command and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except UsageError as error:
        print(f"mfe: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
