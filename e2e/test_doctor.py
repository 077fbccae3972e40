"""`mfe doctor`: passes on a working install in under a minute, names a taken port with its fix."""

import os
import socket
import subprocess
import time

from e2e.processes import MFE, URL_VARIABLES, free_port


def doctor(*args: str, **urls: str) -> subprocess.CompletedProcess:
    """`mfe doctor` with the five URLs on free ports unless given."""
    env = {variable: f"http://localhost:{free_port()}" for variable in URL_VARIABLES.values()}
    env.update(urls)
    return subprocess.run(
        [MFE, "doctor", *args],
        env={**clean_environment(), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def clean_environment() -> dict[str, str]:
    """The test's environment without any MFE_* variable of the caller's shell."""
    return {key: value for key, value in os.environ.items() if not key.startswith("MFE_")}


def test_doctor_passes_on_a_working_install_in_under_a_minute():
    """Every step ok, one add to cart done in Chromium, exit 0."""
    began = time.monotonic()
    result = doctor()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout
    assert "one add to cart in headless Chromium" in result.stdout
    assert "ready for the workshop" in result.stdout
    assert time.monotonic() - began < 60


def test_doctor_names_a_taken_port_its_holder_and_the_fix():
    """A port held by this test process: FAIL naming the port, the variable, the pid, a fix."""
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        result = doctor("--quick", MFE_HOST_URL=f"http://localhost:{port}")
    assert result.returncode == 1, result.stdout
    assert f"FAIL  port {port} (MFE_HOST_URL) is taken by " in result.stdout, result.stdout
    assert f"pid {os.getpid()}" in result.stdout
    assert "fix: stop it" in result.stdout and "MFE_HOST_URL=http://localhost:PORT" in result.stdout
    assert "1 problem(s)" in result.stdout
