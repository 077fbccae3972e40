"""The student's files, through git: what a lab touches, what changed, what the solution is."""

import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from mfe_cli.exits import UsageError
from mfe_cli.workshop.catalog import LABS, Lab
from mfe_platform import settings

ROOT = settings.REPOSITORY
# `mfe contracts publish` writes here: files a lab's student created, never committed ones.
LOCK = "shared_contracts/published"
HEADER = re.compile(r"^diff --git a/(\S+) b/(\S+)$", re.MULTILINE)


def git(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run git in the repository; UsageError (exit 2) when git itself is missing or fails."""
    try:
        result = subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=60
        )
    except FileNotFoundError:
        raise UsageError("git is not installed: the workshop commands need it") from None
    if check and result.returncode != 0:
        raise UsageError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result


def patch_paths(patch: Path | None) -> list[str]:
    """The files a patch touches."""
    if patch is None:
        return []
    found: list[str] = []
    for pair in HEADER.findall(patch.read_text()):
        for path in pair:
            if path not in found:
                found.append(path)
    return found


def lab_paths(lab: Lab) -> list[str]:
    """Every file the lab's start state or its solution touches."""
    paths = patch_paths(lab.data("start.patch"))
    return paths + [p for p in patch_paths(lab.data("solution.patch")) if p not in paths]


def all_lab_paths() -> list[str]:
    """Every file any lab touches."""
    paths: list[str] = []
    for lab in LABS:
        paths += [p for p in lab_paths(lab) if p not in paths]
    return paths


def changed(paths: list[str] | None = None) -> list[str]:
    """Files (of `paths`, or all) that differ from the last commit, untracked ones included."""
    args = ["status", "--porcelain", "--untracked-files=all", "--no-renames"]
    if paths is not None:
        if not paths:
            return []
        args += ["--", *paths]
    lines = git(*args).stdout.splitlines()
    return [line[3:].strip('"') for line in lines if line.strip()]


def applies(patch: Path, reverse: bool = False) -> bool:
    """Whether the patch would apply cleanly (in reverse: whether it is applied already)."""
    args = ["apply", "--check", *(["--reverse"] if reverse else []), str(patch)]
    return git(*args, check=False).returncode == 0


def apply(patch: Path) -> None:
    """Apply a lab's patch to the work tree."""
    git("apply", "--whitespace=nowarn", str(patch))


def committed(path: str) -> str | None:
    """The file as last committed, or None when the commit has no such file."""
    result = git("show", f"HEAD:{path}", check=False)
    return result.stdout if result.returncode == 0 else None


def current(path: str) -> str | None:
    """The file as it is in the work tree now, or None when it does not exist."""
    file = ROOT / path
    return file.read_text() if file.is_file() else None


def solution(lab: Lab) -> dict[str, str | None]:
    """Each file of the lab as its solution has it (None: the solution has no such file)."""
    paths = lab_paths(lab)
    texts = {path: committed(path) for path in paths}
    patch = lab.data("solution.patch")
    if patch is None:
        return texts
    with tempfile.TemporaryDirectory() as scratch:
        for path, text in texts.items():
            if text is not None:
                (Path(scratch) / path).parent.mkdir(parents=True, exist_ok=True)
                (Path(scratch) / path).write_text(text)
        # Outside any repository, `git apply` is a plain patch tool on these copies.
        subprocess.run(["git", "apply", str(patch)], cwd=scratch, check=True, capture_output=True)
        for path in paths:
            file = Path(scratch) / path
            texts[path] = file.read_text() if file.is_file() else None
    return texts


def attempts_folder(label: str) -> Path:
    """A new folder under `instance/workshop/attempts/` for files kept aside."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = settings.data_dir("workshop") / "attempts" / f"{label}-{stamp}"
    suffix = 1
    while folder.exists():
        suffix += 1
        folder = folder.with_name(f"{label}-{stamp}-{suffix}")
    return folder


def keep_aside(paths: list[str], label: str) -> Path | None:
    """Copy the files that exist to a new attempts folder; returns it (None: nothing to keep)."""
    existing = [path for path in paths if (ROOT / path).is_file()]
    if not existing:
        return None
    folder = attempts_folder(label)
    for path in existing:
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / path, folder / path)
    return folder


def restore(paths: list[str]) -> None:
    """Put the files back as committed; a file the commit does not have is removed."""
    tracked = [path for path in paths if committed(path) is not None]
    if tracked:
        git("checkout", "HEAD", "--", *tracked)
    for path in paths:
        if path not in tracked and (ROOT / path).is_file():
            (ROOT / path).unlink()
