"""Are the shop's ports free? `make run` asks before it starts anything.

A port that is taken gets one line naming it, the process holding it where the system says, and
the fix, instead of a traceback from one process and honcho stopping the other four.
"""

import errno
import re
import shutil
import socket
import subprocess
import sys

from mfe_platform import settings
from mfe_platform.serving import bind_address


def port_of(url: str) -> int:
    """The TCP port a URL's server listens on."""
    return int(bind_address(url).rsplit(":", 1)[1])


def is_taken(url: str) -> bool:
    """Whether another process already listens where the app for `url` would bind."""
    host, port = bind_address(url).rsplit(":", 1)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As the servers do: a port left in TIME_WAIT by a stopped shop is free to use.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, int(port)))
        except OSError as error:
            return error.errno == errno.EADDRINUSE
    return False


def holder(port: int) -> str | None:
    """`name (pid N)` of the process listening on `port`, if `ss` or `lsof` can tell."""
    commands = {
        "ss": (["ss", "-ltnpH", f"sport = :{port}"], r'users:\(\("([^"]+)",pid=(\d+)'),
        "lsof": (["lsof", "-nP", f"-iTCP:{port}", "-sTCP:LISTEN", "-Fpc"], r"p(\d+)\nc(.+)"),
    }
    for tool, (command, pattern) in commands.items():
        if shutil.which(tool) is None:
            continue
        try:
            output = subprocess.run(command, capture_output=True, text=True, timeout=3).stdout
        except (OSError, subprocess.TimeoutExpired):
            continue
        match = re.search(pattern, output)
        if match:
            name, pid = match.groups() if tool == "ss" else reversed(match.groups())
            return f"{name} (pid {pid})"
    return None


def problems(environ=None) -> list[str]:
    """One line per taken port, naming the variable that moves it."""
    lines = []
    for key, url in settings.urls(environ).items():
        if not is_taken(url):
            continue
        port = port_of(url)
        who = holder(port)
        held = f"in use by {who}" if who else f"in use (`lsof -i :{port}` names the process)"
        lines.append(
            f"mfe: port {port} ({url}, MFE_{key}) is already {held}: stop it, "
            f"or set MFE_{key} to a free port"
        )
    return lines


def main() -> int:
    """Print a line per taken port and exit 2 if there is one."""
    try:
        lines = problems()
    except ValueError as error:
        lines = [f"mfe: {error}"]
    for line in lines:
        print(line, file=sys.stderr)
    return 2 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
