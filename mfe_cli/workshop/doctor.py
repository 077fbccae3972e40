"""`mfe doctor`: is this machine ready for the workshop? Each problem is named with its fix.

Python, git and make, the five ports (MFE_*_URL, default 8000 to 8012), the installed packages
against the lock (requirements.txt, when there is one), then one add to cart in headless
Chromium on a shop of its own on free ports (`e2e/smoke.py`). Exit 0 ready, 1 not.
"""

import argparse
import importlib.metadata
import importlib.util
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass

from packaging.markers import Marker

from mfe_cli.exits import EXIT_OK, EXIT_REFUSED
from mfe_platform import ports, settings
from mfe_platform.readiness import healthy

SMOKE_TIMEOUT_SECONDS = 90
# What pyproject.toml requires; the check matters most on the interpreter a venv was made from.
MINIMUM_PYTHON = (3, 10)


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


def ports_free() -> list[Finding]:
    """Each of the five URLs' ports is free for `make run` (the check `make run` does itself)."""
    findings, numbers = [], []
    for key, url in settings.urls().items():
        port = ports.port_of(url)
        numbers.append(port)
        if not ports.is_taken(url):
            continue
        shop = healthy(url, timeout=1.0)
        who = (
            f"this shop's {shop['app']} (a `make run` still going?)"
            if shop
            else ports.holder(port) or "a process this user cannot see"
        )
        findings.append(
            Finding(
                f"port {port} (MFE_{key}) is taken by {who}",
                False,
                "stop it (a shop still running? Ctrl-C in its terminal; else `kill` its pid), "
                f"or give the shop another port: MFE_{key}=http://localhost:PORT make run",
            )
        )
    return findings or [Finding(f"ports {', '.join(map(str, numbers))} are free", True)]


def lock_entries(text: str) -> list[tuple[str, str]]:
    """(name, version) of each pin of a lock that applies to this interpreter and system."""
    entries = []
    for line in text.splitlines():
        requirement = line.split("#", 1)[0].rstrip().rstrip("\\").strip()
        pin, _, marker = requirement.partition(";")
        name, sep, version = pin.partition("==")
        if not sep or (marker.strip() and not Marker(marker.strip()).evaluate()):
            continue
        entries.append((name.split("[", 1)[0].strip(), version.strip()))
    return entries


def locked_versions() -> list[Finding]:
    """Installed packages against the locks (requirements.txt, and -dev when the dev extras are
    installed), when the project has them."""
    locks = [settings.REPOSITORY / "requirements.txt"]
    if importlib.util.find_spec("pytest") is not None:
        locks.append(settings.REPOSITORY / "requirements-dev.txt")
    locks = [lock for lock in locks if lock.is_file()]
    if not locks:
        return [Finding("no requirements.txt lock to compare with: skipped", True)]
    # The dev lock repeats the runtime pins: each package is compared once.
    pins = dict(entry for lock in locks for entry in lock_entries(lock.read_text()))
    wrong = []
    for name, wanted in pins.items():
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = "missing"
        if installed != wanted:
            wrong.append(f"{name} {installed} (lock: {wanted})")
    names = " and ".join(lock.name for lock in locks)
    if not wrong:
        return [Finding(f"installed packages match {names}", True)]
    return [
        Finding(
            f"installed packages differ from {names}: " + ", ".join(wrong[:8]),
            False,
            "`make install-dev` installs exactly the locks (or `make clean install-dev`)",
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
    findings = [python_version(), *tools(), *ports_free(), *locked_versions()]
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
