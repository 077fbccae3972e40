"""`make run`'s first steps on a machine that cannot run the shop: one line saying what to do.

Each test runs the real Makefile in an empty folder with a stand-in `python3` that behaves like
the broken machine, so nothing is installed and no traceback is expected.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make")

pytestmark = pytest.mark.skipif(MAKE is None, reason="needs make")


def fake_python(folder: Path, script: str) -> Path:
    """An executable named python3 in `folder` that runs the given shell `script`."""
    path = folder / "python3"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return path


def make_install(folder: Path, python: Path) -> subprocess.CompletedProcess:
    """`make install` in a copy of the project's build files, with `python` as PYTHON."""
    for name in ("Makefile", "pyproject.toml", "requirements.txt"):
        shutil.copy(REPOSITORY / name, folder / name)
    return subprocess.run(
        [MAKE, "--no-print-directory", "install", f"PYTHON={python}"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_python_older_than_3_10_is_named_with_the_fix(tmp_path):
    python = fake_python(
        tmp_path, 'case "$*" in *version_info*) exit 1;; -V) echo "Python 3.8.10";; esac\n'
    )
    result = make_install(tmp_path, python)
    assert result.returncode == 2
    assert "Python 3.10 or newer is needed" in result.stdout
    assert "Python 3.8.10" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / ".venv").exists()


def test_a_missing_venv_module_is_named_with_the_fix(tmp_path):
    # Like Debian's python3 without python3-venv: the version is fine, ensurepip is missing.
    python = fake_python(tmp_path, 'case "$*" in *ensurepip*) exit 1;; esac\nexit 0\n')
    result = make_install(tmp_path, python)
    assert result.returncode == 2
    assert "venv module is missing" in result.stdout
    assert "apt install python3-venv" in result.stdout
    assert not (tmp_path / ".venv").exists()


def test_no_python_at_all_is_named(tmp_path):
    result = make_install(tmp_path, tmp_path / "no-such-python")
    assert result.returncode == 2
    assert "install Python 3.10 or newer" in result.stdout
