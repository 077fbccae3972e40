"""`mfe doctor`'s lock step: installed packages against the locks (requirements*.txt)."""

import importlib.metadata

from mfe_cli.workshop import doctor
from mfe_platform import settings


def test_no_lock_file_is_said_and_skipped(tmp_path, monkeypatch):
    """Without requirements.txt there is nothing to compare: ok, and it says so."""
    monkeypatch.setattr(settings, "REPOSITORY", tmp_path)
    [finding] = doctor.locked_versions()
    assert finding.ok and "no requirements.txt" in finding.what


def test_matching_pins_pass_and_a_wrong_or_missing_one_is_named_with_its_fix(tmp_path, monkeypatch):
    """Pins equal to what is installed pass (a pin for another system is left out); another
    version and an absent package fail, named, with the fix."""
    monkeypatch.setattr(settings, "REPOSITORY", tmp_path)
    installed = importlib.metadata.version("pydantic")
    lock = tmp_path / "requirements.txt"
    lock.write_text(
        "# a lock\n"
        f"pydantic=={installed} \\\n    --hash=sha256:abc\n    # via the shop\n"
        "cffi==0.0.1 ; sys_platform == 'no-such-platform' \\\n    --hash=sha256:def\n"
    )
    [finding] = doctor.locked_versions()
    assert finding.ok, finding

    lock.write_text("pydantic==0.0.1\nno-such-package-here==1.0 ; python_version >= '3'\n")
    [finding] = doctor.locked_versions()
    assert not finding.ok
    assert f"pydantic {installed} (lock: 0.0.1)" in finding.what
    assert "no-such-package-here missing (lock: 1.0)" in finding.what
    assert "make install-dev" in finding.fix
