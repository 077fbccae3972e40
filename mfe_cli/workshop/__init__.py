"""`mfe workshop` (lab states, checks, solutions) and `mfe doctor` (is this machine ready?)."""

import argparse

from mfe_cli.exits import UsageError
from mfe_cli.workshop import commands, doctor
from mfe_cli.workshop.catalog import lab
from mfe_cli.workshop.checking import check

PER_LAB = {
    "start": (commands.start, "put the repository into lab N's starting state"),
    "check": (check, "verify your own work on lab N (your code, your running shop)"),
    "solve": (commands.solve, "put lab N's solution in place, keeping your attempt aside"),
    "diff": (commands.diff, "your work on lab N against its solution"),
}


def register(commands_parser) -> None:
    """Add `workshop` and `doctor`."""
    workshop = commands_parser.add_parser("workshop", help="the labs of docs/workshop/")
    actions = workshop.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="the labs, their minutes and state").set_defaults(
        handler=commands.list_labs
    )
    for name, (function, help_text) in PER_LAB.items():
        action = actions.add_parser(name, help=help_text)
        action.add_argument("number", type=int, metavar="N")
        action.set_defaults(handler=_per_lab(function))
    actions.add_parser(
        "reset", help="committed code, published lock, data, deployments and chaos back"
    ).set_defaults(handler=commands.reset)
    doctor.register(commands_parser)


def _per_lab(function):
    def handler(args: argparse.Namespace) -> int:
        try:
            chosen = lab(args.number)
        except ValueError as error:
            raise UsageError(str(error)) from None
        return function(chosen)

    return handler
