"""`mfe contracts ...`: list, show, diff, check, publish and export the event contracts."""

import argparse
import json
from pathlib import Path

from mfe_cli.exits import EXIT_OK, EXIT_REFUSED, UsageError
from mfe_cli.output import table
from shared_contracts import asyncapi, bundle, publishing
from shared_contracts.compatibility import compare
from shared_contracts.errors import ContractError
from shared_contracts.fields import describe_fields
from shared_contracts.registry import registry

MODES = ("backward", "forward", "full")


def register(commands) -> None:
    """Add the `contracts` command group."""
    group = commands.add_parser("contracts", help="inspect and guard the event contracts")
    sub = group.add_subparsers(dest="action", metavar="ACTION", required=True)

    sub.add_parser("list", help="every event and version").set_defaults(handler=list_contracts)

    show = sub.add_parser("show", help="fields, example and JSON Schema of one version")
    show.add_argument("event", help="EVENT, or EVENT@VERSION as `diff` takes it")
    show.add_argument("version", nargs="?", help="default: the latest")
    show.set_defaults(handler=show_contract)

    diff = sub.add_parser(
        "diff",
        help="compare two schemas (JSON files or EVENT@VERSION)",
        description="Backward: a new reader takes old events. Forward: an old reader takes new "
        "events (what 'products on 2, checkout on 1' needs). Full: both.",
    )
    diff.add_argument("old", help="a JSON Schema file, or EVENT@VERSION from the registry")
    diff.add_argument("new", help="a JSON Schema file, or EVENT@VERSION from the registry")
    diff.add_argument("--mode", choices=MODES, default="full")
    diff.add_argument("--json", action="store_true", help="machine-readable output")
    diff.set_defaults(handler=diff_schemas)

    check = sub.add_parser("check", help="models match the published lock; new versions convert")
    # While a student evolves a contract, a new version is fine until it is published; CI and
    # `make lint` pass this so that a version nobody published cannot land.
    check.add_argument(
        "--require-published",
        action="store_true",
        help="also fail while a registered version is not published yet",
    )
    check.set_defaults(handler=check_lock)
    sub.add_parser("publish", help="add new versions to the published lock").set_defaults(
        handler=publish_lock
    )

    asyncapi = sub.add_parser("asyncapi", help="the catalog as an AsyncAPI 3.0 document")
    asyncapi.add_argument("-o", "--output", type=Path, help="write to FILE instead of printing")
    asyncapi.set_defaults(handler=export_asyncapi)

    export = sub.add_parser("export", help="write the schemas and converters the browser uses")
    export.add_argument("directory", type=Path)
    export.set_defaults(handler=export_bundle)


def list_contracts(args: argparse.Namespace) -> int:
    """Print every event and version with its lock and deprecation status."""
    locked = publishing.published()
    rows = []
    for contract in registry.contracts():
        status = "published" if (contract.event, contract.version) in locked else "new"
        sunset = f"deprecated, sunset {contract.sunset or 'not set'}" if contract.deprecated else ""
        rows.append([contract.event, contract.version, status, sunset, contract.description])
    print(table(["EVENT", "VERSION", "STATUS", "DEPRECATION", "DESCRIPTION"], rows))
    return EXIT_OK


def _contract(event: str, version: str | None):
    try:
        return registry.get(event, version or registry.versions(event)[-1])
    except ContractError as error:
        raise UsageError(error.message) from None


def show_contract(args: argparse.Namespace) -> int:
    """Print one version's fields, example payload and JSON Schema."""
    event, version = args.event, args.version
    # `show cart:item-added@2.0.0`, as `diff` names a version.
    if version is None and "@" in event:
        event, _, version = event.rpartition("@")
    contract = _contract(event, version)
    print(f"{contract.key}: {contract.description}")
    if contract.deprecated:
        print(f"DEPRECATED (sunset {contract.sunset or 'not set'})")
    print()
    rows = [
        [
            f.path,
            f.type,
            "yes" if f.required else "no",
            f.constraints,
            f"DEPRECATED. {f.description}" if f.deprecated else f.description,
        ]
        for f in describe_fields(contract.schema)
    ]
    print(table(["FIELD", "TYPE", "REQUIRED", "CONSTRAINTS", "DESCRIPTION"], rows))
    examples = contract.schema.get("examples") or []
    if examples:
        print("\nExample data:")
        print(json.dumps(examples[0], indent=2))
    print("\nJSON Schema:")
    print(json.dumps(contract.schema, indent=2))
    return EXIT_OK


def load_schema(spec: str) -> tuple[str, dict]:
    """A schema from a file path or `EVENT@VERSION`; UsageError when unreadable."""
    path = Path(spec)
    if path.is_file():
        try:
            schema = json.loads(path.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
            raise UsageError(f"cannot read {spec}: {error}") from None
        if not isinstance(schema, dict):
            raise UsageError(f"{spec} is not a JSON Schema object")
        return spec, schema
    event, sep, version = spec.rpartition("@")
    if not sep:
        raise UsageError(f"{spec!r} is neither a readable file nor EVENT@VERSION")
    return spec, _contract(event, version).schema


def diff_schemas(args: argparse.Namespace) -> int:
    """Print each change with its reason code, path, verdicts and fix."""
    old_name, old = load_schema(args.old)
    new_name, new = load_schema(args.new)
    try:
        report = compare(old, new)
    except ValueError as error:
        raise UsageError(f"cannot compare: {error}") from None
    except (TypeError, RecursionError) as error:
        # A file that is JSON but not a JSON Schema ({"type": 5}, nesting a thousand deep).
        raise UsageError(f"cannot compare: not a JSON Schema it reads ({error})") from None
    ok = report.compatible(args.mode)
    if args.json:
        print(json.dumps({"old": old_name, "new": new_name, **report.to_dict(args.mode)}, indent=2))
        return EXIT_OK if ok else EXIT_REFUSED
    print(f"{old_name} -> {new_name} (mode: {args.mode})")
    if report.changes:
        rows = [
            [
                c.code,
                c.path,
                "ok" if c.backward else "BREAKS",
                "ok" if c.forward else "BREAKS",
                c.message,
            ]
            for c in report.changes
        ]
        print(table(["CODE", "PATH", "BACKWARD", "FORWARD", "CHANGE"], rows))
        for change in report.breaking(args.mode):
            print(f"fix {change.path} ({change.code}): {change.fix}")
    else:
        print("no changes")
    verdict = "compatible" if ok else "NOT compatible"
    print(
        f"{verdict} in {args.mode} mode "
        f"(backward: {'yes' if report.backward_compatible else 'no'}, "
        f"forward: {'yes' if report.forward_compatible else 'no'})"
    )
    return EXIT_OK if ok else EXIT_REFUSED


def check_lock(args: argparse.Namespace) -> int:
    """Exit 0 when the lock holds, else 1 naming each problem."""
    problems = publishing.check()
    new = publishing.unpublished()
    for problem in problems:
        print(f"FAIL {problem.event}@{problem.version} [{problem.code}]: {problem.message}")
    if problems:
        print(f"{len(problems)} problem(s)")
        return EXIT_REFUSED
    names = ", ".join(f"{e}@{v}" for e, v in new)
    if new and args.require_published:
        print(f"FAIL not yet published: {names} (run `mfe contracts publish` and commit the files)")
        return EXIT_REFUSED
    pending = f"; not yet published: {names}" if new else ""
    print(f"ok: {len(registry.contracts())} contract versions match the lock{pending}")
    return EXIT_OK


def publish_lock(args: argparse.Namespace) -> int:
    """Publish new versions; exit 1 when the check refuses."""
    try:
        written = publishing.publish()
    except ValueError as error:
        print(f"refused: {error}")
        return EXIT_REFUSED
    for path in written:
        print(f"published {path.relative_to(publishing.LOCK_DIR.parent)}")
    if not written:
        print("nothing new to publish")
    return EXIT_OK


def export_bundle(args: argparse.Namespace) -> int:
    """Write the browser bundle and the schemas into a directory."""
    try:
        written = bundle.export(args.directory)
    except OSError as error:
        raise UsageError(f"cannot write to {args.directory}: {error}") from None
    print(f"wrote {len(written)} files to {args.directory}")
    return EXIT_OK


def export_asyncapi(args: argparse.Namespace) -> int:
    """Print (or write) the AsyncAPI 3.0 document of the catalog."""
    text = json.dumps(asyncapi.document(), indent=2) + "\n"
    if args.output is None:
        print(text, end="")
        return EXIT_OK
    try:
        args.output.write_text(text)
    except OSError as error:
        raise UsageError(f"cannot write {args.output}: {error}") from None
    print(f"wrote {args.output}")
    return EXIT_OK
