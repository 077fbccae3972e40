"""`mfe workshop list|start|solve|diff|reset`: lab states as data, applied with git."""

import argparse
import difflib
import os
import signal
import subprocess

from mfe_cli import operations
from mfe_cli.exits import EXIT_OK, EXIT_REFUSED, UsageError
from mfe_cli.output import table
from mfe_cli.workshop import worktree
from mfe_cli.workshop.catalog import LABS, Lab
from mfe_cli.workshop.checking import run_script
from mfe_platform import settings


def state_of(lab: Lab) -> str:
    """`start state`, `your work`, `solved`, or `committed code` (no lab applied)."""
    paths = worktree.lab_paths(lab)
    if all(worktree.current(path) == worktree.committed(path) for path in paths):
        return "committed code"
    if all(worktree.current(path) == text for path, text in worktree.solution(lab).items()):
        return "solved"
    start = lab.data("start.patch")
    if start is not None and worktree.applies(start, reverse=True):
        return "start state"
    return "your work"


def list_labs(args: argparse.Namespace) -> int:
    """Print the labs with their minutes, task and state."""
    rows = [
        [
            lab.number,
            lab.title + (" (optional)" if lab.optional else ""),
            lab.minutes,
            lab.task or "-",
            state_of(lab),
        ]
        for lab in LABS
    ]
    print(table(["LAB", "TITLE", "MIN", "YOUR TASK", "STATE"], rows))
    print(f"total {sum(lab.minutes for lab in LABS)} min; texts in docs/workshop/")
    return EXIT_OK


def start(lab: Lab) -> int:
    """Apply the lab's start state, refusing to overwrite the student's changes."""
    patch = lab.data("start.patch")
    if patch is None:
        print(f"lab {lab.number} has no start state: read docs/workshop/{lab.page}")
        return EXIT_OK
    if worktree.applies(patch, reverse=True):
        print(f"lab {lab.number} is in its start state already: read docs/workshop/{lab.page}")
        return EXIT_OK
    paths = worktree.lab_paths(lab)
    dirty = worktree.changed(paths)
    if dirty:
        print(f"refused: lab {lab.number}'s start state would overwrite your changes in:")
        for path in dirty:
            print(f"  {path}")
        print(
            "keep them first: `git stash`, or `mfe workshop solve N` for the lab they belong to, "
            "or `mfe workshop reset` (both keep your files under instance/workshop/attempts/)"
        )
        return EXIT_REFUSED
    if not worktree.applies(patch):
        print(f"refused: {patch.relative_to(worktree.ROOT)} does not apply to this code")
        return EXIT_REFUSED
    worktree.apply(patch)
    print(f"lab {lab.number} — {lab.title}: start state applied to")
    for path in worktree.patch_paths(patch):
        print(f"  {path}")
    print(f"your task: {lab.task}; look for TODO(lab {lab.number}).")
    print("Restart the shop (Ctrl-C, make run) so it runs this code,")
    print(f"then follow docs/workshop/{lab.page} and run `mfe workshop check {lab.number}`.")
    return EXIT_OK


def differing(lab: Lab) -> list[tuple[str, str | None, str | None]]:
    """(path, solution, yours) for each file of the lab that is not as the solution has it."""
    return [
        (path, text, worktree.current(path))
        for path, text in worktree.solution(lab).items()
        if worktree.current(path) != text
    ]


def solve(lab: Lab) -> int:
    """Keep the student's attempt aside, then put the solution in place (and what it needs)."""
    different = differing(lab)
    kept = worktree.keep_aside([path for path, _, _ in different], f"lab{lab.number}")
    worktree.restore(worktree.lab_paths(lab))
    patch = lab.data("solution.patch")
    if patch is not None:
        worktree.apply(patch)
    if kept is not None:
        print(f"your attempt is kept in {kept}")
    print(f"lab {lab.number}: the solution is in place ({len(different)} file(s) changed)")
    if lab.data("solve.py") is not None:
        # What the check needs beyond code (lab 4: your release running and deployed).
        result = run_script(lab, "solve.py")
        print(result.stdout.rstrip())
        if result.returncode != 0:
            print(result.stderr.rstrip())
            return EXIT_REFUSED
    print(f"restart the shop if it runs (Ctrl-C, make run); `mfe workshop check {lab.number}`")
    return EXIT_OK


def diff(lab: Lab) -> int:
    """Print the student's files against the solution; exit 1 when they differ."""
    different = differing(lab)
    if not different:
        print(f"lab {lab.number}: your work matches the solution")
        return EXIT_OK
    for path, expected, yours in different:
        lines = difflib.unified_diff(
            (expected or "").splitlines(keepends=True),
            (yours or "").splitlines(keepends=True),
            f"solution/{path}" if expected is not None else "/dev/null",
            f"yours/{path}" if yours is not None else "/dev/null",
        )
        print("".join(lines), end="")
    print(f"lab {lab.number}: {len(different)} file(s) differ from the solution")
    return EXIT_REFUSED


def command_of(pid: int) -> str:
    """The command line of a running process (`ps`, as on Linux and macOS); "" when gone."""
    result = subprocess.run(
        ["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True
    )
    return result.stdout.strip()


def stop_workshop_processes() -> None:
    """Stop what the labs started in the background (your release of lab 4), by its pid file."""
    folder = settings.data_dir("workshop") / "processes"
    for pid_file in sorted(folder.glob("*.pid")) if folder.is_dir() else []:
        try:
            pid = int(pid_file.read_text().strip())
        except ValueError:
            pid = 0
        command = command_of(pid) if pid > 0 else ""
        # Only a process that is still the one recorded: a pid may be reused.
        if pid_file.stem in command:
            os.killpg(pid, signal.SIGTERM)
            print(f"stopped {pid_file.stem} (pid {pid})")
        pid_file.unlink()


def reset(args: argparse.Namespace) -> int:
    """Committed code, published lock, data, deployments and chaos back to the first state."""
    lab_files = worktree.all_lab_paths()
    dirty = worktree.changed()
    lock = [path for path in dirty if path.startswith(worktree.LOCK + "/")]
    ours = [path for path in dirty if path in lab_files or path in lock]
    kept = worktree.keep_aside(ours, "reset")
    worktree.restore(ours)
    if kept is not None:
        print(f"your files are kept in {kept}")
    print(f"code: {len(ours)} file(s) the labs touch put back as committed")
    failures = 0
    try:
        failures += operations.reset(args) != EXIT_OK
    except UsageError as error:
        print(f"the shop is not running ({error}): start it (make run), then run `mfe reset`")
        failures += 1
    # After the shop's reset, which clears the chaos of every release it knows (yours too).
    stop_workshop_processes()
    others = worktree.changed()
    if others:
        print("left as they are (no lab gave you these; commit, stash or delete them yourself):")
        for path in others:
            print(f"  {path}")
        failures += 1
    return EXIT_REFUSED if failures else EXIT_OK
