"""`mfe doctor`: is this machine ready for the workshop? Each problem is named with its fix.

Python, git and make, the five ports (MFE_*_URL, default 8000 to 8012), the installed packages
against the lock (requirements.txt, when there is one), then one add to cart in headless
Chromium on a shop of its own on free ports (`e2e/smoke.py`). Exit 0 ready, 1 not.
"""

import argparse
import importlib.metadata
import json
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from mfe_platform import settings
from mfe_cli.exits import EXIT_OK, EXIT_REFUSED
from mfe_platform.readiness import healthy

SMOKE_TIMEOUT_SECONDS = 90
# What pyproject.toml requires; the check matters most on the interpreter a venv was made from.
MINIMUM_PYTHON = (3, 10)
PROCESS_NAME = re.compile(r'\("([^"]+)",pid=(\d+)')


@dataclass
class Finding:
    """One thing doctor looked at: fine, or a problem with its fix."""

    what: str
    ok: bool
    fix: str = ""


def register(commands) -> None:
    """Add `doctor`."""
    doctor = commands.add_parser("doctor", help="is this machine ready for the workshop?")
    doctor.add_argument(
        "--quick", action="store_true", help="skip the shop and browser step (about 15 s)"
    )
    doctor.set_defaults(handler=diagnose)


def python_version() -> Finding:
    """Python 3.10 or newer."""
    found = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info >= MINIMUM_PYTHON:
        return Finding(f"Python {found}", True)
    return Finding(f"Python {found} is too old", False, "install Python 3.10 or newer")


def tools() -> list[Finding]:
    """git (the workshop commands) and make (`make run`) on the PATH."""
    return [
        Finding(f"{tool} is installed", True)
        if shutil.which(tool)
        else Finding(f"{tool} is missing", False, f"install {tool} (apt, brew, or your system's)")
        for tool in ("git", "make")
    ]


def holder(port: int) -> str:
    """Who listens on `port`, as the system tells this user (ss, else lsof)."""
    commands = (
        ["ss", "-ltnpH", f"sport = :{port}"],
        ["lsof", "-nP", f"-iTCP:{port}", "-sTCP:LISTEN"],
    )
    for command in commands:
        if shutil.which(command[0]) is None:
            continue
        output = subprocess.run(command, capture_output=True, text=True, timeout=10).stdout
        found = PROCESS_NAME.search(output)
        if found:
            return f"{found.group(1)} (pid {found.group(2)})"
        lines = output.splitlines()[1:] if command[0] == "lsof" else []
        if lines:
            name, pid = lines[0].split()[:2]
            return f"{name} (pid {pid})"
    return "a process this user cannot see"


def port_taken(port: int) -> bool:
    """Whether a server could not bind the loopback port now (as the apps bind it)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def ports() -> list[Finding]:
    """Each of the five URLs' ports is free for `make run`."""
    findings, numbers = [], []
    for key in settings.DEFAULT_URLS:
        url = settings.env(key, settings.DEFAULT_URLS[key])
        port = urlsplit(url).port or 80
        numbers.append(port)
        if port_taken(port):
            shop = healthy(settings.origin(url), timeout=1.0)
            who = f"this shop's {shop['app']} (a `make run` still going?)" if shop else holder(port)
            findings.append(
                Finding(
                    f"port {port} (MFE_{key}) is taken by {who}",
                    False,
                    f"stop it (a shop still running? Ctrl-C in its terminal; else `kill` its pid)"
                    f", or give the shop another port: MFE_{key}=http://localhost:PORT make run",
                )
            )
    if not findings:
        return [Finding(f"ports {', '.join(map(str, numbers))} are free", True)]
    return findings


def locked_versions() -> list[Finding]:
    """Installed packages against the lock (requirements.txt), when the project has one."""
    lock = settings.REPOSITORY / "requirements.txt"
    if not lock.is_file():
        return [Finding("no requirements.txt lock to compare with: skipped", True)]
    wrong = []
    for line in lock.read_text().splitlines():
        pin = line.split("#", 1)[0].split(";", 1)[0].strip().rstrip("\\").strip()
        name, sep, wanted = pin.partition("==")
        if not sep:
            continue
        name = name.split("[", 1)[0].strip()
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = "missing"
        if installed != wanted.strip():
            wrong.append(f"{name} {installed} (lock: {wanted.strip()})")
    if not wrong:
        return [Finding("installed packages match requirements.txt", True)]
    return [
        Finding(
            "installed packages differ from requirements.txt: " + ", ".join(wrong[:8]),
            False,
            "`.venv/bin/pip install -r requirements.txt` (or `make clean install-dev`)",
        )
    ]


def smoke() -> list[Finding]:
    """One add to cart on a shop of its own, in headless Chromium (`python -m e2e.smoke`)."""
    try:
        result = subprocess.run(
            [sys.executable, "-m", "e2e.smoke"],
            cwd=settings.REPOSITORY,
            capture_output=True,
            text=True,
            timeout=SMOKE_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        fix = "the machine is very busy, or an app hangs: run `make test` to see which"
        return [Finding(f"one add to cart within {SMOKE_TIMEOUT_SECONDS} s", False, fix)]
    findings = []
    for line in result.stdout.splitlines():
        if line.startswith("{"):
            step = json.loads(line)
            detail = f" ({step['detail']})" if step["ok"] and step["detail"] else ""
            failure = "" if step["ok"] else f": {step['detail']}"
            findings.append(Finding(step["what"] + detail + failure, step["ok"], step["fix"]))
    if result.returncode != 0 and all(f.ok for f in findings):
        tail = " ".join(result.stderr.strip().splitlines()[-3:])
        findings.append(Finding(f"one add to cart: {tail}", False, "run `make test` to see more"))
    return findings


def diagnose(args: argparse.Namespace) -> int:
    """Run every check, print each finding (a problem with its fix); exit 0 when all are ok."""
    began = time.monotonic()
    print("mfe doctor: is this machine ready for the workshop?")
    findings = [python_version(), *tools(), *ports(), *locked_versions()]
    for finding in findings:
        show(finding)
    if args.quick:
        print("  skip  the shop and one add to cart in Chromium (--quick)")
    else:
        for finding in smoke():
            findings.append(finding)
            show(finding)
    problems = sum(not f.ok for f in findings)
    seconds = time.monotonic() - began
    if problems:
        print(f"{problems} problem(s), each with its fix above ({seconds:.0f} s)")
        return EXIT_REFUSED
    print(f"ready for the workshop ({seconds:.0f} s)")
    return EXIT_OK


def show(finding: Finding) -> None:
    """One finding: ok, or FAIL with its fix."""
    print(f"  {'ok  ' if finding.ok else 'FAIL'}  {finding.what}")
    if not finding.ok:
        print(f"        fix: {finding.fix}")
