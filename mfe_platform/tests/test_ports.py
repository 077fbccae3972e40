"""`make run` checks its five ports first and names a taken one, its holder and the fix."""

import os
import shutil
import socket
import subprocess
import sys

from e2e.processes import free_port
from mfe_platform import ports


def listen_on(port: int) -> socket.socket:
    """A socket listening on the loopback port, as another program would."""
    server = socket.socket()
    server.bind(("127.0.0.1", port))
    server.listen()
    return server


def environment(port: int) -> dict[str, str]:
    """Every URL on a free port, the host's on `port`."""
    return {
        "MFE_HOST_URL": f"http://localhost:{port}",
        "MFE_PRODUCTS_V1_URL": f"http://localhost:{free_port()}",
        "MFE_CHECKOUT_V1_URL": f"http://localhost:{free_port()}",
        "MFE_PRODUCTS_V2_URL": f"http://localhost:{free_port()}",
        "MFE_CHECKOUT_V2_URL": f"http://localhost:{free_port()}",
    }


def test_free_ports_are_no_problem():
    assert ports.problems(environment(free_port())) == []


def test_a_taken_port_is_named_with_its_holder_and_the_fix():
    port = free_port()
    with listen_on(port):
        [line] = ports.problems(environment(port))
    assert f"port {port}" in line
    assert "MFE_HOST_URL" in line
    assert "set MFE_HOST_URL to a free port" in line
    # This very process holds it; `ss` or `lsof` says so where the system has them.
    if shutil.which("ss") or shutil.which("lsof"):
        assert f"pid {os.getpid()}" in line


def test_the_command_exits_2_with_one_line_and_no_traceback():
    port = free_port()
    with listen_on(port):
        result = subprocess.run(
            [sys.executable, "-m", "mfe_platform.ports"],
            env={**os.environ, **environment(port)},
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert f"port {port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_port_is_free_again_once_its_holder_is_gone():
    port = free_port()
    with listen_on(port):
        assert ports.is_taken(f"http://localhost:{port}")
    assert not ports.is_taken(f"http://localhost:{port}")
