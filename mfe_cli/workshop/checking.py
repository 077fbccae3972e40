"""`mfe workshop check N`: run the lab's check script on the student's own code and shop.

A lab's checks live beside its text, as `docs/workshop/labN/check.py`. They run in a fresh
Python from the repository root, so they import the student's files as saved now (the CLI
itself imports no app), and print one JSON line: the points verified, each with a hint.
"""

import json
import os
import subprocess
import sys

from mfe_cli.exits import EXIT_OK, EXIT_REFUSED
from mfe_cli.workshop.catalog import WORKSHOP, Lab
from mfe_cli.workshop.worktree import ROOT

TIMEOUT_SECONDS = 300


def script_environment() -> dict[str, str]:
    """The caller's environment, with the repository and docs/workshop importable."""
    env = dict(os.environ)
    paths = [str(ROOT), str(WORKSHOP), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_script(lab: Lab, name: str) -> subprocess.CompletedProcess:
    """Run `docs/workshop/labN/<name>` from the repository root with this Python."""
    return subprocess.run(
        [sys.executable, str(lab.folder / name)],
        cwd=ROOT,
        env=script_environment(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )


def points_of(result: subprocess.CompletedProcess) -> list[dict]:
    """The points the script reported on its last line; one failed point if it reported none."""
    for line in reversed(result.stdout.splitlines()):
        if line.startswith('{"points"'):
            return json.loads(line)["points"]
    tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-8:])
    return [
        {
            "ok": False,
            "what": "the check could run",
            "hint": f"the check stopped before it could say anything (exit {result.returncode}):"
            f"\n{tail}",
        }
    ]


def check(lab: Lab) -> int:
    """Print each point as verified or with its hint; exit 0 when all are verified."""
    if lab.data("check.py") is None:
        print(f"lab {lab.number} has no check")
        return EXIT_REFUSED
    print(f"lab {lab.number} — {lab.title}: checking your work ...")
    try:
        result = run_script(lab, "check.py")
        points = points_of(result)
    except subprocess.TimeoutExpired:
        points = [
            {
                "ok": False,
                "what": "the check finished",
                "hint": f"it took longer than {TIMEOUT_SECONDS} s",
            }
        ]
    for point in points:
        print(f"  {'ok  ' if point['ok'] else 'FAIL'}  {point['what']}")
        if not point["ok"]:
            first, *rest = point["hint"].splitlines() or [""]
            print(f"        hint: {first}")
            for line in rest:
                print(f"              {line}")
    failed = sum(not p["ok"] for p in points)
    if failed:
        print(
            f"lab {lab.number}: {failed} of {len(points)} point(s) not there yet; "
            f"stuck? `mfe workshop solve {lab.number}` (keeps your attempt aside)"
        )
        return EXIT_REFUSED
    print(f"lab {lab.number}: all {len(points)} point(s) verified")
    return EXIT_OK
